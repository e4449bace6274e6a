// Who may do daemon work (ingest, sending, parking interrupted sends) on a store: the pure decision
// over the one writer-lease record (holder host, pid, token, heartbeat, expiry). Trusts only the
// record and the injected clock/liveness answer; must never take a lease that a live holder renews.

import { SportelloError } from '../errors.js';

/** The lease as stored: one row per lease name ('store' today; per-mailbox leases may follow). */
export interface WriterLeaseRecord {
  /** Random per acquisition: renewing and releasing only ever touch the holder's own row. */
  readonly token: string;
  readonly host: string;
  readonly pid: number;
  /** What holds it, e.g. "run", "once", "cases update". */
  readonly command: string;
  readonly startedAt: string;
  readonly heartbeatAt: string;
  readonly leaseUntil: string;
}

/** The process asking for the lease. */
export interface LeaseClaimant {
  readonly token: string;
  readonly host: string;
  readonly pid: number;
  readonly command: string;
}

export type LeaseDecision =
  | { readonly take: true; readonly why: 'free' | 'own' | 'expired' | 'holder-dead'; readonly record: WriterLeaseRecord }
  | { readonly take: false; readonly holder: WriterLeaseRecord };

/**
 * May `me` take (or renew) the lease now? Free, ours, expired, or held by a process on this host that
 * no longer exists (`isAlive` false, or its pid is our own pid: pids are unique among live processes,
 * so a different token under our pid is a dead predecessor, e.g. a restarted container's pid 1).
 * A holder on another host can only be outlived: its lease must expire.
 */
export function decideLease(
  current: WriterLeaseRecord | null,
  me: LeaseClaimant,
  now: Date,
  ttlMs: number,
  isAlive: (pid: number) => boolean,
): LeaseDecision {
  const until = new Date(now.getTime() + ttlMs).toISOString();
  const fresh = (why: 'free' | 'expired' | 'holder-dead'): LeaseDecision => ({
    take: true,
    why,
    record: { ...me, startedAt: now.toISOString(), heartbeatAt: now.toISOString(), leaseUntil: until },
  });
  if (!current) return fresh('free');
  if (current.token === me.token) return { take: true, why: 'own', record: { ...current, heartbeatAt: now.toISOString(), leaseUntil: until } };
  if (Date.parse(current.leaseUntil) <= now.getTime()) return fresh('expired');
  if (current.host === me.host && (current.pid === me.pid || !isAlive(current.pid))) return fresh('holder-dead');
  return { take: false, holder: current };
}

/** Renewal is only ever of our own row: anything else means another process took over (we were presumed dead). */
export function renewable(current: WriterLeaseRecord | null, token: string): boolean {
  return current?.token === token;
}

/** STORE_LOCKED naming the holder and what to do: stop it, or (crashed elsewhere) wait for its expiry. */
export function storeLockedError(database: string, holder: WriterLeaseRecord, myHost: string): SportelloError {
  const here = holder.host === myHost;
  return new SportelloError(
    'STORE_LOCKED',
    `the database ${database} is in use by sportello ${holder.command} on host ${holder.host}, pid ${holder.pid}, since ${holder.startedAt} (last heartbeat ${holder.heartbeatAt})`,
    {
      context: { database },
      hint: here
        ? `only one sportello run/once may work on a database; stop that process first (kill -TERM ${holder.pid}), or use read commands (cases list, outbox, stats) beside it`
        : `only one sportello run/once may work on a database; stop that process on ${holder.host} first; if it crashed, its lease expires at ${holder.leaseUntil} and the next start takes over`,
    },
  );
}
