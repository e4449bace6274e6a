// The case vocabulary shared by the core, the store and the CLI: ids, statuses, message kinds, events.
// Case ids read PREFIX-N (IT-12) and are never reused; the event log is append-only. Plain records
// only: this file imports nothing outside src/domain, and every store returns cases in this shape.

import type { Address } from './mail.js';
import type { Language } from './routing.js';

export const CASE_STATUSES = ['new', 'open', 'waiting', 'resolved', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export type Direction = 'in' | 'out';

/**
 * requester: the person who asked (or another participant) writing in.
 * automatic: machine mail that threads to a case (vacation replies, bounces) — recorded, never answered.
 * auto-reply: our acknowledgement of a new case.
 * escalation: our warning to the desk's escalation address that the SLA target is near or breached.
 * due-update: our notice to the requester that the expected resolution time moved.
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
  | 'agent'
  | 'note'
  | 'relay'
  | 'notification'
  | 'confirmation'
  | 'command-error'
  | 'not-trusted'
  | 'rating-request'
  | 'rating-thanks';

export interface CaseEvent {
  readonly type: string;
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
