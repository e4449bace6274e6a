// The small interfaces the shell talks through. Adapters implement them at the edge (IMAP, SMTP,
// SQLite, templates); tests pass fakes or the real adapters. No library type appears here.

import type { Address, InboundMail } from './domain/mail.js';
import type { CaseEvent, CaseStatus, Direction, MessageKind } from './domain/case.js';
import type { MailboxPosition, NewCase } from './domain/plan.js';
import type { Language } from './domain/routing.js';
import type { Facts, ThreadKeys } from './pipeline/types.js';

export interface Clock {
  now(): Date;
}

// ---------------------------------------------------------------- mail source (IMAP)

export interface FetchedMessage {
  readonly uid: number;
  readonly size: number;
  /** Null when the message is larger than the limit and was not downloaded. */
  readonly source: Buffer | null;
}

export interface MailboxSession {
  readonly uidValidity: number;
  /** UIDs above `afterUid`, ascending, at most `limit`. */
  listNewUids(afterUid: number, limit: number): Promise<number[]>;
  fetch(uid: number, maxBytes: number): Promise<FetchedMessage | null>;
  markProcessed(uid: number): Promise<void>;
  /** Resolves when the server reports new mail, the timeout passes, or the signal aborts. */
  waitForChange(timeoutMs: number, signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

export interface MailSource {
  open(): Promise<MailboxSession>;
}

// ---------------------------------------------------------------- outgoing mail (SMTP)

export interface OutgoingMail {
  readonly from: Address;
  /** Where answers should go, when not to `from` (internal notes: the desk's +note address). */
  readonly replyTo?: Address;
  readonly to: readonly Address[];
  readonly cc?: readonly Address[];
  readonly subject: string;
  readonly messageId: string;
  readonly inReplyTo: string | null;
  readonly references: readonly string[];
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
  readonly html: string | null;
  /** Files sent along (an agent's attachments relayed to the requester); content as base64. */
  readonly attachments?: readonly { readonly filename: string; readonly contentType: string; readonly contentBase64: string }[];
}

export interface MailSender {
  send(mail: OutgoingMail, envelopeFrom: string): Promise<void>;
  close(): void;
}

// ---------------------------------------------------------------- templates

export interface RenderedReply {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export interface ReplyRenderer {
  render(template: string, language: Language, vars: Readonly<Record<string, unknown>>): RenderedReply;
}

// ---------------------------------------------------------------- store

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
}

/** Lifecycle and satisfaction fields set directly (no SLA recomputation needed). */
export interface CaseFields {
  readonly assignee?: string | null;
  readonly firstResponseAt?: string;
  readonly resolvedAt?: string | null;
  readonly closedAt?: string | null;
  readonly rating?: { readonly score: number; readonly comment: string | null; readonly at: string };
  readonly waitUntil?: string | null;
}

export interface CaseUpdate {
  readonly category: string | null;
  readonly priority: string;
  readonly status: CaseStatus;
  readonly slaPolicy: string | null;
  readonly dueAt: string | null;
  readonly firstResponseDueAt: string | null;
  readonly slaClock: SlaClockRecord | null;
  readonly routing: unknown;
}

/** The stored SLA clock of a case: when it started, its targets, and the pauses while waiting. */
export interface SlaClockRecord {
  readonly start: string;
  readonly firstResponseMinutes: number;
  readonly resolutionMinutes: number;
  readonly pauses: readonly { readonly from: string; readonly to: string | null }[];
}

export interface MessageRecord {
  readonly id: number;
  readonly caseId: string | null;
  readonly direction: Direction;
  readonly kind: MessageKind;
  readonly messageId: string;
  readonly from: Address | null;
  readonly to: readonly Address[];
  readonly cc: readonly Address[];
  readonly subject: string;
  readonly date: string | null;
  readonly text: string;
  readonly createdAt: string;
}

export interface EventRecord extends CaseEvent {
  readonly at: string;
}

export interface CaseDetail extends CaseRecord {
  readonly messages: readonly MessageRecord[];
  readonly events: readonly EventRecord[];
  readonly links: readonly { readonly caseId: string; readonly reason: string; readonly at: string }[];
}

export interface NewMessage {
  readonly caseId: string | null;
  readonly desk: string;
  readonly direction: Direction;
  readonly kind: MessageKind;
  /** Message-ID, or "sha256:<hex>" of the raw source when the mail has none. */
  readonly messageId: string;
  readonly mail: Pick<InboundMail, 'from' | 'to' | 'cc' | 'subject' | 'date' | 'text' | 'inReplyTo' | 'references'>;
  readonly raw: Buffer | null;
}

export interface OutboxEntry {
  readonly id: number;
  readonly caseId: string | null;
  readonly kind: string;
  readonly envelopeFrom: string;
  readonly mail: OutgoingMail;
  readonly attempts: number;
}

export interface OutboxProblem {
  readonly id: number;
  readonly caseId: string | null;
  readonly kind: string;
  readonly status: 'pending' | 'failed' | 'uncertain' | 'sending';
  readonly recipient: string;
  readonly subject: string;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly createdAt: string;
  readonly nextAttemptAt: string;
}

export interface QuarantineEntry {
  readonly position: MailboxPosition | null;
  readonly messageId: string | null;
  readonly code: string;
  readonly reason: string;
  readonly stage: string | null;
  readonly raw: Buffer | null;
}

/** Work done inside one store transaction; everything commits together or not at all. */
export interface StoreTx {
  createCase(input: NewCase & { readonly prefix: string }, now: Date): Promise<CaseRecord>;
  getCase(id: string): Promise<CaseRecord | null>;
  addMessage(message: NewMessage, now: Date): Promise<number>;
  addEvents(caseId: string, events: readonly CaseEvent[], now: Date): Promise<void>;
  setStatus(caseId: string, status: CaseStatus, now: Date): Promise<void>;
  /** Writes routing/SLA fields recomputed by the shell (category, priority, status, due times, clock). */
  updateCase(caseId: string, patch: CaseUpdate, now: Date): Promise<void>;
  enqueue(entry: Omit<OutboxEntry, 'id' | 'attempts'>, messageRow: number | null, now: Date): Promise<number>;
  quarantine(entry: QuarantineEntry, now: Date): Promise<number>;
  setCaseFields(caseId: string, fields: CaseFields, now: Date): Promise<void>;
  /** Cases of other desks holding an inbound mail with this Message-ID (the same mail sent to two desks). */
  casesElsewhere(messageId: string, desk: string): Promise<string[]>;
  /** Links two cases both ways (a reopened-late follow-up, the same mail to two desks). */
  link(a: string, b: string, reason: string, now: Date): Promise<void>;
  /** Claims an escalation threshold for a case; false when it was already recorded (never mail twice). */
  recordEscalation(caseId: string, threshold: string, dueAt: Date, now: Date): Promise<boolean>;
  /** Records the mailbox position as done and advances the folder's checkpoint past it. */
  markPosition(position: MailboxPosition, messageId: string | null, outcome: string, caseId: string | null, now: Date): Promise<void>;
}

export interface Checkpoint {
  readonly uidValidity: number;
  readonly lastUid: number;
}

export interface CaseFilter {
  readonly desk?: string;
  readonly status?: readonly CaseStatus[];
  readonly limit?: number;
  /** Cases to skip first (paging with limit). */
  readonly offset?: number;
  /** An agent's address; null means unassigned cases only. */
  readonly assignee?: string | null;
  readonly category?: string;
  /** The requester's address (any case). */
  readonly requester?: string;
  /** Cases opened at or after this instant. */
  readonly since?: Date;
  /** Newest first (the command line); oldest first otherwise. */
  readonly newestFirst?: boolean;
}

export interface CaseStore {
  transaction<T>(work: (tx: StoreTx) => Promise<T>): Promise<T>;
  lookupFacts(desk: string, position: MailboxPosition | null, messageKey: string, sender: string | null, keys: ThreadKeys, since: Date): Promise<Facts>;
  checkpoint(desk: string, folder: string): Promise<Checkpoint | null>;
  /** Starts a folder over after a UIDVALIDITY change (or the first time); Message-IDs keep it idempotent. */
  resetCheckpoint(desk: string, folder: string, uidValidity: number, now: Date): Promise<void>;
  dueOutbox(now: Date, limit: number): Promise<OutboxEntry[]>;
  /** Claims a pending row for sending; false when another process already took it. */
  markSending(id: number, now: Date): Promise<boolean>;
  markSent(id: number, now: Date): Promise<void>;
  markRetry(id: number, error: string, nextAttemptAt: Date): Promise<void>;
  markFailed(id: number, error: string, now: Date): Promise<void>;
  /** Rows left "sending" by a crash: we cannot know if the server took them, so they are set aside, never resent. */
  parkInterrupted(now: Date): Promise<number>;
  listCases(filter: CaseFilter): Promise<CaseRecord[]>;
  /** Cases opened since `since` and the times requesters wrote, for `sportello stats`. */
  statsData(since: Date): Promise<{ cases: CaseRecord[]; requesterMails: { desk: string; at: string }[] }>;
  /** Waiting cases whose #wait time has passed. */
  waitExpired(now: Date): Promise<CaseRecord[]>;
  /** Resolved cases resolved before `before`, for auto-closing. */
  resolvedBefore(before: Date): Promise<CaseRecord[]>;
  /** Cases whose SLA clock can still escalate (new, open, waiting), with the thresholds already mailed. */
  slaCases(): Promise<{ readonly record: CaseRecord; readonly notified: readonly string[] }[]>;
  getCaseDetail(id: string): Promise<CaseDetail | null>;
  listQuarantine(limit: number): Promise<(QuarantineEntry & { id: number; at: string })[]>;
  outboxSummary(): Promise<Record<string, number>>;
  /** Replies that did not go out normally: failed, uncertain (interrupted mid-send) or still pending. */
  outboxProblems(limit: number): Promise<OutboxProblem[]>;
  /** Puts a failed or uncertain reply back in the queue (an admin decided to send it); false if not in such a state. */
  requeue(id: number, now: Date, actor: string): Promise<boolean>;
  close(): Promise<void>;
}
