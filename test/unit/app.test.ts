// The composition root and the writer lease: building an app changes nothing, once() refuses while
// another live process holds the lease (touching neither its mailboxes nor its in-flight replies),
// an admin edit beside it saves without sending, and a dead holder is taken over with its
// half-sent replies parked.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildApp, wantsSendWorker } from '../../src/app.js';
import { openSqliteStore } from '../../src/adapters/sqlite-store.js';
import { silentLogger } from '../../src/log.js';
import type { CaseStore, MailSource } from '../../src/ports.js';
import { acquireWriterLease, type LeaseIdentity } from '../../src/shell/writer-lease.js';
import { echoRenderer, fakeMailbox, manualClock, outgoingMail, recordingSender, routing, sequentialIds, testConfig } from '../support/fakes.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close().catch(() => undefined);
});


describe('buildApp and the writer lease', () => {
  it('beside a live daemon: nothing parked, once() refused, an edit saved but not sent; after it dies: taken over and parked', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'sportello-app-')), 'x.db');
    const clock = manualClock();
    const daemonStore = await openSqliteStore(file);
    open.push(daemonStore);
    // The "daemon": holds the lease and is mid-send of one reply; another reply is queued.
    let daemonAlive = true;
    const [sending] = await daemonStore.transaction(async (tx) => {
      const c = await tx.createCase({ desk: 'IT', prefix: 'IT', subject: 'Printer', requester: { address: 'alice@example.test', name: '' }, routing: routing(), sla: null }, clock.now());
      return [await tx.enqueue({ caseId: c.id, kind: 'auto-reply', envelopeFrom: '', mail: outgoingMail('alice@example.test') }, null, clock.now()), await tx.enqueue({ caseId: c.id, kind: 'relay', envelopeFrom: '', mail: outgoingMail('carlo@example.test') }, null, clock.now())];
    });
    const identity = (pid: number): LeaseIdentity => ({ host: 'alpha', pid, isAlive: (p) => p === 2 || (p === 1 && daemonAlive) });
    const held = await acquireWriterLease(daemonStore, { database: file, command: 'run', clock, identity: identity(1), heartbeatMs: 0 });
    open.push({ close: () => held.release() });
    expect(await daemonStore.markSending([sending], clock.now())).toEqual([sending]);

    const mailbox = fakeMailbox();
    const sender = recordingSender();
    const store: CaseStore = await openSqliteStore(file);
    const app = await buildApp(testConfig(file), {
      store,
      clock,
      log: silentLogger(),
      sender,
      sourceFor: () => mailbox,
      router: () => routing(),
      renderer: echoRenderer(),
      newId: sequentialIds(),
      leaseIdentity: identity(2),
    });
    open.push(app);
    expect(await store.outboxSummary()).toEqual({ sending: 1, pending: 1 });

    await expect(app.once()).rejects.toMatchObject({ code: 'STORE_LOCKED', message: expect.stringContaining('in use by sportello run on host alpha, pid 1') });
    expect(mailbox.sessions).toEqual([]);

    expect(await app.updateCase('IT-1', { priority: 'high' }, 'cli:admin')).toMatchObject({ id: 'IT-1' });
    expect(sender.sent).toEqual([]);
    expect(await store.outboxSummary()).toEqual({ sending: 1, pending: 1 });

    daemonAlive = false; // kill -9
    const summary = await app.once();
    expect(summary.outbox.sent).toBe(1);
    expect(sender.sent.map((s) => s.mail.to[0]!.address)).toEqual(['carlo@example.test']);
    expect(await store.outboxSummary()).toEqual({ uncertain: 1, sent: 1 });
    const events = (await store.getCaseDetail('IT-1'))!.events.filter((e) => e.type === 'send-uncertain');
    expect(events.map((e) => e.data.outbox)).toEqual([sending]);
  });

  it('a daemon that finds its lease taken over stops all work and rejects with STORE_LOCKED', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'sportello-app-')), 'x.db');
    const clock = manualClock();
    // A mailbox with nothing new that waits for the stop signal (never a busy loop).
    const idle: MailSource = {
      open: async () => ({
        uidValidity: 1,
        listNewUids: async () => [],
        highestUid: async () => 0,
        listUidsSince: async () => [],
        receivedDates: async () => new Map(),
        unprocessed: async () => [],
        countAbove: async () => 0,
        fetch: async () => [],
        markProcessed: async () => {},
        waitForChange: (_ms, signal) => new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true }))),
        close: async () => {},
      }),
    };
    const app = await buildApp(testConfig(file), {
      clock,
      log: silentLogger(),
      sender: recordingSender(),
      sourceFor: () => idle,
      router: () => routing(),
      renderer: echoRenderer(),
      leaseIdentity: { host: 'alpha', pid: 1, isAlive: () => true },
      leaseTiming: { heartbeatMs: 20 },
    });
    open.push(app);
    const stop = new AbortController();
    const running = app.run(stop.signal);
    const other = await openSqliteStore(file);
    open.push(other);
    await vi.waitFor(async () => expect(await other.transaction((tx) => tx.writerLease('store'))).toMatchObject({ pid: 1, command: 'run' }), { timeout: 10_000 });

    clock.advance(61_000); // alpha stalled past its lease; beta takes over
    const next = await acquireWriterLease(other, { database: file, command: 'run', clock, identity: { host: 'beta', pid: 9, isAlive: () => true }, heartbeatMs: 0 });
    await expect(running).rejects.toMatchObject({ code: 'STORE_LOCKED', message: expect.stringContaining(`lost the writer lease of ${file} to sportello run on host beta, pid 9`) });
    expect(stop.signal.aborted).toBe(false);
    expect(await other.transaction((tx) => tx.writerLease('store'))).toEqual(next.record);
    await next.release();
  });
});

describe('wantsSendWorker', () => {
  it.each([
    ['auto', 1, false],
    ['auto', 2, false],
    ['auto', 3, false],
    ['auto', 4, true],
    ['auto', 16, true],
    [true, 2, true],
    [false, 16, false],
  ] as const)('%s on %i CPUs → %s', (setting, cpus, expected) => {
    expect(wantsSendWorker(setting, cpus)).toBe(expected);
  });
});
