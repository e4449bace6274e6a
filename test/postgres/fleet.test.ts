// Mailbox leases of several daemons on the real PostgreSQL, with a manual clock: heartbeats of instances
// starting together end with disjoint mailboxes covering all; a stalled instance's mailbox is taken over
// only after its lease ran out, with a new epoch; its commits then roll back whole (MAILBOX_LEASE_LOST),
// and a commit in flight holds a takeover back until it ends (the fence's FOR UPDATE).
import { describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../src/adapters/postgres-store.js';
import { createFleet, fencedStore } from '../../src/shell/fleet.js';
import { tryAcquireWriterLease, type WriterLeaseOptions } from '../../src/shell/writer-lease.js';
import { mailboxOwners } from '../../src/domain/fleet.js';
import { isSportelloError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { manualClock } from '../support/fakes.js';
import { newCase } from '../support/store-contract.js';
import { perTest } from '../support/pgstack.js';

const { database, closing } = perTest('fleet');
const DESKS = ['D1', 'D2', 'D3', 'D4', 'D5'];

async function twoInstances() {
  const db = await database();
  const clock = manualClock();
  const stores = [closing(await openPostgresStore(db.url, { max: 4 })), closing(await openPostgresStore(db.url, { max: 4 }))];
  const fleets = stores.map((store, i) => createFleet({ store, clock, log: silentLogger(), mailboxes: DESKS, host: 'h', pid: i + 1, ttlMs: 15_000, token: `T${i}` }));
  return { clock, stores, fleets: fleets as [typeof fleets[0], typeof fleets[0]] };
}

describe('mailbox leases on PostgreSQL', () => {
  it('two instances heartbeating at once end with disjoint mailboxes that cover all, three and two', async () => {
    const { stores, fleets, clock } = await twoInstances();
    for (let round = 0; round < 3; round++) {
      const plans = await Promise.all(fleets.map((f) => f.heartbeat()));
      // Given-back mailboxes are released once their loops stopped: the scheduler's part, done here at once.
      for (const [i, p] of plans.entries()) for (const desk of p.giveBack) await fleets[i]!.giveBack(desk, p.held.get(desk)!);
      clock.advance(1_000);
    }
    const owners = mailboxOwners(await stores[0]!.fleetLeases(), DESKS, clock.now());
    const a = owners.filter((o) => o.owner === 'T0').map((o) => o.desk);
    const b = owners.filter((o) => o.owner === 'T1').map((o) => o.desk);
    expect([...a, ...b].sort()).toEqual(DESKS);
    expect([a.length, b.length].sort()).toEqual([2, 3]);
  });

  it('a stalled instance keeps its mailbox until its lease runs out; then it is taken with a new epoch and the stalled one\'s commit rolls back', async () => {
    const { stores, fleets, clock } = await twoInstances();
    const [a, b] = fleets;
    await a.heartbeat();
    await b.heartbeat();
    expect([...a.held().keys()]).toEqual(DESKS); // a came first; b joins with nothing free
    const d1 = a.held().get('D1')!;
    const aStore = fencedStore(stores[0]!, a.fence('D1'));
    await aStore.transaction((tx) => tx.createCase(newCase('D1', 'D1'), clock.now()));

    // a stalls (no heartbeat); b renews. Before a's lease ends, b takes nothing of a's.
    clock.advance(10_000);
    expect((await b.heartbeat()).held.size).toBe(0);
    clock.advance(5_000);
    const plan = await b.heartbeat();
    expect(plan.takeovers.map((t) => [t.desk, t.from, t.epoch])).toEqual(DESKS.map((d) => [d, 'T0', a.held().get(d)! + 1]));
    expect(plan.held.get('D1')).toBe(d1 + 1);

    // a wakes up and commits under its old epoch: rolled back whole.
    const err = await aStore.transaction((tx) => tx.createCase(newCase('D1', 'D1'), clock.now())).catch((e: unknown) => e);
    expect(isSportelloError(err, 'MAILBOX_LEASE_LOST')).toBe(true);
    expect((await stores[0]!.listCases({ desk: 'D1' })).map((c) => c.id)).toEqual(['D1-1']);
    // b's commits stand; a's next heartbeat finds every mailbox owned by b (live) and takes none back.
    await fencedStore(stores[1]!, b.fence('D1')).transaction((tx) => tx.createCase(newCase('D1', 'D1'), clock.now()));
    expect((await a.heartbeat()).held.size).toBe(0);
    expect((await stores[0]!.listCases({ desk: 'D1' })).map((c) => c.id)).toEqual(['D1-1', 'D1-2']);
  });

  it('a commit in flight holds a takeover back until it ends, so it never stands beside the new owner\'s', async () => {
    const { stores, fleets, clock } = await twoInstances();
    const [a, b] = fleets;
    await a.heartbeat();
    await b.heartbeat();
    let finish!: () => void;
    const held = new Promise<void>((resolve) => (finish = resolve));
    let fenced!: () => void;
    const inside = new Promise<void>((resolve) => (fenced = resolve));
    // a's commit passes its fence (locking the lease row) and is still open when its lease runs out.
    const commit = fencedStore(stores[0]!, a.fence('D1')).transaction(async (tx) => {
      fenced();
      await held;
      return tx.createCase(newCase('D1', 'D1'), clock.now());
    });
    await inside;
    clock.advance(16_000);
    const takeover = b.heartbeat();
    const order: string[] = [];
    void takeover.then(() => order.push('takeover'));
    await new Promise((r) => setImmediate(r));
    order.push('commit ends');
    finish();
    await commit;
    const plan = await takeover;
    expect(order).toEqual(['commit ends', 'takeover']);
    expect(plan.held.get('D1')).toBe(2);
    expect((await stores[0]!.listCases({ desk: 'D1' })).map((c) => c.id)).toEqual(['D1-1']);
  });
});

describe('a once beside the fleet', () => {
  it('is refused while an instance is live; while a once holds the store a heartbeat takes no mailbox, and after it the fleet works again', async () => {
    const { stores, fleets, clock } = await twoInstances();
    const [a] = fleets;
    const excludedBy: WriterLeaseOptions['excludedBy'] = async (tx) => {
      const live = (await tx.fleetLeases()).find((l) => l.name.startsWith('instance:') && Date.parse(l.leaseUntil ?? '') > clock.now().getTime());
      return live ? { token: live.owner!, host: live.host!, pid: live.pid!, command: 'run', startedAt: '', heartbeatAt: '', leaseUntil: live.leaseUntil! } : null;
    };
    const once = () => tryAcquireWriterLease(stores[1]!, { database: 'db', command: 'once', clock, heartbeatMs: 0, identity: { host: 'h', pid: 9, isAlive: () => true }, excludedBy });
    await a.heartbeat();
    const refused = await once();
    expect('holder' in refused && refused.holder.pid).toBe(1);

    clock.advance(16_000); // a's instance lease ran out (a stopped)
    const got = await once();
    expect('lease' in got).toBe(true);
    const plan = await a.heartbeat(); // a comes back while the once runs: registers, takes nothing
    expect(plan.held.size).toBe(0);
    expect(plan.housekeeping).toBe(false);
    if ('lease' in got) await got.lease.release();
    expect((await a.heartbeat()).held.size).toBe(DESKS.length);
  });
});
