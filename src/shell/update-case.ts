// Applies a change to a case inside an open transaction: recomputes its SLA (pausing or resuming the
// clock, picking the policy for a new category or priority), records the events, and, when the
// promised resolution time moved, queues a localized notice to the requester; an admin's assignment
// tells the new assignee as #assign does. Never sends by itself.

import type { CaseStatus } from '../domain/case.js';
import type { Language } from '../domain/routing.js';
import type { CaseRecord, RenderedReply, StoreTx } from '../ports.js';
import type { Address } from '../domain/mail.js';
import { buildAgentNotification } from '../agents/notification.js';
import type { DeskConfig } from '../config/schema.js';
import type { DeskRules } from '../rules/index.js';
import { reschedule, type CaseChanges } from '../routing/reschedule.js';
import { formatDue } from '../sla/index.js';
import { tagSubject } from '../mail/subject.js';
import type { ComposeDeps } from './compose.js';
import { machineMail } from './machine-mail.js';

export interface UpdateResult {
  readonly status: CaseStatus;
  readonly dueAt: string | null;
  readonly dueMoved: boolean;
  readonly queued: number;
}

export async function updateCase(
  tx: StoreTx,
  compose: ComposeDeps,
  desk: DeskConfig,
  rules: DeskRules | undefined,
  kase: CaseRecord,
  changes: CaseChanges,
  now: Date,
  actor: string,
  /** silent: record the change but mail nobody (it happened before the desk's first start). */
  opts: { readonly silent?: boolean } = {},
): Promise<UpdateResult> {
  const r = reschedule(rules, kase, changes, now, actor);
  await tx.updateCase(kase.id, r.patch, now);
  await tx.addEvents(kase.id, r.events, now);
  if (!r.dueMoved?.to) return { status: r.patch.status, dueAt: r.patch.dueAt, dueMoved: false, queued: 0 };
  // An incident's "requester" is the desk itself: nobody to tell (its members keep the time they were given).
  if (opts.silent || kase.kind === 'incident') {
    const reason = kase.kind === 'incident' ? 'an incident has no requester of its own' : 'before the desk\'s first start';
    await tx.addEvents(kase.id, [{ type: 'due-update-withheld', actor: 'sportello', data: { reason, dueAt: r.dueMoved.to } }], now);
    return { status: r.patch.status, dueAt: r.patch.dueAt, dueMoved: true, queued: 0 };
  }

  const language: Language = kase.language ?? desk.language;
  const vars = dueUpdateVars(kase, { ...kase, category: r.patch.category, priority: r.patch.priority }, desk, rules, r.dueMoved.from, r.dueMoved.to, now);
  const rendered = compose.renderer.render('due-update', language, vars);
  await queueNotice(tx, compose, desk, kase.id, 'due-update', [kase.requester], rendered, now);
  return { status: r.patch.status, dueAt: r.patch.dueAt, dueMoved: true, queued: 1 };
}

/**
 * Assigns a case (an admin's `cases update --assignee`): records the change and, as `#assign` does by
 * mail, tells the new assignee with the agent notification. `assignee` is an agent address already
 * resolved against the desk, or null to unassign. Returns how many mails were queued.
 */
export async function assignCase(tx: StoreTx, compose: ComposeDeps, desk: DeskConfig, kase: CaseRecord, assignee: string | null, now: Date, actor: string): Promise<number> {
  if (assignee === kase.assignee) return 0;
  await tx.setCaseFields(kase.id, { assignee }, now);
  await tx.addEvents(kase.id, [{ type: 'assigned', actor, data: { from: kase.assignee, to: assignee } }], now);
  if (assignee === null) return 0;
  const agent = desk.agents.find((a) => a.address === assignee);
  const vars = buildAgentNotification({
    language: desk.language,
    kind: 'assigned',
    case: { id: kase.id, subject: kase.subject, status: kase.status, category: kase.category, priority: kase.priority, assignee },
    requester: kase.requester,
    explanation: null,
    dueText: kase.dueAt ? formatDue(new Date(kase.dueAt), { language: desk.language, timezone: compose.rulesFor?.(desk.id)?.calendar?.timezone ?? 'UTC', now }) : null,
    text: '',
    author: null,
    desk: deskVars(desk),
    help: { categories: compose.rulesFor?.(desk.id)?.categories.map((c) => c.id) ?? [], agents: desk.agents.map((a) => a.address.split('@')[0]!) },
  });
  const rendered = compose.renderer.render('agent-notification', desk.language, { ...vars, desk: deskVars(desk) });
  await queueNotice(tx, compose, desk, kase.id, 'notification', [{ address: assignee, name: agent?.name ?? '' }], rendered, now);
  return 1;
}

/** The due-update template's variables: the promised time before and after, in the requester's language and the desk's zone. */
export function dueUpdateVars(
  kase: CaseRecord,
  changed: Pick<CaseRecord, 'category' | 'priority'>,
  desk: DeskConfig,
  rules: DeskRules | undefined,
  from: string | null,
  to: string,
  now: Date,
): Record<string, unknown> {
  const language: Language = kase.language ?? desk.language;
  const timezone = rules?.calendar?.timezone ?? 'UTC';
  const when = (iso: string | null) => (iso ? formatDue(new Date(iso), { language, timezone, now }) : null);
  return {
    subject: tagSubject(kase.id, kase.subject),
    case: { id: kase.id, subject: kase.subject, category: changed.category, priority: changed.priority },
    due: { before: when(from), after: when(to), later: !from || to > from },
    requester: { name: kase.requester.name || null, address: kase.requester.address },
    desk: deskVars(desk),
  };
}

export const deskVars = (desk: DeskConfig) => ({ id: desk.id, name: desk.name ?? `${desk.id} desk`, address: desk.address });

/** Records and queues a mail the desk starts itself (not a reply): auto-generated, our loop stamps, no threading. */
async function queueNotice(tx: StoreTx, compose: ComposeDeps, desk: DeskConfig, caseId: string, kind: 'due-update' | 'notification', to: Address[], rendered: RenderedReply, now: Date): Promise<void> {
  const mail = machineMail(compose, desk, to, rendered, caseId);
  const row = await tx.addMessage(
    { caseId, desk: desk.id, direction: 'out', kind, messageId: mail.messageId, mail: { from: mail.from, to: mail.to, cc: [], subject: mail.subject, date: now.toISOString(), text: mail.text, inReplyTo: [], references: [] }, raw: null },
    now,
  );
  await tx.enqueue({ caseId, kind, envelopeFrom: '', mail }, row, now);
}
