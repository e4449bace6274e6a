// The daemon as it runs in production: `sportello run` on the real stack answers new mail pushed by
// IDLE, survives the mail server going away and coming back (fresh client, backoff), exits 0 on SIGTERM
// after finishing its work, and a SIGKILL inside a batch (mid-transaction, or before its flags) loses nothing.

import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { openSqliteStore } from '../../src/adapters/sqlite-store.js';
import { readInbox, runMailstack, sendMail, waitForMessages, withImap } from '../support/mailstack.js';
import { freshStackEachTest, REPO, stackConfig, stackConfigFile, stackConfigYaml, tempDb, testApp, waitForEmptyQueue } from '../support/app.js';

let app: App | null = null;
freshStackEachTest();

describe('sportello run', () => {
  it('reconnects with a fresh IMAP session after the server goes away', async () => {
    app = await testApp(stackConfig(), { random: () => 0 });
    const stop = new AbortController();
    const running = app.run(stop.signal);
    try {
      await sendMail({ from: 'alice', to: 'it', subject: 'Primera', text: 'uno' });
      await waitForMessages('alice', 1, { timeoutMs: 20_000 });

      await runMailstack(['down'], { timeoutMs: 60_000 });
      await runMailstack(['up'], { timeoutMs: 120_000 });

      await sendMail({ from: 'alice', to: 'it', subject: 'Segunda', text: 'dos' });
      await waitForMessages('alice', 2, { timeoutMs: 30_000 });
    } finally {
      stop.abort();
      await running;
    }
    expect((await app.store.listCases({})).map((c) => c.subject)).toEqual(['Primera', 'Segunda']);
    expect((await readInbox('alice')).map((m) => m.subject)).toEqual(['[IT-1] Primera', '[IT-2] Segunda']);
  });

  it('exits 0 on SIGTERM once connected, after processing what it was given', async () => {
    const db = tempDb();
    const cfgFile = path.join(path.dirname(db), 'sportello.yml');
    writeFileSync(cfgFile, stackConfigYaml(db));

    const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'src/cli/main.ts'), 'run', '--config', cfgFile], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SPORTELLO_LOG_LEVEL: 'info' },
    });
    let log = '';
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      // Sent after the daemon's first contact with hr@ (on the real clock, mail waiting before it is imported without a reply).
      await until(() => log.split('\n').some((l) => l.includes('"desk":"HR"') && l.includes('first contact')), 30_000);
      await sendMail({ from: 'carlo', to: 'hr', subject: 'Busta paga', text: 'Non ho ricevuto la busta paga.' });
      await waitForMessages('carlo', 1, { timeoutMs: 30_000 });
    } catch (err) {
      child.kill('SIGKILL');
      throw new Error(`${(err as Error).message}\n--- daemon log ---\n${log}`);
    }
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(log).toContain('stopped cleanly');
    expect(log).toContain('opened HR-1');
  });
});

describe('a crash in the batched ingest (SIGKILL) loses nothing and answers nothing twice', () => {
  /** Five requests waiting in it@, a config for them, and the child killed at `point`. */
  async function crashAt(point: 'after-commit' | 'mid-batch') {
    const { db, cfg } = stackConfigFile('none');
    for (const n of [1, 2, 3, 4, 5]) await sendMail({ from: 'alice', to: 'it', subject: `Request ${n}`, text: `Please help with ${n}.` });
    await waitForMessages('it', 5);
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'test/support/crash-child.ts'), cfg, point], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    expect(signal, err).toBe('SIGKILL');
    return stackConfig(db, undefined, 'none');
  }

  /** After the restart: one case per mail, every mail flagged, exactly one auto-reply each. */
  async function recovered(config: ReturnType<typeof stackConfig>) {
    app = await testApp(config);
    await app.once();
    expect((await app.store.listCases({})).map((c) => c.subject).sort()).toEqual([1, 2, 3, 4, 5].map((n) => `Request ${n}`));
    expect(await app.store.outboxSummary()).toEqual({ sent: 5 });
    expect(await unseen()).toEqual([]);
    await waitForEmptyQueue();
    expect((await readInbox('alice')).map((m) => m.subject.replace(/^\[IT-\d+\] /, '')).sort()).toEqual([1, 2, 3, 4, 5].map((n) => `Request ${n}`));
  }

  it('killed between the batch commit and its flags: the restart flags the batch (reconcile), records nothing again', async () => {
    const config = await crashAt('after-commit');
    const store = await openSqliteStore(config.database);
    try {
      expect(await store.listCases({})).toHaveLength(5);
      expect(await store.outboxSummary()).toEqual({ pending: 5 });
    } finally {
      await store.close();
    }
    expect(await unseen()).toHaveLength(5);
    await recovered(config);
  });

  it('killed mid-batch, inside the group transaction: nothing of the batch stays; the restart takes all five once', async () => {
    const config = await crashAt('mid-batch');
    const store = await openSqliteStore(config.database);
    try {
      expect(await store.listCases({})).toEqual([]);
      expect(await store.checkpoint('IT', 'INBOX')).toMatchObject({ lastUid: 0 });
    } finally {
      await store.close();
    }
    await recovered(config);
  });
});

function unseen(): Promise<number[]> {
  return withImap('it', async (c) => {
    const lock = await c.getMailboxLock('INBOX');
    try {
      return ((await c.search({ seen: false }, { uid: true })) || []).sort((a, b) => a - b);
    } finally {
      lock.release();
    }
  });
}

/** Resolves once `done()` holds, checking every 25 ms; throws after `timeoutMs` (bounded polling, not a sleep). */
async function until(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
