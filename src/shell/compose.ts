// Renders the mail a plan's reply intent asks for: the template variables (case, desk, dates in the
// requester's language and the desk's zone) and our subject tag. Headers, threading and the sender come
// from shell/outbound.ts, the one place that decides them per kind. Renders, never sends.

import type { InboundMail } from '../domain/mail.js';
import type { ReplyIntent } from '../domain/plan.js';
import type { CaseRecord, OutgoingMail, ReplyRenderer } from '../ports.js';
import { tagSubject } from '../mail/subject.js';
import { formatDue } from '../sla/index.js';
import { plusAddress } from '../agents/plus-address.js';
import { outgoingMail, replyThread, threadTo, type OutboundStamp } from './outbound.js';
import { deskRef, type DeskView } from '../domain/desk.js';

export { replyReferences } from './outbound.js';

export interface ComposeDeps extends OutboundStamp {
  readonly renderer: ReplyRenderer;
}

/** The desk as the sender and the subject of its mail. */
export type ComposeDesk = Pick<DeskView, 'id' | 'address' | 'name'>;

/** The case mail in hand: what the intent asks for, the case as it stands after the commit, the mail it answers. */
export interface ComposeInput<I> {
  readonly intent: I;
  readonly kase: CaseRecord;
  readonly mail: InboundMail;
}

export type AutoReplyIntent = Extract<ReplyIntent, { kind: 'auto-reply' }>;
export type MessageIntent = Exclude<ReplyIntent, AutoReplyIntent>;

export function composeReply(deps: ComposeDeps, desk: ComposeDesk, { intent, kase, mail }: ComposeInput<AutoReplyIntent>): OutgoingMail {
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
      // The promise (forecast from history, else the SLA deadline) is what the requester reads.
      dueText: when(sla?.promise?.at ?? sla?.dueAt ?? null),
      slaDueText: when(sla?.dueAt ?? null),
      firstResponseText: when(sla?.firstResponseDueAt ?? null),
    },
    promise: promiseVars(sla, language),
    schedule: {
      open: sla?.open ?? true,
      opensText: sla && !sla.open ? when(sla.opensAt) : null,
      onCall: sla && !sla.open && sla.onCall && (sla.onCall.address || sla.onCall.phone) ? sla.onCall : null,
    },
    articles: intent.articles.map((a) => ({ title: a.title, url: a.url })),
    // Liquid treats "" as true: an absent name must be null so `{% if requester.name %}` works.
    requester: { name: intent.to.name || null, address: intent.to.address },
    desk: deskRef(desk),
    // What the plan adds (an incident-known reply names the incident).
    ...intent.vars,
  });
  return outgoingMail(deps, { kind: 'auto-reply', desk, caseId: kase.id, to: [intent.to], content: rendered, thread: replyThread(mail) });
}

const PERCENT_LOCALE = { es: 'es-ES', it: 'it-IT', en: 'en-GB' } as const;

/** What the auto-reply may say about where its date comes from; null when it is the SLA's. */
function promiseVars(sla: AutoReplyIntent['sla'], language: AutoReplyIntent['language']): Record<string, unknown> | null {
  const p = sla?.promise;
  if (!p || p.source !== 'forecast' || !p.forecast) return null;
  return {
    source: p.source,
    comparable: p.forecast.comparable,
    percent: new Intl.NumberFormat(PERCENT_LOCALE[language], { style: 'percent', maximumFractionDigits: 0 }).format(p.forecast.quantile),
    later: p.slaDueAt !== null && p.at > p.slaDueAt,
  };
}

/**
 * Every other mail Sportello sends about a case: relays of agents' answers, internal notes, agent
 * notifications, confirmations and errors, the satisfaction survey. Threads either to the mail in hand or
 * to the requester's newest message, so each side's client keeps one conversation per case.
 */
export function composeMessage(
  deps: ComposeDeps,
  desk: ComposeDesk,
  { intent, kase, mail, requesterMessageId }: ComposeInput<MessageIntent> & { readonly requesterMessageId: string | null },
): OutgoingMail {
  const vars = intent.vars;
  const caseVars = { ...((vars.case as Record<string, unknown> | undefined) ?? {}), id: kase.id, subject: kase.subject, status: kase.status, assignee: kase.assignee };
  // A notification planned for a case that did not exist yet carries no tag; give it the real one.
  const subject = intent.kind === 'notification' || typeof vars.subject !== 'string' ? tagSubject(kase.id, kase.subject) : vars.subject;
  const rendered = deps.renderer.render(intent.template, intent.language, {
    ...vars,
    subject,
    case: caseVars,
    desk: deskRef(desk),
  });
  // Our mail joins the conversation its reader has: the mail in hand, or the requester's newest in the case.
  const thread = intent.threadTo === 'requester' ? threadTo(requesterMessageId ?? mail.messageId) : replyThread(mail);
  const noteAddress = intent.kind === 'note' ? plusAddress(desk.address, 'note') : null;
  return outgoingMail(deps, {
    kind: intent.kind,
    desk,
    caseId: kase.id,
    to: intent.to,
    content: rendered,
    thread,
    ...(intent.fromName !== undefined ? { fromName: intent.fromName } : {}),
    // Answering an internal note must stay internal: replies go to the desk's +note address.
    ...(noteAddress ? { replyTo: { address: noteAddress, name: `${desk.name} (internal)` } } : {}),
  });
}
