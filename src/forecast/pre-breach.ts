// Decides when a requester is told, before a promise is missed, that we are still on it and when to
// expect the resolution now: once the configured share of the promised business time is used, while the
// case is new or open, no agent has written since the promise was made, and the desk is open.
// Pure; must never fire twice for one promise (the caller passes what the store recorded), never for a
// waiting or finished case, and never while the desk's calendar says it is closed.
import type { CaseStatus } from '../domain/case.js';
import type { BusinessCalendar } from '../sla/index.js';
import { addBusinessMinutes, businessMinutesBetween, elapsedBusinessMinutes, isOpen, thresholdAt } from '../sla/index.js';
import { quantile } from '../stats/report.js';
import { comparableCases, wholeMinutes, type HistoryCase } from './history.js';
import { nextPromise, type CasePromise } from './promise.js';
import type { ForecastSettings } from './settings.js';

export interface PreBreachInput {
  readonly calendar: BusinessCalendar;
  readonly settings: Pick<ForecastSettings, 'quantile' | 'minHistory' | 'preBreachShare'>;
  readonly promise: CasePromise;
  readonly status: CaseStatus;
  /** The case's SLA clock pauses (waiting on the requester does not use up promised time). */
  readonly pauses: readonly { readonly from: string; readonly to: string | null }[];
  /** When an agent last wrote on the case (relay, reply-all, #eta), or null. */
  readonly lastAgentAt: string | null;
  /** True when the store already recorded an update for this promise's seq. */
  readonly alreadySent: boolean;
  readonly history: readonly HistoryCase[];
  readonly category: string | null;
  readonly priority: string;
  readonly openedAt: string;
  readonly now: Date;
}

export type PreBreachDecision =
  | { readonly due: false; readonly reason: 'sent' | 'not-running' | 'agent-wrote' | 'not-yet' | 'desk-closed' | 'no-time' }
  | { readonly due: true; readonly reachedAt: Date; readonly next: CasePromise };

/** @example preBreach({ …, promise, status: 'open', now }) // → { due: true, reachedAt, next: { seq: 2, at: … } } */
export function preBreach(input: PreBreachInput): PreBreachDecision {
  const { calendar, promise, now } = input;
  if (input.alreadySent) return { due: false, reason: 'sent' };
  if (input.status !== 'new' && input.status !== 'open') return { due: false, reason: 'not-running' };
  if (input.lastAgentAt && input.lastAgentAt >= promise.start) return { due: false, reason: 'agent-wrote' };
  const start = new Date(promise.start);
  const promisedMinutes = businessMinutesBetween(calendar, start, new Date(promise.at));
  if (promisedMinutes <= 0) return { due: false, reason: 'no-time' };
  const clock = { start, targetMinutes: promisedMinutes, pauses: input.pauses.map((p) => ({ from: new Date(p.from), to: p.to ? new Date(p.to) : null })) };
  const reachedAt = thresholdAt(calendar, clock, input.settings.preBreachShare);
  if (!reachedAt || reachedAt > now) return { due: false, reason: 'not-yet' };
  if (!isOpen(calendar, now)) return { due: false, reason: 'desk-closed' };
  const at = newDate(input);
  // Still on time by the forecast: the same promise stands (and its one update is spent).
  const next = at === promise.at ? promise : nextPromise(promise, at, 'update', now);
  return { due: true, reachedAt, next };
}

/**
 * The honest new date: of comparable cases that took longer than this one has so far, the quantile
 * asked for; with too few of them, half the promised time again. Never earlier than the old promise.
 */
function newDate(input: PreBreachInput): string {
  const { calendar, now, promise } = input;
  const opened = new Date(input.openedAt);
  const pauses = input.pauses.map((p) => ({ from: new Date(p.from), to: p.to ? new Date(p.to) : null }));
  const elapsed = elapsedBusinessMinutes(calendar, { start: opened, targetMinutes: 0, pauses }, now);
  const found = comparableCases(calendar, input.history, input.category, input.priority, 1);
  const longer = found?.minutes.filter((m) => m > elapsed) ?? [];
  const promisedMinutes = businessMinutesBetween(calendar, new Date(promise.start), new Date(promise.at));
  const remaining = longer.length >= Math.min(5, input.settings.minHistory) ? quantile(longer, input.settings.quantile)! - elapsed : promisedMinutes / 2;
  const candidate = addBusinessMinutes(calendar, now, Math.max(60, wholeMinutes(remaining)));
  return (candidate.toISOString() > promise.at ? candidate.toISOString() : promise.at);
}
