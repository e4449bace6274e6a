// Reply policy for the agents-by-mail flow: who of the agents hears about a requester's mail (notify policy,
// writer excluded, due time shown), reopening a resolved case, ratings and their thanks, the notice to an
// agent we could not verify, a rule's notify addresses, and the links a new case carries.

import { describe, expect, it } from 'vitest';
import { replyPolicy } from '../../../../src/pipeline/stages/reply-policy.js';
import { INITIAL_ANNOTATIONS, type Annotations, type DeskView, type PipelineContext, type SlaPlan } from '../../../../src/pipeline/types.js';
import type { Address, InboundMail } from '../../../../src/domain/mail.js';
import type { Plan, ReplyIntent } from '../../../../src/domain/plan.js';
import type { CaseRecord } from '../../../../src/ports.js';
import type { NotifyPolicy } from '../../../../src/agents/notification.js';
import { caseRecord, context, facts, mail, routing } from '../../../support/fakes.js';

const NOW = new Date('2026-03-02T09:00:00.000Z'); // a Monday
const BOB: Address = { address: 'bob@example.test', name: 'Bob' };
const MARIA: Address = { address: 'maria@example.test', name: 'María' };
const ALICE: Address = { address: 'alice@example.test', name: 'Alice' };

const ctxWith = (over: Partial<DeskView> = {}): PipelineContext => {
  const base = context({ now: NOW });
  return { ...base, desk: { ...base.desk, name: 'IT Service Desk', agents: [BOB, MARIA], ...over } };
};

const decide = (ann: Partial<Annotations>, over: Partial<InboundMail> = {}, ctx: PipelineContext = ctxWith()): Plan => {
  const r = replyPolicy.run(mail(over), { ...INITIAL_ANNOTATIONS, routing: routing(), facts: facts(), ...ann }, ctx);
  if (!('stop' in r)) throw new Error('reply-policy must always decide');
  return r.stop;
};

const matchOf = (over: Partial<CaseRecord> = {}) => {
  const record = caseRecord({ status: 'open', ...over });
  return { caseId: record.id, status: record.status, record, via: 'references' as const };
};

type MessageIntent = Exclude<ReplyIntent, { kind: 'auto-reply' }>;
const messages = (p: Plan, kind: MessageIntent['kind']): MessageIntent[] =>
  p.action === 'create' || p.action === 'append' ? (p.replies.filter((r) => r.kind === kind) as MessageIntent[]) : [];
const to = (x: MessageIntent | undefined) => x?.to.map((a) => a.address) ?? null;
const append = (p: Plan) => {
  if (p.action !== 'append') throw new Error(`expected append, got ${p.action}`);
  return p;
};
const create = (p: Plan) => {
  if (p.action !== 'create') throw new Error(`expected create, got ${p.action}`);
  return p;
};

describe('reply-policy: agents hear about a requester follow-up', () => {
  it.each([
    ['all', null, ['bob@example.test', 'maria@example.test']],
    ['all', 'maria@example.test', ['bob@example.test', 'maria@example.test']],
    ['assignee', 'maria@example.test', ['maria@example.test']],
    ['assignee', 'Maria+IT@Example.test', ['maria@example.test']],
    ['assignee', null, ['bob@example.test', 'maria@example.test']],
    ['assignee', 'gone@example.test', ['bob@example.test', 'maria@example.test']],
    ['none', 'maria@example.test', null],
  ] as const)('policy %s, assignee %s → notified: %j', (policy, assignee, expected) => {
    const p = append(decide({ match: matchOf({ assignee }) }, {}, ctxWith({ notify: policy as NotifyPolicy })));
    const notes = messages(p, 'notification');
    expect(notes.length).toBe(expected ? 1 : 0);
    expect(to(notes[0])).toEqual(expected);
    expect(p).toMatchObject({ messageKind: 'requester', statusTo: null });
  });

  it('the notification carries the names, the new text without the quote, and the follow-up headline', () => {
    const text = 'Still jammed, now it also beeps.\n\nOn Mon, 2 Mar 2026 at 09:00, IT Service Desk <it@example.test> wrote:\n> Have you tried turning it off?';
    const [n] = messages(decide({ match: matchOf() }, { text }), 'notification');
    expect(n).toMatchObject({ template: 'agent-notification', to: [BOB, MARIA], language: 'en', threadTo: 'this-mail', automatic: true });
    expect(n!.vars).toMatchObject({ kind: 'follow-up', headline: 'The requester wrote again', requester: ALICE, subject: '[IT-7] Printer jammed' });
    expect(n!.vars.text).toBe('Still jammed, now it also beeps.\n\n[quoted text removed]');
    // A follow-up does not repeat why the case was routed.
    expect(n!.vars.routing).toEqual({ category: 'hardware', why: null });
  });

  it('the writer is never notified of their own mail (an agent who is the requester of this case)', () => {
    const p = decide({ match: matchOf({ requester: MARIA }) }, { from: MARIA });
    expect(to(messages(p, 'notification')[0])).toEqual(['bob@example.test']);
  });

  it.each([
    ['UTC when the desk names no zone', {}, 'Tuesday 3 March at 16:00'],
    ["the desk's zone", { timezone: 'Europe/Madrid' }, 'Tuesday 3 March at 17:00'],
    ["the desk's zone and language", { timezone: 'Europe/Rome', language: 'it' as const }, 'martedì 3 marzo alle 17:00'],
  ])("shows the case's current due time, in %s", (_label, desk, dueText) => {
    const p = decide({ match: matchOf({ dueAt: '2026-03-03T16:00:00.000Z' }) }, {}, ctxWith(desk));
    expect(messages(p, 'notification')[0]!.vars.dueText).toBe(dueText);
  });

  it('no due time when the case has none (waiting, or no SLA)', () => {
    expect(messages(decide({ match: matchOf({ dueAt: null }) }), 'notification')[0]!.vars.dueText).toBeNull();
  });

  it('machine mail on a case tells nobody', () => {
    expect(append(decide({ match: matchOf(), autoGenerated: 'Auto-Submitted: auto-replied' })).replies).toEqual([]);
  });
});

describe('reply-policy: status after a requester follow-up', () => {
  it('an answer to a resolved case (inside the window) reopens it and says so to the agents', () => {
    const p = append(decide({ match: matchOf({ status: 'resolved', resolvedAt: '2026-03-01T09:00:00.000Z' }) }));
    expect(p.statusTo).toBe('open');
    expect(p.fields).toEqual({ waitUntil: null });
    expect(p.events.map((e) => e.type)).toEqual(['message-received', 'reopened']);
    expect(p.events[1]).toMatchObject({ actor: 'sportello', data: { from: 'resolved', to: 'open' } });
    const [n] = messages(p, 'notification');
    expect(n!.vars).toMatchObject({ kind: 'reopened', headline: 'The requester reopened the case' });
  });

  it('an answer to a waiting case opens it and clears a pending #wait', () => {
    const p = append(decide({ match: matchOf({ status: 'waiting', waitUntil: '2026-03-04T09:00:00.000Z' }) }));
    expect(p).toMatchObject({ statusTo: 'open', fields: { waitUntil: null } });
    expect(p.events.map((e) => e.type)).toEqual(['message-received', 'status-changed']);
    expect(messages(p, 'notification')[0]!.vars.kind).toBe('follow-up');
  });

  it('an answer to an open case changes no field', () => {
    const p = append(decide({ match: matchOf() }));
    expect(p.statusTo).toBeNull();
    expect(p.fields).toBeUndefined();
  });
});

describe('reply-policy: ratings', () => {
  const resolved = () => matchOf({ status: 'resolved', resolvedAt: '2026-03-01T09:00:00.000Z', language: 'es' });

  it.each([
    [5, null, false],
    [4, null, false],
    [3, null, false],
    [2, null, true],
    [1, null, true],
    [5, 'but it broke again', true],
    [4, 'quick', true],
  ] as const)('score %i, comment %j → recorded, thanked; agents told: %s', (score, comment, told) => {
    const p = append(decide({ match: resolved(), rating: { score, comment } }));
    expect(p).toMatchObject({ messageKind: 'requester', statusTo: null, fields: { rating: { score, comment } } });
    expect(p.events.map((e) => e.type)).toEqual(['message-received', 'rated']);
    expect(p.events[1]).toMatchObject({ actor: 'alice@example.test', data: { score, comment } });
    const [thanks] = messages(p, 'rating-thanks');
    expect(thanks).toMatchObject({ template: 'rating-thanks', to: [ALICE], language: 'es', threadTo: 'this-mail', automatic: true });
    expect(thanks!.vars).toMatchObject({ score, comment, subject: '[IT-7] Printer jammed · Gracias por su valoración' });
    expect(messages(p, 'notification').length).toBe(told ? 1 : 0);
    if (told) expect(to(messages(p, 'notification')[0])).toEqual(['bob@example.test', 'maria@example.test']);
  });

  it('a rating never reopens the case', () => {
    const p = append(decide({ match: resolved(), rating: { score: 1, comment: 'still broken' } }));
    expect(p.statusTo).toBeNull();
    expect(p.events.some((e) => e.type === 'reopened')).toBe(false);
  });

  it('a rating from a machine is ignored as such', () => {
    const p = append(decide({ match: resolved(), rating: { score: 5, comment: null }, autoGenerated: 'Auto-Submitted: auto-replied' }));
    expect(p).toMatchObject({ messageKind: 'automatic', replies: [] });
    expect(p.fields).toBeUndefined();
  });
});

describe('reply-policy: an agent we could not verify', () => {
  const unverified = { agent: BOB, trusted: false, reason: 'bob@example.test could not be verified: no Authentication-Results header from mx.example.test' };

  it('on a case: recorded as a requester mail, other agents notified, and the agent told why', () => {
    const p = append(decide({ match: matchOf(), sender: unverified }, { from: BOB, text: '#resolve\nDone.' }));
    expect(p).toMatchObject({ messageKind: 'requester', statusTo: null });
    expect(to(messages(p, 'notification')[0])).toEqual(['maria@example.test']);
    const [notice] = messages(p, 'not-trusted');
    expect(notice).toMatchObject({ template: 'agent-not-trusted', to: [BOB], threadTo: 'this-mail', automatic: true });
    expect(notice!.vars).toMatchObject({ reason: unverified.reason, case: { id: 'IT-7', subject: 'Printer jammed' }, subject: 'Not verified: [IT-7] Printer jammed' });
  });

  it('on a new case: the case opens for them, and they are told why', () => {
    const p = create(decide({ sender: unverified }, { from: BOB }));
    expect(p.newCase.requester).toEqual(BOB);
    const [notice] = messages(p, 'not-trusted');
    expect(to(notice)).toEqual(['bob@example.test']);
    expect(notice!.vars.case).toBeNull();
  });

  it.each([
    ['a verified agent', { sender: { ...unverified, trusted: true } }],
    ['machine mail from an agent address', { sender: unverified, autoGenerated: 'Auto-Submitted: auto-replied' }],
  ])('no notice for %s', (_label, ann) => {
    expect(messages(decide({ match: matchOf(), ...ann }, { from: BOB }), 'not-trusted')).toEqual([]);
  });
});

describe('reply-policy: a new case', () => {
  const sla: SlaPlan = {
    policy: 'standard', firstResponseMinutes: 240, resolutionMinutes: 960, firstResponseDueAt: '2026-03-02T13:00:00.000Z',
    dueAt: '2026-03-03T17:00:00.000Z', timezone: 'Europe/Madrid', open: true, opensAt: null, onCall: null,
  };

  it('tells the agents, with why it was routed and the fresh due time in the calendar zone', () => {
    const r = routing({ explanation: { kind: 'rule', file: 'rules/it.yml', line: 12, rule: 'printer' } });
    const p = create(decide({ routing: r, sla }));
    const [n] = messages(p, 'notification');
    expect(to(n)).toEqual(['bob@example.test', 'maria@example.test']);
    expect(n!.vars).toMatchObject({ kind: 'new-case', routing: { category: 'hardware', why: 'rule "printer" (rules/it.yml:12)' }, dueText: 'Tuesday 3 March at 18:00' });
  });

  it("a rule's notify addresses get their own notification, on top of the agents'", () => {
    const p = create(decide({ routing: routing({ notify: ['lead@example.test', 'facilities@example.test'] }) }));
    const notes = messages(p, 'notification');
    expect(notes.map(to)).toEqual([['bob@example.test', 'maria@example.test'], ['lead@example.test', 'facilities@example.test']]);
    expect(notes[1]!.vars.kind).toBe('new-case');
  });

  it("a rule's notify addresses are told even when the desk notifies nobody", () => {
    const p = create(decide({ routing: routing({ notify: ['lead@example.test'] }) }, {}, ctxWith({ notify: 'none' })));
    expect(messages(p, 'notification').map(to)).toEqual([['lead@example.test']]);
  });

  it("the requester is left out of a rule's notify list", () => {
    const p = create(decide({ routing: routing({ notify: ['alice@example.test', 'lead@example.test'] }) }));
    expect(messages(p, 'notification').map(to)).toEqual([['bob@example.test', 'maria@example.test'], ['lead@example.test']]);
  });

  it('machine mail tells nobody, not even the notify addresses', () => {
    const p = create(decide({ routing: routing({ notify: ['lead@example.test'] }), autoGenerated: 'List-Id present' }));
    expect(messages(p, 'notification')).toEqual([]);
  });

  it.each([
    ['a late follow-up', { linkFrom: 'IT-3' }, [{ caseId: 'IT-3', reason: 'follow-up after the case was finished' }]],
    ['the same mail at another desk', { facts: facts({ sameMailElsewhere: [{ caseId: 'HR-1', desk: 'HR' }] }) }, [{ caseId: 'HR-1', reason: 'same mail also sent to desk HR' }]],
    ['both', { linkFrom: 'IT-3', facts: facts({ sameMailElsewhere: [{ caseId: 'HR-1', desk: 'HR' }, { caseId: 'FIN-2', desk: 'FIN' }] }) }, [
      { caseId: 'IT-3', reason: 'follow-up after the case was finished' },
      { caseId: 'HR-1', reason: 'same mail also sent to desk HR' },
      { caseId: 'FIN-2', reason: 'same mail also sent to desk FIN' },
    ]],
  ] as const)('links %s, and logs each link', (_label, ann, links) => {
    const p = create(decide(ann as Partial<Annotations>));
    expect(p.links).toEqual(links);
    expect(p.events.filter((e) => e.type === 'linked').map((e) => e.data)).toEqual(links);
  });

  it('no links, no links field', () => {
    const p = create(decide({}));
    expect(p.links).toBeUndefined();
    expect(p.events.some((e) => e.type === 'linked')).toBe(false);
  });
});
