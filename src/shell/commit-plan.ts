// Commits one plan in ONE store transaction: the case, the inbound message (raw kept), its events,
// the rendered replies in the outbox, and the mailbox position. Nothing is sent or flagged here; if
// anything throws, nothing is written and the mail stays unprocessed on the server for the next pass.

import { createHash } from 'node:crypto';
import type { InboundMail } from '../domain/mail.js';
import type { MailboxPosition, Plan } from '../domain/plan.js';
import type { CaseStore } from '../ports.js';
import type { DeskConfig } from '../config/schema.js';
import { composeReply, type ComposeDeps } from './compose.js';
import { updateCase } from './update-case.js';

export interface CommitResult {
  readonly outcome: 'created' | 'appended' | 'duplicate' | 'quarantined';
  readonly caseId: string | null;
  readonly queued: number;
}

/** The idempotency key of a mail: its Message-ID, or a hash of the raw source when it has none. */
export function messageKey(mail: Pick<InboundMail, 'messageId'>, raw: Buffer): string {
  return mail.messageId ?? `sha256:${createHash('sha256').update(raw).digest('hex')}`;
}

export async function commitPlan(
  store: CaseStore,
  compose: ComposeDeps,
  desk: DeskConfig,
  position: MailboxPosition,
  mail: InboundMail,
  raw: Buffer,
  plan: Plan,
  now: Date,
): Promise<CommitResult> {
  const key = messageKey(mail, raw);
  return store.transaction(async (tx) => {
    switch (plan.action) {
      case 'ignore':
        await tx.markPosition(position, key, 'duplicate', null, now);
        return { outcome: 'duplicate', caseId: null, queued: 0 };
      case 'quarantine':
        await tx.quarantine({ position, messageId: key, code: plan.code, reason: plan.reason, stage: plan.stage, raw }, now);
        await tx.markPosition(position, key, 'quarantined', null, now);
        return { outcome: 'quarantined', caseId: null, queued: 0 };
      case 'create':
      case 'append': {
        const kase =
          plan.action === 'create'
            ? await tx.createCase({ ...plan.newCase, prefix: desk.prefix }, now)
            : await tx.getCase(plan.caseId);
        if (!kase) throw new Error(`case ${plan.action === 'append' ? plan.caseId : '?'} vanished during commit`);
        await tx.addMessage({ caseId: kase.id, desk: desk.id, direction: 'in', kind: plan.messageKind, messageId: key, mail, raw }, now);
        await tx.addEvents(kase.id, plan.events, now);
        // A status change may pause or resume the SLA clock, so it goes through the rescheduler.
        if (plan.action === 'append' && plan.statusTo) {
          await updateCase(tx, compose, desk, compose.rulesFor?.(desk.id), kase, { status: plan.statusTo }, now, 'sportello');
        }
        for (const intent of plan.replies) {
          const out = composeReply(compose, intent, kase, desk, mail);
          const row = await tx.addMessage(
            {
              caseId: kase.id, desk: desk.id, direction: 'out', kind: intent.kind, messageId: out.messageId,
              mail: { from: out.from, to: out.to, cc: [], subject: out.subject, date: now.toISOString(), text: out.text, inReplyTo: out.inReplyTo ? [out.inReplyTo] : [], references: out.references },
              raw: null,
            },
            now,
          );
          // Auto-replies go out with the null reverse-path so bounces and vacation robots never answer them.
          await tx.enqueue({ caseId: kase.id, kind: intent.kind, envelopeFrom: '', mail: out }, row, now);
        }
        await tx.markPosition(position, key, plan.action === 'create' ? 'created' : 'appended', kase.id, now);
        return { outcome: plan.action === 'create' ? 'created' : 'appended', caseId: kase.id, queued: plan.replies.length };
      }
    }
  });
}
