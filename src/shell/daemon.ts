// The long-running loop for one desk mailbox: connect with a fresh session, drain new mail, wait for
// IDLE news or the poll interval, and on any connection failure reconnect with capped, jittered backoff.
// Logs each state change once (not every retry), and returns promptly when the signal aborts.

import type { MailSource } from '../ports.js';
import type { Logger } from '../log.js';
import { describeError, isSportelloError } from '../errors.js';
import { backoffMs } from './backoff.js';
import { sleep } from './sleep.js';

const RECONNECT = { baseMs: 1_000, maxMs: 5 * 60_000 };

export interface DeskLoopDeps {
  readonly source: MailSource;
  readonly log: Logger;
  readonly pollMs: number;
  readonly random: () => number;
  /** Processes pending mail in the open session and sends queued replies. */
  readonly pass: (session: Awaited<ReturnType<MailSource['open']>>, shouldStop: () => boolean) => Promise<void>;
}

export async function runDeskLoop(deps: DeskLoopDeps, signal: AbortSignal): Promise<void> {
  let failures = 0;
  let lastState = '';
  const state = (name: string, level: 'info' | 'warn' | 'error', obj: object, msg: string) => {
    if (name === lastState) return deps.log.debug(obj, msg);
    lastState = name;
    deps.log[level](obj, msg);
  };
  const stopping = () => signal.aborted;

  while (!signal.aborted) {
    let session: Awaited<ReturnType<MailSource['open']>> | null = null;
    try {
      session = await deps.source.open();
      failures = 0;
      state('connected', 'info', { uidValidity: session.uidValidity }, 'mailbox connected');
      while (!signal.aborted) {
        await deps.pass(session, stopping);
        if (signal.aborted) break;
        await session.waitForChange(deps.pollMs, signal);
      }
    } catch (err) {
      if (signal.aborted) break;
      failures++;
      const delay = backoffMs(failures, RECONNECT, deps.random);
      const auth = isSportelloError(err, 'IMAP_AUTH');
      // One line per outage: the error text often changes while the server is away (ECONNRESET, then ECONNREFUSED).
      state(auth ? 'down:auth' : 'down', auth ? 'error' : 'warn', { err: describeError(err), retryInMs: delay, failures }, 'mailbox unavailable; reconnecting with backoff');
      await sleep(delay, signal);
    } finally {
      await session?.close().catch(() => undefined);
    }
  }
  deps.log.info({}, 'mailbox loop stopped');
}
