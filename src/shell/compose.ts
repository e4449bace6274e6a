// Builds the outgoing auto-reply for a case from a reply intent: our subject tag, our own Message-ID,
// threading headers back to the requester's mail (RFC 5322 §3.6.4) and the loop-prevention stamps
// (RFC 3834 Auto-Submitted, Exchange's X-Auto-Response-Suppress, our X-Sportello-Loop). Renders, never sends.

import type { InboundMail } from '../domain/mail.js';
import type { ReplyIntent } from '../domain/plan.js';
import type { CaseRecord, OutgoingMail, ReplyRenderer } from '../ports.js';
import type { DeskConfig } from '../config/schema.js';
import type { DeskRules } from '../rules/index.js';
import { tagSubject } from '../mail/subject.js';
import { ownMessageId } from '../mail/message-id.js';
import { LOOP_HEADER } from '../pipeline/stages/loop-check.js';
import { formatDue } from '../sla/index.js';
import { plusAddress } from '../agents/plus-address.js';

export interface ComposeDeps {
  readonly renderer: ReplyRenderer;
  readonly instance: string;
  readonly newId: () => string;
  /** The current rules of a desk (calendar, SLA policies), to reschedule a case when it changes. */
  readonly rulesFor?: (deskId: string) => DeskRules | undefined;
}

/** References of a reply: the parent's References plus the parent, capped so headers stay short. */
export function replyReferences(mail: Pick<InboundMail, 'references' | 'messageId'>, max = 20): string[] {
  const refs = [...mail.references, ...(mail.messageId ? [mail.messageId] : [])];
  return [...new Set(refs)].slice(-max);
}

export type AutoReplyIntent = Extract<ReplyIntent, { kind: 'auto-reply' }>;
export type MessageIntent = Exclude<ReplyIntent, AutoReplyIntent>;

export function composeReply(
  deps: ComposeDeps,
  intent: AutoReplyIntent,
  kase: CaseRecord,
  desk: DeskConfig,
  mail: InboundMail,
): OutgoingMail {
  const subject = tagSubject(kase.id, mail.subject || kase.subject);
  const { sla, language } = intent;
  const when = (iso: string | null) =>
    iso && sla ? formatDue(new Date(iso), { language, timezone: sla.timezone, now: new Date(kase.createdAt) }) : null;
  const rendered = deps.renderer.render(intent.template, intent.language, {
    subject,
    language: intent.language,
    case: {
      id: kase.id,
      subject: kase.subject || mail.subject,
      category: kase.category,
      priority: kase.priority,
      dueAt: kase.dueAt,
      dueText: when(sla?.dueAt ?? null),
      firstResponseText: when(sla?.firstResponseDueAt ?? null),
    },
    schedule: {
      open: sla?.open ?? true,
      opensText: sla && !sla.open ? when(sla.opensAt) : null,
      onCall: sla && !sla.open && sla.onCall && (sla.onCall.address || sla.onCall.phone) ? sla.onCall : null,
    },
    articles: intent.articles.map((a) => ({ title: a.title, url: a.url })),
    // Liquid treats "" as true: an absent name must be null so `{% if requester.name %}` works.
    requester: { name: intent.to.name || null, address: intent.to.address },
    desk: { id: desk.id, name: desk.name ?? `${desk.id} desk`, address: desk.address },
    ...intent.vars,
  });
  return {
    from: { address: desk.address, name: desk.name ?? '' },
    to: [intent.to],
    subject: rendered.subject,
    messageId: ownMessageId(kase.id, desk.address, deps.newId()),
    inReplyTo: mail.messageId,
    references: replyReferences(mail),
    headers: {
      'Auto-Submitted': 'auto-replied',
      'X-Auto-Response-Suppress': 'All',
      [LOOP_HEADER]: deps.instance,
      'X-Sportello-Case': kase.id,
    },
    text: rendered.text,
    html: rendered.html,
  };
}

// Replies to the mail in hand are "auto-replied"; notices that start a conversation are "auto-generated".
const AUTO_SUBMITTED: Readonly<Record<MessageIntent['kind'], string | null>> = {
  relay: null,
  note: 'auto-generated',
  notification: 'auto-generated',
  confirmation: 'auto-replied',
  'command-error': 'auto-replied',
  'not-trusted': 'auto-replied',
  'rating-request': 'auto-generated',
  'rating-thanks': 'auto-replied',
};

/**
 * Every other mail Sportello sends about a case: relays of agents' answers, internal notes, agent
 * notifications, confirmations and errors, the satisfaction survey. Threads either to the mail in hand or
 * to the requester's newest message, so each side's client keeps one conversation per case.
 */
export function composeMessage(
  deps: ComposeDeps,
  intent: MessageIntent,
  kase: CaseRecord,
  desk: DeskConfig,
  mail: InboundMail,
  requesterMessageId: string | null,
): OutgoingMail {
  const deskName = desk.name ?? `${desk.id} desk`;
  const vars = intent.vars;
  const caseVars = { ...((vars.case as Record<string, unknown> | undefined) ?? {}), id: kase.id, subject: kase.subject, status: kase.status, assignee: kase.assignee };
  // A notification planned for a case that did not exist yet carries no tag; give it the real one.
  const subject = intent.kind === 'notification' || typeof vars.subject !== 'string' ? tagSubject(kase.id, kase.subject) : vars.subject;
  const rendered = deps.renderer.render(intent.template, intent.language, {
    ...vars,
    subject,
    case: caseVars,
    desk: { id: desk.id, name: deskName, address: desk.address },
  });
  const parent = intent.threadTo === 'requester' ? (requesterMessageId ?? mail.messageId) : mail.messageId;
  const references = intent.threadTo === 'this-mail' ? replyReferences(mail) : parent ? [parent] : [];
  const auto = intent.automatic ? AUTO_SUBMITTED[intent.kind] : null;
  const noteAddress = intent.kind === 'note' ? plusAddress(desk.address, 'note') : null;
  return {
    from: { address: desk.address, name: intent.fromName ?? deskName },
    // Answering an internal note must stay internal: replies go to the desk's +note address.
    ...(noteAddress ? { replyTo: { address: noteAddress, name: `${deskName} (internal)` } } : {}),
    to: intent.to,
    subject: rendered.subject,
    messageId: ownMessageId(kase.id, desk.address, deps.newId()),
    inReplyTo: parent,
    references,
    headers: {
      ...(auto ? { 'Auto-Submitted': auto, 'X-Auto-Response-Suppress': 'All' } : {}),
      [LOOP_HEADER]: deps.instance,
      'X-Sportello-Case': kase.id,
    },
    text: rendered.text,
    html: rendered.html,
  };
}
