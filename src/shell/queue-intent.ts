// Renders one planned mail for a case and hands it to the outbound builder (shell/outbound.ts), which
// records it on the case and queues it inside the caller's transaction. Shared by a plan's own case and
// the cases an incident touches. Sends nothing; the kind decides headers and envelope, not this file.

import type { AttachmentFile, InboundMail } from '../domain/mail.js';
import type { ReplyIntent } from '../domain/plan.js';
import type { CaseRecord, StoreTx } from '../ports.js';
import type { DeskRuntime } from './desk-runtime.js';
import { composeMessage, composeReply, type ComposeDeps } from './compose.js';
import { queueOutbound } from './outbound.js';

/** Relayed files are copied into the outbox row; past this size they stay with the agent's mail. */
export const MAX_RELAYED_ATTACHMENT_BYTES = 10 * 1024 * 1024;

/** What composing and queueing a planned mail needs besides the case. */
export interface QueueDeps {
  readonly compose: ComposeDeps;
  readonly desk: DeskRuntime;
  readonly mail: InboundMail;
  readonly now: Date;
  /** The agent's attachments, relayed with a `relay`. */
  readonly files: readonly AttachmentFile[];
}

export async function queueIntent(tx: StoreTx, deps: QueueDeps, kase: CaseRecord, intent: ReplyIntent, requesterMessageId: string | null): Promise<void> {
  const { compose, mail, now, files } = deps;
  const view = deps.desk.view;
  let out =
    intent.kind === 'auto-reply'
      ? composeReply(compose, view, { intent, kase, mail })
      : composeMessage(compose, view, { intent, kase, mail, requesterMessageId });
  if (intent.kind === 'relay' && files.length) {
    const total = files.reduce((n, f) => n + f.content.length, 0);
    if (total <= MAX_RELAYED_ATTACHMENT_BYTES) {
      out = { ...out, attachments: files.map((f) => ({ filename: f.filename, contentType: f.contentType, contentBase64: f.content.toString('base64') })) };
    } else {
      await tx.addEvents(kase.id, [{ type: 'attachments-not-relayed', actor: 'sportello', data: { files: files.map((f) => f.filename), bytes: total, limit: MAX_RELAYED_ATTACHMENT_BYTES } }], now);
    }
  }
  await queueOutbound(tx, { kind: intent.kind, desk: view, caseId: kase.id, mail: out, now });
}
