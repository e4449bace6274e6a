// The small interfaces the shell talks through. Adapters implement them at the edge (IMAP, SMTP,
// SQLite or PostgreSQL, templates); tests pass fakes or the real adapters. No library type appears here.

import type { Address, InboundMail } from './domain/mail.js';
import type { CaseEvent, CaseRecord, CaseStatus, Direction, HistoryCase, HistoryWindow, MessageKind, SlaClockRecord } from './domain/case.js';
import type { Facts, ThreadKeys } from './domain/facts.js';
import type { MailboxPosition, NewCase } from './domain/plan.js';
import type { Language } from './domain/routing.js';
import type { WriterLeaseRecord } from './domain/writer-lease.js';
import type { FleetLease } from './domain/fleet.js';
import type { ErasureTarget, PurgeCutoffs } from './domain/retention.js';
import type { CasePromise } from './domain/promise.js';
import type { IncidentCandidate, LiveCase } from './domain/incident.js';
import type { DaemonIdentity } from './health/snapshot.js';

export interface Clock {
  now(): Date;
}

// ---------------------------------------------------------------- mail source (IMAP)

export interface FetchedMessage {
  readonly uid: number;
  readonly size: number;
  /** Null when the message is larger than the limit and was not downloaded. */
  readonly source: Buffer | null;
  /** When the server received it (IMAP INTERNALDATE), when known. */
  readonly receivedAt?: Date | null;
}

export interface MailboxSession {
  readonly uidValidity: number;
  /** UIDs above `afterUid`, ascending, at most `limit`. */
  listNewUids(afterUid: number, limit: number): Promise<number[]>;
  /**
   * These UIDs' sources, ascending, in few commands (one FETCH of sizes, then streaming FETCHes of the
   * sources under `maxBytes`); a larger one comes back with source null, never downloaded. UIDs no longer
   * in the folder are left out. Returns only once every FETCH has ended (no command may run inside one).
   */
  fetch(uids: readonly number[], maxBytes: number): Promise<FetchedMessage[]>;
  /** Flags these UIDs processed (and moves them, with processed.moveTo) in one command; only after their commit. */
  markProcessed(uids: readonly number[]): Promise<void>;
  /** Resolves when the server reports new mail, the timeout passes, or the signal aborts. */
  waitForChange(timeoutMs: number, signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
  /** The highest UID in the folder now (UIDNEXT-1 when empty): where a first contact with `now` starts. */
  highestUid(): Promise<number>;
  /** UIDs in (afterUid, upToUid] the server received on or after the day of `since` (a superset: SEARCH SINCE is date-only), ascending, at most `limit`. */
  listUidsSince(afterUid: number, upToUid: number, since: Date, limit: number): Promise<number[]>;
  /** When the server received each of these UIDs (INTERNALDATE); UIDs no longer there are left out. */
  receivedDates(uids: readonly number[]): Promise<Map<number, Date>>;
  /** Which of these UIDs still sit in the folder without the processed mark (not flagged, or not moved away). */
  unprocessed(uids: readonly number[]): Promise<number[]>;
  /** How many messages have a UID above `afterUid` (the backlog above a checkpoint); one SEARCH, nothing fetched. */
  countAbove(afterUid: number): Promise<number>;
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

// What a case is lives in src/domain/case.ts; the store speaks in those records (re-exported for its callers).
export type { CaseRecord, SlaClockRecord } from './domain/case.js';

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
  /** For an incident: its member cases, oldest first. */
  readonly members?: readonly CaseRecord[];
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

/** held: set aside, waiting for a person; released: run through the pipeline again; dropped: raw deleted. */
export type QuarantineState = 'held' | 'released' | 'dropped';

/** A stored quarantine row with what admins did to it (who, when, why). */
export interface QuarantineRecord extends QuarantineEntry {
  readonly id: number;
  readonly at: string;
  readonly state: QuarantineState;
  readonly releasedAt: string | null;
  readonly releasedBy: string | null;
  /** The case a released mail became or joined; null when it was already recorded. */
  readonly releasedCaseId: string | null;
  readonly droppedAt: string | null;
  readonly droppedBy: string | null;
  readonly dropReason: string | null;
  /** Releases that failed again (the row then carries the newest reason). */
  readonly attempts: number;
}

/** What the pipeline reads about one mail; on the store, or inside a transaction (seeing its own writes). */
export interface MailFacts {
  /**
   * What the store holds for one mail's keys: rows only (the position's outcome, the mail already recorded
   * under this Message-ID and its sender, a held quarantine id, every tagged case with its participants…);
   * follow-up-match decides what they mean. `exceptQuarantine`: the quarantine row being released, left out.
   */
  lookupFacts(desk: string, position: MailboxPosition | null, messageKey: string, sender: string | null, keys: ThreadKeys, since: Date, exceptQuarantine?: number): Promise<Facts>;
  /**
   * What incident grouping compares a new mail with: the desk's live cases (new, open, waiting) opened
   * since `since`, its live incidents, and their live members of any age — each with its first text, its
   * subject and due times, no more. Data only; src/incidents decides.
   */
  groupCandidates(desk: string, since: Date): Promise<LiveCase[]>;
  /**
   * The same live cases as whole cases, each with the requester's newest Message-ID: what an agent's mail
   * on an incident answers (the fan-out) and #incident checks.
   */
  incidentCandidates(desk: string, since: Date): Promise<IncidentCandidate[]>;
}

/**
 * Work done inside one store transaction; everything commits together or not at all. Several mails may
 * share one transaction (group commit): each runs in its own savepoint and reads through the transaction.
 */
export interface StoreTx extends MailFacts {
  /** Runs `work` as a nested unit: when it throws, its writes alone are undone and the transaction goes on. Database failures surface as STORE. */
  savepoint<T>(work: (tx: StoreTx) => Promise<T>): Promise<T>;
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
  /** Makes a case a member of an incident (null: of none). */
  setIncident(caseId: string, incident: string | null, now: Date): Promise<void>;
  /** Links two cases both ways (a reopened-late follow-up, the same mail to two desks). */
  link(a: string, b: string, reason: string, now: Date): Promise<void>;
  /** Claims an escalation threshold for a case; false when it was already recorded (never mail twice). */
  recordEscalation(caseId: string, threshold: string, dueAt: Date, now: Date): Promise<boolean>;
  /** Records the mailbox position as done and advances the folder's checkpoint past it. */
  markPosition(position: MailboxPosition, messageId: string | null, outcome: string, caseId: string | null, now: Date): Promise<void>;
  /** The state of a quarantine row, or null when there is no such row. */
  quarantineState(id: number): Promise<QuarantineState | null>;
  /** Marks a held row released into `caseId` (null: the mail was already recorded) and its mailbox position with it. */
  releaseQuarantine(id: number, caseId: string | null, actor: string, now: Date): Promise<void>;
  /** A release that failed again: the held row takes the new code and reason (updated, never duplicated). */
  requarantine(id: number, entry: Pick<QuarantineEntry, 'messageId' | 'code' | 'reason' | 'stage'>, actor: string, now: Date): Promise<void>;
  /** The writer lease named `name` ('store'), or null when nobody holds it. Decided on by src/shell/writer-lease.ts. */
  writerLease(name: string): Promise<WriterLeaseRecord | null>;
  /** Writes (takes or renews) the writer lease; only after decideLease said so, in the same transaction. */
  putWriterLease(name: string, lease: WriterLeaseRecord): Promise<void>;
  /** Drops the writer lease if `token` still holds it; false when someone else had taken it over. */
  releaseWriterLease(name: string, token: string): Promise<boolean>;
  /**
   * Every fleet lease row (several daemons on PostgreSQL: 'instance:…', 'mailbox:…', 'housekeeping').
   * PostgreSQL first takes a transaction-scoped lock, so heartbeats read-decide-write one at a time.
   */
  fleetLeases(): Promise<FleetLease[]>;
  /** Writes a fleet lease row (insert or replace); only after planFleet decided so, in the same transaction. */
  putFleetLease(lease: FleetLease): Promise<void>;
  /** Deletes a fleet lease row (the heartbeat row of an instance whose lease ran out). */
  dropFleetLease(name: string): Promise<void>;
  /**
   * The fence of a mailbox commit: does `owner` hold `name` at `epoch`, with its lease running past `now`?
   * PostgreSQL locks the row (FOR UPDATE) until the transaction ends, so no owner change slips in between.
   */
  holdsFleetLease(name: string, owner: string, epoch: number, now: Date): Promise<boolean>;
  /** Replaces the case's promise (a #eta, the update before a miss). */
  setPromise(caseId: string, promise: CasePromise, now: Date): Promise<void>;
  /** Claims a mail about promise `seq` of a case ("pre-breach"); false when it was already recorded (never mail twice). */
  claimPromiseNotice(caseId: string, seq: number, kind: string, now: Date): Promise<boolean>;
  /** Claims a once-a-day job (e.g. "purge", "uncertain-notice:IT") for `day`; false when already done that day. */
  claimDaily(job: string, day: string, now: Date): Promise<boolean>;
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

export interface CaseStore extends MailFacts {
  transaction<T>(work: (tx: StoreTx) => Promise<T>): Promise<T>;
  checkpoint(desk: string, folder: string): Promise<Checkpoint | null>;
  /** Starts a folder over after a UIDVALIDITY change (or the first time); Message-IDs keep it idempotent. */
  resetCheckpoint(desk: string, folder: string, uidValidity: number, now: Date): Promise<void>;
  dueOutbox(now: Date, limit: number): Promise<OutboxEntry[]>;
  /** Claims these rows for sending, in one transaction (each claim's time is kept with it): returns the ids claimed (rows still pending); the others were taken by another process. */
  markSending(ids: readonly number[], now: Date): Promise<number[]>;
  /** Marks these rows sent, in one transaction. */
  markSent(ids: readonly number[], now: Date): Promise<void>;
  markRetry(id: number, error: string, nextAttemptAt: Date): Promise<void>;
  markFailed(id: number, error: string, now: Date): Promise<void>;
  /**
   * Rows left "sending" by a crash: we cannot know if the server took them, so they are set aside, never
   * resent. Each parked row and its `send-uncertain` event commit together. Only the writer-lease holder
   * may call it (only the holder sends, so any row still "sending" then belongs to a dead process).
   * `claimedBefore`: the claim expiry — only rows claimed (markSending) at or before it are parked, so a
   * sender that is still within its claim keeps its row; without it, every "sending" row is parked.
   */
  parkInterrupted(now: Date, claimedBefore?: Date): Promise<number>;
  listCases(filter: CaseFilter): Promise<CaseRecord[]>;
  /** Cases opened since `since` and the times requesters wrote, for `sportello stats`. */
  statsData(since: Date): Promise<StatsData>;
  /**
   * A desk's cases for forecasting: the `window.cases` most recently resolved since `window.since`, and every
   * case still new, open or waiting; times and classification only, oldest first.
   */
  promiseHistory(desk: string, window: HistoryWindow): Promise<HistoryCase[]>;
  /** New and open cases carrying a promise, with when an agent last wrote on each and the promise seqs already updated. */
  promiseCases(): Promise<{ readonly record: CaseRecord; readonly lastAgentAt: string | null; readonly updated: readonly number[] }[]>;
  /** Waiting cases whose #wait time has passed. */
  waitExpired(now: Date): Promise<CaseRecord[]>;
  /** Resolved cases resolved before `before`, for auto-closing. */
  resolvedBefore(before: Date): Promise<CaseRecord[]>;
  /** Cases whose SLA clock can still escalate (new, open, waiting), with the thresholds already mailed. */
  slaCases(): Promise<{ readonly record: CaseRecord; readonly notified: readonly string[] }[]>;
  getCaseDetail(id: string): Promise<CaseDetail | null>;
  /** Held rows, newest first; every state with `all`. */
  listQuarantine(limit: number, opts?: { readonly all?: boolean }): Promise<QuarantineRecord[]>;
  outboxSummary(): Promise<Record<string, number>>;
  /** Replies that did not go out normally: failed, uncertain (interrupted mid-send) or still pending. */
  outboxProblems(limit: number): Promise<OutboxProblem[]>;
  /** Puts a failed or uncertain reply back in the queue (an admin decided to send it); false if not in such a state. */
  requeue(id: number, now: Date, actor: string): Promise<boolean>;
  close(): Promise<void>;
  /** How the desk first met this folder; null before the first contact. */
  folderStart(desk: string, folder: string): Promise<FolderStart | null>;
  /** Records a first contact (or a rescan after a UIDVALIDITY change): the checkpoint and the backlog bounds; an existing first start and take-from are kept. */
  startFolder(desk: string, folder: string, start: FolderStart & { readonly lastUid: number }, now: Date): Promise<void>;
  /** Moves the checkpoint past backlog mail skipped under startFrom; nothing is recorded about that mail. */
  skipTo(desk: string, folder: string, uidValidity: number, uid: number, now: Date): Promise<void>;
  /** The newest UIDs recorded as processed in this folder and UIDVALIDITY, newest first (reconciling flags after a crash). */
  recentlyProcessed(desk: string, folder: string, uidValidity: number, limit: number): Promise<number[]>;
  getQuarantine(id: number): Promise<QuarantineRecord | null>;
  /** Ids of held rows, oldest first, optionally only those with this code. */
  heldQuarantineIds(code?: string): Promise<number[]>;
  /** Drops a held row: raw deleted, reason and actor kept; false when the row is not held. */
  dropQuarantine(id: number, reason: string, actor: string, now: Date): Promise<boolean>;
  /** A consistent copy of the whole database into a new file, safe while other processes write (SQLite; a PostgreSQL store refuses with USAGE: pg_dump is the tool there). */
  backup(file: string): Promise<void>;
  /**
   * Retention: drops raw sources and deletes closed cases older than the cutoffs (each deleted case leaves
   * an anonymous tombstone for statistics), in one transaction, and records an audit event with the counts.
   * dryRun counts and changes nothing. With `claimDay`, runs only if the "purge" job was not run that day
   * (null otherwise).
   */
  purge(cutoffs: PurgeCutoffs, now: Date, options: { readonly dryRun: boolean; readonly actor: string; readonly claimDay?: string }): Promise<PurgeCounts | null>;
  /** The salted hash that names an erased address in the audit log and its placeholder (stable per database). */
  erasureHash(address: string): Promise<string>;
  /** Erases one person's data everywhere (GDPR art. 17) in one transaction; dryRun counts and changes nothing. */
  forget(target: ErasureTarget, subjectHash: string, now: Date, options: { readonly dryRun: boolean; readonly actor: string }): Promise<ForgetCounts>;
  /** Purge and forget runs, newest first (counts only). */
  auditLog(limit: number): Promise<AuditEntry[]>;
  /** Replies parked as uncertain, oldest first, with the desk they belong to (via their case or sender). */
  uncertainOutbox(): Promise<UncertainReply[]>;
  /** Gives a claimed ("sending") row back to the queue without counting the attempt (our SMTP login failed, not the reply). */
  unclaim(id: number, error: string, nextAttemptAt: Date): Promise<void>;
  /** Mail in quarantine and not released. */
  quarantineCount(): Promise<number>;
  /** The fleet lease rows as they stand (read only: `sportello status`, /readyz). */
  fleetLeases(): Promise<FleetLease[]>;
  /**
   * Replaces this daemon's self-report (also proves the database is writable) and deletes every report
   * saved before `forgetBefore` (daemons long stopped or gone silent), in one transaction.
   */
  saveDaemonStatus(daemon: DaemonIdentity, json: string, now: Date, forgetBefore: Date): Promise<void>;
  /** Every daemon's report, oldest first; merging them is not the store's decision. */
  daemonStatuses(): Promise<DaemonStatusRecord[]>;
}

/** What `sportello stats` and the report read: cases opened since a date (tombstones included), when requesters wrote, how often each case was reopened. */
export interface StatsData {
  readonly cases: CaseRecord[];
  readonly requesterMails: { desk: string; at: string }[];
  /** Case id → number of times it was reopened (cases never reopened are absent). */
  readonly reopened?: Readonly<Record<string, number>>;
}

/** A live case as incident grouping and the incident fan-out see it (src/domain/incident.ts). */
export type { IncidentCandidate, LiveCase } from './domain/incident.js';

/** A folder's first contact: when the desk first started on it and which backlog was taken. */
export interface FolderStart {
  readonly uidValidity: number;
  /** Mail received before this instant is imported: recorded and routed, never answered. Null: read by a version before first starts were recorded. */
  readonly firstStart: string | null;
  /** Backlog mail (UID <= backlogUid) received before this instant is skipped; null takes the whole backlog. */
  readonly takeFrom: string | null;
  /** The highest UID in the folder at first contact (or at the rescan after a UIDVALIDITY change). */
  readonly backlogUid: number;
}

export interface PurgeCounts {
  /** Raw sources dropped from stored messages. */
  readonly rawSources: number;
  /** Raw sources dropped from released quarantine rows (held rows keep theirs). */
  readonly quarantineRaw: number;
  /** Bodies dropped from outbox rows sent before the raw-mail cutoff. */
  readonly outboxBodies: number;
  readonly cases: number;
  readonly messages: number;
  readonly events: number;
  readonly outbox: number;
  readonly links: number;
  readonly escalations: number;
}

/** Rows changed per table by `forget`. */
export interface ForgetCounts {
  readonly cases: number;
  readonly assigned: number;
  readonly messages: number;
  readonly rawSources: number;
  readonly events: number;
  readonly outbox: number;
  /** Pending or parked replies that will now never go out. */
  readonly outboxCancelled: number;
  readonly quarantine: number;
  /** Audit events of earlier `forget` runs for the same address (a repeat finds nothing left). */
  readonly previousErasures: readonly { readonly id: number; readonly at: string }[];
}

export interface AuditEntry {
  readonly id: number;
  readonly at: string;
  readonly action: 'purge' | 'forget';
  readonly actor: string;
  readonly counts: Readonly<Record<string, number>>;
  readonly subjectHash: string | null;
}

export interface UncertainReply {
  readonly id: number;
  readonly caseId: string | null;
  /** Desk of the case, or null when the row has no case (then the sender address tells). */
  readonly desk: string | null;
  readonly from: string;
  readonly kind: string;
  readonly recipient: string;
  readonly createdAt: string;
}

// ---------------------------------------------------------------- metrics and health

/** Counters and timings the shell reports; the Prometheus adapter implements it, tests record it. */
export interface Metrics {
  /** Mails taken from a desk mailbox, by outcome (created, appended, duplicate, quarantined). */
  mails(desk: string, outcome: string, count: number): void;
  /** Replies handed to SMTP or given up on: sent, retry (4xx/network), failed (5xx or too many attempts). */
  reply(kind: string, result: 'sent' | 'retry' | 'failed'): void;
  /** Replies found interrupted mid-send at start-up and parked as uncertain (never resent automatically). */
  parkedUncertain(count: number): void;
  /** Starts timing a mailbox pass; call the result when the pass ends. */
  passTimer(desk: string): () => void;
  /** A desk loop lost its mailbox session or could not open it, and will reconnect. */
  imapReconnect(desk: string, reason: string): void;
  /** An SLA escalation mail was queued (threshold: warning, breach, …). */
  escalation(desk: string, threshold: string): void;
}

/** A daemon's self-report as kept in the store, so `sportello status` can read it from another process. */
export interface DaemonStatusRecord {
  readonly daemon: DaemonIdentity;
  readonly json: string;
  /** When it was saved. */
  readonly at: string;
}
