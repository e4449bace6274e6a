// The pure mailbox-sharing decision of several daemons on one store: fair share, free and expired
// leases taken with a new epoch, our own renewed with the same one, the excess given back when an
// instance joins, dead instances' heartbeat rows dropped, and the housekeeping lease held by one.

import { describe, expect, it } from 'vitest';
import { mailboxOwners, planFleet, released, type FleetLease } from '../../../src/domain/fleet.js';

const NOW = new Date('2026-03-02T09:00:00.000Z');
const TTL = 30_000;
const LIVE_UNTIL = '2026-03-02T09:00:20.000Z';
const GONE_UNTIL = '2026-03-02T08:59:59.000Z';
const me = { token: 'A', host: 'alpha', pid: 100 };

const row = (name: string, owner: string | null, until: string | null = LIVE_UNTIL, epoch = 1): FleetLease => ({
  name,
  owner,
  host: owner ? 'h' : null,
  pid: owner ? 1 : null,
  heartbeatAt: owner ? '2026-03-02T08:59:50.000Z' : null,
  leaseUntil: until,
  epoch,
});
const inst = (token: string, until = LIVE_UNTIL) => row(`instance:${token}`, token, until, 0);
const mbox = (desk: string, owner: string | null, until: string | null = LIVE_UNTIL, epoch = 1) => row(`mailbox:${desk}`, owner, until, epoch);

describe('planFleet', () => {
  it.each<[string, FleetLease[], string[], Record<string, number>, string[], number]>([
    // description, lease rows, mailboxes, held after (desk → epoch), give back, share
    ['alone on a fresh store: every mailbox, epoch 1', [], ['IT', 'HR'], { HR: 1, IT: 1 }, [], 2],
    ['alone, renewing our own: same epochs', [inst('A'), mbox('IT', 'A', LIVE_UNTIL, 4), mbox('HR', 'A', LIVE_UNTIL, 2)], ['IT', 'HR'], { HR: 2, IT: 4 }, [], 2],
    ['two live instances, fresh store: one each, first desks first', [inst('B')], ['IT', 'HR'], { HR: 1 }, [], 1],
    ['the other holds one: we take the other', [inst('B'), mbox('HR', 'B')], ['IT', 'HR'], { IT: 1 }, [], 1],
    ['a newcomer joined while we hold both: the last desk is given back (still renewed)', [inst('A'), inst('B'), mbox('HR', 'A'), mbox('IT', 'A')], ['IT', 'HR'], { HR: 1, IT: 1 }, ['IT'], 1],
    ['the other instance died: its expired mailbox is taken with a new epoch', [inst('A'), inst('B', GONE_UNTIL), mbox('HR', 'A'), mbox('IT', 'B', GONE_UNTIL, 7)], ['IT', 'HR'], { HR: 1, IT: 8 }, [], 2],
    ['the dead instance still leases the mailbox: not touched until it expires', [inst('B', GONE_UNTIL), mbox('IT', 'B', LIVE_UNTIL, 7)], ['IT'], {}, [], 1],
    ['a released mailbox (owner null) is taken with the next epoch', [inst('B'), mbox('IT', null, null, 3), mbox('HR', 'B')], ['IT', 'HR'], { IT: 4 }, [], 1],
    ['our own lease ran out: taken again with a new epoch (loops were stopped)', [inst('A'), mbox('IT', 'A', GONE_UNTIL, 5)], ['IT'], { IT: 6 }, [], 1],
    ['three mailboxes, two instances: share 2', [inst('B'), mbox('A1', 'B')], ['A1', 'B1', 'C1'], { B1: 1, C1: 1 }, [], 2],
    ['five mailboxes, three instances, others full: only what is free', [inst('B'), inst('C'), mbox('M1', 'B'), mbox('M2', 'B'), mbox('M3', 'C'), mbox('M4', 'C')], ['M1', 'M2', 'M3', 'M4', 'M5'], { M5: 1 }, [], 2],
    ['no mailboxes', [inst('B')], [], {}, [], 0],
  ])('%s', (_what, leases, mailboxes, held, giveBack, share) => {
    const plan = planFleet({ leases, mailboxes, me, now: NOW, ttlMs: TTL });
    expect(Object.fromEntries(plan.held)).toEqual(held);
    expect(plan.giveBack).toEqual(giveBack);
    expect(plan.share).toBe(share);
    // Every held mailbox is written with our token, the epoch held and a full new lease period.
    for (const [desk, epoch] of plan.held) {
      expect(plan.put).toContainEqual({ name: `mailbox:${desk}`, owner: 'A', host: 'alpha', pid: 100, heartbeatAt: NOW.toISOString(), leaseUntil: '2026-03-02T09:00:30.000Z', epoch });
    }
    // Nothing held live by another owner is ever written.
    const othersLive = leases.filter((l) => l.owner && l.owner !== 'A' && Date.parse(l.leaseUntil!) > NOW.getTime()).map((l) => l.name);
    expect(plan.put.filter((p) => othersLive.includes(p.name))).toEqual([]);
  });

  it('names a takeover from a dead owner with its last heartbeat; a released or fresh lease is no takeover', () => {
    const leases = [inst('B', GONE_UNTIL), mbox('IT', 'B', GONE_UNTIL, 7), mbox('HR', null, null, 2)];
    const plan = planFleet({ leases, mailboxes: ['IT', 'HR', 'OPS'], me, now: NOW, ttlMs: TTL });
    expect(plan.takeovers).toEqual([{ desk: 'IT', from: 'B', lastHeartbeatAt: '2026-03-02T08:59:50.000Z', leaseUntil: GONE_UNTIL, at: NOW.toISOString(), epoch: 8 }]);
  });

  it('blocked by a once holding the store: registers only, holds nothing, not even its own mailboxes or housekeeping', () => {
    const plan = planFleet({ leases: [inst('A'), mbox('IT', 'A'), row('housekeeping', 'A')], mailboxes: ['IT', 'HR'], me, now: NOW, ttlMs: TTL, blocked: true });
    expect(plan.held.size).toBe(0);
    expect(plan.housekeeping).toBe(false);
    expect(plan.put.map((p) => p.name)).toEqual(['instance:A']);
  });

  it('renews our heartbeat row and drops the rows of instances whose lease ran out, never a live one', () => {
    const plan = planFleet({ leases: [inst('A'), inst('B'), inst('C', GONE_UNTIL), inst('D', NOW.toISOString())], mailboxes: ['IT'], me, now: NOW, ttlMs: TTL });
    expect(plan.put[0]).toMatchObject({ name: 'instance:A', owner: 'A', leaseUntil: '2026-03-02T09:00:30.000Z' });
    expect(plan.drop).toEqual(['instance:C', 'instance:D']);
    expect(plan.live).toEqual(['A', 'B']);
  });

  it.each<[string, FleetLease[], boolean, number | null]>([
    ['free: taken', [], true, 1],
    ['ours: renewed, same epoch', [row('housekeeping', 'A', LIVE_UNTIL, 3)], true, 3],
    ['held live by another: left alone', [row('housekeeping', 'B', LIVE_UNTIL, 3)], false, null],
    ['expired: taken, epoch + 1', [row('housekeeping', 'B', GONE_UNTIL, 3)], true, 4],
  ])('housekeeping lease %s', (_what, leases, holds, epoch) => {
    const plan = planFleet({ leases, mailboxes: [], me, now: NOW, ttlMs: TTL });
    expect(plan.housekeeping).toBe(holds);
    expect(plan.put.find((p) => p.name === 'housekeeping')?.epoch ?? null).toBe(epoch);
  });

  it('two instances deciding in turn on a fresh store end up with disjoint mailboxes covering all', () => {
    const desks = ['D1', 'D2', 'D3', 'D4', 'D5'];
    let leases: FleetLease[] = [];
    const tick = (token: string) => {
      const plan = planFleet({ leases, mailboxes: desks, me: { token, host: token, pid: 1 }, now: NOW, ttlMs: TTL });
      const byName = new Map(leases.map((l) => [l.name, l]));
      for (const p of plan.put) byName.set(p.name, p);
      for (const d of plan.giveBack) byName.set(`mailbox:${d}`, released(byName.get(`mailbox:${d}`)!));
      leases = [...byName.values()];
    };
    tick('A'); // alone: takes all five
    tick('B'); // joins: takes nothing yet (all live), but is now a live instance
    tick('A'); // gives back two (share 3)
    tick('B'); // takes them
    const owners = mailboxOwners(leases, desks, NOW);
    expect(owners.filter((o) => o.owner === 'A').map((o) => o.desk)).toEqual(['D1', 'D2', 'D3']);
    expect(owners.filter((o) => o.owner === 'B').map((o) => o.desk)).toEqual(['D4', 'D5']);
    // The given-back mailboxes changed owner twice (A, then B): their epoch grew each time.
    expect(owners.find((o) => o.desk === 'D4')!.epoch).toBe(2);
  });
});

describe('mailboxOwners', () => {
  it('names the live owner of each mailbox; an expired or released one has none but keeps its epoch', () => {
    const owners = mailboxOwners([mbox('IT', 'A', LIVE_UNTIL, 2), mbox('HR', 'B', GONE_UNTIL, 5), mbox('OPS', null, null, 9)], ['IT', 'HR', 'OPS', 'NEW'], NOW);
    expect(owners).toEqual([
      { desk: 'IT', owner: 'A', host: 'h', pid: 1, epoch: 2, leaseUntil: LIVE_UNTIL },
      { desk: 'HR', owner: null, host: null, pid: null, epoch: 5, leaseUntil: null },
      { desk: 'OPS', owner: null, host: null, pid: null, epoch: 9, leaseUntil: null },
      { desk: 'NEW', owner: null, host: null, pid: null, epoch: 0, leaseUntil: null },
    ]);
  });
});
