// Decides what a desk's history says about resolution times: business minutes from opening to
// resolution (time spent waiting on the requester left out) and which past cases are comparable to a
// new one, widening desk+category+priority → desk+category → desk until there are enough. Pure.
import type { HistoryCase } from '../domain/case.js';
import type { ForecastScope } from '../domain/promise.js';
import type { BusinessCalendar } from '../sla/index.js';
import { elapsedBusinessMinutes } from '../sla/index.js';

export type { HistoryCase } from '../domain/case.js';
export type { ForecastScope } from '../domain/promise.js';

export interface Comparable {
  readonly scope: ForecastScope;
  /** Business minutes to resolution of each comparable case, ascending. */
  readonly minutes: readonly number[];
}

/** Business minutes a resolved case took, pauses excluded; null for a case not resolved. */
export function resolutionMinutes(cal: BusinessCalendar, c: HistoryCase): number | null {
  if (!c.resolvedAt) return null;
  const pauses = c.pauses.map((p) => ({ from: new Date(p.from), to: p.to ? new Date(p.to) : null }));
  return elapsedBusinessMinutes(cal, { start: new Date(c.createdAt), targetMinutes: 0, pauses }, new Date(c.resolvedAt));
}

/**
 * The narrowest scope with at least `min` resolved cases, or null when even the whole desk has fewer.
 * Triage (category null) compares with triage.
 */
export function comparableCases(
  cal: BusinessCalendar,
  history: readonly HistoryCase[],
  category: string | null,
  priority: string,
  min: number,
): Comparable | null {
  // The same history (one pass's read) asks the same question once per new case: answered once.
  return memo(history, cal, `${category}\u0000${priority}\u0000${min}`, () => findComparable(cal, history, category, priority, min));
}

function findComparable(cal: BusinessCalendar, history: readonly HistoryCase[], category: string | null, priority: string, min: number): Comparable | null {
  // Each scope's list is computed once per history and shared by every question that lands on it (at 100,000
  // cases, every category and priority widened to the desk made its own copy of the desk's 95,000 minutes).
  const scopes: [ForecastScope, string, (c: HistoryCase) => boolean][] = [
    ['category-priority', `${category}\u0000${priority}`, (c) => c.category === category && c.priority === priority],
    ['category', `${category}`, (c) => c.category === category],
    ['desk', '', () => true],
  ];
  for (const [scope, key, fits] of scopes) {
    const minutes = memo(history, cal, `\u0001minutes\u0000${scope}\u0000${key}`, () => scopeMinutes(cal, history, fits));
    if (minutes.length >= min) return { scope, minutes };
  }
  return null;
}

/** Business minutes to resolution of the history's resolved cases that fit, ascending. */
function scopeMinutes(cal: BusinessCalendar, history: readonly HistoryCase[], fits: (c: HistoryCase) => boolean): number[] {
  // Each case's minutes once per history (a calendar walk each), whichever scopes it falls in.
  // NaN marks a case not resolved (or resolved before it was created).
  const each = memo(history, cal, '\u0001minutes', () => Float64Array.from(history, (c) => (c.resolvedAt && c.resolvedAt >= c.createdAt ? resolutionMinutes(cal, c)! : NaN)));
  const out: number[] = [];
  history.forEach((c, i) => {
    const m = each[i]!;
    if (!Number.isNaN(m) && fits(c)) out.push(m);
  });
  return out.sort((a, b) => a - b);
}

const MEMO = new WeakMap<readonly HistoryCase[], WeakMap<object, Map<string, unknown>>>();

/**
 * A value derived from one history array and calendar only, computed once: the array is a pass's read of
 * the store (never mutated), so the answer cannot change while it lives; it goes when the array does.
 */
export function memo<T>(history: readonly HistoryCase[], cal: object, key: string, compute: () => T): T {
  let byCal = MEMO.get(history);
  if (!byCal) MEMO.set(history, (byCal = new WeakMap()));
  let byKey = byCal.get(cal);
  if (!byKey) byCal.set(cal, (byKey = new Map()));
  if (!byKey.has(key)) byKey.set(key, compute());
  return byKey.get(key) as T;
}

/** Minutes rounded up, but not a float's dust above a whole number (960 + 0.2 × 60 is 972, not 973). */
export function wholeMinutes(minutes: number): number {
  return Math.ceil(minutes - 1e-6);
}
