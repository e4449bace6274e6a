// The contract between pipeline stages: one typed annotation record passed from stage to stage
// (Zammad's x-zammad hash, typed and returned instead of mutated), the facts the shell looked up,
// and the context a desk provides. Stages read these and return a result; they never do I/O.

import type { InboundMail } from '../domain/mail.js';
import type { CaseStatus } from '../domain/case.js';
import type { Plan } from '../domain/plan.js';
import type { CaseRecord } from '../ports.js';
import type { Address } from '../domain/mail.js';
import type { LifecycleSettings } from '../agents/lifecycle.js';
import type { NotifyPolicy } from '../agents/notification.js';
import type { TrustOptions } from '../agents/trust.js';
import type { Language, RoutingDecision } from '../domain/routing.js';
import type { ImportedMail } from './imported.js';
import type { IncidentCandidate } from '../ports.js';
import type { IncidentContext, IncidentPlanning } from '../incidents/context.js';

export interface DeskView {
  readonly id: string;
  readonly prefix: string;
  readonly address: string;
  readonly language: Language;
  readonly agents: readonly string[];
  readonly name?: string;
  /** Agents with names (for commands like #assign maria and for signing relays). */
  readonly agentRefs?: readonly Address[];
  readonly notify?: NotifyPolicy;
  readonly lifecycle?: LifecycleSettings;
  readonly trust?: Omit<TrustOptions, 'agents'>;
  /** Category ids the desk's rules declare (for #category). */
  readonly categories?: readonly string[];
  /** Time zone of the desk's business calendar, for dates shown to agents. */
  readonly timezone?: string;
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
}

/** A self-service article suggested in the auto-reply. */
export interface ArticleRef {
  readonly id: string;
  readonly title: string;
  readonly url: string | null;
  readonly body: string | null;
}

export interface PipelineContext {
  /** The instant this mail is being processed (injected clock). */
  readonly now: Date;
  readonly desk: DeskView;
  /** Every desk address of this instance: mail from them is our own. */
  readonly ownAddresses: readonly string[];
  /** Domains our Message-IDs use. */
  readonly ownDomains: readonly string[];
  /** Value of our X-Sportello-Loop header. */
  readonly instance: string;
  readonly autoRepliesPerAddressPerHour: number;
  /** Rules + classifier for a new case; pure from the pipeline's point of view. */
  readonly route: (mail: InboundMail) => RoutingDecision;
  /** The SLA schedule for a new case routed this way, or null when the desk has no SLA policies. */
  readonly sla: (routing: RoutingDecision, now: Date) => SlaPlan | null;
  /** Up to three self-service articles for a new case. */
  readonly articles: (mail: InboundMail, routing: RoutingDecision) => readonly ArticleRef[];
  /** Set when the mail was received before the desk's first start: `now` is then its arrival, and nothing is mailed. */
  readonly imported?: ImportedMail | null;
  /** The desk's incident grouping settings and category vocabulary; null when the rules turn grouping off. */
  readonly incidents?: IncidentContext | null;
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
  /** The desk's live cases, incidents and incident members (src/incidents decides what they mean). */
  readonly incidentCandidates?: readonly IncidentCandidate[];
}

export interface SenderInfo {
  readonly agent: Address;
  readonly trusted: boolean;
  readonly reason: string;
}

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

export interface Annotations {
  /** Why this is our own mail coming back (loop), or null. */
  readonly ownMail: string | null;
  /** Why this mail is machine-generated (RFC 3834 and de-facto headers), or null. */
  readonly autoGenerated: string | null;
  readonly threadKeys: ThreadKeys;
  readonly facts: Facts | null;
  readonly match: (CaseFact & { readonly via: 'references' | 'subject-tag' }) | null;
  /** Who wrote: a configured agent (trusted or not, with the reason), or null for everyone else. */
  readonly sender: SenderInfo | null;
  /** The plus-tag of the desk address the mail was sent to ("note" for it+note@). */
  readonly plusTag: string | null;
  /** A requester's satisfaction rating for a resolved case. */
  readonly rating?: { readonly score: number; readonly comment: string | null };
  /** A finished case this mail follows up too late: the new case is linked to it. */
  readonly linkFrom?: string;
  readonly routing: RoutingDecision | null;
  readonly sla: SlaPlan | null;
  readonly articles: readonly ArticleRef[];
  /** A new case that joins an open incident or, with others, forms one (src/incidents). */
  readonly incident?: IncidentPlanning | null;
}

export type StageResult = { readonly next: Partial<Annotations> } | { readonly stop: Plan };

export interface Stage {
  readonly name: string;
  readonly run: (mail: InboundMail, ann: Annotations, ctx: PipelineContext) => StageResult;
}

/** Marks where the runner pauses to let the shell look up facts for the thread keys. */
export interface LookupPoint {
  readonly name: 'lookup';
  readonly lookup: true;
}

export type PipelineStep = Stage | LookupPoint;

export const INITIAL_ANNOTATIONS: Annotations = Object.freeze({
  ownMail: null,
  autoGenerated: null,
  threadKeys: Object.freeze({ messageIds: [], tags: [] }),
  facts: null,
  match: null,
  sender: null,
  plusTag: null,
  routing: null,
  sla: null,
  articles: Object.freeze([]),
});

export function continueWith(next: Partial<Annotations> = {}): StageResult {
  return { next };
}
