// The writer lease on a real SQLite file, with several "processes" played by injected identities and
// one manual clock: refusal naming the holder, release, takeover of a dead or expired holder, renewal,
// detection of a lost lease, and parking of what a dead holder left mid-send.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openSqliteStore } from '../../../src/adapters/sqlite-store.js';
import type { CaseStore } from '../../../src/ports.js';
import { SportelloError } from '../../../src/errors.js';
import { acquireWriterLease, localIdentity, tryAcquireWriterLease, withWriterLease, type LeaseIdentity, type WriterLeaseOptions } from '../../../src/shell/writer-lease.js';
import { manualClock, outgoingMail, routing } from '../../support/fakes.js';

const clock = manualClock();
const stores: CaseStore[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const s of stores.splice(0)) await s.close().catch(() => undefined);
  clock.set('2026-03-02T09:00:00.000Z');
});

/** Two connections to one file: each plays a separate process. */
async function twoProcesses(): Promise<[CaseStore, CaseStore, string]> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'sportello-lease-')), 'x.db');
  const a = await openSqliteStore(file);
  const b = await openSqliteStore(file);
  stores.push(a, b);
  return [a, b, file];
}

/** Which pids are alive on each host, as the test says. */
const alivePids = new Set<number>();
const on = (host: string, pid: number): LeaseIdentity => ({ host, pid, isAlive: (p) => alivePids.has(p) });
const opts = (database: string, identity: LeaseIdentity, command = 'run', extra: Partial<WriterLeaseOptions> = {}): WriterLeaseOptions => ({
  database,
  command,
  clock,
  identity,
  heartbeatMs: 0,
  ...extra,
});

async function refusal(p: Promise<unknown>): Promise<SportelloError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(SportelloError);
  return err as SportelloError;
}


describe('writer lease', () => {
  it('a second writer is refused with STORE_LOCKED naming the holder; after release it gets the lease', async () => {
    const [a, b, file] = await twoProcesses();
    alivePids.add(10).add(20);
    const first = await acquireWriterLease(a, opts(file, on('alpha', 10)));
    expect(first.record).toMatchObject({ host: 'alpha', pid: 10, command: 'run', startedAt: '2026-03-02T09:00:00.000Z', leaseUntil: '2026-03-02T09:01:00.000Z' });

    clock.advance(5_000);
    const err = await refusal(acquireWriterLease(b, opts(file, on('alpha', 20), 'once')));
    expect(err.code).toBe('STORE_LOCKED');
    expect(err.message).toBe(`the database ${file} is in use by sportello run on host alpha, pid 10, since 2026-03-02T09:00:00.000Z (last heartbeat 2026-03-02T09:00:00.000Z)`);
    expect(await tryAcquireWriterLease(b, opts(file, on('alpha', 20)))).toEqual({ holder: first.record });

    await first.release();
    await first.release(); // twice is harmless
    const second = await acquireWriterLease(b, opts(file, on('alpha', 20), 'once'));
    expect(second.record).toMatchObject({ pid: 20, command: 'once' });
  });

  it('a crashed holder on this host is taken over at once (its pid no longer exists)', async () => {
    const [a, b, file] = await twoProcesses();
    alivePids.add(31);
    await acquireWriterLease(a, opts(file, on('alpha', 30))); // never released: "SIGKILL"
    const next = await acquireWriterLease(b, opts(file, on('alpha', 31)));
    expect(next.record.pid).toBe(31);
  });

  it('a holder on another host blocks until its lease expires, unless it renews; the stale holder then learns it lost', async () => {
    const [a, b, file] = await twoProcesses();
    const lost: SportelloError[] = [];
    const old = await acquireWriterLease(a, opts(file, on('beta', 40), 'run', { onLost: (e) => lost.push(e) }));
    clock.advance(45_000);
    expect(await old.renew()).toBe(true);
    expect(old.record.leaseUntil).toBe('2026-03-02T09:01:45.000Z');
    clock.advance(45_000); // 90 s after start, 45 s after the renewal: still held
    const err = await refusal(acquireWriterLease(b, opts(file, on('alpha', 50))));
    expect(err.hint).toContain('expires at 2026-03-02T09:01:45.000Z');

    clock.advance(15_000); // renewal missed (a frozen VM): the lease expired
    const next = await acquireWriterLease(b, opts(file, on('alpha', 50)));
    expect(next.record).toMatchObject({ host: 'alpha', pid: 50, startedAt: '2026-03-02T09:01:45.000Z' });

    expect(await old.renew()).toBe(false);
    expect(lost).toHaveLength(1);
    expect(lost[0]).toMatchObject({ code: 'STORE_LOCKED' });
    expect(lost[0]!.message).toContain('lost the writer lease');
    expect(lost[0]!.message).toContain('host alpha, pid 50');
    expect(await old.renew()).toBe(false);
    expect(lost).toHaveLength(1); // told once
    // The stale holder's release never drops the new holder's lease.
    await old.release();
    expect(await tryAcquireWriterLease(a, opts(file, on('beta', 41)))).toEqual({ holder: next.record });
  });

  it('taking the lease parks replies a dead holder left "sending", each with its event; a refused claimant touches nothing', async () => {
    const [a, b, file] = await twoProcesses();
    const row = await a.transaction(async (tx) => {
      const c = await tx.createCase({ desk: 'IT', prefix: 'IT', subject: 's', requester: { address: 'alice@example.test', name: '' }, routing: routing(), sla: null }, clock.now());
      return tx.enqueue({ caseId: c.id, kind: 'auto-reply', envelopeFrom: '', mail: outgoingMail() }, null, clock.now());
    });
    alivePids.add(60);
    const holder = await acquireWriterLease(a, opts(file, on('alpha', 60)));
    expect(holder.parked).toBe(0);
    expect(await a.markSending([row], clock.now())).toEqual([row]);

    // The holder is alive and mid-send: a refused starter must not park its reply.
    await refusal(acquireWriterLease(b, opts(file, on('alpha', 61))));
    expect(await b.outboxSummary()).toEqual({ sending: 1 });

    alivePids.delete(60); // now it crashes
    const next = await acquireWriterLease(b, opts(file, on('alpha', 61)));
    expect(next.parked).toBe(1);
    expect(await b.outboxSummary()).toEqual({ uncertain: 1 });
    expect((await b.getCaseDetail('IT-1'))!.events.filter((e) => e.type === 'send-uncertain')).toHaveLength(1);
  });

  it('withWriterLease releases the lease when the work fails', async () => {
    const [a, b, file] = await twoProcesses();
    alivePids.add(70).add(71);
    await expect(withWriterLease(a, opts(file, on('alpha', 70)), async () => {
      throw new Error('boom');
    })).rejects.toThrow('boom');
    expect(await withWriterLease(b, opts(file, on('alpha', 71)), async (l) => l.record.pid)).toBe(71);
  });

  it('the heartbeat renews the lease while the process lives', async () => {
    const [a, b, file] = await twoProcesses();
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const lease = await acquireWriterLease(a, opts(file, on('beta', 80), 'run', { heartbeatMs: 15_000 }));
    clock.advance(15_000);
    vi.advanceTimersByTime(15_000);
    await vi.waitFor(() => expect(lease.record.heartbeatAt).toBe('2026-03-02T09:00:15.000Z'));
    expect((await tryAcquireWriterLease(b, opts(file, on('alpha', 81))) as { holder: { leaseUntil: string } }).holder.leaseUntil).toBe('2026-03-02T09:01:15.000Z');
    await lease.release();
  });
});

describe('localIdentity', () => {
  it('this process is alive; a pid that does not exist is not', () => {
    const me = localIdentity();
    expect(me.pid).toBe(process.pid);
    expect(me.isAlive(process.pid)).toBe(true);
    expect(me.isAlive(2 ** 22 + 12345)).toBe(false); // above Linux's pid_max
  });
});
