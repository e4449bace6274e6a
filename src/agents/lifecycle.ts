// Decides a case's next status for each lifecycle event (new → open → waiting → resolved → closed), written as
// one table, plus the events to log and whether the SLA clock pauses. Time is passed in, never read.
// Must never move a case silently: every change yields a status-changed event; a refused move yields a reason.

import type { CaseEvent, CaseStatus } from '../domain/case.js';
import type { LifecycleSettings } from '../domain/desk-settings.js';

export type LifecycleEventType =
  | 'agent-reply'
  | 'requester-reply'
  | 'resolve'
  | 'close'
  | 'reopen'
  | 'auto-close'
  | 'wait'
  | 'wait-expired';

export type LifecycleEvent =
  | { readonly type: Exclude<LifecycleEventType, 'wait'> }
  /** Wait for the requester until this instant (the caller adds #wait's minutes to its clock). */
  | { readonly type: 'wait'; readonly until: Date };

export type { LifecycleSettings };

export const DEFAULT_LIFECYCLE: LifecycleSettings = Object.freeze({
  agentReplySetsWaiting: true,
  reopenWindowDays: 7,
  autoCloseDays: 14,
});

export interface LifecycleFacts {
  readonly now: Date;
  /** Who caused the event: an agent or requester address, or "sportello" for timers. */
  readonly actor: string;
  /** When the case was last resolved; null when unknown or never. */
  readonly resolvedAt: Date | null;
  readonly settings?: LifecycleSettings;
}

/** Whether the SLA clock runs in a status: it stops while we wait on the requester and once the case is resolved. */
export const CLOCK_RUNS: Readonly<Record<CaseStatus, boolean>> = Object.freeze({
  new: true,
  open: true,
  waiting: false,
  resolved: false,
  closed: false,
});

/**
 * Where each event leads from each status. A status missing from an event's row refuses that event.
 * Symbolic targets depend on the facts: "after-agent-reply" on the waiting setting, "reopen-or-link" on the
 * reopen window, "closed-if-due" on the auto-close age.
 */
type Target = CaseStatus | 'new-linked-case' | 'after-agent-reply' | 'reopen-or-link' | 'closed-if-due';

export const LIFECYCLE: Readonly<Record<LifecycleEventType, Readonly<Partial<Record<CaseStatus, Target>>>>> = {
  'agent-reply': { new: 'after-agent-reply', open: 'after-agent-reply', waiting: 'after-agent-reply', resolved: 'resolved', closed: 'closed' },
  'requester-reply': { new: 'new', open: 'open', waiting: 'open', resolved: 'reopen-or-link', closed: 'new-linked-case' },
  resolve: { new: 'resolved', open: 'resolved', waiting: 'resolved' },
  close: { new: 'closed', open: 'closed', waiting: 'closed', resolved: 'closed' },
  reopen: { resolved: 'open', closed: 'open' },
  'auto-close': { resolved: 'closed-if-due' },
  wait: { new: 'waiting', open: 'waiting', waiting: 'waiting' },
  'wait-expired': { waiting: 'open' },
};

export type Pause = 'start' | 'end' | null;

export type Transition =
  | {
      readonly ok: true;
      readonly from: CaseStatus;
      /** "new-linked-case": leave this case as it is; open a new one linked to it. */
      readonly to: CaseStatus | 'new-linked-case';
      readonly changed: boolean;
      readonly pause: Pause;
      readonly events: readonly CaseEvent[];
    }
  | {
      readonly ok: false;
      readonly from: CaseStatus;
      readonly event: LifecycleEventType;
      /** already: the case is in that status; invalid: not from this status; not-due: a timer fired early. */
      readonly code: 'already' | 'invalid' | 'not-due';
      readonly message: string;
      /** Events this status accepts, for the error reply. */
      readonly allowed: readonly LifecycleEventType[];
    };

const DAY_MS = 86_400_000;
const SYSTEM = 'sportello';

/** "start" when the clock stops, "end" when it runs again, null when nothing changes. */
export function pauseBetween(from: CaseStatus, to: CaseStatus): Pause {
  if (CLOCK_RUNS[from] === CLOCK_RUNS[to]) return null;
  return CLOCK_RUNS[to] ? 'end' : 'start';
}

export function allowedEvents(status: CaseStatus): LifecycleEventType[] {
  return (Object.keys(LIFECYCLE) as LifecycleEventType[]).filter((e) => LIFECYCLE[e][status] !== undefined);
}

/** Whether a resolved case is old enough to close by itself. */
export function isAutoCloseDue(resolvedAt: Date, now: Date, autoCloseDays: number): boolean {
  return now.getTime() - resolvedAt.getTime() >= autoCloseDays * DAY_MS;
}

/** Whether a requester reply at `now` still falls in the reopen window (inclusive). Unknown resolution time: yes. */
export function withinReopenWindow(resolvedAt: Date | null, now: Date, reopenWindowDays: number): boolean {
  return resolvedAt === null || now.getTime() - resolvedAt.getTime() <= reopenWindowDays * DAY_MS;
}

/**
 * The next status for an event, with the events to log and the SLA pause, or the reason it is refused.
 * @example transition('waiting', { type: 'requester-reply' }, { now, actor: 'ana@example.test', resolvedAt: null })
 *   // → { ok: true, from: 'waiting', to: 'open', changed: true, pause: 'end', events: [status-changed …] }
 */
export function transition(status: CaseStatus, event: LifecycleEvent, facts: LifecycleFacts): Transition {
  const settings = facts.settings ?? DEFAULT_LIFECYCLE;
  const target = LIFECYCLE[event.type][status];
  if (target === undefined) return refuse(status, event.type);

  let to: CaseStatus | 'new-linked-case';
  let why = WHY[event.type];
  const extra: CaseEvent[] = [];
  switch (target) {
    case 'after-agent-reply':
      to = settings.agentReplySetsWaiting ? 'waiting' : status === 'new' ? 'open' : status;
      if (status === 'new') extra.push({ type: 'first-response', actor: facts.actor, data: {} });
      break;
    case 'reopen-or-link':
      if (withinReopenWindow(facts.resolvedAt, facts.now, settings.reopenWindowDays)) {
        to = 'open';
        why = `requester replied within the ${settings.reopenWindowDays}-day reopen window`;
        extra.push({ type: 'reopened', actor: facts.actor, data: { by: 'requester' } });
      } else {
        to = 'new-linked-case';
      }
      break;
    case 'closed-if-due':
      if (facts.resolvedAt !== null && !isAutoCloseDue(facts.resolvedAt, facts.now, settings.autoCloseDays)) {
        return {
          ok: false,
          from: status,
          event: event.type,
          code: 'not-due',
          message: `resolved ${facts.resolvedAt.toISOString()}, closes after ${settings.autoCloseDays} days`,
          allowed: allowedEvents(status),
        };
      }
      to = 'closed';
      why = `resolved more than ${settings.autoCloseDays} days ago`;
      break;
    default:
      to = target;
  }

  if (to === 'new-linked-case') {
    const events: CaseEvent[] = [
      {
        type: 'follow-up-after-close',
        actor: facts.actor,
        data: { status, resolvedAt: facts.resolvedAt?.toISOString() ?? null, reopenWindowDays: settings.reopenWindowDays },
      },
    ];
    return { ok: true, from: status, to, changed: false, pause: null, events };
  }
  if (event.type === 'wait') {
    extra.push({ type: 'waiting-until', actor: facts.actor, data: { until: event.until.toISOString() } });
  }
  const changed = to !== status;
  const actor = event.type === 'auto-close' || event.type === 'wait-expired' ? SYSTEM : facts.actor;
  const events: CaseEvent[] = [
    ...(changed ? [{ type: 'status-changed', actor, data: { from: status, to, why } } satisfies CaseEvent] : []),
    ...extra,
  ];
  return { ok: true, from: status, to, changed, pause: pauseBetween(status, to), events };
}

/** Commands whose target the case may already have: saying so is clearer than "cannot resolve a resolved case". */
const ALREADY: Readonly<Partial<Record<LifecycleEventType, CaseStatus>>> = { resolve: 'resolved', close: 'closed', reopen: 'open' };

const WHY: Readonly<Record<LifecycleEventType, string>> = {
  'agent-reply': 'an agent replied',
  'requester-reply': 'requester answered',
  resolve: 'an agent resolved the case',
  close: 'an agent closed the case',
  reopen: 'an agent reopened the case',
  'auto-close': 'resolved long enough ago',
  wait: 'an agent is waiting on the requester',
  'wait-expired': 'the wait ended without an answer',
};

function refuse(status: CaseStatus, event: LifecycleEventType): Transition {
  const allowed = allowedEvents(status);
  const code = ALREADY[event] === status ? 'already' : 'invalid';
  const message =
    code === 'already'
      ? `the case is already ${status}`
      : `cannot ${event} a case that is ${status}${allowed.length ? `; possible here: ${allowed.join(', ')}` : ''}`;
  return { ok: false, from: status, event, code, message, allowed };
}
