// Loud credentials and `sportello status` as real child processes on the real stack: `once` exits 1
// naming the desk, server and config key of a refused login; `run` exits 1 when every desk is refused;
// `status` reads a running daemon's report (host, pid) and looks for itself once it has stopped.

import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resetMailboxes, sendMail, STACK, waitForMessages } from '../support/mailstack.js';
import { REPO, stackConfigYaml, tempDb, wrongPassword } from '../support/app.js';
import { CLI, sportello } from '../support/cli.js';

function configFile(extra = '', wrongFor: readonly string[] = []): { cfg: string; db: string } {
  const db = tempDb();
  const yaml = wrongPassword(stackConfigYaml(db, extra, undefined, 'none'), ...wrongFor);
  const cfg = path.join(path.dirname(db), 'sportello.yml');
  writeFileSync(cfg, yaml);
  return { cfg, db };
}

// Child processes start slowly on a busy machine (tsx, rules, classifier cache): generous limits.
const SLOW = 240_000;
let daemon: ChildProcess | null = null;
beforeEach(async () => {
  await resetMailboxes();
});
afterEach(() => {
  if (daemon && daemon.exitCode === null) daemon.kill('SIGKILL');
  daemon = null;
});

describe('wrong credentials are loud', () => {
  it('once exits 1 naming the desk, the server and the config keys; the other desk is processed', async () => {
    const { cfg } = configFile('', ['it']);
    const r = await sportello('once', '--config', cfg);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`IT: FAILED — IMAP_AUTH: IMAP server ${STACK.imapHost}:${STACK.imapPort} rejected the login of it@example.test`);
    expect(r.stdout).toContain('check desks[IT].imap.user and desks[IT].imap.password in the configuration');
    expect(r.stdout).toContain('HR: 0 new mail(s)');
  }, SLOW);

  it('run exits 1 when every desk is refused at start, naming each', async () => {
    const { cfg } = configFile('', ['it', 'hr']);
    const r = await sportello('run', '--config', cfg);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/sportello: IMAP_AUTH: every desk was refused at login: IT \(it@example\.test on [^)]*desks\[IT\]\.imap\.password\), HR \(hr@example\.test on [^)]*desks\[HR\]\.imap\.password\)/);
  }, SLOW);
});

describe('sportello status', () => {
  it("shows a running daemon's report, then looks for itself once it stopped", async () => {
    const { cfg, db } = configFile('http: { listen: "127.0.0.1:0" }');
    const child = (daemon = spawn(process.execPath, ['--import', 'tsx', CLI, 'run', '--config', cfg], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SPORTELLO_LOG_LEVEL: 'info' } }));
    let log = '';
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let url = '';
    try {
      // Sent after the daemon's first contact with it@ (on the real clock, mail waiting before it is imported without a reply).
      await logShows(() => log, '"desk":"IT"', 'first contact', 120_000);
      await sendMail({ from: 'alice', to: 'it', subject: 'Pantalla', text: 'La pantalla parpadea.' });
      await waitForMessages('alice', 1, { timeoutMs: 120_000 });
      url = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(log)?.[1] ?? '';
      expect(url).not.toBe('');
      // The report is written at start and every 5 s (pollSeconds); wait until it shows both desks' passes.
      const deadline = Date.now() + 120_000;
      let report: { daemon: Record<string, unknown>; desksFrom: string; desks: { id: string; state: string; lastPassAt: string | null }[]; ready: boolean; oldestOpenCase: { id: string } | null };
      for (;;) {
        const r = await sportello('status', '--json', '--config', cfg);
        expect(r.code).toBe(0);
        report = JSON.parse(r.stdout) as typeof report;
        if (report.desksFrom === 'daemon' && report.desks.every((d) => d.lastPassAt)) break;
        if (Date.now() > deadline) throw new Error(`status never showed the daemon's passes: ${r.stdout}`);
      }
      expect(report.daemon).toMatchObject({ state: 'running', pid: child.pid });
      expect(report.ready).toBe(true);
      expect(report.oldestOpenCase?.id).toBe('IT-1');
      const text = await sportello('status', '--config', cfg);
      expect(text.stdout).toMatch(new RegExp(`^daemon {6}running on host \\S+ pid ${child.pid} since `, 'm'));
      expect(text.stdout).toMatch(/^Sportello READY at /);
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
    } catch (err) {
      child.kill('SIGKILL');
      throw new Error(`${(err as Error).message}\n--- daemon log ---\n${log}`);
    }
    child.kill('SIGTERM');
    expect(await exited).toBe(0);

    await sendMail({ from: 'carlo', to: 'hr', subject: 'Ferie', text: 'Vorrei prendere ferie ad agosto.' });
    await waitForMessages('hr', 1);
    const after = await sportello('status', '--json', '--config', cfg, '--db', db);
    const stopped = JSON.parse(after.stdout) as { daemon: { state: string }; desksFrom: string; desks: { id: string; state: string; backlog: number }[] };
    expect(stopped.daemon.state).toBe('stopped');
    expect(stopped.desksFrom).toBe('check');
    expect(stopped.desks.map((d) => [d.id, d.state, d.backlog])).toEqual([['IT', 'connected', 0], ['HR', 'connected', 1]]);
    // Looking is read-only: the mail is still unseen and still waiting for the next run.
    const again = JSON.parse((await sportello('status', '--json', '--config', cfg)).stdout) as typeof stopped;
    expect(again.desks.find((d) => d.id === 'HR')!.backlog).toBe(1);
  }, SLOW);
});

/** Resolves once one line of the daemon's log names the desk and the event (bounded; the log is the daemon's own word). */
async function logShows(log: () => string, desk: string, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!log().split('\n').some((l) => l.includes(desk) && l.includes(what))) {
    if (Date.now() > deadline) throw new Error(`the daemon did not log "${what}" for ${desk} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
