// The incident stages on plain data: a new case that forms or joins an incident gets the incident-known
// reply and no per-mail notification; an agent's mail on an incident reaches every live member once; and
// only the mails that can use them make the shell read the live cases.
import { describe, expect, it } from 'vitest';
import { INITIAL_ANNOTATIONS, type Annotations, type PipelineContext } from '../../../src/pipeline/types.js';
import { incidentMatch, wantsGroupCandidates } from '../../../src/pipeline/stages/incident-match.js';
import { replyPolicy } from '../../../src/pipeline/stages/reply-policy.js';
import { agentAction, wantsIncidentMembers } from '../../../src/pipeline/stages/agent-action.js';
import { DEFAULT_GROUPING } from '../../../src/incidents/grouping.js';
import type { IncidentCandidate, LiveCase } from '../../../src/ports.js';
import type { Plan } from '../../../src/domain/plan.js';
import { caseRecord, context, facts, mail, routing } from '../../support/fakes.js';

const NOW = new Date('2026-11-24T09:30:00Z');
const ctx: PipelineContext = context({
  now: NOW,
  desk: { ...context().desk, name: 'IT Service Desk', timezone: 'Europe/Madrid' },
  incidents: { settings: DEFAULT_GROUPING, vocabulary: () => null },
  route: () => routing({ category: 'network', language: 'en' }),
});

function member(id: string, who: string, text: string, over: Partial<IncidentCandidate> = {}): IncidentCandidate {
  const record = caseRecord({ id, category: 'network', language: over.language ?? 'es', status: over.status ?? 'new', requester: { address: `${who}@example.test`, name: who }, subject: text, createdAt: '2026-11-24T09:10:00.000Z' });
  return { id, kind: 'case', status: 'new', category: 'network', requester: record.requester.address, createdAt: record.createdAt, incident: null, language: 'es', text, record, lastRequesterMessageId: `${who}-1@client.example`, ...over };
}
const incidentCase = (over: Partial<IncidentCandidate> = {}): IncidentCandidate => {
  const record = caseRecord({ id: 'IT-3', kind: 'incident', category: 'network', requester: { address: 'it@example.test', name: 'IT Service Desk' }, subject: 'Sin wifi en la tercera planta', createdAt: '2026-11-24T09:10:00.000Z', dueAt: '2026-11-26T09:00:00.000Z' });
  return { id: 'IT-3', kind: 'incident', status: 'new', category: 'network', requester: 'it@example.test', createdAt: record.createdAt, incident: null, language: null, text: '', record, lastRequesterMessageId: null, ...over };
};

/** What the store's grouping read gives of a case: its columns, none of the whole record. */
const live = ({ record, lastRequesterMessageId: _, ...c }: IncidentCandidate): LiveCase => ({ ...c, subject: record.subject, dueAt: record.dueAt, firstResponseDueAt: record.firstResponseDueAt });

function newCasePlan(candidates: readonly IncidentCandidate[], body = 'The wifi on floor 3 is down.'): Plan {
  const m = mail({ from: { address: 'zoe@example.test', name: 'Zoe' }, subject: 'wifi', text: body });
  let ann: Annotations = { ...INITIAL_ANNOTATIONS, facts: facts({ groupCandidates: candidates.map(live) }), routing: routing({ category: 'network', language: 'en' }) };
  const r = incidentMatch.run(m, ann, ctx);
  if ('next' in r) ann = { ...ann, ...r.next };
  const out = replyPolicy.run(m, ann, ctx);
  if (!('stop' in out)) throw new Error('reply-policy must decide');
  return out.stop;
}

describe('a new case about a known outage', () => {
  const two = [member('IT-1', 'ana', 'Sin wifi en la tercera planta, no funciona'), member('IT-2', 'luca', 'al terzo piano il wifi non funziona', { language: 'it' })];

  it('forms an incident with the earlier reports: incident-known reply, one incident notification, no per-mail one', () => {
    const plan = newCasePlan(two);
    expect(plan.action).toBe('create');
    if (plan.action !== 'create') return;
    expect(plan.replies.map((r) => [r.kind, r.template])).toEqual([['auto-reply', 'incident-known']]);
    expect(plan.incident).toMatchObject({ kind: 'form', members: ['IT-1', 'IT-2'], startedAt: '2026-11-24T09:10:00.000Z' });
    if (plan.incident?.kind !== 'form') return;
    expect(plan.incident.newCase).toMatchObject({ kind: 'incident', requester: { address: 'it@example.test' } });
    expect(plan.incident.replies.map((r) => [r.kind, r.template, r.kind === 'auto-reply' ? 1 : r.to.length])).toEqual([['notification', 'incident-notification', 1]]);
    const reply = plan.replies[0]!;
    expect(reply.kind === 'auto-reply' && reply.vars).toMatchObject({ incident: { id: '', reporters: 2 } });
  });

  it('joins a live incident with the incident due time, and tells nobody else', () => {
    const plan = newCasePlan([incidentCase(), ...two.map((m) => ({ ...m, incident: 'IT-3' }))]);
    if (plan.action !== 'create') throw new Error(plan.action);
    expect(plan.incident).toMatchObject({ kind: 'join', incident: 'IT-3' });
    expect(plan.replies.map((r) => r.template)).toEqual(['incident-known']);
    const reply = plan.replies[0]!;
    expect(reply.kind === 'auto-reply' && reply.vars).toMatchObject({ incident: { id: 'IT-3', reporters: 2, dueText: 'Thursday 26 November at 10:00', startedText: 'Tuesday 24 November at 10:10' } });
  });

  it('stays an ordinary case when the report is about something else', () => {
    const plan = newCasePlan(two, 'The printer on floor 3 is jammed again.');
    if (plan.action !== 'create') throw new Error(plan.action);
    expect(plan.incident).toBeUndefined();
    expect(plan.replies.map((r) => r.template)).toEqual(['auto-reply', 'agent-notification']);
  });
});

describe('an agent on an incident', () => {
  const members = [
    member('IT-1', 'ana', 'sin wifi', { incident: 'IT-3' }),
    member('IT-2', 'luca', 'senza wifi', { incident: 'IT-3', language: 'it' }),
    // The same person twice (joined by hand): still told once.
    member('IT-4', 'ana', 'sigue sin wifi', { incident: 'IT-3' }),
    member('IT-5', 'mark', 'already solved for me', { incident: 'IT-3', status: 'resolved' }),
  ];
  const agentMail = (text: string) => mail({ from: { address: 'bob@example.test', name: 'Bob' }, to: [{ address: 'it@example.test', name: '' }], subject: 'Re: [IT-3] wifi', text });
  const run = (text: string, candidates: readonly IncidentCandidate[] = [incidentCase(), ...members]) => {
    const inc = incidentCase();
    const ann: Annotations = {
      ...INITIAL_ANNOTATIONS,
      facts: facts({ incidentCandidates: candidates }),
      sender: { agent: { address: 'bob@example.test', name: 'Bob' }, trusted: true, reason: 'test' },
      match: { caseId: 'IT-3', status: 'new', record: inc.record, via: 'references' },
    };
    const r = agentAction.run(agentMail(text), ann, ctx);
    if (!('stop' in r) || r.stop.action !== 'append') throw new Error('agent-action must append');
    return r.stop;
  };

  it('#resolve with an answer: every live member resolved, each requester gets the answer and one rating request', () => {
    const plan = run('#resolve\nThe access point was replaced.');
    expect(plan.statusTo).toBe('resolved');
    expect(plan.replies.map((r) => r.kind)).toEqual(['confirmation']);
    expect(plan.members!.map((m) => [m.caseId, m.statusTo, m.replies.map((r) => `${r.kind}:${r.kind === 'auto-reply' ? r.to.address : r.to[0]!.address}`)])).toEqual([
      ['IT-1', 'resolved', ['relay:ana@example.test', 'rating-request:ana@example.test']],
      ['IT-2', 'resolved', ['relay:luca@example.test', 'rating-request:luca@example.test']],
      ['IT-4', 'resolved', []],
    ]);
    expect(plan.members![0]!.requesterMessageId).toBe('ana-1@client.example');
    const relay = plan.members![1]!.replies[0]!;
    expect(relay.language).toBe('it');
    expect(relay.vars?.text).toBe('The access point was replaced.');
  });

  it('an answer without #resolve is relayed and leaves the members waiting', () => {
    const plan = run('We are on it, the vendor is coming.');
    expect(plan.members!.map((m) => [m.caseId, m.statusTo, m.replies.map((r) => r.kind)])).toEqual([
      ['IT-1', 'waiting', ['relay']], ['IT-2', 'waiting', ['relay']], ['IT-4', 'waiting', []],
    ]);
  });

  it('#incident on the incident itself is refused with the reason', () => {
    const plan = run('#incident IT-9');
    expect(plan.replies.map((r) => r.kind)).toEqual(['command-error']);
    expect(plan.members).toBeUndefined();
  });
});

describe('#incident and #unlink on a member case', () => {
  const rec = caseRecord({ id: 'IT-8', category: 'network', incident: null, routing: routing({ category: 'network' }) });
  const run = (text: string, over = {}) => {
    const record = { ...rec, ...over };
    const ann: Annotations = {
      ...INITIAL_ANNOTATIONS,
      facts: facts({ incidentCandidates: [incidentCase()] }),
      sender: { agent: { address: 'bob@example.test', name: 'Bob' }, trusted: true, reason: 'test' },
      match: { caseId: record.id, status: 'new', record, via: 'references' },
    };
    const r = agentAction.run(mail({ from: { address: 'bob@example.test', name: 'Bob' }, subject: 'Re: [IT-8] x', text }), ann, ctx);
    if (!('stop' in r) || r.stop.action !== 'append') throw new Error('agent-action must append');
    return r.stop;
  };

  it.each([
    ['#incident IT-3', {}, { incident: { kind: 'join', incident: 'IT-3' } }, 'confirmation'],
    ['#incident new', {}, { incident: { kind: 'new', newCase: { kind: 'incident', subject: 'Printer jammed' } } }, 'confirmation'],
    ['#unlink', { incident: 'IT-3' }, { incident: { kind: 'leave' } }, 'confirmation'],
    ['#unlink', {}, {}, 'command-error'],
    ['#incident IT-99', {}, {}, 'command-error'],
    ['#incident IT-3', { incident: 'IT-3' }, {}, 'command-error'],
    ['#incidente nuovo', {}, { incident: { kind: 'new' } }, 'confirmation'],
  ])('%s on a case %j', (text, over, expected, reply) => {
    const plan = run(text, over);
    expect(plan).toMatchObject(expected);
    expect(plan.replies.map((r) => r.kind)).toEqual([reply]);
    if (reply === 'command-error') expect(plan.incident).toBeUndefined();
  });
});

describe('which mails make the shell read the live cases', () => {
  const newCase = (text: string, over: Partial<Annotations> = {}) =>
    wantsGroupCandidates(mail({ from: { address: 'zoe@example.test', name: 'Zoe' }, subject: 'help', text }), { ...INITIAL_ANNOTATIONS, facts: facts(), routing: routing({ category: 'network' }), ...over }, ctx);

  it('a new report of a failing shared system, and nothing else, wants the grouping read', () => {
    expect(newCase('The wifi on floor 3 is down.')).toBe(true);
    expect(newCase('Please add Ana to the sales mailing list.')).toBe(false);
    // A failure of no shared system, a shared system without a failure: similarity is 0 against anything.
    expect(newCase('My laptop is not working.')).toBe(false);
    expect(newCase('Can I get access to the VPN?')).toBe(false);
    expect(newCase('The wifi on floor 3 is down.', { match: { caseId: 'IT-1', status: 'open', record: caseRecord(), via: 'references' } })).toBe(false);
    expect(newCase('The wifi on floor 3 is down.', { autoGenerated: 'auto-submitted' })).toBe(false);
    expect(wantsGroupCandidates(mail({ text: 'The wifi on floor 3 is down.' }), { ...INITIAL_ANNOTATIONS, facts: facts(), routing: routing() }, { ...ctx, incidents: null })).toBe(false);
  });

  it('a threshold of 0 groups anything with anything, so then every new report wants it', () => {
    const anything = { ...ctx, incidents: { settings: { ...DEFAULT_GROUPING, threshold: 0 }, vocabulary: () => null } };
    expect(wantsGroupCandidates(mail({ text: 'Please add Ana to the list.' }), { ...INITIAL_ANNOTATIONS, facts: facts(), routing: routing() }, anything)).toBe(true);
  });

  it('an agent wants the members read on an incident or with #incident, not on an ordinary case', () => {
    const agent = (text: string, record = caseRecord({ id: 'IT-8' })) =>
      wantsIncidentMembers(mail({ from: { address: 'bob@example.test', name: 'Bob' }, text }), {
        ...INITIAL_ANNOTATIONS,
        facts: facts(),
        sender: { agent: { address: 'bob@example.test', name: 'Bob' }, trusted: true, reason: 'test' },
        match: { caseId: record.id, status: 'open', record, via: 'references' },
      }, ctx);
    expect(agent('We are on it.', incidentCase().record)).toBe(true);
    expect(agent('#incident IT-3')).toBe(true);
    expect(agent('#incidente nuovo')).toBe(true);
    expect(agent('#resolve\nFixed.')).toBe(false);
    expect(agent('#unlink')).toBe(false);
    expect(wantsIncidentMembers(mail({ text: '#incident IT-3' }), { ...INITIAL_ANNOTATIONS, facts: facts(), match: { caseId: 'IT-8', status: 'open', record: caseRecord(), via: 'references' } }, ctx)).toBe(false);
  });
});
