// Follow-up matching after the lookup: duplicates stop, references win over tags, and a subject tag only
// joins a case when the sender already takes part in it (never a stranger who copied "[IT-3]").

import { describe, expect, it } from 'vitest';
import { followUpMatch } from '../../../../src/pipeline/stages/follow-up-match.js';
import { INITIAL_ANNOTATIONS, type Annotations, type Facts } from '../../../../src/pipeline/types.js';
import type { InboundMail } from '../../../../src/domain/mail.js';
import { context, facts, mail } from '../../../support/fakes.js';

const run = (f: Facts | null, over: Partial<InboundMail> = {}) =>
  followUpMatch.run(mail(over), { ...INITIAL_ANNOTATIONS, facts: f } as Annotations, context());

const tagged = (participants: string[]): Facts =>
  facts({ taggedCases: [{ caseId: 'IT-3', status: 'open', participants }] });

describe('follow-up-match', () => {
  it('does nothing before the lookup', () => {
    expect(run(null)).toEqual({ next: {} });
  });

  it('stops with ignore on a duplicate, even when references match too', () => {
    const r = run(facts({ messageKey: 'm1', knownMessage: { caseId: null, from: null }, referencedCase: { caseId: 'IT-1', status: 'open' } }));
    expect(r).toEqual({ stop: { action: 'ignore', reason: 'Message-ID m1 already recorded' } });
  });

  it('sets aside, never drops, a mail whose Message-ID another sender already used', () => {
    const r = run(facts({ messageKey: 'm1', knownMessage: { caseId: 'IT-1', from: 'bob@example.test' } }));
    expect(r).toMatchObject({ stop: { action: 'quarantine', code: 'MESSAGE_ID_REUSED', reason: 'Message-ID m1 was already used by a mail from bob@example.test; kept aside for a person to look at' } });
  });

  it('matches by references before the subject tag, whoever the sender is', () => {
    const r = run(
      facts({ referencedCase: { caseId: 'IT-1', status: 'waiting' }, taggedCases: [{ caseId: 'IT-3', status: 'open', participants: ['x@y'] }] }),
      { from: { address: 'stranger@elsewhere.example', name: '' } },
    );
    expect(r).toEqual({ next: { match: { caseId: 'IT-1', status: 'waiting', via: 'references' } } });
  });

  it.each([
    ['the requester', 'alice@example.test', ['alice@example.test'], true],
    ['the requester, plus-addressed', 'alice+work@example.test', ['alice@example.test'], true],
    ['a participant stored plus-addressed', 'alice@example.test', ['Alice+x@example.test'], true],
    ['someone cc\'d earlier', 'carol@example.test', ['alice@example.test', 'carol@example.test'], true],
    ['a stranger who copied the tag', 'mallory@evil.example', ['alice@example.test'], false],
    ['a look-alike of a participant', 'alice@example.test.evil.example', ['alice@example.test'], false],
  ] as const)('subject tag from %s → matched: %s', (_label, from, participants, matched) => {
    const r = run(tagged([...participants]), { from: { address: from, name: '' } });
    expect(r).toEqual({ next: matched ? { match: { caseId: 'IT-3', status: 'open', via: 'subject-tag' } } : {} });
  });

  it('a subject tag without a From never matches', () => {
    expect(run(tagged(['alice@example.test']), { from: null })).toEqual({ next: {} });
  });

  // Finding for the lead: ctx.desk.agents is not consulted. An agent (bob, listed in the desk's agents) who
  // never wrote into or was copied on the case is treated like a stranger when he replies with only the tag.
  it('an agent of the desk who never took part is NOT matched by the tag alone (desk.agents is not consulted)', () => {
    const ctx = context();
    expect(ctx.desk.agents.map((a) => a.address)).toContain('bob@example.test');
    const r = followUpMatch.run(
      mail({ from: { address: 'bob@example.test', name: 'Bob' } }),
      { ...INITIAL_ANNOTATIONS, facts: tagged(['alice@example.test']) },
      ctx,
    );
    expect(r).toEqual({ next: {} });
  });

  it('no facts about references or tags → no match', () => {
    expect(run(facts())).toEqual({ next: {} });
  });
});
