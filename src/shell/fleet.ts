// Several daemons on one PostgreSQL store: this instance's heartbeat (one transaction: read every lease
// row, let src/domain/fleet.ts decide, write what it decided), the fence every commit of a mailbox's mail
// runs inside its own transaction, and giving mailboxes back. Trusts the injected clock (hosts keep time).
// Must never let a commit stand under a lease that is no longer ours at the epoch we took it with.

import { randomUUID } from 'node:crypto';
import type { CaseStore, Clock, StoreTx } from '../ports.js';
import type { Logger } from '../log.js';
import { SportelloError } from '../errors.js';
import { STORE_LEASE } from './writer-lease.js';
import { HOUSEKEEPING_LEASE, instanceLease, mailboxLease, planFleet, released, type FleetLease, type FleetMember, type FleetPlan } from '../domain/fleet.js';

/** Default lease period: a dead instance's mailboxes are taken over within this long. */
export const FLEET_LEASE_MS = 30_000;
/**
 * A "sending" outbox row older than this belongs to an instance that died mid-send: the housekeeping
 * holder parks it as uncertain (never resent). Far above any send's duration, so a live sender keeps its row.
 */
export const OUTBOX_CLAIM_EXPIRY_MS = 5 * 60_000;

export interface FleetDeps {
  readonly store: CaseStore;
  readonly clock: Clock;
  readonly log: Logger;
  /** The configured desk ids. */
  readonly mailboxes: readonly string[];
  readonly host: string;
  readonly pid: number;
  readonly ttlMs?: number;
  readonly token?: string;
}

export interface Fleet {
  readonly me: FleetMember;
  readonly ttlMs: number;
  /** Renews, takes and decides in one transaction; throws when the store fails (then nothing is ours to work). */
  heartbeat(): Promise<FleetPlan>;
  /** Gives a mailbox back after its desk loop stopped: owner cleared, epoch kept, if still ours at `epoch`. */
  giveBack(desk: string, epoch: number): Promise<void>;
  /** Runs inside a commit's transaction: throws MAILBOX_LEASE_LOST unless we still hold `desk` at the epoch we took it with. */
  fence(desk: string): (tx: StoreTx) => Promise<void>;
  /** The mailboxes held after the last heartbeat, with their epochs. */
  held(): ReadonlyMap<string, number>;
  /** Clean stop: drops our heartbeat and releases every lease we hold, so the others take over at once. */
  leave(): Promise<void>;
}

export function leaseLostError(desk: string, epoch: number | null): SportelloError {
  return new SportelloError('MAILBOX_LEASE_LOST', `mailbox ${desk} is no longer ours${epoch === null ? '' : ` at epoch ${epoch}`}: another instance took it over, or our lease ran out`, {
    context: { desk },
    hint: 'nothing was recorded; the instance owning the mailbox now takes this mail (a stalled heartbeat: overloaded host, suspended VM, unreachable database)',
  });
}

export function createFleet(deps: FleetDeps): Fleet {
  const me: FleetMember = { token: deps.token ?? randomUUID(), host: deps.host, pid: deps.pid };
  const ttlMs = deps.ttlMs ?? FLEET_LEASE_MS;
  let held: ReadonlyMap<string, number> = new Map();
  let housekeeping = false;

  return {
    me,
    ttlMs,
    async heartbeat() {
      const now = deps.clock.now();
      const plan = await deps.store.transaction(async (tx) => {
        // The fleet lock first, then the store lease's: the same order as a `once` taking the store (no deadlock).
        const leases = await tx.fleetLeases();
        const holder = await tx.writerLease(STORE_LEASE);
        const blocked = holder !== null && Date.parse(holder.leaseUntil) > now.getTime();
        if (blocked) deps.log.warn({ holder: `${holder.command} pid ${holder.pid} on ${holder.host}` }, 'a sportello once holds the store: no mailbox is worked until it ends');
        const p = planFleet({ leases, mailboxes: deps.mailboxes, me, now, ttlMs, blocked });
        for (const name of p.drop) await tx.dropFleetLease(name);
        for (const row of p.put) await tx.putFleetLease(row);
        return p;
      });
      const before = held;
      held = plan.held;
      const taken = [...plan.held.keys()].filter((d) => before.get(d) !== plan.held.get(d));
      const lost = [...before.keys()].filter((d) => !plan.held.has(d));
      if (taken.length || lost.length) deps.log.info({ instance: me.token, taken, lost, share: plan.share, live: plan.live.length }, 'mailbox leases changed');
      if (plan.housekeeping !== housekeeping) deps.log.info({ instance: me.token, housekeeping: plan.housekeeping }, plan.housekeeping ? 'housekeeping lease taken' : 'housekeeping lease held elsewhere');
      housekeeping = plan.housekeeping;
      if (plan.housekeeping) {
        // Rows a dead instance left mid-send: set aside as uncertain once their claim expired (never resent).
        const parked = await deps.store.parkInterrupted(now, new Date(now.getTime() - OUTBOX_CLAIM_EXPIRY_MS));
        if (parked > 0) deps.log.warn({ parked }, 'replies interrupted mid-send by an instance that died were set aside as uncertain (not resent)');
      }
      return plan;
    },
    async giveBack(desk, epoch) {
      await deps.store.transaction(async (tx) => {
        const row = (await tx.fleetLeases()).find((l) => l.name === mailboxLease(desk));
        if (row && row.owner === me.token && row.epoch === epoch) await tx.putFleetLease(released(row));
      });
      const next = new Map(held);
      next.delete(desk);
      held = next;
      deps.log.info({ instance: me.token, desk }, 'mailbox given back for another instance');
    },
    fence(desk) {
      return async (tx) => {
        const epoch = held.get(desk);
        if (epoch === undefined || !(await tx.holdsFleetLease(mailboxLease(desk), me.token, epoch, deps.clock.now()))) throw leaseLostError(desk, epoch ?? null);
      };
    },
    held: () => held,
    async leave() {
      await deps.store.transaction(async (tx) => {
        for (const row of await tx.fleetLeases()) {
          if (row.name === instanceLease(me.token)) await tx.dropFleetLease(row.name);
          else if (row.owner === me.token) await tx.putFleetLease(released(row));
        }
      });
      held = new Map();
      housekeeping = false;
    },
  };
}

/**
 * The store as one desk's mail sees it: every transaction runs the fence first (rolled back whole when it
 * throws), and the checkpoint moves outside a transaction (first contact, rescan, skipping a backlog) are
 * fenced by a transaction of their own just before. Everything else passes through unchanged.
 */
export function fencedStore(store: CaseStore, fence: (tx: StoreTx) => Promise<void>): CaseStore {
  const checked = async () => store.transaction(fence);
  const wrapped: Partial<CaseStore> = {
    transaction: (work) =>
      store.transaction(async (tx) => {
        await fence(tx);
        return work(tx);
      }),
    resetCheckpoint: async (...args) => (await checked(), store.resetCheckpoint(...args)),
    startFolder: async (...args) => (await checked(), store.startFolder(...args)),
    skipTo: async (...args) => (await checked(), store.skipTo(...args)),
  };
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && prop in wrapped) return wrapped[prop as keyof CaseStore];
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** The lease rows as they stand, with the housekeeping holder (status pages). */
export function housekeepingHolder(leases: readonly FleetLease[], now: Date): FleetLease | null {
  const hk = leases.find((l) => l.name === HOUSEKEEPING_LEASE);
  return hk && hk.owner && hk.leaseUntil && Date.parse(hk.leaseUntil) > now.getTime() ? hk : null;
}
