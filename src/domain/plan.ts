// The plan the pure pipeline hands to the shell: what to record for one inbound mail and which
// replies to queue. The shell commits a plan in one transaction and only then touches the server;
// a plan never contains anything rendered or sent, only intents.

import type { Address } from './mail.js';
import type { CaseEvent, CaseStatus, MessageKind } from './case.js';
import type { RoutingDecision } from './routing.js';
import type { ArticleRef, SlaPlan } from '../pipeline/types.js';

/** Where the mail sits on the IMAP server; the idempotency key together with the Message-ID. */
export interface MailboxPosition {
  readonly desk: string;
  readonly folder: string;
  readonly uidValidity: number;
  readonly uid: number;
}

/** A reply the shell renders from a template and queues in the outbox inside the same transaction. */
export interface ReplyIntent {
  readonly kind: 'auto-reply';
  readonly template: string;
  readonly to: Address;
  readonly language: RoutingDecision['language'];
  readonly sla: SlaPlan | null;
  readonly articles: readonly ArticleRef[];
}

export interface NewCase {
  readonly desk: string;
  readonly subject: string;
  readonly requester: Address;
  readonly routing: RoutingDecision;
  readonly sla: SlaPlan | null;
}

export type Plan =
  | {
      readonly action: 'create';
      readonly newCase: NewCase;
      readonly messageKind: MessageKind;
      readonly events: readonly CaseEvent[];
      readonly replies: readonly ReplyIntent[];
    }
  | {
      readonly action: 'append';
      readonly caseId: string;
      readonly messageKind: MessageKind;
      readonly statusTo: CaseStatus | null;
      readonly events: readonly CaseEvent[];
      readonly replies: readonly ReplyIntent[];
    }
  /** Already recorded (same desk + Message-ID, or same mailbox position): nothing to do. */
  | { readonly action: 'ignore'; readonly reason: string }
  /** Not turned into a case but kept with its reason: our own mail coming back, or a rule said so. */
  | { readonly action: 'quarantine'; readonly reason: string; readonly code: string; readonly stage: string };
