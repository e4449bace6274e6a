// The case vocabulary shared by the core, the store and the CLI: ids, statuses, message kinds, events.
// Case ids read PREFIX-N (IT-12) and are never reused; the event log is append-only.

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

export interface CaseEvent {
  readonly type: string;
  readonly actor: string;
  readonly data: Readonly<Record<string, unknown>>;
}

const CASE_ID = /^([A-Z][A-Z0-9]{0,9})-([1-9][0-9]{0,8})$/;

export function formatCaseId(prefix: string, number: number): string {
  return `${prefix}-${number}`;
}

export function parseCaseId(id: string): { prefix: string; number: number } | null {
  const m = CASE_ID.exec(id.trim().toUpperCase());
  return m ? { prefix: m[1]!, number: Number(m[2]) } : null;
}
