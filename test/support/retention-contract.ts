// Retention and erasure, the same tests for every store (run by test/unit/adapters/sqlite-retention.test.ts
// and test/postgres/retention.test.ts): purge drops raw sources and old closed cases (tombstones keep
// statistics, numbers are never reused, held quarantine keeps its raw), forget leaves no trace of an
// address in any table (raw blobs included), dry runs change nothing, and each run leaves a counts-only audit.

import { describe, expect, it } from 'vitest';
import type { CaseStore, NewMessage, OutgoingMail } from '../../src/ports.js';
import { erasedPlaceholder, erasureTarget, retentionCutoffs } from '../../src/housekeeping/retention.js';
import { deskStats } from '../../src/stats/report.js';
import { mail, routing } from './fakes.js';
import { knownMail } from '../../src/pipeline/stages/known-mail.js';

export interface RetentionHarness {
  /** An empty store of its own (closed by the harness), with raw access to its tables. */
  fresh(): Promise<{
    readonly store: CaseStore;
    /** Every row of every table, blobs decoded as latin1 text, in key order: to prove what is or is not left anywhere. */
    dump(): Promise<Record<string, unknown[]>>;
    /** Marks a quarantine row released at `at` behind the store's back (an old release). */
    releaseQuarantine(id: number, at: Date): Promise<void>;
  }>;
}

const DAY = 86_400_000;
const NOW = new Date('2026-12-05T08:00:00.000Z');
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);





const out = (to: string, cc: string[] = [], text = 'We are on it'): OutgoingMail => ({
  from: { address: 'it@example.test', name: 'IT' },
  to: [{ address: to, name: 'Someone' }],
  cc: cc.map((address) => ({ address, name: '' })),
  subject: '[IT-1] Printer',
  messageId: `sportello.x.${Math.random().toString(36).slice(2)}@example.test`,
  inReplyTo: null,
  references: [],
  headers: {},
  text,
  html: `<p>${text}</p>`,
  attachments: [{ filename: 'a.txt', contentType: 'text/plain', contentBase64: 'aGk=' }],
});

function inbound(caseId: string, messageId: string, from: string, over: Partial<NewMessage['mail']> = {}): NewMessage {
  return {
    caseId, desk: caseId.split('-')[0]!, direction: 'in', kind: 'requester', messageId,
    mail: { ...mail({ messageId, from: { address: from, name: 'Person' }, text: `Text by ${from}` }), ...over },
    raw: Buffer.from(`From: Person <${from}>\r\nSubject: help\r\n\r\nText by ${from}\r\n`),
  };
}

/**
 * IT-1: alice, closed 400 days ago (rated 4), linked to IT-2, one escalation, an old sent reply.
 * IT-2: carlo, closed 10 days ago; alice in Cc of his mail and writing on it (reply-all).
 * IT-3: alice, open, assigned to bob; a pending reply and an uncertain one to her.
 * HR-1: carlo, closed 500 days ago, whose text names alice's address. Quarantine: a held mail from alice, a released old one.
 */
async function seed(store: CaseStore): Promise<void> {
  await store.transaction(async (tx) => {
    const c1 = await tx.createCase({ desk: 'IT', prefix: 'IT', subject: 'Printer', requester: { address: 'Alice@Example.test', name: 'Alice Ruiz' }, routing: routing({ category: 'hardware' }), sla: null }, ago(420));
    await tx.addMessage(inbound(c1.id, 'a1@client', 'alice@example.test', { date: ago(420).toISOString() }), ago(420));
    const r1 = await tx.addMessage({ caseId: c1.id, desk: 'IT', direction: 'out', kind: 'auto-reply', messageId: 'sportello.IT-1.u1@example.test', mail: { ...mail(), from: { address: 'it@example.test', name: 'IT' }, to: [{ address: 'alice@example.test', name: 'Alice Ruiz' }], text: 'Thanks Alice' }, raw: null }, ago(420));
    await tx.enqueue({ caseId: c1.id, kind: 'auto-reply', envelopeFrom: '', mail: out('alice@example.test') }, r1, ago(420));
    await tx.addEvents(c1.id, [{ type: 'rated', actor: 'alice@example.test', data: { score: 4, comment: 'Quick, thanks' } }], ago(410));
    await tx.setCaseFields(c1.id, { firstResponseAt: ago(419).toISOString(), resolvedAt: ago(410).toISOString(), closedAt: ago(400).toISOString(), rating: { score: 4, comment: 'Quick, thanks', at: ago(410).toISOString() } }, ago(400));
    await tx.setStatus(c1.id, 'closed', ago(400));
    await tx.recordEscalation(c1.id, 'warning', ago(415), ago(415));

    const c2 = await tx.createCase({ desk: 'IT', prefix: 'IT', subject: 'VPN', requester: { address: 'carlo@example.test', name: 'Carlo' }, routing: routing({ category: 'network' }), sla: null }, ago(40));
    await tx.addMessage(inbound(c2.id, 'c1@client', 'carlo@example.test', { cc: [{ address: 'alice@example.test', name: 'Alice Ruiz' }], text: 'VPN down; Alice (alice@example.test) too' }), ago(40));
    await tx.addMessage(inbound(c2.id, 'a2@client', 'alice+it@example.test', { text: 'Same here, my laptop ALICE-PC' }), ago(39));
    await tx.setCaseFields(c2.id, { firstResponseAt: ago(39).toISOString(), resolvedAt: ago(20).toISOString(), closedAt: ago(10).toISOString() }, ago(10));
    await tx.setStatus(c2.id, 'closed', ago(10));
    await tx.link(c1.id, c2.id, 'same requester', ago(40));
    await tx.enqueue({ caseId: c2.id, kind: 'relay', envelopeFrom: 'it@example.test', mail: out('carlo@example.test', ['alice@example.test'], 'Fixed for Carlo and alice@example.test') }, null, ago(38));

    const c3 = await tx.createCase({ desk: 'IT', prefix: 'IT', subject: 'My payslip is wrong', requester: { address: 'alice@example.test', name: 'Alice Ruiz' }, routing: routing(), sla: null }, ago(2));
    await tx.addMessage(inbound(c3.id, 'a3@client', 'alice@example.test'), ago(2));
    await tx.setCaseFields(c3.id, { assignee: 'bob@example.test' }, ago(2));
    await tx.addEvents(c3.id, [{ type: 'assigned', actor: 'bob@example.test', data: { from: null, to: 'bob@example.test' } }], ago(2));
    await tx.enqueue({ caseId: c3.id, kind: 'auto-reply', envelopeFrom: '', mail: out('alice@example.test') }, null, NOW);
    await tx.enqueue({ caseId: c3.id, kind: 'notification', envelopeFrom: '', mail: out('bob@example.test', [], 'Alice wrote: my payslip') }, null, ago(1));

    const h1 = await tx.createCase({ desk: 'HR', prefix: 'HR', subject: 'Leave', requester: { address: 'carlo@example.test', name: 'Carlo' }, routing: routing({ category: 'leave' }), sla: null }, ago(520));
    await tx.addMessage(inbound(h1.id, 'h1@client', 'carlo@example.test'), ago(520));
    await tx.addMessage({ ...inbound(h1.id, 'h2@client', 'carlo@example.test', { text: 'Ask alice@example.test, she knows' }), raw: null }, ago(510));
    await tx.setCaseFields(h1.id, { closedAt: ago(500).toISOString() }, ago(500));
    await tx.setStatus(h1.id, 'closed', ago(500));

    await tx.quarantine({ position: null, messageId: 'q1@client', code: 'TOO_LARGE', reason: 'too large', stage: null, raw: Buffer.from('From: alice@example.test\r\n\r\nbig') }, ago(100));
    await tx.quarantine({ position: null, messageId: 'q2@client', code: 'UNPARSEABLE', reason: 'broken', stage: null, raw: Buffer.from('From: dan@example.test\r\n\r\n??') }, ago(100));
  });
  // Delivery history: the old replies went out, one to bob was interrupted mid-send (uncertain).
  for (const id of [1, 2]) {
    await store.markSending([id], ago(id === 1 ? 420 : 38));
    await store.markSent([id], ago(id === 1 ? 420 : 38));
  }
  await store.markSending([4], ago(1));
  await store.parkInterrupted(ago(1));
}


async function stats(store: CaseStore) {
  const { cases, requesterMails } = await store.statsData(new Date(0));
  return ['IT', 'HR'].map((desk) =>
    deskStats(desk, cases.map((c) => ({ ...c, rating: c.rating?.score ?? null })), requesterMails.filter((m) => m.desk === desk).map((m) => m.at), null, 'UTC'),
  );
}

export function retentionContract(name: string, harness: RetentionHarness): void {
  describe(`${name} retention: purge`, () => {
    it('counts in a dry run exactly what the real run then does, and changes nothing', async () => {
      const { store, dump, releaseQuarantine } = await harness.fresh();
      await seed(store);
      await releaseQuarantine(2, ago(90));
      const cutoffs = retentionCutoffs({ rawMailDays: 30, closedCaseDays: 365 }, NOW);
      const before = await dump();
      const dry = await store.purge(cutoffs, NOW, { dryRun: true, actor: 'test' });
      expect(await dump()).toEqual(before);
      const real = await store.purge(cutoffs, NOW, { dryRun: false, actor: 'test' });
      expect(real).toEqual(dry);
      expect(real).toEqual({
        cases: 2, // IT-1 (closed 400 days ago) and HR-1 (500); IT-2 closed 10 days ago stays
        messages: 4,
        events: 1, // IT-1's rating
        outbox: 1,
        links: 2, // IT-1 -> IT-2 and IT-2 -> IT-1
        escalations: 1,
        rawSources: 2, // IT-2's two mails (40 and 39 days old); IT-3's is 2 days old
        quarantineRaw: 1, // the released one; the held one keeps its raw
        outboxBodies: 1, // the relay sent 38 days ago
      });
    });

    it('deletes old closed cases with everything hanging off them, keeps a tombstone, and never reuses a number', async () => {
      const { store, dump } = await harness.fresh();
      await seed(store);
      const statsBefore = await stats(store);
      await store.purge(retentionCutoffs({ closedCaseDays: 365 }, NOW), NOW, { dryRun: false, actor: 'test' });
      const d = await dump();
      expect(d.cases!.map((c) => (c as { id: string }).id).sort()).toEqual(['IT-2', 'IT-3']);
      for (const t of ['messages', 'events', 'outbox', 'escalations'] as const) {
        expect(d[t]!.filter((r) => ['IT-1', 'HR-1'].includes(String((r as { case_id: unknown }).case_id)))).toEqual([]);
      }
      expect(d.case_links).toEqual([]);
      expect([...d.case_tombstones!].sort((a, b) => String((a as { id: string }).id).localeCompare(String((b as { id: string }).id)))).toEqual([
        expect.objectContaining({ id: 'HR-1', desk: 'HR', number: 1, category: 'leave' }),
        expect.objectContaining({ id: 'IT-1', desk: 'IT', number: 1, category: 'hardware', rating: 4, closed_at: ago(400).toISOString(), requester_mail_times_json: JSON.stringify([ago(420).toISOString()]) }),
      ]);
      // No person in a tombstone: no address, no name, no subject.
      expect(JSON.stringify(d.case_tombstones)).not.toMatch(/example\.test|Alice|Printer|Leave/);
      // Statistics of the past survive the deletion unchanged.
      expect(await stats(store)).toEqual(statsBefore);
      // The desk counter never goes back: the next cases are IT-4 and HR-2, not IT-1 or HR-1.
      const next = await store.transaction(async (tx) => [
        await tx.createCase({ desk: 'IT', prefix: 'IT', subject: 'x', requester: { address: 'dan@example.test', name: '' }, routing: routing(), sla: null }, NOW),
        await tx.createCase({ desk: 'HR', prefix: 'HR', subject: 'x', requester: { address: 'dan@example.test', name: '' }, routing: routing(), sla: null }, NOW),
      ]);
      expect(next.map((c) => c.id)).toEqual(['IT-4', 'HR-2']);
      // The deleted mail fetched again (after a UIDVALIDITY reset) is still a duplicate, never a new case.
      const facts = await store.lookupFacts('IT', null, 'a1@client', 'alice@example.test', { messageIds: [], tags: ['IT-1'] }, ago(1));
      expect(knownMail(facts, 'alice@example.test')).toEqual({ duplicate: expect.stringMatching(/deleted by retention/) });
      expect(facts.taggedCases).toEqual([]);
    });

    it('drops raw sources and old sent bodies but keeps held quarantine, unsent replies and case texts', async () => {
      const { store, dump, releaseQuarantine } = await harness.fresh();
      await seed(store);
      await releaseQuarantine(2, ago(90));
      await store.purge(retentionCutoffs({ rawMailDays: 30 }, NOW), NOW, { dryRun: false, actor: 'test' });
      const d = await dump();
      const raw = Object.fromEntries(d.messages!.map((m) => [(m as { message_id: string }).message_id, (m as { raw: unknown }).raw !== null]));
      expect(raw).toMatchObject({ 'a1@client': false, 'c1@client': false, 'a2@client': false, 'a3@client': true, 'h1@client': false });
      expect(d.messages!.every((m) => String((m as { text: string }).text).length > 0)).toBe(true);
      expect(d.quarantine!.map((q) => [(q as { id: number }).id, (q as { raw: unknown }).raw !== null])).toEqual([[1, true], [2, false]]);
      const bodies = d.outbox!.map((o) => JSON.parse(String((o as { mail_json: string }).mail_json)) as OutgoingMail & { bodyDropped?: string });
      expect(bodies.map((b) => [b.text !== '', b.attachments !== undefined, b.bodyDropped ?? null])).toEqual([
        [false, false, NOW.toISOString()], // sent 420 days ago
        [false, false, NOW.toISOString()], // sent 38 days ago
        [true, true, null], // pending
        [true, true, null], // uncertain
      ]);
      expect(bodies[0]!.to).toEqual([{ address: 'alice@example.test', name: 'Someone' }]);
      // A second run has nothing left to do.
      expect(await store.purge(retentionCutoffs({ rawMailDays: 30 }, NOW), NOW, { dryRun: false, actor: 'test' })).toMatchObject({ rawSources: 0, outboxBodies: 0, quarantineRaw: 0 });
    });

    it('runs once per claimed day and audits counts only', async () => {
      const { store } = await harness.fresh();
      await seed(store);
      const cutoffs = retentionCutoffs({ rawMailDays: 30, closedCaseDays: 365 }, NOW);
      expect(await store.purge(cutoffs, NOW, { dryRun: false, actor: 'sportello', claimDay: '2026-12-05' })).not.toBeNull();
      expect(await store.purge(cutoffs, NOW, { dryRun: false, actor: 'sportello', claimDay: '2026-12-05' })).toBeNull();
      expect(await store.purge(cutoffs, NOW, { dryRun: true, actor: 'cli:x' })).not.toBeNull();
      const log = await store.auditLog(10);
      expect(log).toEqual([expect.objectContaining({ action: 'purge', actor: 'sportello', subjectHash: null, counts: expect.objectContaining({ cases: 2 }) })]);
      expect(JSON.stringify(log)).not.toMatch(/@/);
    });
  });

  describe(`${name} retention: forget`, () => {
    async function forget(store: CaseStore, address: string, dryRun: boolean) {
      const hash = await store.erasureHash(address);
      return { hash, placeholder: erasedPlaceholder(hash), counts: await store.forget(erasureTarget(address, erasedPlaceholder(hash)), hash, NOW, { dryRun, actor: 'test' }) };
    }

    it('leaves the address in no table and no raw source, keeps numbers, times and ratings, and cancels unsent mail', async () => {
      const { store, dump } = await harness.fresh();
      await seed(store);
      const statsBefore = await stats(store);
      const counters = (await dump()).desk_counters;

      const dry = await forget(store, 'ALICE@example.test', true);
      const { placeholder, counts } = await forget(store, 'alice@example.test', false);
      expect(dry.counts).toEqual(counts);
      expect(placeholder).toMatch(/^erased-[0-9a-f]{12}@invalid$/);
      expect(counts).toEqual({
        cases: 2, assigned: 0, messages: 6, rawSources: 4, events: 1, outbox: 4, outboxCancelled: 2, quarantine: 1, previousErasures: [],
      });

      const d = await dump();
      expect(JSON.stringify(d).toLowerCase()).not.toContain('alice@example.test');
      expect(JSON.stringify(d).toLowerCase()).not.toContain('alice+it@example.test');
      expect(JSON.stringify(d)).not.toContain('Alice Ruiz');
      expect(JSON.stringify(d)).not.toContain('My payslip');
      // Her cases: requester and subject replaced, rating score kept, comment gone.
      const it1 = (await store.getCaseDetail('IT-1'))!;
      expect(it1).toMatchObject({ requester: { address: placeholder, name: '' }, subject: '[erased]', rating: { score: 4, comment: null }, number: 1, closedAt: ago(400).toISOString() });
      expect(it1.messages.map((m) => m.text)).toEqual(['', '']);
      expect(it1.events.find((e) => e.type === 'rated')).toMatchObject({ actor: placeholder, data: { score: 4, comment: '[erased]' } });
      // Carlo's case: his text stays (her address inside it replaced), her reply-all is blanked, the Cc is the placeholder.
      const it2 = (await store.getCaseDetail('IT-2'))!;
      expect(it2.requester.address).toBe('carlo@example.test');
      expect(it2.messages.map((m) => [m.from?.address, m.cc.map((a) => a.address), m.text])).toEqual([
        ['carlo@example.test', [placeholder], `VPN down; Alice (${placeholder}) too`],
        [placeholder, [], ''],
      ]);
      // A mail that only names her address keeps its text, with the placeholder in her place.
      expect((await store.getCaseDetail('HR-1'))!.messages.map((m) => m.text)).toEqual(['Text by carlo@example.test', `Ask ${placeholder}, she knows`]);
      // Nothing unsent will ever reach her: pending and uncertain rows are cancelled.
      const problems = await store.outboxProblems(10);
      expect(problems.filter((p) => p.status === 'pending' || p.status === 'uncertain')).toEqual([]);
      expect(problems.map((p) => [p.id, p.status, p.recipient])).toEqual([[4, 'failed', 'bob@example.test'], [3, 'failed', placeholder]]);
      expect(await store.dueOutbox(new Date(NOW.getTime() + DAY), 10)).toEqual([]);
      // The loop brake no longer knows her address either.
      expect((await store.lookupFacts('IT', null, 'new@client', 'alice@example.test', { messageIds: [], tags: [] }, ago(1))).autoRepliesToSenderLastHour).toBe(0);
      // Numbers and statistics unchanged; the counter untouched.
      expect(await stats(store)).toEqual(statsBefore);
      expect(d.desk_counters).toEqual(counters);
      // Audit: counts and the salted hash, never the address.
      const [audit] = await store.auditLog(1);
      expect(audit).toMatchObject({ action: 'forget', counts: { cases: 2, messages: 6 } });
      expect(audit!.subjectHash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(audit)).not.toMatch(/alice/i);
    });

    it('finds nothing the second time and names the earlier erasure', async () => {
      const { store } = await harness.fresh();
      await seed(store);
      await forget(store, 'alice@example.test', false);
      const again = await forget(store, 'Alice+x@Example.TEST', true);
      expect(again.counts).toMatchObject({ cases: 0, assigned: 0, messages: 0, rawSources: 0, events: 0, outbox: 0, outboxCancelled: 0, quarantine: 0 });
      expect(again.counts.previousErasures).toEqual([{ id: 1, at: NOW.toISOString() }]);
    });

    it('forgets an agent: assignee, events and the mail to them, while the requester keeps her case', async () => {
      const { store, dump } = await harness.fresh();
      await seed(store);
      const { placeholder, counts } = await forget(store, 'bob@example.test', false);
      // assigned, and the send-uncertain event of the notification to him
      expect(counts).toMatchObject({ cases: 0, assigned: 1, events: 2, outbox: 1, outboxCancelled: 1 });
      expect(JSON.stringify(await dump())).not.toContain('bob@example.test');
      const it3 = (await store.getCaseDetail('IT-3'))!;
      expect(it3).toMatchObject({ assignee: placeholder, subject: 'My payslip is wrong', requester: { address: 'alice@example.test' } });
      expect(it3.events.find((e) => e.type === 'assigned')).toMatchObject({ actor: placeholder, data: { to: placeholder } });
    });
  });
}
