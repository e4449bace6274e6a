// Everything about a mail Sportello sends except its words, decided per kind in one table: RFC 3834
// Auto-Submitted (auto-replied / auto-generated), Exchange's X-Auto-Response-Suppress, our loop and case
// headers, threading (RFC 5322 §3.6.4) and the envelope sender; then the outbound message row and the
// outbox entries, written in the caller's transaction. Never renders (compose does), never sends (the outbox does).

import type { Address, InboundMail } from '../domain/mail.js';
import type { MessageKind } from '../domain/case.js';
import type { OutgoingMail, RenderedReply, StoreTx } from '../ports.js';
import { ownMessageId } from '../mail/message-id.js';
import { CASE_HEADER, LOOP_HEADER } from '../mail/loop-header.js';

/** Every kind of mail the product sends: the outgoing message kinds of a case, and the desk-level daily notices. */
export type OutboundKind = Exclude<MessageKind, 'requester' | 'automatic' | 'agent'> | DeskNoticeKind;

/** Mail about a desk rather than one case: no message row, the desk id in the Message-ID. */
export type DeskNoticeKind = 'uncertain-notice' | 'forecast-digest';

export function isDeskNotice(kind: OutboundKind): kind is DeskNoticeKind {
  return kind === 'uncertain-notice' || kind === 'forecast-digest';
}

export interface OutboundPolicy {
  /**
   * RFC 3834 §5: an answer to the mail in hand is "auto-replied", a mail we start on our own is
   * "auto-generated"; null for what a person wrote (an agent's answer relayed to the requester).
   */
  readonly autoSubmitted: 'auto-replied' | 'auto-generated' | null;
  /**
   * The SMTP envelope sender. Machine mail goes out with the null reverse-path (RFC 3834 §3.3, RFC 5321
   * §4.5.5) so bounces and vacation robots never answer it; a relayed human answer keeps the desk address
   * so its bounce reaches the desk.
   */
  readonly envelope: 'null' | 'desk';
  /** One outbox entry per recipient (each retried and counted by the loop brake on its own), or one for all. */
  readonly perRecipient: boolean;
}

const MACHINE_REPLY: OutboundPolicy = { autoSubmitted: 'auto-replied', envelope: 'null', perRecipient: true };
const MACHINE_NOTICE: OutboundPolicy = { autoSubmitted: 'auto-generated', envelope: 'null', perRecipient: true };

/** The policy of every kind; a kind without one does not compile. */
export const OUTBOUND_POLICY: { readonly [K in OutboundKind]: OutboundPolicy } = {
  'auto-reply': MACHINE_REPLY,
  confirmation: MACHINE_REPLY,
  'command-error': MACHINE_REPLY,
  'not-trusted': MACHINE_REPLY,
  'rating-thanks': MACHINE_REPLY,
  note: MACHINE_NOTICE,
  notification: MACHINE_NOTICE,
  'rating-request': MACHINE_NOTICE,
  'due-update': MACHINE_NOTICE,
  'promise-update': MACHINE_NOTICE,
  escalation: MACHINE_NOTICE,
  'forecast-digest': MACHINE_NOTICE,
  // One notice to everyone who should look at the parked replies.
  'uncertain-notice': { ...MACHINE_NOTICE, perRecipient: false },
  relay: { autoSubmitted: null, envelope: 'desk', perRecipient: true },
};

/** What the outbound builder needs of a desk. */
export interface OutboundDesk {
  readonly id: string;
  readonly address: string;
  readonly name: string;
}

/** What a mail answers: its In-Reply-To and References, or nothing for a new conversation. */
export interface Thread {
  readonly inReplyTo: string | null;
  readonly references: readonly string[];
}

export const NEW_CONVERSATION: Thread = Object.freeze({ inReplyTo: null, references: Object.freeze([]) as readonly string[] });

/** References of a reply: the parent's References plus the parent, capped so headers stay short. */
export function replyReferences(mail: Pick<InboundMail, 'references' | 'messageId'>, max = 20): string[] {
  const refs = [...mail.references, ...(mail.messageId ? [mail.messageId] : [])];
  return [...new Set(refs)].slice(-max);
}

/** A reply to the mail in hand, keeping its thread. */
export function replyThread(mail: Pick<InboundMail, 'references' | 'messageId'>): Thread {
  return { inReplyTo: mail.messageId, references: replyReferences(mail) };
}

/** A mail that joins the conversation of one known message (the requester's newest in the case). */
export function threadTo(messageId: string | null): Thread {
  return { inReplyTo: messageId, references: messageId ? [messageId] : [] };
}

export interface OutboundDraft {
  readonly kind: OutboundKind;
  readonly desk: OutboundDesk;
  /** Null for desk-level notices: the Message-ID then carries the desk id, and no case header is set. */
  readonly caseId: string | null;
  readonly to: readonly Address[];
  readonly content: RenderedReply;
  readonly thread: Thread;
  /** Sender display name when not the desk's (a relay shows the agent: "Bob (IT Service Desk)"). */
  readonly fromName?: string;
  readonly replyTo?: Address;
}

export interface OutboundStamp {
  /** Value of our loop header. */
  readonly instance: string;
  readonly newId: () => string;
}

/** The header set of a kind: loop and case headers always, the RFC 3834 stamps on machine mail. */
export function outboundHeaders(kind: OutboundKind, instance: string, caseId: string | null): Record<string, string> {
  const { autoSubmitted } = OUTBOUND_POLICY[kind];
  return {
    ...(autoSubmitted ? { 'Auto-Submitted': autoSubmitted, 'X-Auto-Response-Suppress': 'All' } : {}),
    [LOOP_HEADER]: instance,
    ...(caseId ? { [CASE_HEADER]: caseId } : {}),
  };
}

/** The envelope sender of a kind: "" (the null reverse-path) or the desk address. */
export function envelopeSender(kind: OutboundKind, desk: Pick<OutboundDesk, 'address'>): string {
  return OUTBOUND_POLICY[kind].envelope === 'desk' ? desk.address : '';
}

export function outgoingMail(stamp: OutboundStamp, draft: OutboundDraft): OutgoingMail {
  const { desk, caseId } = draft;
  return {
    from: { address: desk.address, name: draft.fromName ?? desk.name },
    ...(draft.replyTo ? { replyTo: draft.replyTo } : {}),
    to: draft.to,
    subject: draft.content.subject,
    // Desk-level notices carry the desk id where a case id would be (still one of our Message-IDs).
    messageId: ownMessageId(caseId ?? desk.id.toUpperCase(), desk.address, stamp.newId()),
    inReplyTo: draft.thread.inReplyTo,
    references: draft.thread.references,
    headers: outboundHeaders(draft.kind, stamp.instance, caseId),
    text: draft.content.text,
    html: draft.content.html,
  };
}

export interface QueueOutbound {
  readonly kind: OutboundKind;
  readonly desk: Pick<OutboundDesk, 'id' | 'address'>;
  readonly caseId: string | null;
  readonly mail: OutgoingMail;
  readonly now: Date;
}

/**
 * Inside the caller's transaction: the outbound message row (for case mail) and the outbox entries with
 * the kind's envelope sender. Returns the message row, or null for desk-level notices.
 */
export async function queueOutbound(tx: StoreTx, q: QueueOutbound): Promise<number | null> {
  const { kind, desk, caseId, mail, now } = q;
  const row =
    caseId === null || isDeskNotice(kind)
      ? null
      : await tx.addMessage(
          {
            caseId, desk: desk.id, direction: 'out', kind, messageId: mail.messageId,
            mail: { from: mail.from, to: mail.to, cc: [], subject: mail.subject, date: now.toISOString(), text: mail.text, inReplyTo: mail.inReplyTo ? [mail.inReplyTo] : [], references: [...mail.references] },
            raw: null,
          },
          now,
        );
  const envelopeFrom = envelopeSender(kind, desk);
  const batches = OUTBOUND_POLICY[kind].perRecipient ? mail.to.map((a) => [a]) : [mail.to];
  for (const to of batches) await tx.enqueue({ caseId, kind, envelopeFrom, mail: { ...mail, to } }, row, now);
  return row;
}
