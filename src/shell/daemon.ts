// The long-running loop for one desk mailbox: connect with a fresh session, drain new mail, wait for
// IDLE news or the poll interval, and on failure back off by kind: a rejected login slowly (capped at
// 15 min), a lost server or an unusable store with their own caps. The failure count is reset only by a
// pass that completes, never by a connection that merely opens. Logs each outage once, not each retry.

import type { MailSource } from '../ports.js';
import type { Logger } from '../log.js';
import { describeError, isSportelloError } from '../errors.js';
import { AUTH_RETRY, backoffMs, type BackoffPolicy } from './backoff.js';
import { sleep as realSleep } from './sleep.js';

export type FailureKind = 'auth' | 'connect' | 'store';

/** Wrong credentials stay wrong until the config changes: retry slowly. The store usually needs a person too. */
export const DESK_BACKOFF: Readonly<Record<FailureKind, BackoffPolicy>> = {
  auth: AUTH_RETRY,
  connect: { baseMs: 1_000, maxMs: 5 * 60_000 },
  store: { baseMs: 2_000, maxMs: 2 * 60_000 },
};

export function failureKind(err: unknown): FailureKind {
  if (isSportelloError(err, 'IMAP_AUTH')) return 'auth';
  if (isSportelloError(err, 'STORE')) return 'store';
  // A refused connection, a missing folder, a connection dropped mid-pass: one outage of the server,
  // whatever the error text says from one retry to the next (ECONNRESET, then ECONNREFUSED).
  return 'connect';
}

/** What the loop tells the rest of the daemon (health, metrics); every method is optional to implement. */
export interface DeskLoopEvents {
  /** A session opened: the server took our login. */
  connected?(): void;
  /** A pass completed. */
  passed?(): void;
  failed?(kind: FailureKind, err: unknown, retryInMs: number, failures: number): void;
}

export interface DeskLoopDeps {
  readonly source: MailSource;
  readonly log: Logger;
  readonly pollMs: number;
  readonly random: () => number;
  /** Processes pending mail in the open session and sends queued replies. */
  readonly pass: (session: Awaited<ReturnType<MailSource['open']>>, shouldStop: () => boolean) => Promise<void>;
  readonly events?: DeskLoopEvents;
  /** Injected in tests; the real one resolves early on abort. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export async function runDeskLoop(deps: DeskLoopDeps, signal: AbortSignal): Promise<void> {
  const sleep = deps.sleep ?? realSleep;
  let failures = 0;
  // The outage in progress (null while working, 'start' before the first connection): logged when it
  // starts and when it ends, retries only at debug level.
  let outage: FailureKind | 'start' | null = 'start';
  const stopping = () => signal.aborted;

  while (!signal.aborted) {
    let session: Awaited<ReturnType<MailSource['open']>> | null = null;
    try {
      session = await deps.source.open();
      deps.events?.connected?.();
      // A store outage is the daemon's, not the server's: reopening the mailbox is not news.
      if (outage !== null && outage !== 'store') deps.log.info({ uidValidity: session.uidValidity }, 'mailbox connected');
      else deps.log.debug({ uidValidity: session.uidValidity }, 'mailbox connected');
      while (!signal.aborted) {
        await deps.pass(session, stopping);
        if (outage === 'store') deps.log.info({}, 'mailbox passes work again');
        failures = 0;
        outage = null;
        deps.events?.passed?.();
        if (signal.aborted) break;
        await session.waitForChange(deps.pollMs, signal);
      }
    } catch (err) {
      if (signal.aborted) break;
      const kind = failureKind(err);
      failures = kind === outage ? failures + 1 : 1;
      const delay = backoffMs(failures, DESK_BACKOFF[kind], deps.random);
      deps.events?.failed?.(kind, err, delay, failures);
      const obj = { err: describeError(err), retryInMs: delay, failures };
      if (kind === outage) deps.log.debug(obj, 'mailbox still unavailable');
      else if (kind === 'auth') deps.log.error(obj, 'mailbox login rejected: fix the credentials in the configuration; retrying slowly (at most every 15 min)');
      // The store is shared by every desk: the daemon logs its outage once, not once per desk.
      else if (kind === 'store') deps.log.debug(obj, 'database unusable; backing off');
      else deps.log.warn(obj, 'mailbox unavailable; reconnecting with backoff');
      outage = kind;
      await sleep(delay, signal);
    } finally {
      await session?.close().catch(() => undefined);
    }
  }
  deps.log.info({}, 'mailbox loop stopped');
}
