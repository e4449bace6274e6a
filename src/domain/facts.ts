// What the store knows about one inbound mail's thread keys: plain records a store fills in and the
// pure stages decide on. Nothing here says what the facts mean (duplicate, follow-up, …): that is
// src/pipeline/stages/follow-up-match.ts's job, so every store implements the lookup without rules.

import type { CaseRecord, CaseStatus } from './case.js';
import type { MailboxPosition } from './plan.js';
import type { IncidentCandidate, LiveCase } from './incident.js';

/** What the pipeline may know about an existing case. */
export interface CaseFact {
  readonly caseId: string;
  readonly status: CaseStatus;
  /** The whole record, when the store has it (always, from the SQLite store). */
  readonly record?: CaseRecord;
  /** The newest Message-ID the requester sent in this case, to thread our mails to them. */
  readonly lastRequesterMessageId?: string | null;
}

export interface ThreadKeys {
  /** In-Reply-To first, then References from newest to oldest, de-duplicated. */
  readonly messageIds: readonly string[];
  /** Case tags of this desk's prefix found in the subject. */
  readonly tags: readonly string[];
}

/** A mail this desk already recorded under the looked-up Message-ID. */
export interface KnownMessage {
  /** Its case, or null when it was recorded without one. */
  readonly caseId: string | null;
  /** Its sender as recorded, or null when it had none. */
  readonly from: string | null;
}

/** A case named by a subject tag, with everyone who took part in it (requester, later senders, their To/Cc). */
export interface TaggedCase extends CaseFact {
  readonly participants: readonly string[];
}

/**
 * What the store found for one mail: rows, never verdicts. A store fills every field it can (no
 * short-cuts that encode precedence); follow-up-match decides duplicate, reused Message-ID or
 * follow-up from them and words the reason.
 */
export interface Facts {
  /** The key looked up: the Message-ID, or "sha256:<hex>" of the raw source when the mail has none. */
  readonly messageKey: string;
  /** This mailbox position was already recorded as processed, with the outcome recorded then. */
  readonly processedPosition: { readonly position: MailboxPosition; readonly outcome: string } | null;
  /** A mail this desk already recorded with this Message-ID. */
  readonly knownMessage: KnownMessage | null;
  /** A quarantine row of this desk still holding this Message-ID (not released; never the row being released). */
  readonly quarantinedId: number | null;
  /** This Message-ID belonged to a case deleted by retention (only its hash is kept). */
  readonly purgedByRetention: boolean;
  /** The case of the first referenced Message-ID we know (In-Reply-To, then References newest first). */
  readonly referencedCase: CaseFact | null;
  /** Every case of this desk the subject tags name, in the order of the tags. */
  readonly taggedCases: readonly TaggedCase[];
  /** Cases other desks opened for this same Message-ID (one mail sent to it@ and hr@). */
  readonly sameMailElsewhere?: readonly { readonly caseId: string; readonly desk: string }[];
  /** Auto-replies we sent to the sender's address in the last hour (loop brake). */
  readonly autoRepliesToSenderLastHour: number;
  /**
   * The desk's live cases, incidents and incident members (src/incidents decides what they mean), read
   * only when a candidates point of the pipeline asks: as grouping compares them, or as whole cases.
   */
  readonly groupCandidates?: readonly LiveCase[];
  readonly incidentCandidates?: readonly IncidentCandidate[];
}
