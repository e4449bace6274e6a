// Commits one plan in ONE store transaction: the case, the inbound message (raw kept), its events,
// the rendered replies in the outbox, and the mailbox position. Nothing is sent or flagged here; if
// anything throws, nothing is written and the mail stays unprocessed on the server for the next pass.

import { createHash } from 'node:crypto';
import type { AttachmentFile, InboundMail } from '../domain/mail.js';
import type { MailboxPosition, Plan } from '../domain/plan.js';
import type { CaseStore, StoreTx } from '../ports.js';
import type { DeskRuntime } from './desk-runtime.js';
import type { ComposeDeps } from './compose.js';
import { updateCase } from './update-case.js';
import { promiseEta } from './eta.js';
import { SportelloError } from '../errors.js';
import { commitIncident } from './commit-incident.js';
import { queueIntent } from './queue-intent.js';

export { MAX_RELAYED_ATTACHMENT_BYTES } from './queue-intent.js';

export interface CommitResult {
  readonly outcome: 'created' | 'appended' | 'duplicate' | 'quarantined';
  readonly caseId: string | null;
  readonly queued: number;
}

/** A quarantined mail being released: its row, who released it, and why it had been set aside. */
export interface ReleaseMark {
  readonly quarantineId: number;
  readonly actor: string;
  readonly code: string;
}

/**
 * Inside the releasing transaction: the row must still be held. A second or concurrent release finds
 * it released and rolls back, so one quarantined mail never becomes two cases.
 */
export async function assertHeld(tx: StoreTx, release: ReleaseMark): Promise<void> {
  const state = await tx.quarantineState(release.quarantineId);
  if (state !== 'held') {
    throw new SportelloError('QUARANTINE_NOT_HELD', `quarantine #${release.quarantineId} is ${state ?? 'gone'}, not held`, {
      context: { id: release.quarantineId, state },
      hint: 'see "sportello quarantine show ID"; only held mail can be released or dropped',
    });
  }
}

/** The idempotency key of a mail: its Message-ID, or a hash of the raw source when it has none. */
export function messageKey(mail: Pick<InboundMail, 'messageId'>, raw: Buffer): string {
  return mail.messageId ?? `sha256:${createHash('sha256').update(raw).digest('hex')}`;
}

export interface CommitDeps {
  readonly store: CaseStore;
  readonly compose: ComposeDeps;
}

/** One mail and its plan: where it sits, its parsed and raw forms, the files an agent's relayed answer carries. */
export interface CommitInput {
  readonly position: MailboxPosition;
  readonly mail: InboundMail;
  readonly raw: Buffer;
  readonly plan: Plan;
  readonly now: Date;
  readonly files?: readonly AttachmentFile[];
  /** Set when a quarantined mail is being released. */
  readonly release?: ReleaseMark;
}

export function commitPlan({ store, compose }: CommitDeps, desk: DeskRuntime, input: CommitInput): Promise<CommitResult> {
  return store.transaction((tx) => commitPlanIn(tx, compose, desk, input));
}

/** The same inside a transaction the caller holds (a group commit runs it in the mail's savepoint). */
export async function commitPlanIn(tx: StoreTx, compose: ComposeDeps, desk: DeskRuntime, input: CommitInput): Promise<CommitResult> {
  const { position, mail, raw, plan, now, files = [], release } = input;
  const view = desk.view;
  const key = messageKey(mail, raw);
  // A released mail's position is already recorded (as quarantined): its row says where it went instead.
  if (release) await assertHeld(tx, release);
  switch (plan.action) {
    case 'ignore':
      if (release) await tx.releaseQuarantine(release.quarantineId, null, release.actor, now);
      else await tx.markPosition(position, key, 'duplicate', null, now);
      return { outcome: 'duplicate', caseId: null, queued: 0 };
    case 'quarantine':
      if (release) {
        await tx.requarantine(release.quarantineId, { messageId: key, code: plan.code, reason: plan.reason, stage: plan.stage }, release.actor, now);
      } else {
        await tx.quarantine({ position, messageId: key, code: plan.code, reason: plan.reason, stage: plan.stage, raw }, now);
        await tx.markPosition(position, key, 'quarantined', null, now);
      }
      return { outcome: 'quarantined', caseId: null, queued: 0 };
    case 'create':
    case 'append': {
      const kase =
        plan.action === 'create'
          ? await tx.createCase({ ...plan.newCase, prefix: view.prefix }, now)
          : await tx.getCase(plan.caseId);
      if (!kase) throw new Error(`case ${plan.action === 'append' ? plan.caseId : '?'} vanished during commit`);
      await tx.addMessage({ caseId: kase.id, desk: view.id, direction: 'in', kind: plan.messageKind, messageId: key, mail, raw }, now);
      await tx.addEvents(kase.id, plan.events, now);
      if (plan.action === 'create') {
        for (const l of plan.links ?? []) await tx.link(kase.id, l.caseId, l.reason, now);
        // Looked up again inside the transaction: two desk loops may handle the same mail at once,
        // and whichever commits second links both.
        if (!key.startsWith('sha256:')) {
          for (const other of await tx.casesElsewhere(key, view.id)) await tx.link(kase.id, other, 'same mail sent to another desk', now);
        }
        if (plan.newCase.routing.assignee) await tx.setCaseFields(kase.id, { assignee: plan.newCase.routing.assignee }, now);
      }
      let current = kase;
      if (plan.action === 'append') {
        // Status, category and priority changes may pause, resume or re-pick the SLA: one rescheduler.
        if (plan.statusTo || plan.reroute) {
          const changes = { ...(plan.statusTo ? { status: plan.statusTo } : {}), ...plan.reroute };
          await updateCase(tx, desk, { compose, kase, changes, now, actor: mail.from?.address ?? 'sportello', silent: plan.quiet === true });
        }
        const f = plan.fields;
        if (f) {
          await tx.setCaseFields(kase.id, {
            ...(f.assignee !== undefined ? { assignee: f.assignee } : {}),
            ...(f.firstResponse ? { firstResponseAt: now.toISOString() } : {}),
            ...(f.resolved ? { resolvedAt: now.toISOString() } : {}),
            ...(f.closed ? { closedAt: now.toISOString() } : {}),
            ...(f.rating ? { rating: { ...f.rating, at: now.toISOString() } } : {}),
            ...(f.waitUntil !== undefined ? { waitUntil: f.waitUntil } : {}),
          }, now);
        }
        // Read again only when something above changed the case (a message alone moves updated_at only).
        if (plan.statusTo || plan.reroute || f) current = (await tx.getCase(kase.id)) ?? kase;
        if (f?.eta) {
          await promiseEta(tx, compose, desk, { kase: current, eta: f.eta, now, actor: mail.from?.address ?? 'sportello', silent: plan.quiet === true });
          current = (await tx.getCase(kase.id)) ?? current;
        }
      }
      const requesterMessageId = plan.action === 'append' ? (plan.requesterMessageId ?? null) : mail.messageId;
      // Incidents first: a reply may name the incident, whose id exists only once it is created.
      const fill = await commitIncident(tx, { compose, desk, mail, now, files }, plan, current);
      for (const intent of plan.replies) await queueIntent(tx, { compose, desk, mail, now, files }, current, fill(intent), requesterMessageId);
      if (release) {
        await tx.releaseQuarantine(release.quarantineId, kase.id, release.actor, now);
        await tx.addEvents(kase.id, [{ type: 'released-from-quarantine', actor: release.actor, data: { quarantine: release.quarantineId, code: release.code } }], now);
      } else {
        await tx.markPosition(position, key, plan.action === 'create' ? 'created' : 'appended', kase.id, now);
      }
      return { outcome: plan.action === 'create' ? 'created' : 'appended', caseId: kase.id, queued: plan.replies.length };
    }
  }
}
