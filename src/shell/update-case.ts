// Applies a change to a case inside an open transaction: recomputes its SLA (pausing or resuming the
// clock, picking the policy for a new category or priority), records the events, and, when the
// promised resolution time moved, queues a localized notice to the requester. Never sends by itself.

import type { CaseStatus } from '../domain/case.js';
import type { Language } from '../domain/routing.js';
import type { CaseRecord, StoreTx } from '../ports.js';
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
  if (opts.silent) {
    await tx.addEvents(kase.id, [{ type: 'due-update-withheld', actor: 'sportello', data: { reason: 'before the desk\'s first start', dueAt: r.dueMoved.to } }], now);
    return { status: r.patch.status, dueAt: r.patch.dueAt, dueMoved: true, queued: 0 };
  }

  const language: Language = kase.language ?? desk.language;
  const timezone = rules?.calendar?.timezone ?? 'UTC';
  const when = (iso: string | null) => (iso ? formatDue(new Date(iso), { language, timezone, now }) : null);
  const subject = tagSubject(kase.id, kase.subject);
  const rendered = compose.renderer.render('due-update', language, {
    subject,
    case: { id: kase.id, subject: kase.subject, category: r.patch.category, priority: r.patch.priority },
    due: { before: when(r.dueMoved.from), after: when(r.dueMoved.to), later: !r.dueMoved.from || r.dueMoved.to! > r.dueMoved.from },
    requester: { name: kase.requester.name || null, address: kase.requester.address },
    desk: { id: desk.id, name: desk.name ?? `${desk.id} desk`, address: desk.address },
  });
  const mail = machineMail(compose, desk, [kase.requester], rendered, kase.id);
  const row = await tx.addMessage(
    { caseId: kase.id, desk: desk.id, direction: 'out', kind: 'due-update', messageId: mail.messageId, mail: { from: mail.from, to: mail.to, cc: [], subject: mail.subject, date: now.toISOString(), text: mail.text, inReplyTo: [], references: [] }, raw: null },
    now,
  );
  await tx.enqueue({ caseId: kase.id, kind: 'due-update', envelopeFrom: '', mail }, row, now);
  return { status: r.patch.status, dueAt: r.patch.dueAt, dueMoved: true, queued: 1 };
}
