// Decides what a new case that belongs to an outage changes in its plan: the requester's auto-reply says
// plainly that the problem is known (incident id, when it started, how many colleagues reported it, the
// incident's expected resolution), agents get one notification for the incident instead of one per
// mail, and the commit links the cases. Must never add a second reply to anyone.

import type { Address, InboundMail } from '../domain/mail.js';
import type { IncidentChange, Plan, ReplyIntent } from '../domain/plan.js';
import type { Language } from '../domain/routing.js';
import type { Annotations, PipelineContext, SlaPlan } from './types.js';
import { buildAgentNotification } from '../agents/notification.js';
import { formatDue } from '../sla/index.js';
import { caseSubject } from '../mail/subject.js';
import { baseAddress } from '../mail/address.js';
import { trimForRelay } from '../quotes/index.js';

const DAEMON = 'sportello';

const HEADLINE: Readonly<Record<Language, string>> = {
  en: 'New incident: several people report the same problem',
  es: 'Incidencia nueva: varias personas informan del mismo problema',
  it: 'Nuovo incidente: più persone segnalano lo stesso problema',
};

/** A member as the incident notification lists it; `id` null is the mail being processed (filled at commit). */
export interface MemberLine {
  readonly id: string | null;
  readonly requester: string;
  readonly subject: string;
  readonly at: string;
}

function when(iso: string | null, language: Language, timezone: string, now: Date): string | null {
  return iso ? formatDue(new Date(iso), { language, timezone, now }) : null;
}

/** The `incident` variable of the incident-known auto-reply. */
export function incidentKnownVars(input: {
  readonly id: string;
  readonly subject: string;
  readonly startedAt: string;
  readonly dueAt: string | null;
  /** Colleagues who reported it before this requester. */
  readonly reporters: number;
  readonly language: Language;
  readonly timezone: string;
  readonly now: Date;
}): Record<string, unknown> {
  return {
    incident: {
      id: input.id,
      subject: input.subject,
      startedText: when(input.startedAt, input.language, input.timezone, input.now),
      reporters: input.reporters,
      dueText: when(input.dueAt, input.language, input.timezone, input.now),
    },
  };
}

/**
 * Rewrites a create plan for a case that joins or forms an incident; any other plan is returned as is.
 * @example withIncident(createPlan, { ...ann, incident: { kind: 'join', incident, reporters: 4, … } }, ctx, mail)
 *   // → the auto-reply uses template incident-known, no per-mail agent notification, plan.incident = join IT-57
 */
export function withIncident(plan: Plan, ann: Annotations, ctx: PipelineContext, mail: InboundMail): Plan {
  const planning = ann.incident;
  if (!planning || plan.action !== 'create') return plan;
  const timezone = ctx.desk.timezone ?? 'UTC';
  const language = plan.newCase.routing.language;
  // One notification for the incident instead of one per mail: the per-mail ones go.
  const kept = plan.replies.filter((r) => r.kind !== 'notification');
  const known = (id: string, subject: string, startedAt: string, dueAt: string | null, reporters: number) =>
    kept.map((r): ReplyIntent => (r.kind === 'auto-reply' ? { ...r, template: 'incident-known', vars: incidentKnownVars({ id, subject, startedAt, dueAt, reporters, language, timezone, now: ctx.now }) } : r));

  if (planning.kind === 'join') {
    const inc = planning.incident;
    const sla = sharedDue(plan.newCase.sla, inc.dueAt, inc.firstResponseDueAt);
    const change: IncidentChange = { kind: 'join', incident: inc.id, events: [{ type: 'member-joined', actor: DAEMON, data: { score: planning.score, why: planning.why } }] };
    return {
      ...plan,
      newCase: { ...plan.newCase, sla },
      replies: known(inc.id, inc.subject, inc.createdAt, inc.dueAt, planning.reporters),
      events: [...plan.events, { type: 'incident-joined', actor: DAEMON, data: { incident: inc.id, score: planning.score, why: planning.why } }],
      incident: change,
    };
  }

  const requester = plan.newCase.requester;
  const subject = caseSubject(planning.members[0]?.subject ?? mail.subject) || caseSubject(mail.subject);
  const reporters = new Set(planning.members.map((m) => baseAddress(m.requester))).size;
  const lines: MemberLine[] = [
    ...planning.members.map((m) => ({ id: m.id, requester: m.requester, subject: m.subject, at: m.createdAt })),
    { id: null, requester: requester.address, subject: caseSubject(mail.subject), at: ctx.now.toISOString() },
  ];
  const incidentRouting = { ...plan.newCase.routing, assignee: null, notify: [], template: null, suppressAutoReply: false };
  const notification = incidentNotification(ctx, planning.sla, subject, plan.newCase.routing.category, plan.newCase.routing.priority, lines, planning.startedAt, mail, ann);
  const change: IncidentChange = {
    kind: 'form',
    newCase: { desk: ctx.desk.id, subject, requester: { address: ctx.desk.address, name: ctx.desk.name }, routing: incidentRouting, sla: planning.sla, kind: 'incident' },
    startedAt: planning.startedAt,
    members: planning.members.map((m) => m.id),
    events: [{ type: 'incident-formed', actor: DAEMON, data: { members: planning.members.map((m) => m.id), score: planning.score, why: planning.why } }],
    replies: notification ? [notification] : [],
  };
  return {
    ...plan,
    newCase: { ...plan.newCase, sla: sharedDue(plan.newCase.sla, planning.sla?.dueAt ?? null, planning.sla?.firstResponseDueAt ?? null) },
    // The incident's id is known only at commit; the commit fills it into the reply (see fillIncidentId).
    replies: known('', subject, planning.startedAt, planning.sla?.dueAt ?? null, reporters),
    events: [...plan.events, { type: 'incident-joined', actor: DAEMON, data: { formed: true, score: planning.score, why: planning.why } }],
    incident: change,
  };
}

/** A member is promised what the incident is promised, not a fresh time of its own. */
function sharedDue(sla: SlaPlan | null, dueAt: string | null, firstResponseDueAt: string | null): SlaPlan | null {
  return sla && dueAt ? { ...sla, dueAt, firstResponseDueAt: firstResponseDueAt ?? sla.firstResponseDueAt } : sla;
}

function incidentNotification(
  ctx: PipelineContext,
  sla: SlaPlan | null,
  subject: string,
  category: string,
  priority: string,
  lines: readonly MemberLine[],
  startedAt: string,
  mail: InboundMail,
  ann: Annotations,
): ReplyIntent | null {
  const agents: readonly Address[] = ctx.desk.agents;
  if (!agents.length || ctx.desk.notify === 'none') return null;
  const language = ctx.desk.language;
  const timezone = sla?.timezone ?? ctx.desk.timezone;
  const deskRef = { id: ctx.desk.id, name: ctx.desk.name, address: ctx.desk.address };
  const base = buildAgentNotification({
    language, kind: 'new-case', case: { id: '', subject, status: 'new', category, priority, assignee: null },
    requester: { name: deskRef.name, address: deskRef.address }, explanation: ann.routing?.explanation ?? null,
    dueText: when(sla?.dueAt ?? null, language, timezone, ctx.now), text: trimForRelay(mail.text, { language: ann.routing?.language ?? language }),
    author: null, desk: deskRef, help: { categories: ctx.desk.categories ?? [], agents: agents.map((a) => a.address.split('@')[0]!) },
  });
  return {
    kind: 'notification', template: 'incident-notification', to: agents, language, threadTo: 'this-mail', automatic: true,
    vars: {
      ...base,
      headline: HEADLINE[language],
      startedText: when(startedAt, language, timezone, ctx.now),
      members: lines.map((l) => ({ ...l, at: when(l.at, language, timezone, ctx.now) })),
    },
  };
}

/** Puts the ids known only at commit into planned mail: the incident's in the reply, the new member's in the list. */
export function fillIds(intent: ReplyIntent, ids: { readonly incident: string; readonly member: string }): ReplyIntent {
  if (!('vars' in intent) || !intent.vars) return intent;
  const vars = intent.vars as Record<string, unknown>;
  const incident = vars.incident as Record<string, unknown> | undefined;
  const members = vars.members as MemberLine[] | undefined;
  return {
    ...intent,
    vars: {
      ...vars,
      ...(incident && !incident.id ? { incident: { ...incident, id: ids.incident } } : {}),
      ...(members ? { members: members.map((m) => (m.id === null ? { ...m, id: ids.member } : m)) } : {}),
    },
  } as ReplyIntent;
}

