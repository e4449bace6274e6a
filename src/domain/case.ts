// The case vocabulary shared by the core, the store and the CLI: ids, statuses, message kinds, events.
// Case ids read PREFIX-N (IT-12) and are never reused; the event log is append-only. Plain records
// only: this file imports nothing outside src/domain, and every store returns cases in this shape.

import type { Address } from './mail.js';
import type { Language } from './routing.js';
import type { CasePromise } from './promise.js';

export const CASE_STATUSES = ['new', 'open', 'waiting', 'resolved', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export type Direction = 'in' | 'out';

/**
 * requester: the person who asked (or another participant) writing in.
 * automatic: machine mail that threads to a case (vacation replies, bounces) — recorded, never answered.
 * auto-reply: our acknowledgement of a new case.
 * escalation: our warning to the desk's escalation address that the SLA target is near or breached.
 * due-update: our notice to the requester that the expected resolution time moved (also after an agent's #eta).
 * promise-update: our honest update to the requester before a promise is missed.
 * agent: an agent's mail (its text is relayed as `relay`, or it was a reply-all the requester already has).
 * note: an agent's internal note; only agents ever receive it.
 * notification / confirmation / command-error / not-trusted: our mails to agents.
 * rating-request / rating-thanks: the satisfaction survey after resolution.
 */
export type MessageKind =
  | 'requester'
  | 'automatic'
  | 'auto-reply'
  | 'escalation'
  | 'due-update'
  | 'promise-update'
  | 'agent'
  | 'note'
  | 'relay'
  | 'notification'
  | 'confirmation'
  | 'command-error'
  | 'not-trusted'
  | 'rating-request'
  | 'rating-thanks';

/**
 * Every kind of entry in a case's append-only event log. The values are stored data: never rename one,
 * only add. Written only through StoreTx.addEvents (the SQLite store's outbox events use the same
 * method inside their own transactions).
 *
 * Opening and following up (the pipeline):
 * created: a mail opened the case. routed: category and priority chosen, with why. imported: the mail
 * predates the desk's first start, nothing was mailed. message-received: a follow-up joined the case.
 * linked: linked to another case (a late follow-up, the same mail at another desk). rated: the
 * requester's 1–5 rating. released-from-quarantine: an admin released the mail that made this entry.
 * articles-suggested, auto-reply-queued, auto-reply-withheld: what the acknowledgement offered or why
 * none was sent.
 * Agents: relayed (an agent's answer relayed to the requester), public-reply (an agent answered the
 * requester directly with reply-all), note-added, assigned, priority-changed, category-changed,
 * commands-refused (a command block that did not parse or apply), attachments-not-relayed.
 * Lifecycle: status-changed, reopened, first-response, waiting-until (#wait), wait-expired,
 * follow-up-after-close (a reply too late to reopen: a new linked case), auto-closed.
 * SLA: sla-started, sla-paused, sla-resumed (waiting stops the clock), updated (category, priority or
 * status changed by `cases update`), due-changed, due-update-withheld (imported: the requester was not
 * told), and `sla-<threshold>` when an escalation threshold is reached (warning, breach, or a name the
 * rules declare).
 * Promises: eta-set (an agent's #eta, as written), promise-set (the promised date moved: #eta), promise-update
 * (the update before a promise is missed: from, to, when the share was reached).
 * Incidents: incident-formed (on the incident: it opened, with its members), member-joined / member-left
 * (on the incident), incident-joined / incident-left (on the member, by grouping or an agent's #incident /
 * #unlink), incident-update (on a member: an agent's answer or #resolve on the incident reached it).
 * Outbox: send-failed (given up), send-uncertain (interrupted mid-send, never resent by itself),
 * send-requeued (an admin queued it again).
 */
export type CaseEventType =
  | 'created'
  | 'routed'
  | 'imported'
  | 'message-received'
  | 'linked'
  | 'rated'
  | 'released-from-quarantine'
  | 'articles-suggested'
  | 'auto-reply-queued'
  | 'auto-reply-withheld'
  | 'relayed'
  | 'public-reply'
  | 'note-added'
  | 'assigned'
  | 'priority-changed'
  | 'category-changed'
  | 'commands-refused'
  | 'attachments-not-relayed'
  | 'status-changed'
  | 'reopened'
  | 'first-response'
  | 'waiting-until'
  | 'wait-expired'
  | 'follow-up-after-close'
  | 'auto-closed'
  | 'sla-started'
  | 'sla-paused'
  | 'sla-resumed'
  | 'updated'
  | 'due-changed'
  | 'due-update-withheld'
  | SlaThresholdEvent
  | 'eta-set'
  | 'promise-set'
  | 'promise-update'
  | 'incident-formed'
  | 'incident-joined'
  | 'incident-left'
  | 'member-joined'
  | 'member-left'
  | 'incident-update'
  | 'send-failed'
  | 'send-uncertain'
  | 'send-requeued';

/** An escalation threshold reached: "sla-warning", "sla-breach", or "sla-" and a threshold name from the rules. */
export type SlaThresholdEvent = `sla-${string}`;

export interface CaseEvent {
  readonly type: CaseEventType;
  readonly actor: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export interface CaseRecord {
  readonly id: string;
  readonly desk: string;
  readonly number: number;
  readonly status: CaseStatus;
  readonly category: string | null;
  readonly priority: string;
  readonly language: Language | null;
  readonly requester: Address;
  readonly subject: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly dueAt: string | null;
  readonly firstResponseDueAt: string | null;
  readonly slaPolicy: string | null;
  readonly slaClock: SlaClockRecord | null;
  readonly routing: unknown;
  readonly assignee: string | null;
  readonly firstResponseAt: string | null;
  readonly resolvedAt: string | null;
  readonly closedAt: string | null;
  readonly rating: { readonly score: number; readonly comment: string | null; readonly at: string } | null;
  readonly waitUntil: string | null;
  /** Opened from mail received before the desk's first start: that first start (ISO); nothing was mailed about it. */
  readonly imported?: string | null;
  /** The resolution date told to the requester and why (forecast, SLA, #eta, update); null before promises existed. */
  readonly promise?: CasePromise | null;
  /** 'incident': stands for one problem many requesters reported (src/incidents); 'case' otherwise. */
  readonly kind?: 'case' | 'incident';
  /** The incident this case is a member of, or null. */
  readonly incident?: string | null;
}

/** The stored SLA clock of a case: when it started, its targets, and the pauses while waiting. */
export interface SlaClockRecord {
  readonly start: string;
  readonly firstResponseMinutes: number;
  readonly resolutionMinutes: number;
  readonly pauses: readonly { readonly from: string; readonly to: string | null }[];
}

const CASE_ID = /^([A-Z][A-Z0-9]{0,9})-([1-9][0-9]{0,8})$/;

export function formatCaseId(prefix: string, number: number): string {
  return `${prefix}-${number}`;
}

export function parseCaseId(id: string): { prefix: string; number: number } | null {
  const m = CASE_ID.exec(id.trim().toUpperCase());
  return m ? { prefix: m[1]!, number: Number(m[2]) } : null;
}

/** Which past cases forecasting reads: resolved since `since`, at most the `cases` most recently resolved. */
export interface HistoryWindow {
  readonly since: Date;
  readonly cases: number;
}

/** One case as the store returns it for forecasting: only times and classification, no person. */
export interface HistoryCase {
  readonly category: string | null;
  readonly priority: string;
  readonly status: CaseStatus;
  readonly createdAt: string;
  readonly resolvedAt: string | null;
  /** Waiting periods (SLA clock pauses); an open one runs to the resolution. */
  readonly pauses: readonly { readonly from: string; readonly to: string | null }[];
}
