// Committing one plan: each plan kind writes exactly its rows in one transaction (case, inbound message
// with raw, events, outbox, position) and nothing at all when any step throws.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../../src/adapters/sqlite-store.js';
import { commitPlan, messageKey } from '../../../src/shell/commit-plan.js';
import type { MailboxPosition, Plan } from '../../../src/domain/plan.js';
import type { CaseStore, ReplyRenderer } from '../../../src/ports.js';
import { knownMail } from '../../../src/pipeline/stages/known-mail.js';
import { deskRuntime, echoRenderer, mail, routing, sequentialIds, testConfig, testDesk } from '../../support/fakes.js';

const NOW = new Date('2026-03-02T09:00:00.000Z');
const RAW = Buffer.from('From: alice@example.test\r\n\r\nraw bytes');
const pos = (uid: number): MailboxPosition => ({ desk: 'IT', folder: 'INBOX', uidValidity: 7, uid });
const desk = deskRuntime(testConfig(), testDesk('IT'));

let store: CaseStore;
afterEach(async () => {
  await store?.close();
});
async function fresh(): Promise<CaseStore> {
  store = await openSqliteStore(path.join(mkdtempSync(path.join(tmpdir(), 'sportello-commit-')), 's.db'));
  await store.resetCheckpoint('IT', 'INBOX', 7, NOW);
  return store;
}
const compose = (renderer: ReplyRenderer = echoRenderer()) => ({ renderer, instance: 'sportello-test', newId: sequentialIds('r') });

const create = (replies = true): Plan => ({
  action: 'create',
  newCase: { desk: 'IT', subject: 'Printer jammed', requester: { address: 'alice@example.test', name: 'Alice' }, routing: routing(), sla: null },
  messageKind: 'requester',
  events: [{ type: 'created', actor: 'alice@example.test', data: { via: 'mail' } }],
  replies: replies ? [{ kind: 'auto-reply', template: 'auto-reply', to: { address: 'alice@example.test', name: 'Alice' }, language: 'en', sla: null, articles: [] }] : [],
});

describe('messageKey', () => {
  it('is the Message-ID, or a SHA-256 of the raw bytes when there is none', () => {
    expect(messageKey({ messageId: 'm1@x' }, RAW)).toBe('m1@x');
    expect(messageKey({ messageId: null }, RAW)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(messageKey({ messageId: null }, RAW)).toBe(messageKey({ messageId: null }, Buffer.from(RAW)));
    expect(messageKey({ messageId: null }, RAW)).not.toBe(messageKey({ messageId: null }, Buffer.from('other')));
  });
});

describe('commitPlan', () => {
  it('create: the case, the inbound message, its events, the auto-reply in messages and outbox, the position', async () => {
    const s = await fresh();
    const r = await commitPlan({ store: s, compose: compose() }, desk, { position: pos(1), mail: mail({ subject: 'Printer jammed' }), raw: RAW, plan: create(), now: NOW });
    expect(r).toEqual({ outcome: 'created', caseId: 'IT-1', queued: 1 });
    const d = (await s.getCaseDetail('IT-1'))!;
    expect(d.messages.map((m) => [m.direction, m.kind, m.messageId, m.subject])).toEqual([
      ['in', 'requester', 'm1@client.example', 'Printer jammed'],
      ['out', 'auto-reply', 'sportello.IT-1.r1@example.test', '[IT-1] Printer jammed'],
    ]);
    expect(d.events.map((e) => e.type)).toEqual(['created']);
    const [queued] = await s.dueOutbox(NOW, 10);
    expect(queued).toMatchObject({ caseId: 'IT-1', kind: 'auto-reply', envelopeFrom: '', mail: { to: [{ address: 'alice@example.test' }], inReplyTo: 'm1@client.example' } });
    expect(await s.checkpoint('IT', 'INBOX')).toEqual({ uidValidity: 7, lastUid: 1 });
    expect(knownMail(await s.lookupFacts('IT', pos(1), 'other', null, { messageIds: [], tags: [] }, NOW), null)).toEqual({ duplicate: expect.stringMatching(/already processed \(created\)/) });
  });

  it('create without replies queues nothing', async () => {
    const s = await fresh();
    expect(await commitPlan({ store: s, compose: compose() }, desk, { position: pos(1), mail: mail(), raw: RAW, plan: create(false), now: NOW })).toEqual({ outcome: 'created', caseId: 'IT-1', queued: 0 });
    expect(await s.outboxSummary()).toEqual({});
  });

  it('append: the message and events on the existing case, and the status change', async () => {
    const s = await fresh();
    await commitPlan({ store: s, compose: compose() }, desk, { position: pos(1), mail: mail(), raw: RAW, plan: create(false), now: NOW });
    const plan: Plan = {
      action: 'append',
      caseId: 'IT-1',
      messageKind: 'requester',
      statusTo: 'open',
      events: [{ type: 'message-received', actor: 'alice@example.test', data: {} }],
      replies: [],
    };
    const r = await commitPlan({ store: s, compose: compose() }, desk, { position: pos(2), mail: mail({ messageId: 'm2@client.example' }), raw: RAW, plan: plan, now: NOW });
    expect(r).toEqual({ outcome: 'appended', caseId: 'IT-1', queued: 0 });
    const d = (await s.getCaseDetail('IT-1'))!;
    expect(d.status).toBe('open');
    expect(d.messages.map((m) => m.messageId)).toEqual(['m1@client.example', 'm2@client.example']);
    expect(await s.checkpoint('IT', 'INBOX')).toEqual({ uidValidity: 7, lastUid: 2 });
  });

  it('append to a case that does not exist writes nothing', async () => {
    const s = await fresh();
    const plan: Plan = { action: 'append', caseId: 'IT-99', messageKind: 'requester', statusTo: null, events: [], replies: [] };
    await expect(commitPlan({ store: s, compose: compose() }, desk, { position: pos(1), mail: mail(), raw: RAW, plan: plan, now: NOW })).rejects.toThrow(/IT-99 vanished/);
    expect(await s.checkpoint('IT', 'INBOX')).toEqual({ uidValidity: 7, lastUid: 0 });
  });

  it('ignore: only the position, as a duplicate', async () => {
    const s = await fresh();
    const r = await commitPlan({ store: s, compose: compose() }, desk, { position: pos(3), mail: mail(), raw: RAW, plan: { action: 'ignore', reason: 'dup' }, now: NOW });
    expect(r).toEqual({ outcome: 'duplicate', caseId: null, queued: 0 });
    expect(await s.listCases({})).toEqual([]);
    expect(await s.checkpoint('IT', 'INBOX')).toEqual({ uidValidity: 7, lastUid: 3 });
  });

  it('quarantine: the raw mail with code, reason and stage, and the position', async () => {
    const s = await fresh();
    const plan: Plan = { action: 'quarantine', reason: 'own mail', code: 'OWN_MAIL', stage: 'reply-policy' };
    const r = await commitPlan({ store: s, compose: compose() }, desk, { position: pos(4), mail: mail({ messageId: null }), raw: RAW, plan: plan, now: NOW });
    expect(r).toEqual({ outcome: 'quarantined', caseId: null, queued: 0 });
    const [q] = await s.listQuarantine(10);
    expect(q).toMatchObject({ position: pos(4), code: 'OWN_MAIL', reason: 'own mail', stage: 'reply-policy', messageId: messageKey({ messageId: null }, RAW) });
    expect(Buffer.compare(q!.raw!, RAW)).toBe(0);
    expect(await s.listCases({})).toEqual([]);
  });

  it('a template that fails to render leaves no case, no message, no outbox row and no position', async () => {
    const s = await fresh();
    const broken: ReplyRenderer = {
      render() {
        throw new Error('template exploded');
      },
    };
    await expect(commitPlan({ store: s, compose: compose(broken) }, desk, { position: pos(1), mail: mail(), raw: RAW, plan: create(), now: NOW })).rejects.toThrow(/template exploded/);
    expect(await s.listCases({})).toEqual([]);
    expect(await s.outboxSummary()).toEqual({});
    expect(await s.checkpoint('IT', 'INBOX')).toEqual({ uidValidity: 7, lastUid: 0 });
    // The next attempt numbers the case IT-1 again: nothing of the failed one survived.
    expect((await commitPlan({ store: s, compose: compose() }, desk, { position: pos(1), mail: mail(), raw: RAW, plan: create(), now: NOW })).caseId).toBe('IT-1');
  });
});
