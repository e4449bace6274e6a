// Applies a change to a case inside an open transaction: recomputes its SLA (pausing or resuming the
// clock, picking the policy for a new category or priority), records the events, and, when the
// promised resolution time moved, queues a localized notice to the requester; an admin's assignment
// tells the new assignee as #assign does. Never sends by itself.

import type { CaseStatus } from '../domain/case.js';
import type { Language } from '../domain/routing.js';
import type { CaseRecord, CaseStore, Clock, RenderedReply, StoreTx } from '../ports.js';
import { SportelloError } from '../errors.js';
import { resolveAgent } from '../agents/commands.js';
import type { Address } from '../domain/mail.js';
import { buildAgentNotification } from '../agents/notification.js';
import { runtimeOf, type DeskRuntime } from './desk-runtime.js';
import { deskRef, type DeskView } from '../domain/desk.js';
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
  // An incident's "requester" is the desk itself: nobody to tell (its members keep the time they were given).
  if (o.silent || kase.kind === 'incident') {
    const reason = kase.kind === 'incident' ? 'an incident has no requester of its own' : 'before the desk\'s first start';
    await tx.addEvents(kase.id, [{ type: 'due-update-withheld', actor: 'sportello', data: { reason, dueAt: r.dueMoved.to } }], now);
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
export async function queueNotice(
  tx: StoreTx,
  compose: ComposeDeps,
  desk: DeskRuntime,
  n: { readonly caseId: string; readonly kind: 'due-update' | 'notification'; readonly to: Address[]; readonly rendered: RenderedReply; readonly now: Date },
): Promise<void> {
  const mail = outgoingMail(compose, { kind: n.kind, desk: desk.view, caseId: n.caseId, to: n.to, content: n.rendered, thread: NEW_CONVERSATION });
  await queueOutbound(tx, { kind: n.kind, desk: desk.view, caseId: n.caseId, mail, now: n.now });
}

export interface ChangeCaseDeps {
  readonly store: CaseStore;
  readonly compose: ComposeDeps;
  readonly desks: readonly DeskRuntime[];
  readonly clock: Clock;
}

/**
 * `sportello cases update`: changes a case's category, priority, status or assignee in one transaction;
 * reschedules its SLA, tells the requester if the due time moved and a new assignee that they are.
 * Queues mail, never sends it.
 */
export async function changeCase(deps: ChangeCaseDeps, id: string, changes: CaseChanges, actor: string): Promise<UpdateResult & { id: string; assignee: string | null }> {
  const now = deps.clock.now();
  const { compose } = deps;
  return deps.store.transaction(async (tx) => {
    const kase = await tx.getCase(id.toUpperCase());
    if (!kase) throw new SportelloError('CASE_NOT_FOUND', `no case ${id}`, { hint: 'list cases with "sportello cases list"' });
    const desk = runtimeOf(deps.desks, kase.desk);
    if (!desk) throw new SportelloError('CONFIG_INVALID', `case ${kase.id} belongs to desk ${kase.desk}, which is not in the configuration`);
    // Resolved before anything is written: a wrong name changes nothing.
    const assignee = changes.assignee === undefined ? undefined : deskAgent(desk.view, changes.assignee);
    const updated = await updateCase(tx, desk, { compose, kase, changes, now, actor });
    const told = assignee === undefined ? 0 : await assignCase(tx, desk, { compose, kase, assignee, now, actor });
    return { id: kase.id, ...updated, queued: updated.queued + told, assignee: assignee === undefined ? kase.assignee : assignee };
  });
}

/** The agent `cases update --assignee` names (address, local part or name, as #assign takes), or null for "none". */
function deskAgent(desk: DeskView, value: string | null): string | null {
  if (value === null || value.trim().toLowerCase() === 'none') return null;
  const found = resolveAgent(value, desk.agents);
  if ('agent' in found) return found.agent;
  const agents = desk.agents.map((a) => a.address).join(', ') || 'none configured';
  if ('ambiguous' in found) throw new SportelloError('USAGE', `"${value}" matches several agents of desk ${desk.id}: ${found.ambiguous.join(', ')}`, { hint: 'give the full address' });
  const meant = found.suggestion === null ? '' : ` (did you mean "${found.suggestion}"?)`;
  throw new SportelloError('USAGE', `"${value}" is not an agent of desk ${desk.id}${meant}`, { hint: `agents of ${desk.id}: ${agents}; or --assignee none` });
}
