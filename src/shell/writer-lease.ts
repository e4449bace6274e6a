// One writer per store: the lease that guards daemon work (ingest, sending, parking interrupted sends).
// A row in the database itself, not a lock file (flock is unreliable on network filesystems and means
// nothing to a PostgreSQL store, whose per-mailbox lease will build on this). Taken in one BEGIN IMMEDIATE transaction (two starters can
// never both win), renewed by a heartbeat while the process lives, released on close. A crashed holder
// never blocks a restart: on the same host a dead pid is taken over at once, elsewhere the lease expires.
// Expiry compares the holder's clock with ours: hosts sharing a database must keep time (NTP) to well
// under the TTL. Short admin edits (cases update, outbox retry) do not need the lease; they never send
// unless they hold it.
// Must never take a lease a live holder renews, and never send after losing it.

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { CaseStore, Clock, StoreTx } from '../ports.js';
import type { Logger } from '../log.js';
import { SportelloError, describeError } from '../errors.js';
import { decideLease, renewable, storeLockedError, type LeaseDecision, type WriterLeaseRecord } from '../domain/writer-lease.js';

/** The one lease guarding a whole store today; per-mailbox leases would use other names. */
export const STORE_LEASE = 'store';
/** A holder that stops renewing (crash on another host, frozen VM) is presumed dead after this long. */
export const LEASE_TTL_MS = 60_000;

/** Who we are, and whether a pid on this host still runs (injected: tests play several processes). */
export interface LeaseIdentity {
  readonly host: string;
  readonly pid: number;
  isAlive(pid: number): boolean;
}

export interface WriterLeaseOptions {
  /** The database path, for messages only. */
  readonly database: string;
  /** What will hold it: "run", "once", "cases update", "quarantine release"… (shown to a refused starter). */
  readonly command: string;
  readonly clock: Clock;
  readonly identity?: LeaseIdentity;
  readonly ttlMs?: number;
  /** How often the lease is renewed; default a quarter of the TTL; 0 = never by itself (tests call renew()). */
  readonly heartbeatMs?: number;
  readonly token?: string;
  readonly log?: Logger;
  /** Called once if a renewal finds another process holding the lease: stop all daemon work at once. */
  readonly onLost?: (err: SportelloError) => void;
  /** A renewal that failed (the store, not another holder): logged as a warning unless the caller reports it. */
  readonly onRenewError?: (err: unknown) => void;
  /**
   * Other holders that exclude this lease, read first in the same transaction (PostgreSQL: live fleet
   * daemons, src/shell/fleet.ts): a record returned refuses the lease as if it held it.
   */
  readonly excludedBy?: (tx: StoreTx) => Promise<WriterLeaseRecord | null>;
}

export interface WriterLease {
  /** The lease as taken (holder, since, until). */
  readonly record: WriterLeaseRecord;
  /** Replies left "sending" by the dead previous holder, set aside as uncertain when the lease was taken. */
  readonly parked: number;
  /** Extends the lease; false (and onLost called) when another process took it over meanwhile. */
  renew(): Promise<boolean>;
  /** Stops the heartbeat and drops the lease if still ours; safe to call twice. */
  release(): Promise<void>;
}

/** This process on this machine; a pid that no longer exists answers ESRCH (EPERM: exists, another user). */
export function localIdentity(): LeaseIdentity {
  return {
    host: hostname(),
    pid: process.pid,
    isAlive(pid) {
      try {
        process.kill(pid, 0);
        return true;
      } catch (err) {
        return (err as { code?: string }).code !== 'ESRCH';
      }
    },
  };
}

/** Takes the lease or returns who holds it. On success, replies the dead previous holder left mid-send are parked. */
export async function tryAcquireWriterLease(store: CaseStore, opts: WriterLeaseOptions): Promise<{ lease: WriterLease } | { holder: WriterLeaseRecord }> {
  const identity = opts.identity ?? localIdentity();
  const ttlMs = opts.ttlMs ?? LEASE_TTL_MS;
  const me = { token: opts.token ?? randomUUID(), host: identity.host, pid: identity.pid, command: opts.command };
  const decision = await store.transaction(async (tx): Promise<LeaseDecision> => {
    const other = opts.excludedBy ? await opts.excludedBy(tx) : null;
    if (other) return { take: false, holder: other };
    const d = decideLease(await tx.writerLease(STORE_LEASE), me, opts.clock.now(), ttlMs, (pid) => identity.isAlive(pid));
    if (d.take) await tx.putWriterLease(STORE_LEASE, d.record);
    return d;
  });
  if (!decision.take) return { holder: decision.holder };
  if (decision.why !== 'free') opts.log?.warn({ why: decision.why }, 'took over the writer lease of a process that is gone');

  let record = decision.record;
  let lost = false;
  let released = false;
  const renew = async (): Promise<boolean> => {
    if (lost || released) return !lost;
    const now = opts.clock.now();
    const outcome = await store.transaction(async (tx) => {
      const current = await tx.writerLease(STORE_LEASE);
      if (!renewable(current, me.token)) return { ok: false as const, current };
      const d = decideLease(current, me, now, ttlMs, () => true);
      if (d.take) await tx.putWriterLease(STORE_LEASE, d.record);
      return { ok: true as const, record: d.take ? d.record : current! };
    });
    if (outcome.ok) {
      record = outcome.record;
      return true;
    }
    lost = true;
    clearInterval(timer);
    const by = outcome.current;
    const err = new SportelloError(
      'STORE_LOCKED',
      by
        ? `lost the writer lease of ${opts.database} to sportello ${by.command} on host ${by.host}, pid ${by.pid} (since ${by.startedAt}): this process stopped renewing for longer than ${ttlMs / 1000} s`
        : `lost the writer lease of ${opts.database}: its row was removed while this process held it`,
      { hint: 'this process stops its daemon work now so two processes never work on one database; find out why it stalled (suspended VM? overloaded host?)' },
    );
    opts.log?.error({ err: describeError(err) }, 'writer lease lost');
    opts.onLost?.(err);
    return false;
  };
  const heartbeatMs = opts.heartbeatMs ?? Math.floor(ttlMs / 4);
  const timer = heartbeatMs
    ? setInterval(() => {
        renew().catch(opts.onRenewError ?? ((err: unknown) => opts.log?.warn({ err: describeError(err) }, 'writer lease renewal failed; retrying at the next heartbeat')));
      }, heartbeatMs)
    : undefined;
  // The heartbeat alone never keeps a finished process alive.
  timer?.unref();

  const parked = await store.parkInterrupted(opts.clock.now()).catch(async (err: unknown) => {
    clearInterval(timer);
    await store.transaction((tx) => tx.releaseWriterLease(STORE_LEASE, me.token)).catch(() => undefined);
    throw err;
  });
  if (parked > 0) opts.log?.warn({ parked }, 'replies interrupted mid-send by a previous crash were set aside as uncertain (not resent)');

  return {
    lease: {
      get record() {
        return record;
      },
      parked,
      renew,
      async release() {
        if (released) return;
        released = true;
        clearInterval(timer);
        if (!lost) await store.transaction((tx) => tx.releaseWriterLease(STORE_LEASE, me.token));
      },
    },
  };
}

/** Takes the lease or throws STORE_LOCKED naming the holder (host, pid, since, last heartbeat) and the fix. */
export async function acquireWriterLease(store: CaseStore, opts: WriterLeaseOptions): Promise<WriterLease> {
  const got = await tryAcquireWriterLease(store, opts);
  if ('holder' in got) throw storeLockedError(opts.database, got.holder, (opts.identity ?? localIdentity()).host);
  return got.lease;
}

/** Runs `work` holding the lease (refusing with STORE_LOCKED when another process holds it), then releases it. */
export async function withWriterLease<T>(store: CaseStore, opts: WriterLeaseOptions, work: (lease: WriterLease) => Promise<T>): Promise<T> {
  const lease = await acquireWriterLease(store, opts);
  try {
    return await work(lease);
  } finally {
    await lease.release();
  }
}
