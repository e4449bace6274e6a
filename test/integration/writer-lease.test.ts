// One writer per database, with real processes: a second `run` and a `once` beside a running daemon
// are refused naming the holder, read commands and short admin edits keep working, and after the
// daemon is SIGKILLed a new `run` takes over at once. Read commands never create a database.
// Synchronised on log lines and exit events only, never on sleeps.

import { existsSync, mkdtempSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resetMailboxes, sendMail, waitForMessages } from '../support/mailstack.js';
import { stackConfigFile } from '../support/app.js';
import { cliProcesses } from '../support/cli-process.js';

const { start, sportello, killAll } = cliProcesses();

afterEach(() => killAll());

describe('one writer per database', () => {
  let cfg = '';
  let db = '';
  beforeAll(async () => {
    await resetMailboxes();
    ({ db, cfg } = stackConfigFile('none'));
  });

  it('refuses a second run and a once beside a running daemon; reads and admin edits work; a SIGKILLed daemon never blocks a restart', async () => {
    const first = start('run', '--config', cfg);
    await first.waitFor('sportello running');
    await sendMail({ from: 'alice', to: 'it', subject: 'Impresora', text: 'La impresora no imprime.' });
    await waitForMessages('alice', 1, { timeoutMs: 30_000 });

    const holder = `is in use by sportello run on host ${hostname()}, pid ${first.child.pid}, since `;
    const second = await sportello('run', '--config', cfg);
    expect(second.code).toBe(1);
    expect(second.out).toContain(`sportello: STORE_LOCKED: the database ${db} ${holder}`);
    expect(second.out).toMatch(/\(last heartbeat \d{4}-\d\d-\d\dT[\d:.]+Z\)/);
    expect(second.out).toContain(`kill -TERM ${first.child.pid}`);
    const once = await sportello('once', '--config', cfg);
    expect(once.code).toBe(1);
    expect(once.out).toContain(`STORE_LOCKED: the database ${db} ${holder}`);

    const update = await sportello('cases', 'update', 'IT-1', '--priority', 'high', '--config', cfg);
    expect(update.code, update.out).toBe(0);
    expect(update.out).toMatch(/^IT-1: status /m);
    const reads = [['cases', 'list'], ['cases', 'show', 'IT-1'], ['outbox', '--json'], ['quarantine'], ['stats']];
    const results = await Promise.all(reads.map((read) => sportello(...read, '--config', cfg)));
    for (const [i, r] of results.entries()) expect(r.code, `${reads[i]!.join(' ')}: ${r.out}`).toBe(0);
    expect(results[0]!.out).toMatch(/^IT-1\s+new\s+/m);
    // Nothing was parked: the refused `once` never touched the daemon's replies. The update's
    // due-time notice is the daemon's to send (sent, or pending until its next outbox pass).
    const outbox = results[2]!.out;
    const summary = JSON.parse(outbox.slice(outbox.indexOf('{'))).summary as Record<string, number>;
    expect(Object.keys(summary).filter((status) => status !== 'sent' && status !== 'pending')).toEqual([]);
    expect(summary.sent).toBeGreaterThanOrEqual(1);

    first.child.kill('SIGKILL');
    expect(await first.exited).toBeNull();
    const next = start('run', '--config', cfg);
    await next.waitFor('sportello running');
    expect(next.log()).toContain('took over the writer lease of a process that is gone');
    next.child.kill('SIGTERM');
    expect(await next.exited).toBe(0);
    // Released on a clean stop: a cron `once` may work now.
    const after = await sportello('once', '--config', cfg);
    expect(after.code, after.out).toBe(0);
  }, 600_000);

  it('a read command on a missing database says so and creates nothing', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sportello-typo-'));
    const typo = path.join(dir, 'typo', 'x.db');
    const r = await sportello('cases', 'list', '--config', cfg, '--db', typo);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`sportello: STORE_NOT_FOUND: the database ${typo} does not exist`);
    expect(r.out).not.toContain('No cases');
    expect(existsSync(path.join(dir, 'typo'))).toBe(false);
  }, 120_000);
});
