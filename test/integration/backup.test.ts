// `sportello backup` against a live database: a real `sportello run` daemon ingests a stream of mail
// from the local stack while `sportello backup` runs in another process; the copy passes
// integrity_check and holds every case committed before the backup started. Never overwrites.

import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { inspectDatabase, openSqliteStore } from '../../src/adapters/sqlite-store.js';
import type { CaseStore } from '../../src/ports.js';
import { resetMailboxes, sendMail } from '../support/mailstack.js';
import { REPO, stackConfigYaml } from '../support/app.js';

const run = promisify(execFile);
const CLI = path.join(REPO, 'src/cli/main.ts');

async function sportello(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: REPO, env: { ...process.env, SPORTELLO_LOG_LEVEL: 'warn' } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Bounded polling of real state (the live database), never a fixed sleep. */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const caseIds = async (store: CaseStore) => (await store.listCases({ limit: 100_000 })).map((c) => c.id);

describe('sportello backup', { timeout: 400_000 }, () => {
  it('copies the database while the daemon ingests: integrity ok, every case committed before it started', async () => {
    await resetMailboxes();
    const dir = mkdtempSync(path.join(tmpdir(), 'sportello-backup-'));
    const db = path.join(dir, 'live.db');
    const cfg = path.join(dir, 'sportello.yml');
    const copy = path.join(dir, 'copy.db');
    writeFileSync(cfg, stackConfigYaml(db, '', undefined, 'none'));

    const daemon = spawn(process.execPath, ['--import', 'tsx', CLI, 'run', '--config', cfg], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, SPORTELLO_LOG_LEVEL: 'info' } });
    let log = '';
    daemon.stderr.on('data', (d: Buffer) => (log += d.toString()));
    const exited = new Promise<number | null>((resolve) => daemon.on('exit', (code) => resolve(code)));
    const live = await openSqliteStore(db);
    // A stream of requests that keeps flowing until the backup is done, so the daemon writes meanwhile.
    let backupDone = false;
    let sent = 0;
    const stream = (async () => {
      while (!backupDone && sent < 300) {
        sent++;
        await sendMail({ from: sent % 2 ? 'alice' : 'carlo', to: 'it', subject: `Pedido ${sent}`, text: `El monitor número ${sent} no enciende.` });
      }
    })();
    try {
      await until('three cases opened by the daemon', async () => (await caseIds(live)).length >= 3);
      const before = await caseIds(live);
      const backup = await sportello('backup', copy, '--config', cfg);
      backupDone = true;
      expect(backup.stderr).toBe('');
      expect(backup.code).toBe(0);
      expect(backup.stdout).toMatch(new RegExp(`^Backup written to ${copy} \\(\\d+ bytes\\), integrity ok: \\d+ cases, \\d+ messages, \\d+ outbox rows, 0 quarantine rows\\.\\n$`));
      await stream;

      const report = await inspectDatabase(copy);
      expect(report).toMatchObject({ ok: true, integrity: ['ok'] });
      const saved = await openSqliteStore(copy);
      const inCopy = await caseIds(saved);
      await saved.close();
      expect(inCopy).toEqual(expect.arrayContaining(before));
      expect(report.counts.cases).toBe(inCopy.length);

      // The daemon kept ingesting during and after the backup: the live database moved on without harm.
      await until('every mail of the stream to become a case', async () => (await caseIds(live)).length === sent);
      expect(sent).toBeGreaterThan(before.length);

      const firstCopy = readFileSync(copy);
      const refused = await sportello('backup', copy, '--config', cfg);
      expect([refused.code, refused.stderr]).toEqual([2, expect.stringContaining(`USAGE: ${copy} already exists — choose a new file name, or pass --force to replace it`)]);
      expect(readFileSync(copy).equals(firstCopy)).toBe(true);
      const forced = await sportello('backup', copy, '--force', '--json', '--config', cfg);
      expect(forced.code).toBe(0);
      expect(JSON.parse(forced.stdout)).toMatchObject({ file: copy, integrity: 'ok', counts: { cases: sent, quarantine: 0 } });
    } finally {
      backupDone = true;
      await stream.catch(() => undefined);
      await live.close();
      daemon.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(log).toContain('stopped cleanly');
  });
});
