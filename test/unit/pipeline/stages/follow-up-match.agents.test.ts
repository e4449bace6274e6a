// Follow-up matching for the agents-by-mail flow: a verified agent joins a case by its subject tag alone;
// a requester's answer to a finished case is a rating (only once it was resolved and asked for one), a
// reopen inside the window, or — after the window or once closed — a new case linked to the old one.

import { describe, expect, it } from 'vitest';
import { followUpMatch } from '../../../../src/pipeline/stages/follow-up-match.js';
import { INITIAL_ANNOTATIONS, type Annotations, type CaseFact, type DeskView, type Facts, type PipelineContext, type SenderInfo } from '../../../../src/pipeline/types.js';
import type { InboundMail } from '../../../../src/domain/mail.js';
import type { CaseRecord } from '../../../../src/ports.js';
import { caseRecord, context, facts, mail } from '../../../support/fakes.js';

const NOW = new Date('2026-03-10T09:00:00.000Z');
const DAY = 86_400_000;
const daysAgo = (d: number) => new Date(NOW.getTime() - d * DAY).toISOString();

const BOB = { address: 'bob@example.test', name: 'Bob' };
const trustedBob: SenderInfo = { agent: BOB, trusted: true, reason: 'verified' };
const untrustedBob: SenderInfo = { agent: BOB, trusted: false, reason: 'no pass' };

const ctxWith = (desk: Partial<DeskView> = {}): PipelineContext => {
  const base = context({ now: NOW });
  return { ...base, desk: { ...base.desk, ...desk } };
};

const referenced = (over: Partial<CaseRecord>): CaseFact => {
  const record = caseRecord(over);
  return { caseId: record.id, status: record.status, record };
};

const run = (f: Facts, over: Partial<InboundMail> = {}, ann: Partial<Annotations> = {}, ctx = ctxWith()) => {
  const r = followUpMatch.run(mail(over), { ...INITIAL_ANNOTATIONS, facts: f, ...ann }, ctx);
  if (!('next' in r)) throw new Error(`expected to continue, got ${JSON.stringify(r)}`);
  return r.next;
};

describe('follow-up-match: agents', () => {
  const tagged = facts({ taggedCases: [{ caseId: 'IT-3', status: 'open', participants: ['alice@example.test'] }] });
  const fromBob = { from: BOB, subject: 'Re: [IT-3] Printer jammed' };

  it('a verified agent joins a case by its subject tag alone, without having taken part', () => {
    expect(run(tagged, fromBob, { sender: trustedBob })).toEqual({ match: { caseId: 'IT-3', status: 'open', via: 'subject-tag' } });
  });

  it.each([
    ['a verified agent who took part in none: the first tag', trustedBob, [[], []], 'IT-3'],
    ['a verified agent who took part in the second: that one', trustedBob, [[], ['bob@example.test']], 'IT-4'],
    ['an unverified agent who took part in the second: that one', untrustedBob, [[], ['bob@example.test']], 'IT-4'],
    ['an unverified agent who took part in none: no match', untrustedBob, [[], []], null],
  ] as const)('several tags ("Re: [IT-3] [IT-4]"), %s', (_label, sender, [first, second], expected) => {
    const f = facts({ taggedCases: [{ caseId: 'IT-3', status: 'open', participants: [...first] }, { caseId: 'IT-4', status: 'open', participants: [...second] }] });
    expect(run(f, fromBob, { sender })).toEqual(expected ? { match: { caseId: expected, status: 'open', via: 'subject-tag' } } : {});
  });

  it('an unverified agent is a stranger to the tag', () => {
    expect(run(tagged, fromBob, { sender: untrustedBob })).toEqual({});
  });

  it('an agent writing to a finished case keeps the match: no rating, no link, no reopen decision here', () => {
    const resolved = referenced({ status: 'resolved', resolvedAt: daysAgo(30) });
    expect(run(facts({ referencedCase: resolved }), { from: BOB, text: '5' }, { sender: trustedBob })).toEqual({ match: { ...resolved, via: 'references' } });
  });

  it('a reused Message-ID is set aside even from a verified agent', () => {
    const r = followUpMatch.run(
      mail({ from: BOB }),
      { ...INITIAL_ANNOTATIONS, facts: facts({ messageKey: 'm1', knownMessage: { caseId: 'IT-3', from: 'alice@example.test' }, taggedCases: [{ caseId: 'IT-3', status: 'open', participants: [] }] }), sender: trustedBob },
      ctxWith(),
    );
    expect(r).toEqual({ stop: { action: 'quarantine', reason: 'Message-ID m1 was already used by a mail from alice@example.test; kept aside for a person to look at', code: 'MESSAGE_ID_REUSED', stage: 'follow-up-match' } });
  });
});

describe('follow-up-match: ratings', () => {
  const resolved = referenced({ status: 'resolved', resolvedAt: daysAgo(1) });

  it.each([
    ['a bare "5"', { text: '5' }, { score: 5, comment: null }],
    ['"4 - quick fix" above the quoted survey', { text: '4 - quick fix\n\nOn Mon, 9 Mar 2026 at 10:00, IT <it@example.test> wrote:\n> How did we do?' }, { score: 4, comment: 'quick fix' }],
    ['our mailto subject "Rating 4"', { subject: 'Re: [IT-7] Rating 4', text: 'Comment (optional): very fast' }, { score: 4, comment: 'very fast' }],
    ['the Spanish mailto subject', { subject: '[IT-7] Valoración 2', text: 'Comentario (opcional):' }, { score: 2, comment: null }],
    ['stars', { text: '★★★' }, { score: 3, comment: null }],
  ] as const)('%s on a resolved case is a rating', (_label, over, rating) => {
    expect(run(facts({ referencedCase: resolved }), over)).toEqual({ match: { ...resolved, via: 'references' }, rating });
  });

  it('a rating may come late: after the reopen window it still stays with the case', () => {
    const late = referenced({ status: 'resolved', resolvedAt: daysAgo(30) });
    expect(run(facts({ referencedCase: late }), { text: '5' })).toEqual({ match: { ...late, via: 'references' }, rating: { score: 5, comment: null } });
  });

  it('a closed case that was resolved first still takes the rating it asked for', () => {
    const closed = referenced({ status: 'closed', resolvedAt: daysAgo(20), closedAt: daysAgo(6) });
    expect(run(facts({ referencedCase: closed }), { subject: 'Re: [IT-7] Rating 5', text: '' })).toMatchObject({ rating: { score: 5 } });
  });

  it.each([
    ['a case #close\'d without resolution (resolvedAt null)', referenced({ status: 'closed', resolvedAt: null })],
    ['a match without a record', { caseId: 'IT-7', status: 'closed' } as CaseFact],
  ])('%s takes no rating: the "5" opens a linked case', (_label, kase) => {
    expect(run(facts({ referencedCase: kase }), { text: '5' })).toEqual({ match: null, linkFrom: 'IT-7' });
  });

  it.each([
    ['a number inside a sentence', { text: '2 printers are still broken' }],
    ['a subject that merely starts with "Rating 5"', { subject: 'Re: [IT-7] Rating 5 stars in the app is wrong', text: 'It is broken again.' }],
  ])('%s is not a rating but a reopening follow-up', (_label, over) => {
    const r = run(facts({ referencedCase: resolved }), over);
    expect(r).toEqual({ match: { ...resolved, via: 'references' } });
  });

  it('an open case never takes a rating', () => {
    const open = referenced({ status: 'open' });
    expect(run(facts({ referencedCase: open }), { text: '5' })).toEqual({ match: { ...open, via: 'references' } });
  });
});

describe('follow-up-match: the reopen window', () => {
  it.each([
    ['resolved 2 days ago (default 7-day window)', { status: 'resolved', resolvedAt: daysAgo(2) }, ctxWith(), true],
    ['resolved exactly 7 days ago (inclusive)', { status: 'resolved', resolvedAt: daysAgo(7) }, ctxWith(), true],
    ['resolved 8 days ago', { status: 'resolved', resolvedAt: daysAgo(8) }, ctxWith(), false],
    ['resolved 2 days ago, desk window 1 day', { status: 'resolved', resolvedAt: daysAgo(2) }, ctxWith({ lifecycle: { agentReplySetsWaiting: true, reopenWindowDays: 1, autoCloseDays: 14 } }), false],
    ['resolved 20 days ago, desk window 30 days', { status: 'resolved', resolvedAt: daysAgo(20) }, ctxWith({ lifecycle: { agentReplySetsWaiting: true, reopenWindowDays: 30, autoCloseDays: 40 } }), true],
    ['resolved, time unknown', { status: 'resolved', resolvedAt: null }, ctxWith(), true],
    ['closed yesterday', { status: 'closed', resolvedAt: daysAgo(15), closedAt: daysAgo(1) }, ctxWith(), false],
    ['closed, resolved an hour ago', { status: 'closed', resolvedAt: new Date(NOW.getTime() - 3_600_000).toISOString() }, ctxWith(), false],
  ] as const)('a requester answer to a case %s → match kept: %s', (_label, over, ctx, kept) => {
    const kase = referenced(over as Partial<CaseRecord>);
    const r = run(facts({ referencedCase: kase }), { text: 'It is broken again.' }, {}, ctx);
    expect(r).toEqual(kept ? { match: { ...kase, via: 'references' } } : { match: null, linkFrom: 'IT-7' });
  });

  it('the same holds for a case found by its subject tag', () => {
    const record = caseRecord({ status: 'resolved', resolvedAt: daysAgo(9) });
    const f = facts({ taggedCases: [{ caseId: record.id, status: record.status, record, participants: ['alice@example.test'] }] });
    expect(run(f, { subject: 'Re: [IT-7] Printer jammed', text: 'Again!' })).toEqual({ match: null, linkFrom: 'IT-7' });
  });

  it('machine mail to a finished case stays with it (recorded, never reopens or links)', () => {
    const kase = referenced({ status: 'closed', resolvedAt: daysAgo(30) });
    expect(run(facts({ referencedCase: kase }), {}, { autoGenerated: 'Auto-Submitted: auto-replied' })).toEqual({ match: { ...kase, via: 'references' } });
  });
});
