// Decides an SLA clock's due time, elapsed time and warning instants: business time from `start`,
// minus every pause (e.g. waiting on the requester), on one business calendar.
// Must never invent a due time while the clock is stopped with no end: that answer is null.
import { SportelloError } from '../errors.js';
import type { BusinessCalendar, OpenInterval } from './calendar.js';
import { minutesToMillis, openIntervalsFrom, toMillis, type Instant } from './business-time.js';

export interface SlaPause {
  readonly from: Instant;
  /** null while the pause is still running (e.g. the requester has not answered yet). */
  readonly to: Instant | null;
}

export interface SlaClock {
  readonly start: Instant;
  /** Business minutes allowed, e.g. 240 for "4 business hours". */
  readonly targetMinutes: number;
  readonly pauses?: readonly SlaPause[];
}

/**
 * When the target's business minutes, not counting paused time, are used up. Null when an unfinished
 * pause began before they were: the clock is stopped and nobody can say when it restarts.
 * (If the target was already used up before that pause began, the earlier due time stands.)
 */
export function dueAt(cal: BusinessCalendar, clock: SlaClock): Date | null {
  return budgetEnd(cal, clock, clock.targetMinutes);
}

/** Business minutes counted on the clock in [start, at), pauses excluded; 0 before start. */
export function elapsedBusinessMinutes(cal: BusinessCalendar, clock: SlaClock, at: Instant): number {
  const start = toMillis(clock.start, 'start');
  const until = toMillis(at, 'at');
  let total = 0;
  for (const [s, e] of countedIntervals(cal, start, mergedPauses(clock, start))) {
    if (s >= until) break;
    total += Math.min(e, until) - s;
  }
  return total / 60_000;
}

/** When `fraction` of the target will have elapsed (0.75 → the "75 % used" warning); null like dueAt. */
export function thresholdAt(cal: BusinessCalendar, clock: SlaClock, fraction: number): Date | null {
  if (!Number.isFinite(fraction) || fraction < 0) {
    throw new SportelloError('SLA_INVALID_ARGUMENT', `threshold fraction must be ≥ 0, got ${fraction}`, {
      context: { fraction },
    });
  }
  return budgetEnd(cal, clock, clock.targetMinutes * fraction);
}

function budgetEnd(cal: BusinessCalendar, clock: SlaClock, minutes: number): Date | null {
  const start = toMillis(clock.start, 'start');
  let budget = minutesToMillis(minutes);
  if (budget === 0) return new Date(start);
  for (const [s, e] of countedIntervals(cal, start, mergedPauses(clock, start))) {
    if (e - s >= budget) return new Date(s + budget);
    budget -= e - s;
  }
  return null;
}

type Span = readonly [from: number, to: number];

// Sorted, overlapping pauses merged, clipped to the clock's start; an open pause runs to +Infinity
// and therefore swallows every later pause.
function mergedPauses(clock: SlaClock, start: number): Span[] {
  const spans = (clock.pauses ?? []).map((p, i): Span => {
    const from = toMillis(p.from, `pauses[${i}].from`);
    const to = p.to === null ? Infinity : toMillis(p.to, `pauses[${i}].to`);
    if (to < from) {
      throw new SportelloError('SLA_INVALID_ARGUMENT', `pause ${i} ends before it starts`, {
        context: { from: new Date(from).toISOString(), to: new Date(to).toISOString() },
      });
    }
    return [Math.max(from, start), Math.max(to, start)];
  });
  spans.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [from, to] of spans) {
    const last = merged[merged.length - 1];
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else if (to > from) merged.push([from, to]);
  }
  return merged;
}

/** Open intervals from `start` with the pauses cut out; finite when a pause never ends. */
function* countedIntervals(cal: BusinessCalendar, start: number, pauses: readonly Span[]): Generator<OpenInterval> {
  let p = 0;
  for (const [open, close] of openIntervalsFrom(cal, start)) {
    while (p < pauses.length && pauses[p]![1] <= open) p++;
    if (pauses[p]?.[1] === Infinity && pauses[p]![0] <= open) return;
    let s = open;
    while (s < close) {
      const pause = pauses[p];
      if (!pause || pause[0] >= close) {
        yield [s, close];
        break;
      }
      if (pause[0] > s) yield [s, pause[0]];
      if (pause[1] >= close) break;
      s = pause[1];
      p++;
    }
  }
}
