// Draining the outbox against a recording sender and the real store, on a fixed clock: transient failures
// retry with backoff, permanent ones and too many attempts fail on the case, and nothing is sent twice.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../../src/adapters/sqlite-store.js';
import { drainOutbox, smtpAuthPause, type OutboxDeps } from '../../../src/shell/outbox.js';
import { SportelloError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/log.js';
import type { CaseStore, OutgoingMail } from '../../../src/ports.js';
import { manualClock, recordingSender, routing } from '../../support/fakes.js';

const POLICY = { baseMs: 30_000, maxMs: 3_600_000, maxAttempts: 3 };
const transient = () => new SportelloError('SMTP_TRANSIENT', '451 4.3.0 try again later');
const permanent = () => new SportelloError('SMTP_PERMANENT', '550 5.1.1 no such user');

let store: CaseStore;
afterEach(async () => {
  await store?.close();
});

async function setup(replies = 1) {
  store = await openSqliteStore(path.join(mkdtempSync(path.join(tmpdir(), 'sportello-outbox-')), 's.db'));
  const clock = manualClock();
  const sender = recordingSender();
  await store.transaction(async (tx) => {
    const c = await tx.createCase({ desk: 'IT', prefix: 'IT', subject: 's', requester: { address: 'alice@example.test', name: '' }, routing: routing(), sla: null }, clock.now());
    for (let i = 1; i <= replies; i++) {
      const mail: OutgoingMail = {
        from: { address: 'it@example.test', name: 'IT' },
        to: [{ address: `to${i}@example.test`, name: '' }],
        subject: `[IT-1] reply ${i}`,
        messageId: `sportello.IT-1.r${i}@example.test`,
        inReplyTo: null,
        references: [],
        headers: {},
        text: 't',
        html: null,
      };
      await tx.enqueue({ caseId: c.id, kind: 'auto-reply', envelopeFrom: '', mail }, null, clock.now());
    }
  });
  const deps: OutboxDeps = { store, sender, clock, log: silentLogger(), policy: POLICY, random: () => 0.5 };
  return { clock, sender, deps };
}

describe('drainOutbox', () => {
  it('sends every due reply once, with the null envelope sender, and marks it sent', async () => {
    const { sender, deps } = await setup(3);
    expect(await drainOutbox(deps)).toEqual({ sent: 3, retrying: 0, failed: 0 });
    expect(sender.sent.map((s) => [s.mail.to[0]!.address, s.envelopeFrom])).toEqual([
      ['to1@example.test', ''],
      ['to2@example.test', ''],
      ['to3@example.test', ''],
    ]);
    expect(await drainOutbox(deps)).toEqual({ sent: 0, retrying: 0, failed: 0 });
    expect(sender.attempts).toBe(3);
    expect(await store.outboxSummary()).toEqual({ sent: 3 });
  });

  it('works through more rows than one batch', async () => {
    const { sender, deps } = await setup(5);
    expect(await drainOutbox(deps, () => false, 2)).toEqual({ sent: 5, retrying: 0, failed: 0 });
    expect(sender.sent).toHaveLength(5);
  });

  it('SMTP_TRANSIENT: retried after the jittered backoff, then sent', async () => {
    const { clock, sender, deps } = await setup();
    sender.failNext(transient());
    expect(await drainOutbox(deps)).toEqual({ sent: 0, retrying: 1, failed: 0 });
    // attempt 1, base 30 s, random 0.5 → 22.5 s
    clock.advance(22_499);
    expect(await drainOutbox(deps)).toEqual({ sent: 0, retrying: 0, failed: 0 });
    clock.advance(1);
    expect(await drainOutbox(deps)).toEqual({ sent: 1, retrying: 0, failed: 0 });
    expect(sender.attempts).toBe(2);
    expect(await store.outboxSummary()).toEqual({ sent: 1 });
  });

  it('SMTP_PERMANENT: failed at once and recorded on the case', async () => {
    const { sender, deps } = await setup();
    sender.failNext(permanent());
    expect(await drainOutbox(deps)).toEqual({ sent: 0, retrying: 0, failed: 1 });
    expect(await store.outboxSummary()).toEqual({ failed: 1 });
    const events = (await store.getCaseDetail('IT-1'))!.events;
    expect(events.map((e) => e.type)).toEqual(['send-failed']);
    expect(events[0]!.data).toMatchObject({ to: 'to1@example.test', kind: 'auto-reply', error: expect.stringMatching(/^SMTP_PERMANENT: 550/) });
  });

  it('transient failures past maxAttempts fail the reply', async () => {
    const { clock, sender, deps } = await setup();
    sender.failNext(transient(), transient(), transient(), transient());
    const results = [];
    for (let i = 0; i < 3; i++) {
      results.push(await drainOutbox(deps));
      clock.advance(POLICY.maxMs);
    }
    expect(results).toEqual([
      { sent: 0, retrying: 1, failed: 0 },
      { sent: 0, retrying: 1, failed: 0 },
      { sent: 0, retrying: 0, failed: 1 },
    ]);
    expect(sender.attempts).toBe(3);
    expect(await drainOutbox(deps)).toEqual({ sent: 0, retrying: 0, failed: 0 });
    expect((await store.getCaseDetail('IT-1'))!.events.map((e) => e.type)).toEqual(['send-failed']);
  });

  it('an unexpected error (not SMTP_*) is retried like a transient one', async () => {
    const { sender, deps } = await setup();
    sender.failNext(new Error('socket hang up'));
    expect(await drainOutbox(deps)).toEqual({ sent: 0, retrying: 1, failed: 0 });
  });

  it('stops between replies when asked to', async () => {
    const { sender, deps } = await setup(3);
    let n = 0;
    expect(await drainOutbox(deps, () => ++n > 1)).toEqual({ sent: 1, retrying: 0, failed: 0 });
    expect(sender.sent).toHaveLength(1);
    expect(await store.outboxSummary()).toEqual({ sent: 1, pending: 2 });
  });

  it('SMTP_AUTH: pauses sending (slowly retried), counts no attempt and fails no reply, then resumes', async () => {
    const { clock, sender, deps } = await setup(3);
    const authPause = smtpAuthPause();
    const replies: string[] = [];
    const paused = { ...deps, authPause, metrics: { reply: (kind: string, result: string) => replies.push(`${kind}:${result}`) } };
    const rejected = () => new SportelloError('SMTP_AUTH', 'SMTP server 127.0.0.1:2525 rejected the login of sportello: 535 5.7.8 Error: authentication failed');
    sender.failNext(rejected(), rejected());
    const first = await drainOutbox(paused);
    expect(first).toMatchObject({ sent: 0, retrying: 0, failed: 0 });
    expect(first.paused).toContain('SMTP_AUTH');
    expect(sender.attempts).toBe(1);
    // random 0.5 on a 60 s base: paused 45 s; meanwhile nothing is tried.
    clock.advance(44_999);
    expect((await drainOutbox(paused)).paused).toContain('SMTP_AUTH');
    expect(sender.attempts).toBe(1);
    clock.advance(1);
    expect((await drainOutbox(paused)).paused).toContain('SMTP_AUTH');
    expect(sender.attempts).toBe(2);
    expect(authPause.failures).toBe(2);
    // second failure: 120 s ceiling → 90 s
    expect(authPause.until!.getTime() - clock.now().getTime()).toBe(90_000);
    const rows = await store.outboxProblems(10);
    expect(rows.map((r) => [r.status, r.attempts])).toEqual([['pending', 0], ['pending', 0], ['pending', 0]]);
    expect(rows[2]!.lastError).toContain('SMTP_AUTH');
    clock.advance(90_000);
    expect(await drainOutbox(paused)).toEqual({ sent: 3, retrying: 0, failed: 0 });
    expect(authPause).toEqual({ until: null, failures: 0, error: null });
    expect(replies).toEqual(['auto-reply:sent', 'auto-reply:sent', 'auto-reply:sent']);
    expect(await store.outboxSummary()).toEqual({ sent: 3 });
  });

  it('with concurrency: the first reply alone, then claims of up to twice the pool (it queues the rest), each claim and each mark-sent one commit', async () => {
    const { sender, deps } = await setup(12);
    let inFlight = 0;
    let widest = 0;
    const counted = {
      ...sender,
      async send(mail: OutgoingMail, envelopeFrom: string) {
        inFlight++;
        widest = Math.max(widest, inFlight);
        await sender.send(mail, envelopeFrom);
        inFlight--;
      },
    };
    const claims: number[] = [];
    const marked: number[] = [];
    const counting: CaseStore = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'markSending') return (ids: readonly number[], now: Date) => (claims.push(ids.length), target.markSending(ids, now));
        if (prop === 'markSent') return (ids: readonly number[], now: Date) => (marked.push(ids.length), target.markSent(ids, now));
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    expect(await drainOutbox({ ...deps, store: counting, sender: counted, concurrency: 3 })).toEqual({ sent: 12, retrying: 0, failed: 0 });
    expect(claims).toEqual([1, 6, 5]);
    expect(marked).toEqual([1, 6, 5]);
    expect(widest).toBe(6);
    expect(sender.sent.map((s) => s.mail.subject).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `[IT-1] reply ${i + 1}`).sort());
    expect(await store.outboxSummary()).toEqual({ sent: 12 });
  });

  it('with concurrency: one failure in a group is retried alone; a refused login in a group gives its rows back uncounted', async () => {
    const { clock, sender, deps } = await setup(5);
    const authPause = smtpAuthPause();
    const d = { ...deps, concurrency: 2, authPause };
    // Reply 1 (alone) goes; group [2, 3]: 2 transient, 3 sent; group [4, 5]: 4 refused login, 5 sent.
    const plan = new Map<string, unknown>([
      ['[IT-1] reply 2', transient()],
      ['[IT-1] reply 4', new SportelloError('SMTP_AUTH', '535 5.7.8 authentication failed')],
    ]);
    const picky = { ...sender, async send(mail: OutgoingMail, from: string) {
      const err = plan.get(mail.subject);
      plan.delete(mail.subject);
      if (err) throw err;
      await sender.send(mail, from);
    } };
    const first = await drainOutbox({ ...d, sender: picky });
    expect(first).toMatchObject({ sent: 3, retrying: 1, failed: 0 });
    expect(first.paused).toContain('SMTP_AUTH');
    const rows = await store.outboxProblems(10);
    expect(rows.map((r) => [r.subject, r.status, r.attempts]).sort()).toEqual([
      ['[IT-1] reply 2', 'pending', 1],
      ['[IT-1] reply 4', 'pending', 0],
    ]);
    clock.advance(3_600_000);
    expect(await drainOutbox({ ...d, sender: picky })).toEqual({ sent: 2, retrying: 0, failed: 0 });
    expect(await store.outboxSummary()).toEqual({ sent: 5 });
  });

  it('with concurrency: two replies to the same person about the same case never share a group (they arrive in queue order)', async () => {
    const { clock, sender, deps } = await setup(0);
    await store.transaction(async (tx) => {
      const c = await tx.createCase({ desk: 'IT', prefix: 'IT', subject: 's', requester: { address: 'alice@example.test', name: '' }, routing: routing(), sla: null }, clock.now());
      const to = (n: number, who: string, subject: string): OutgoingMail => ({ from: { address: 'it@example.test', name: 'IT' }, to: [{ address: who, name: '' }], subject, messageId: `m${n}@example.test`, inReplyTo: null, references: [], headers: {}, text: 't', html: null });
      await tx.enqueue({ caseId: c.id, kind: 'auto-reply', envelopeFrom: '', mail: to(0, 'zed@example.test', 'first alone') }, null, clock.now());
      await tx.enqueue({ caseId: c.id, kind: 'relay', envelopeFrom: '', mail: to(1, 'alice@example.test', 'answer') }, null, clock.now());
      await tx.enqueue({ caseId: c.id, kind: 'notification', envelopeFrom: '', mail: to(2, 'bob@example.test', 'to bob') }, null, clock.now());
      await tx.enqueue({ caseId: c.id, kind: 'rating', envelopeFrom: '', mail: to(3, 'alice@example.test', 'rating request') }, null, clock.now());
    });
    const claims: number[][] = [];
    const counting: CaseStore = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'markSending') return (ids: readonly number[], now: Date) => (claims.push([...ids]), target.markSending(ids, now));
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    expect(await drainOutbox({ ...deps, store: counting, concurrency: 4 })).toEqual({ sent: 4, retrying: 0, failed: 0 });
    expect(claims).toEqual([[1], [2, 3], [4]]);
    expect(sender.sent.map((s) => s.mail.subject)).toEqual(['first alone', 'answer', 'to bob', 'rating request']);
  });

  it('with concurrency: a slot that frees is refilled at once, so one slow send never holds back the rest', async () => {
    const { sender, deps } = await setup(6);
    let releaseSlow: () => void = () => undefined;
    const slowGone = new Promise<void>((resolve) => (releaseSlow = resolve));
    const order: string[] = [];
    const slow = {
      ...sender,
      async send(mail: OutgoingMail, envelopeFrom: string) {
        // Reply 2 hangs until every other reply has gone: groups that wait for their slowest member would deadlock.
        if (mail.subject === '[IT-1] reply 2') await slowGone;
        await sender.send(mail, envelopeFrom);
        order.push(mail.subject);
        if (order.length === 5) releaseSlow();
      },
    };
    expect(await drainOutbox({ ...deps, sender: slow, concurrency: 2 })).toEqual({ sent: 6, retrying: 0, failed: 0 });
    expect(order).toEqual([1, 3, 4, 5, 6, 2].map((i) => `[IT-1] reply ${i}`));
    expect(await store.outboxSummary()).toEqual({ sent: 6 });
  });

  it('SMTP_UNCERTAIN (handed over, no answer): left claimed and reported, never sent again by a later drain', async () => {
    const { clock, sender, deps } = await setup(3);
    const unsure = { ...sender, async send(mail: OutgoingMail, from: string) {
      if (mail.subject === '[IT-1] reply 2') throw new SportelloError('SMTP_UNCERTAIN', 'the send worker stopped (exit code 3)');
      await sender.send(mail, from);
    } };
    expect(await drainOutbox({ ...deps, sender: unsure, concurrency: 2 })).toEqual({ sent: 2, retrying: 0, failed: 0, uncertain: 1 });
    expect(await store.outboxSummary()).toEqual({ sending: 1, sent: 2 });
    clock.advance(24 * 3_600_000);
    expect(await drainOutbox({ ...deps, sender: unsure, concurrency: 2 })).toEqual({ sent: 0, retrying: 0, failed: 0 });
    expect(sender.sent.map((s) => s.mail.subject).sort()).toEqual(['[IT-1] reply 1', '[IT-1] reply 3']);
    // What the composition root does next, with nothing under way: set it aside as uncertain.
    expect(await store.parkInterrupted(clock.now())).toBe(1);
    expect(await store.outboxSummary()).toEqual({ sent: 2, uncertain: 1 });
  });
});
