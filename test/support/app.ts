// Builds a real Sportello app against the local mail stack for integration tests: a config aimed at
// the stack's ports, a fresh SQLite file per test, a controllable clock, and deterministic ids.
// Everything real (IMAP, SMTP, SQLite, templates); only time and randomness are injected.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import pino from 'pino';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { buildApp, type App, type AppOverrides } from '../../src/app.js';
import { silentLogger, type Logger } from '../../src/log.js';
import { afterEach, beforeEach } from 'vitest';
import { STACK, resetMailboxes, runMailstack } from './mailstack.js';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));

/**
 * `startFrom` defaults to `all` here (not the product's `now`): the tests put mail in the mailbox before
 * the first pass and expect it handled. With the injected clock (March 2026) that mail, delivered later in
 * real time, is live, not imported; tests of child processes (real clock) send it after the first contact.
 */
export function stackConfigYaml(db: string, extra = '', rulesDir = path.join(REPO, 'rules'), notify: 'all' | 'assignee' | 'none' = 'all', startFrom = 'all'): string {
  return `
instance: sportello-test
timezone: Europe/Madrid
database: ${db}
rulesDir: ${rulesDir}
templatesDir: ${path.join(REPO, 'templates')}
smtp: { host: ${STACK.smtpHost}, port: ${STACK.smtpPort}, tls: false, ignoreStartTls: true }
limits: { pollSeconds: 5 }
desks:
  - id: IT
    name: IT Service Desk
    address: it@example.test
    imap: { host: ${STACK.imapHost}, port: ${STACK.imapPort}, tls: false, user: it@example.test, password: ${STACK.password} }
    agents: [{ address: bob@example.test, name: Bob }, { address: maria@example.test, name: Maria }]
    notify: ${notify}
    startFrom: '${startFrom}'
  - id: HR
    name: HR Desk
    address: hr@example.test
    imap: { host: ${STACK.imapHost}, port: ${STACK.imapPort}, tls: false, user: hr@example.test, password: ${STACK.password} }
    agents: [{ address: bob@example.test, name: Bob }, { address: maria@example.test, name: Maria }]
    notify: ${notify}
    startFrom: '${startFrom}'
${extra}`;
}

export function tempDb(): string {
  return path.join(mkdtempSync(path.join(tmpdir(), 'sportello-test-')), 'sportello.db');
}

/**
 * A fresh database path and, beside it, a sportello.yml for the stack, for tests that run the CLI as a
 * child process. The config names `configDb(db)` as its database (a test passing --db may point it elsewhere).
 */
export function stackConfigFile(notify: 'all' | 'assignee' | 'none' = 'none', configDb = (db: string) => db): { db: string; cfg: string } {
  const db = tempDb();
  const cfg = path.join(path.dirname(db), 'sportello.yml');
  writeFileSync(cfg, stackConfigYaml(configDb(db), '', undefined, notify));
  return { db, cfg };
}

/** Requester-side tests pass notify 'none' so agent notifications do not show up in their counts. */
export function stackConfig(db = tempDb(), rulesDir?: string, notify: 'all' | 'assignee' | 'none' = 'all', startFrom = 'all'): Config {
  return parseConfig(stackConfigYaml(db, '', rulesDir, notify, startFrom), { file: path.join(REPO, 'sportello.yml') });
}

/** A clock that only moves when the test says so. */
export function manualClock(startIso = '2026-03-02T09:00:00Z') {
  let t = new Date(startIso).getTime();
  return {
    now: () => new Date(t),
    advance(ms: number) {
      t += ms;
    },
    set(iso: string) {
      t = new Date(iso).getTime();
    },
  };
}

export function sequentialIds(prefix = 't'): () => string {
  let n = 0;
  return () => `${prefix}${++n}`;
}

/** Apps a test built and has not closed yet; freshStackEachTest closes them after the test. */
const openApps = new Set<App>();

export async function testApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  const app = await buildApp(config, {
    log: silentLogger(),
    clock: manualClock(),
    newId: sequentialIds(),
    random: () => 0.5,
    ...overrides,
  });
  // Closing twice (a test that restarts its app, then the clean-up) closes once.
  const close = app.close.bind(app);
  let closing: Promise<void> | null = null;
  app.close = () => {
    openApps.delete(app);
    return (closing ??= close());
  };
  openApps.add(app);
  return app;
}

/** Every test of the file starts with empty mailboxes, and every app it built is closed after it. */
export function freshStackEachTest(): void {
  beforeEach(async () => {
    await resetMailboxes();
  });
  afterEach(async () => {
    for (const app of [...openApps]) await app.close();
  });
}

/** Resolves once Postfix has nothing left in its queue: every accepted mail has been delivered. */
export async function waitForEmptyQueue(timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { stdout } = await runMailstack(['status'], { okCodes: [0, 3] });
    const queued = Number(/queued=(\d+)/.exec(stdout)?.[1] ?? '0');
    if (queued === 0) return;
    if (Date.now() > deadline) throw new Error(`Postfix queue still holds ${queued} message(s) after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A real pino logger whose JSON lines the test can read and wait on (bounded polling, no fixed sleeps). */
export function captureLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  const log = pino({ level: 'debug', base: undefined }, stream) as unknown as Logger;
  return {
    log,
    lines,
    async waitFor(msg: string, timeoutMs = 15_000, from = 0): Promise<Record<string, unknown>> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = lines.slice(from).find((l) => l.msg === msg);
        if (hit) return hit;
        if (Date.now() > deadline) throw new Error(`log line "${msg}" did not appear within ${timeoutMs} ms; saw: ${lines.map((l) => String(l.msg)).join(' | ')}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
  };
}

/** The stack config with a wrong IMAP password for these desk users ('it', 'hr'): the login is refused. */
export function wrongPassword(yaml: string, ...users: readonly string[]): string {
  return users.reduce((y, user) => y.replace(`user: ${user}@example.test, password: ${STACK.password}`, `user: ${user}@example.test, password: not-the-password`), yaml);
}
