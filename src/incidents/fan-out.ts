// Decides what an agent's mail on an incident does to its members: the answer is relayed to every live
// member's requester in their own thread (from the desk), #resolve resolves every member and asks each
// requester for a rating; and whether #incident / #unlink on a case are possible. Pure: members come
// from the store's data. Never mails one requester twice about one agent mail, never mails a resolved member.

import type { CaseEvent, CaseStatus } from '../domain/case.js';
import type { IncidentCommand, MemberEffect, NewCase, ReplyIntent } from '../domain/plan.js';
import type { Language } from '../domain/routing.js';
import type { CaseRecord } from '../domain/case.js';
import type { IncidentCandidate } from '../domain/incident.js';
import type { Command, CommandError } from '../agents/commands.js';
import { relayVars } from '../agents/agent-replies.js';
import { ratingRequestVars } from '../agents/rating-mail.js';
import { transition, type LifecycleSettings } from '../agents/lifecycle.js';
import { baseAddress } from '../mail/address.js';

const LIVE: ReadonlySet<CaseStatus> = new Set(['new', 'open', 'waiting']);

interface Person {
  readonly name: string;
  readonly address: string;
}
interface DeskRef extends Person {
  readonly id: string;
}

/**
 * One effect per live member: lifecycle events and status (as if the agent had answered that case),
 * the relay of `text` (when there is one) and, on resolve, the rating request — each requester once.
 * @example fanOut({ incident, candidates, text: 'Fixed, the access point was replaced.', resolve: true, … })
 *   // → [{ caseId: 'IT-3', statusTo: 'resolved', replies: [relay, rating-request], … }, …]
 */
export function fanOut(input: {
  readonly incident: CaseRecord;
  readonly candidates: readonly IncidentCandidate[];
  /** The agent's answer for the requesters ("" for commands only). */
  readonly text: string;
  readonly resolve: boolean;
  readonly agent: Person;
  readonly desk: DeskRef;
  readonly fallbackLanguage: Language;
  readonly now: Date;
  readonly settings?: LifecycleSettings;
}): MemberEffect[] {
  const told = new Set<string>();
  const effects: MemberEffect[] = [];
  const members = input.candidates.filter((c) => c.kind === 'case' && c.incident === input.incident.id && LIVE.has(c.status));
  for (const m of members) {
    const rec = m.record;
    const language = rec.language ?? input.fallbackLanguage;
    const steps = [...(input.text ? [{ type: 'agent-reply' as const }] : []), ...(input.resolve ? [{ type: 'resolve' as const }] : [])];
    let status = rec.status;
    const events: CaseEvent[] = [{ type: 'incident-update', actor: input.agent.address, data: { incident: input.incident.id, relayed: input.text !== '', resolved: input.resolve } }];
    for (const step of steps) {
      const t = transition(status, step, { now: input.now, actor: input.agent.address, resolvedAt: null, settings: input.settings });
      if (!t.ok || t.to === 'new-linked-case') continue;
      status = t.to;
      events.push(...t.events);
    }
    const requester = rec.requester;
    const first = !told.has(baseAddress(requester.address));
    told.add(baseAddress(requester.address));
    const caseRef = { id: rec.id, subject: rec.subject };
    const replies: ReplyIntent[] = [];
    if (first && input.text) {
      replies.push({
        kind: 'relay', template: 'relay', to: [requester], language, threadTo: 'requester', automatic: false,
        fromName: `${input.agent.name} (${input.desk.name})`,
        vars: relayVars({ language, case: caseRef, requester, agent: input.agent, desk: input.desk, text: input.text }),
      });
    }
    if (first && input.resolve && status === 'resolved') {
      replies.push({
        kind: 'rating-request', template: 'rating-request', to: [requester], language, threadTo: 'requester', automatic: true,
        vars: ratingRequestVars({ language, case: caseRef, requester, desk: input.desk }),
      });
    }
    if (replies.length) events.push({ type: 'relayed', actor: input.agent.address, data: { from: input.incident.id } });
    effects.push({
      caseId: rec.id,
      statusTo: status !== rec.status ? status : null,
      fields: {
        firstResponse: input.text !== '' && rec.firstResponseAt === null,
        resolved: status === 'resolved',
        ...(status !== rec.status ? { waitUntil: null } : {}),
      },
      events,
      replies,
      requesterMessageId: m.lastRequesterMessageId,
    });
  }
  return effects;
}

/**
 * Whether #incident / #unlink can be applied to this case, and what they do. A case joins only a live
 * incident of its own desk; an incident cannot be made a member; #unlink needs an incident to leave.
 */
export function incidentCommand(
  commands: readonly Command[],
  rec: CaseRecord,
  candidates: readonly IncidentCandidate[],
  deskAddress: string,
  deskName: string,
): { readonly ok: true; readonly command: IncidentCommand | null } | { readonly ok: false; readonly errors: readonly CommandError[] } {
  const c = commands.find((x) => x.name === 'incident' || x.name === 'unlink');
  if (!c) return { ok: true, command: null };
  const live = candidates.filter((x) => x.kind === 'incident' && x.id !== rec.id).map((x) => x.id);
  const refuse = (value: string | null, valid: readonly string[], message: string) => ({
    ok: false as const,
    errors: [{ code: 'bad-value' as const, command: `#${c.name}`, name: c.name, value, valid, suggestion: null, line: 1, message }],
  });
  if (rec.kind === 'incident') return refuse(rec.id, [], `#${c.name} applies to a member case, not to the incident ${rec.id} itself`);
  if (c.name === 'unlink') return rec.incident ? { ok: true, command: { kind: 'leave' } } : refuse(rec.id, [], `${rec.id} is not a member of any incident`);
  if (c.name !== 'incident') return { ok: true, command: null };
  if (c.incident === 'new') {
    const routing = rec.routing && typeof rec.routing === 'object' ? (rec.routing as NewCase['routing']) : null;
    if (!routing) return refuse('new', [], `${rec.id} has no routing to open an incident with`);
    const newCase: NewCase = { desk: rec.desk, subject: rec.subject, requester: { address: deskAddress, name: deskName }, routing: { ...routing, assignee: null, notify: [] }, sla: null, kind: 'incident' };
    return { ok: true, command: { kind: 'new', newCase } };
  }
  if (!live.includes(c.incident)) return refuse(c.incident, live.length ? live : ['new'], `${c.incident} is not an open incident of this desk`);
  if (rec.incident === c.incident) return refuse(c.incident, live, `${rec.id} is already a member of ${c.incident}`);
  return { ok: true, command: { kind: 'join', incident: c.incident } };
}
