// The pure writer-lease decision: free, own, expired, dead holder on this host, live holder anywhere,
// and the STORE_LOCKED message that names the holder and the way out.

import { describe, expect, it } from 'vitest';
import { decideLease, renewable, storeLockedError, type LeaseClaimant, type WriterLeaseRecord } from '../../../src/domain/writer-lease.js';

const NOW = new Date('2026-03-02T09:00:00.000Z');
const TTL = 60_000;
const me: LeaseClaimant = { token: 'mine', host: 'alpha', pid: 100, command: 'run' };
const holder = (over: Partial<WriterLeaseRecord> = {}): WriterLeaseRecord => ({
  token: 'theirs',
  host: 'alpha',
  pid: 200,
  command: 'run',
  startedAt: '2026-03-02T08:00:00.000Z',
  heartbeatAt: '2026-03-02T08:59:50.000Z',
  leaseUntil: '2026-03-02T09:00:50.000Z',
  ...over,
});
const alive = () => true;
const dead = () => false;

describe('decideLease', () => {
  it.each([
    ['nobody holds it', null, alive, 'free'],
    ['we hold it (renewal)', holder({ token: 'mine', pid: 100 }), alive, 'own'],
    ['its lease ran out, even on another host', holder({ host: 'beta', leaseUntil: '2026-03-02T08:59:59.999Z' }), alive, 'expired'],
    ['it ends exactly now', holder({ leaseUntil: NOW.toISOString() }), alive, 'expired'],
    ['its process on this host is gone', holder(), dead, 'holder-dead'],
    ['a different token under our own pid on this host (a restarted container)', holder({ pid: 100 }), alive, 'holder-dead'],
  ] as const)('takes it when %s', (_why, current, isAlive, why) => {
    const d = decideLease(current, me, NOW, TTL, isAlive);
    expect(d).toMatchObject({ take: true, why });
    if (!d.take) return;
    expect(d.record).toMatchObject({ token: 'mine', host: 'alpha', pid: 100, command: 'run', heartbeatAt: NOW.toISOString(), leaseUntil: '2026-03-02T09:01:00.000Z' });
    // A renewal keeps its start; a takeover starts now.
    expect(d.record.startedAt).toBe(why === 'own' ? holder().startedAt : NOW.toISOString());
  });

  it.each([
    ['a live process on this host', holder(), alive],
    ['a process on another host, even one whose pid does not exist here', holder({ host: 'beta' }), dead],
    ['another host with our pid', holder({ host: 'beta', pid: 100 }), dead],
  ] as const)('refuses while %s renews it', (_why, current, isAlive) => {
    expect(decideLease(current, me, NOW, TTL, isAlive)).toEqual({ take: false, holder: current });
  });

  it('asks about liveness only for a holder on this host', () => {
    const asked: number[] = [];
    decideLease(holder({ host: 'beta' }), me, NOW, TTL, (pid) => (asked.push(pid), false));
    decideLease(holder(), me, NOW, TTL, (pid) => (asked.push(pid), true));
    expect(asked).toEqual([200]);
  });
});

describe('renewable', () => {
  it('only our own row can be renewed', () => {
    expect(renewable(holder({ token: 'mine' }), 'mine')).toBe(true);
    expect(renewable(holder(), 'mine')).toBe(false);
    expect(renewable(null, 'mine')).toBe(false);
  });
});

describe('storeLockedError', () => {
  it('names the database, the holder, since when and its last heartbeat; on this host the fix is to stop it', () => {
    const err = storeLockedError('var/x.db', holder(), 'alpha');
    expect(err.code).toBe('STORE_LOCKED');
    expect(err.message).toBe(
      'the database var/x.db is in use by sportello run on host alpha, pid 200, since 2026-03-02T08:00:00.000Z (last heartbeat 2026-03-02T08:59:50.000Z)',
    );
    expect(err.hint).toContain('kill -TERM 200');
  });

  it('for a holder on another host, says when its lease expires if it crashed', () => {
    const err = storeLockedError('var/x.db', holder({ host: 'beta', command: 'once' }), 'alpha');
    expect(err.message).toContain('sportello once on host beta, pid 200');
    expect(err.hint).toContain('stop that process on beta');
    expect(err.hint).toContain('expires at 2026-03-02T09:00:50.000Z');
  });
});
