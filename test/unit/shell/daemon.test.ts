// The desk loop with fakes and an injected sleep: backoff by failure kind (slow for rejected logins,
// capped at 15 min), the failure count kept across reconnects until a pass completes, and one log line
// per outage however many retries it takes.

import { describe, expect, it } from 'vitest';
import { DESK_BACKOFF, failureKind, runDeskLoop, type FailureKind } from '../../../src/shell/daemon.js';
import { SportelloError } from '../../../src/errors.js';
import type { Logger } from '../../../src/log.js';
import type { MailSource } from '../../../src/ports.js';
import { fakeMailbox } from '../../support/fakes.js';

interface Line {
  level: string;
  msg: string | undefined;
}

function recordingLog(lines: Line[]): Logger {
  const log: Logger = {
    debug: (_o, msg) => lines.push({ level: 'debug', msg }),
    info: (_o, msg) => lines.push({ level: 'info', msg }),
    warn: (_o, msg) => lines.push({ level: 'warn', msg }),
    error: (_o, msg) => lines.push({ level: 'error', msg }),
    child: () => log,
  };
  return log;
}

const authError = () => new SportelloError('IMAP_AUTH', 'IMAP server 127.0.0.1:1143 rejected the login of it@example.test');
const storeError = () => new SportelloError('STORE', 'database operation failed: SQLITE_READONLY');
const connectError = () => new SportelloError('IMAP_CONNECT', 'cannot connect: ECONNREFUSED');

/**
 * Runs the loop over a script of steps, one per connection attempt: 'auth'/'connect' make open() fail,
 * 'store' makes the pass fail, 'ok' lets one pass complete (then the session ends as if the server
 * dropped it). The loop stops when the script is used up.
 */
async function runScript(script: readonly ('auth' | 'connect' | 'store' | 'ok')[], random = () => 1) {
  const box = fakeMailbox();
  const lines: Line[] = [];
  const sleeps: number[] = [];
  const failures: { kind: FailureKind; failures: number; retryInMs: number }[] = [];
  const events: string[] = [];
  const stop = new AbortController();
  let step = -1;
  let opens = 0;
  const source: MailSource = {
    async open() {
      step++;
      if (step >= script.length) {
        stop.abort();
        throw connectError();
      }
      const s = script[step];
      if (s === 'auth') throw authError();
      if (s === 'connect') throw connectError();
      opens++;
      const session = await box.open();
      // The session "drops" after one wait so the loop reconnects.
      return { ...session, waitForChange: async () => { throw new Error('connection closed'); } };
    },
  };
  await runDeskLoop(
    {
      source,
      log: recordingLog(lines),
      pollMs: 60_000,
      random,
      pass: async () => {
        if (script[step] === 'store') throw storeError();
      },
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      events: {
        connected: () => events.push('connected'),
        passed: () => events.push('passed'),
        failed: (kind, _err, retryInMs, n) => failures.push({ kind, failures: n, retryInMs }),
      },
    },
    stop.signal,
  );
  return { lines, sleeps, failures, events, opens };
}

describe('failureKind', () => {
  it.each([
    [authError(), 'auth'],
    [storeError(), 'store'],
    [connectError(), 'connect'],
    [new SportelloError('IMAP_MAILBOX', 'no folder'), 'connect'],
    [new Error('Connection not available'), 'connect'],
  ] as const)('%s → %s', (err, kind) => {
    expect(failureKind(err)).toBe(kind);
  });
});

describe('runDeskLoop', () => {
  it('backs off a failing store exponentially even though IMAP connects each time, and logs the outage once', async () => {
    const r = await runScript(['store', 'store', 'store', 'store', 'store', 'store', 'store', 'store']);
    expect(r.failures.map((f) => f.failures)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // random()=1 gives the ceiling: 2 s doubling, capped at 2 min.
    expect(r.sleeps.slice(0, 8)).toEqual([2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 120_000, 120_000]);
    const loud = r.lines.filter((l) => l.level !== 'debug');
    // Only the first connection is news; store trouble is logged once by the daemon, not per desk and retry.
    expect(loud.map((l) => l.msg)).toEqual(['mailbox connected', 'mailbox loop stopped']);
  });

  it('retries a rejected login slowly, capped at 15 minutes, with one error line', async () => {
    const r = await runScript(['auth', 'auth', 'auth', 'auth', 'auth', 'auth', 'auth']);
    expect(r.sleeps.slice(0, 7)).toEqual([60_000, 120_000, 240_000, 480_000, 900_000, 900_000, 900_000]);
    expect(r.failures.every((f) => f.kind === 'auth')).toBe(true);
    expect(r.lines.filter((l) => l.level === 'error')).toHaveLength(1);
    expect(r.lines.find((l) => l.level === 'error')!.msg).toMatch(/login rejected: fix the credentials/);
    expect(r.events).toEqual([]);
  });

  it('keeps counting until a pass completes, then starts over; a change of kind restarts the count', async () => {
    const r = await runScript(['connect', 'connect', 'store', 'store', 'ok', 'connect', 'auth']);
    expect(r.failures.map((f) => `${f.kind}${f.failures}`)).toEqual(['connect1', 'connect2', 'store1', 'store2', 'connect1', 'connect2', 'auth1']);
    expect(r.sleeps.slice(0, 7)).toEqual([1_000, 2_000, 2_000, 4_000, 1_000, 2_000, 60_000]);
    expect(r.events).toEqual(['connected', 'connected', 'connected', 'passed']);
    const loud = r.lines.filter((l) => l.level !== 'debug').map((l) => `${l.level}:${l.msg}`);
    expect(loud).toEqual([
      'warn:mailbox unavailable; reconnecting with backoff',
      'info:mailbox connected',
      'info:mailbox passes work again',
      'warn:mailbox unavailable; reconnecting with backoff',
      'error:mailbox login rejected: fix the credentials in the configuration; retrying slowly (at most every 15 min)',
      'info:mailbox loop stopped',
    ]);
  });

  it('has a slower policy for logins than for connections', () => {
    expect(DESK_BACKOFF.auth.maxMs).toBe(15 * 60_000);
    expect(DESK_BACKOFF.auth.baseMs).toBeGreaterThan(DESK_BACKOFF.connect.baseMs);
  });
});
