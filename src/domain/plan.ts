// The plan the pure pipeline hands to the shell: what to record for one inbound mail and which
// replies to queue. The shell commits a plan in one transaction and only then touches the server;
// a plan never contains anything rendered or sent, only intents.

import type { Address } from './mail.js';
import type { CaseEvent, CaseStatus, MessageKind } from './case.js';
import type { Priority, RoutingDecision } from './routing.js';
import type { CasePromise } from './promise.js';

/** Where the mail sits on the IMAP server; the idempotency key together with the Message-ID. */
export interface MailboxPosition {
  readonly desk: string;
  readonly folder: string;
  readonly uidValidity: number;
  readonly uid: number;
}

/** When a new case is due and what the requester should be told about the schedule (all ISO 8601). */
export interface SlaPlan {
  readonly policy: string;
  readonly firstResponseMinutes: number;
  readonly resolutionMinutes: number;
  readonly firstResponseDueAt: string | null;
  readonly dueAt: string | null;
  readonly timezone: string;
  /** The desk is working right now. */
  readonly open: boolean;
  /** When work starts again, when the desk is closed now. */
  readonly opensAt: string | null;
  /** How to reach on-call for urgent matters (shown out of hours). */
  readonly onCall: { readonly address: string | null; readonly phone: string | null } | null;
  /** The resolution date the requester is told (forecast from history, else the SLA deadline); absent without history data. */
  readonly promise?: CasePromise | null;
}

/** A self-service article suggested in the auto-reply. */
export interface ArticleRef {
  readonly id: string;
  readonly title: string;
  readonly url: string | null;
  readonly body: string | null;
}

/**
 * A mail the shell renders from a template and queues in the outbox inside the same transaction.
 * `vars` are the template variables the pipeline could compute; the shell adds case, desk and dates.
 */
export type ReplyIntent =
  | {
      readonly kind: 'auto-reply';
      readonly template: string;
      readonly to: Address;
      readonly language: RoutingDecision['language'];
      readonly sla: SlaPlan | null;
      readonly articles: readonly ArticleRef[];
      /** Extra template variables (the incident-known reply's `incident`). */
      readonly vars?: Readonly<Record<string, unknown>>;
    }
  | {
      readonly kind: 'notification' | 'relay' | 'note' | 'confirmation' | 'command-error' | 'not-trusted' | 'rating-request' | 'rating-thanks';
      readonly template: string;
      readonly to: readonly Address[];
      readonly language: RoutingDecision['language'];
      readonly vars: Readonly<Record<string, unknown>>;
      /** Which message our mail answers: the mail being processed, or the requester's newest in the case. */
      readonly threadTo: 'this-mail' | 'requester';
      /** Sender display name (a relay shows the agent: "Bob (IT Service Desk)"). */
      readonly fromName?: string;
      /** Human-written content relayed by us is not marked Auto-Submitted; machine notices are. */
      readonly automatic: boolean;
    };

/** Lifecycle and satisfaction fields a plan sets on the case. */
export interface PlanFields {
  readonly assignee?: string | null;
  readonly firstResponse?: boolean;
  readonly resolved?: boolean;
  readonly closed?: boolean;
  readonly rating?: { readonly score: number; readonly comment: string | null };
  /** ISO instant a #wait ends (the case reopens by itself), or null to clear it. */
  readonly waitUntil?: string | null;
  /** An agent's #eta: the resolution date to promise (resolved on the desk calendar by the shell). */
  readonly eta?: { readonly minutes: number } | { readonly date: string };
}

export interface NewCase {
  readonly desk: string;
  readonly subject: string;
  readonly requester: Address;
  readonly routing: RoutingDecision;
  readonly sla: SlaPlan | null;
  /** The desk's first start (ISO) when the mail predates it: the case is imported. */
  readonly imported?: string;
  /** 'incident' for the case that stands for an outage (src/incidents). */
  readonly kind?: 'incident';
}

/** What a new case's commit does about an incident (src/pipeline/incident-plan.ts decides). */
export type IncidentChange =
  | { readonly kind: 'join'; readonly incident: string; readonly events: readonly CaseEvent[] }
  | {
      readonly kind: 'form';
      readonly newCase: NewCase;
      /** When the outage started (its first report): the incident case opens then. */
      readonly startedAt: string;
      /** Existing cases that become members with the new one. */
      readonly members: readonly string[];
      readonly events: readonly CaseEvent[];
      /** Mails about the incident itself (the one agent notification). */
      readonly replies: readonly ReplyIntent[];
    };

/** An agent's #incident / #unlink on a case: join an incident, leave it, or open a new one for it. */
export type IncidentCommand =
  | { readonly kind: 'join'; readonly incident: string }
  | { readonly kind: 'leave' }
  | { readonly kind: 'new'; readonly newCase: NewCase };

/** What an agent's mail on an incident does to one member case (src/incidents/fan-out.ts decides). */
export interface MemberEffect {
  readonly caseId: string;
  readonly statusTo: CaseStatus | null;
  readonly fields?: PlanFields;
  readonly events: readonly CaseEvent[];
  readonly replies: readonly ReplyIntent[];
  /** The member's requester's newest Message-ID, to thread our mail in their own conversation. */
  readonly requesterMessageId: string | null;
}

export type Plan =
  | {
      readonly action: 'create';
      readonly newCase: NewCase;
      readonly messageKind: MessageKind;
      readonly events: readonly CaseEvent[];
      readonly replies: readonly ReplyIntent[];
      /** Cases to link the new one to: the one a late reply came from, the same mail at another desk. */
      readonly links?: readonly { readonly caseId: string; readonly reason: string }[];
      readonly incident?: IncidentChange;
    }
  | {
      readonly action: 'append';
      readonly caseId: string;
      readonly messageKind: MessageKind;
      readonly statusTo: CaseStatus | null;
      /** Category or priority set by an agent's command (the SLA is recomputed). */
      readonly reroute?: { readonly category?: string; readonly priority?: Priority };
      readonly fields?: PlanFields;
      /** The requester's newest Message-ID in the case, to thread mails to them. */
      readonly requesterMessageId?: string | null;
      /** Imported mail: a rescheduled due time is recorded but not mailed to the requester. */
      readonly quiet?: boolean;
      readonly incident?: IncidentCommand;
      /** An agent's mail on an incident, carried to each live member case. */
      readonly members?: readonly MemberEffect[];
      readonly events: readonly CaseEvent[];
      readonly replies: readonly ReplyIntent[];
    }
  /** Already recorded (same desk + Message-ID, or same mailbox position): nothing to do. */
  | { readonly action: 'ignore'; readonly reason: string }
  /** Not turned into a case but kept with its reason: our own mail coming back, or a rule said so. */
  | { readonly action: 'quarantine'; readonly reason: string; readonly code: string; readonly stage: string };
