// Health, readiness and metrics of the daemon against the real Dovecot + Postfix: one desk with a wrong
// password is named in /readyz while the other keeps answering mail; every desk refused ends run();
// an unusable store backs off, is logged once, makes /readyz name it, and recovers by itself.

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { parseConfig } from '../../src/config/load.js';
import { openSqliteStore } from '../../src/adapters/sqlite-store.js';
import { SportelloError } from '../../src/errors.js';
import type { CaseStore } from '../../src/ports.js';
import { sendMail, STACK, waitForMessages } from '../support/mailstack.js';
import { captureLogger, freshStackEachTest, REPO, stackConfigYaml, tempDb, testApp, wrongPassword } from '../support/app.js';

let app: App | null = null;
freshStackEachTest();

const LISTEN = 'http: { listen: "127.0.0.1:0" }';
const config = (yaml: string) => parseConfig(yaml, { file: path.join(REPO, 'sportello.yml') });

async function get(url: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url);
  return { status: res.status, text: await res.text() };
}

/** Re-reads `url` until `accept` holds (bounded; the daemon works on its own schedule). */
async function until(url: string, accept: (r: { status: number; text: string }) => boolean, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await get(url);
    if (accept(r)) return r;
    if (Date.now() > deadline) throw new Error(`${url} did not reach the expected state within ${timeoutMs} ms; last: ${r.status} ${r.text.slice(0, 2000)}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

const metric = (text: string, series: string): number => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : NaN;
};

/** A real SQLite store that fails like a full disk while told to (root ignores file permissions, so no chmod). */
async function breakable(db: string): Promise<{ store: CaseStore; fail: (on: boolean) => void }> {
  const real = await openSqliteStore(db);
  let broken = false;
  const store = new Proxy(real, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      // Closing always works (the test's clean-up), on the real object so its own calls are not intercepted.
      if (prop === 'close') return (value as () => Promise<void>).bind(target);
      return (...args: unknown[]) =>
        broken
          ? Promise.reject(new SportelloError('STORE', 'database operation failed: SQLITE_FULL: database or disk is full'))
          : (value as (...a: unknown[]) => unknown).apply(target, args);
    },
  }) as CaseStore;
  return { store, fail: (on) => (broken = on) };
}

describe('health endpoints of sportello run', () => {
  it('a desk with a wrong password is named in /readyz and logged once; the other desk keeps working', async () => {
    const cap = captureLogger();
    app = await testApp(config(wrongPassword(stackConfigYaml(tempDb(), LISTEN, undefined, 'none'), 'hr')), { log: cap.log, random: () => 0 });
    const stop = new AbortController();
    const running = app.run(stop.signal);
    try {
      const url = await app.listening();
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      await sendMail({ from: 'alice', to: 'it', subject: 'Impresora atascada', text: 'La impresora de la planta 2 no imprime.' });
      await waitForMessages('alice', 1, { timeoutMs: 30_000 });
      await cap.waitFor('mailbox login rejected: fix the credentials in the configuration; retrying slowly (at most every 15 min)');

      const ready = await until(`${url}/readyz`, (r) => r.status === 503 && !r.text.includes('STARTING'));
      const body = JSON.parse(ready.text) as { ready: boolean; problems: { desk?: string; code: string; message: string }[] };
      expect(body.ready).toBe(false);
      expect(body.problems).toHaveLength(1);
      expect(body.problems[0]).toMatchObject({ desk: 'HR', component: 'desk', code: 'IMAP_AUTH' });
      expect(body.problems[0]!.message).toContain(`IMAP server ${STACK.imapHost}:${STACK.imapPort} rejected the login of hr@example.test`);
      expect(body.problems[0]!.message).toContain('desks[HR].imap.password');
      expect((await get(`${url}/healthz`)).status).toBe(200);

      const m = await until(`${url}/metrics`, (r) => metric(r.text, 'sportello_replies_total{kind="auto-reply",result="sent"}') === 1);
      expect(metric(m.text, 'sportello_mails_total{desk="IT",outcome="created"}')).toBe(1);
      expect(metric(m.text, 'sportello_cases_opened_total{desk="IT"}')).toBe(1);
      expect(metric(m.text, 'sportello_imap_reconnects_total{desk="HR",reason="auth"}')).toBe(1);
      expect(metric(m.text, 'sportello_desk_up{desk="IT"}')).toBe(1);
      expect(metric(m.text, 'sportello_desk_up{desk="HR"}')).toBe(0);
      expect(metric(m.text, 'sportello_ready')).toBe(0);
      expect(metric(m.text, 'sportello_outbox_replies{status="pending"}')).toBe(0);
      expect(metric(m.text, 'sportello_quarantine_mails')).toBe(0);
      expect(metric(m.text, 'sportello_pass_duration_seconds_count{desk="IT"}')).toBeGreaterThanOrEqual(1);
      expect(m.text).toMatch(/^sportello_backlog_messages\{desk="IT"\} 0$/m);
      const errors = cap.lines.filter((l) => l.level === 50);
      expect(errors.map((l) => [l.desk, l.msg])).toEqual([['HR', 'mailbox login rejected: fix the credentials in the configuration; retrying slowly (at most every 15 min)']]);
    } finally {
      stop.abort();
      await running;
    }
    expect((await app.store.listCases({})).map((c) => [c.id, c.subject])).toEqual([['IT-1', 'Impresora atascada']]);
  });

  it('when every desk is refused at login, run() ends with IMAP_AUTH naming each desk and its config keys', async () => {
    app = await testApp(config(wrongPassword(stackConfigYaml(tempDb(), '', undefined, 'none'), 'it', 'hr')));
    const err = await app.run(new AbortController().signal).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(SportelloError);
    expect((err as SportelloError).code).toBe('IMAP_AUTH');
    expect((err as Error).message).toMatch(/^every desk was refused at login: IT \(it@example\.test on .*desks\[IT\]\.imap\.password\), HR \(hr@example\.test on .*desks\[HR\]\.imap\.password\)$/);
  });

  it('an unusable store: one log line, /readyz names it, logins back off, and it recovers by itself', async () => {
    const cap = captureLogger();
    const db = tempDb();
    const { store, fail } = await breakable(db);
    app = await testApp(config(stackConfigYaml(db, LISTEN, undefined, 'none')), { log: cap.log, random: () => 0, store });
    const stop = new AbortController();
    const running = app.run(stop.signal);
    try {
      const url = (await app.listening())!;
      // The store fails once the daemon works (a full disk mid-day); a store broken at start is the next test.
      await until(`${url}/readyz`, (r) => r.status === 200);
      fail(true);
      await sendMail({ from: 'alice', to: 'it', subject: 'VPN', text: 'La VPN no conecta.' });
      await cap.waitFor('database unusable: mail stays on the server and is taken when it works again; retrying with backoff');
      const ready = await until(`${url}/readyz`, (r) => r.status === 503 && r.text.includes('"component":"store"'));
      expect(JSON.parse(ready.text).problems).toContainEqual({ component: 'store', code: 'STORE', message: 'database operation failed: SQLITE_FULL: database or disk is full' });
      // Three failed passes take 1 + 2 s of backoff (random 0); the old loop logged in twice a second.
      const m = await until(`${url}/metrics`, (r) => metric(r.text, 'sportello_imap_reconnects_total{desk="IT",reason="store"}') >= 3, 30_000);
      expect(metric(m.text, 'sportello_imap_reconnects_total{desk="IT",reason="store"}')).toBeLessThanOrEqual(4);
      fail(false);
      await waitForMessages('alice', 1, { timeoutMs: 30_000 });
      await cap.waitFor('database usable again', 30_000);
      await until(`${url}/readyz`, (r) => r.status === 200);
    } finally {
      stop.abort();
      await running;
    }
    const storeLines = cap.lines.filter((l) => Number(l.level) >= 40 && typeof l.msg === 'string' && /database/.test(l.msg));
    expect(storeLines.map((l) => l.msg)).toEqual(['database unusable: mail stays on the server and is taken when it works again; retrying with backoff']);
    expect(cap.lines.filter((l) => l.msg === 'database usable again')).toHaveLength(1);
    expect(cap.lines.filter((l) => Number(l.level) >= 40 && l.msg !== storeLines[0]!.msg)).toEqual([]);
    expect((await app.store.listCases({})).map((c) => c.subject)).toEqual(['VPN']);
  });

  it('a store unusable at start: the daemon waits for it (one log line, /readyz names it) and stops cleanly (no throw)', async () => {
    const cap = captureLogger();
    const db = tempDb();
    const { store, fail } = await breakable(db);
    app = await testApp(config(stackConfigYaml(db, LISTEN, undefined, 'none')), { log: cap.log, random: () => 0, store });
    fail(true);
    const stop = new AbortController();
    const running = app.run(stop.signal);
    await cap.waitFor('database unusable: mail stays on the server and is taken when it works again; retrying with backoff');
    const url = (await app.listening())!;
    const ready = await until(`${url}/readyz`, (r) => r.status === 503 && r.text.includes('"component":"store"'));
    expect(JSON.parse(ready.text).problems).toContainEqual({ component: 'store', code: 'STORE', message: 'database operation failed: SQLITE_FULL: database or disk is full' });
    stop.abort();
    await running;
    expect(cap.lines.filter((l) => l.msg === 'database unusable: mail stays on the server and is taken when it works again; retrying with backoff')).toHaveLength(1);
  });
});
