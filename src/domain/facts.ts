// What the store knows about one inbound mail's thread keys: plain records a store fills in and the
// pure stages decide on. Nothing here says what the facts mean (duplicate, follow-up, …): that is
// src/pipeline/stages/follow-up-match.ts's job, so every store implements the lookup without rules.

import type { CaseRecord, CaseStatus } from './case.js';

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

/** What the shell found in the store for the thread keys; the only input stages get from outside. */
export interface Facts {
  /** Set when this desk already recorded this Message-ID or this mailbox position. */
  readonly duplicate: string | null;
  /** The case of the first referenced Message-ID we know (In-Reply-To, then References newest first). */
  readonly referencedCase: CaseFact | null;
  /** The case named by the subject tag, with everyone who took part in it. */
  readonly taggedCase: (CaseFact & { readonly participants: readonly string[] }) | null;
  /** Set when a different sender's mail already used this Message-ID on this desk. */
  readonly reusedMessageId?: string;
  /** Cases other desks opened for this same Message-ID (one mail sent to it@ and hr@). */
  readonly sameMailElsewhere?: readonly { readonly caseId: string; readonly desk: string }[];
  /** Auto-replies we sent to the sender's address in the last hour (loop brake). */
  readonly autoRepliesToSenderLastHour: number;
}
