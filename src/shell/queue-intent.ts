// Renders one planned mail for a case, records it on the case and queues it in the outbox (one row per
// recipient), inside the caller's transaction. Shared by a plan's own case and the cases an incident
// touches. Sends nothing; machine mail gets the null reverse-path so no robot ever answers it.

import type { AttachmentFile, InboundMail } from '../domain/mail.js';
import type { ReplyIntent } from '../domain/plan.js';
import type { CaseRecord, StoreTx } from '../ports.js';
import type { DeskConfig } from '../config/schema.js';
import { composeMessage, composeReply, type ComposeDeps } from './compose.js';

/** Relayed files are copied into the outbox row; past this size they stay with the agent's mail. */
export const MAX_RELAYED_ATTACHMENT_BYTES = 10 * 1024 * 1024;

/** What composing and queueing a planned mail needs besides the case. */
export interface QueueDeps {
  readonly compose: ComposeDeps;
  readonly desk: DeskConfig;
  readonly mail: InboundMail;
  readonly now: Date;
  /** The agent's attachments, relayed with a `relay`. */
  readonly files: readonly AttachmentFile[];
}

/** Renders one planned mail for a case, records it on the case and queues it, one outbox row per recipient. */
export async function queueIntent(tx: StoreTx, deps: QueueDeps, kase: CaseRecord, intent: ReplyIntent, requesterMessageId: string | null): Promise<void> {
  const { compose, desk, mail, now, files } = deps;
  let out = intent.kind === 'auto-reply' ? composeReply(compose, intent, kase, desk, mail) : composeMessage(compose, intent, kase, desk, mail, requesterMessageId);
  if (intent.kind === 'relay' && files.length) {
    const total = files.reduce((n, f) => n + f.content.length, 0);
    if (total <= MAX_RELAYED_ATTACHMENT_BYTES) {
      out = { ...out, attachments: files.map((f) => ({ filename: f.filename, contentType: f.contentType, contentBase64: f.content.toString('base64') })) };
    } else {
      await tx.addEvents(kase.id, [{ type: 'attachments-not-relayed', actor: 'sportello', data: { files: files.map((f) => f.filename), bytes: total, limit: MAX_RELAYED_ATTACHMENT_BYTES } }], now);
    }
  }
  const row = await tx.addMessage(
    {
      caseId: kase.id, desk: desk.id, direction: 'out', kind: intent.kind, messageId: out.messageId,
      mail: { from: out.from, to: out.to, cc: [], subject: out.subject, date: now.toISOString(), text: out.text, inReplyTo: out.inReplyTo ? [out.inReplyTo] : [], references: out.references },
      raw: null,
    },
    now,
  );
  // Machine mail goes out with the null reverse-path so bounces and vacation robots never answer it;
  // a relayed human answer keeps the desk as envelope sender so a bounce reaches the desk.
  const envelopeFrom = intent.kind === 'relay' ? desk.address : '';
  for (const to of intent.kind === 'auto-reply' ? [out.to] : out.to.map((a) => [a])) {
    await tx.enqueue({ caseId: kase.id, kind: intent.kind, envelopeFrom, mail: { ...out, to } }, row, now);
  }
}

