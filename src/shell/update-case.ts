// Applies a change to a case inside an open transaction: recomputes its SLA (pausing or resuming the
// clock, picking the policy for a new category or priority), records the events, and, when the
// promised resolution time moved, queues a localized notice to the requester; an admin's assignment
// tells the new assignee as #assign does. Never sends by itself.

import type { CaseStatus } from '../domain/case.js';
import type { Language } from '../domain/routing.js';
import type { CaseRecord, RenderedReply, StoreTx } from '../ports.js';
import type { Address } from '../domain/mail.js';
import { buildAgentNotification } from '../agents/notification.js';
import type { DeskRuntime } from './desk-runtime.js';
import { deskRef } from '../domain/desk.js';
import { reschedule, type CaseChanges } from '../routing/reschedule.js';
import { formatDue } from '../sla/index.js';
import { tagSubject } from '../mail/subject.js';
import type { ComposeDeps } from './compose.js';
import { NEW_CONVERSATION, outgoingMail, queueOutbound } from './outbound.js';

export interface UpdateResult {
  readonly status: CaseStatus;
  readonly dueAt: string | null;
  readonly dueMoved: boolean;
  readonly queued: number;
}

export interface UpdateOptions {
  readonly compose: ComposeDeps;
  readonly kase: CaseRecord;
  readonly changes: CaseChanges;
  readonly now: Date;
  readonly actor: string;
  /** Record the change but mail nobody (it happened before the desk's first start). */
  readonly silent?: boolean;
}

export async function updateCase(tx: StoreTx, desk: DeskRuntime, o: UpdateOptions): Promise<UpdateResult> {
  const { kase, now } = o;
  const r = reschedule(desk.rules(), kase, o.changes, now, o.actor);
  await tx.updateCase(kase.id, r.patch, now);
  await tx.addEvents(kase.id, r.events, now);
  if (!r.dueMoved?.to) return { status: r.patch.status, dueAt: r.patch.dueAt, dueMoved: false, queued: 0 };
  if (o.silent) {
    await tx.addEvents(kase.id, [{ type: 'due-update-withheld', actor: 'sportello', data: { reason: 'before the desk\'s first start', dueAt: r.dueMoved.to } }], now);
    return { status: r.patch.status, dueAt: r.patch.dueAt, dueMoved: true, queued: 0 };
  }

  const language: Language = kase.language ?? desk.view.language;
  const vars = dueUpdateVars(desk, { kase, changed: { category: r.patch.category, priority: r.patch.priority }, from: r.dueMoved.from, to: r.dueMoved.to, now });
  const rendered = o.compose.renderer.render('due-update', language, vars);
  await queueNotice(tx, o.compose, desk, { caseId: kase.id, kind: 'due-update', to: [kase.requester], rendered, now });
  return { status: r.patch.status, dueAt: r.patch.dueAt, dueMoved: true, queued: 1 };
}

export interface AssignOptions {
  readonly compose: ComposeDeps;
  readonly kase: CaseRecord;
  /** An agent address already resolved against the desk, or null to unassign. */
  readonly assignee: string | null;
  readonly now: Date;
  readonly actor: string;
}

/**
 * Assigns a case (an admin's `cases update --assignee`): records the change and, as `#assign` does by
 * mail, tells the new assignee with the agent notification. Returns how many mails were queued.
 */
export async function assignCase(tx: StoreTx, desk: DeskRuntime, o: AssignOptions): Promise<number> {
  const { kase, assignee, now } = o;
  if (assignee === kase.assignee) return 0;
  await tx.setCaseFields(kase.id, { assignee }, now);
  await tx.addEvents(kase.id, [{ type: 'assigned', actor: o.actor, data: { from: kase.assignee, to: assignee } }], now);
  if (assignee === null) return 0;
  const view = desk.view;
  const agent = view.agents.find((a) => a.address === assignee);
  const vars = buildAgentNotification({
    language: view.language,
    kind: 'assigned',
    case: { id: kase.id, subject: kase.subject, status: kase.status, category: kase.category, priority: kase.priority, assignee },
    requester: kase.requester,
    explanation: null,
    dueText: kase.dueAt ? formatDue(new Date(kase.dueAt), { language: view.language, timezone: desk.rules()?.calendar?.timezone ?? 'UTC', now }) : null,
    text: '',
    author: null,
    desk: deskRef(view),
    help: { categories: view.categories, agents: view.agents.map((a) => a.address.split('@')[0]!) },
  });
  const rendered = o.compose.renderer.render('agent-notification', view.language, { ...vars, desk: deskRef(view) });
  await queueNotice(tx, o.compose, desk, { caseId: kase.id, kind: 'notification', to: [{ address: assignee, name: agent?.name ?? '' }], rendered, now });
  return 1;
}

export interface DueUpdate {
  readonly kase: CaseRecord;
  readonly changed: Pick<CaseRecord, 'category' | 'priority'>;
  /** The promised time before (null: none) and after, ISO 8601. */
  readonly from: string | null;
  readonly to: string;
  readonly now: Date;
}

/** The due-update template's variables: the promised time before and after, in the requester's language and the desk's zone. */
export function dueUpdateVars(desk: Pick<DeskRuntime, 'view' | 'rules'>, u: DueUpdate): Record<string, unknown> {
  const { kase, now } = u;
  const language: Language = kase.language ?? desk.view.language;
  const timezone = desk.rules()?.calendar?.timezone ?? 'UTC';
  const when = (iso: string | null) => (iso ? formatDue(new Date(iso), { language, timezone, now }) : null);
  return {
    subject: tagSubject(kase.id, kase.subject),
    case: { id: kase.id, subject: kase.subject, category: u.changed.category, priority: u.changed.priority },
    due: { before: when(u.from), after: when(u.to), later: !u.from || u.to > u.from },
    requester: { name: kase.requester.name || null, address: kase.requester.address },
    desk: deskRef(desk.view),
  };
}

/** Records and queues a mail the desk starts itself (not a reply): auto-generated, our loop stamps, no threading. */
async function queueNotice(
  tx: StoreTx,
  compose: ComposeDeps,
  desk: DeskRuntime,
  n: { readonly caseId: string; readonly kind: 'due-update' | 'notification'; readonly to: Address[]; readonly rendered: RenderedReply; readonly now: Date },
): Promise<void> {
  const mail = outgoingMail(compose, { kind: n.kind, desk: desk.view, caseId: n.caseId, to: n.to, content: n.rendered, thread: NEW_CONVERSATION });
  await queueOutbound(tx, { kind: n.kind, desk: desk.view, caseId: n.caseId, mail, now: n.now });
}
