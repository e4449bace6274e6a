// Decides business-time arithmetic on one calendar: is it open, when does it next open, what instant
// is N business minutes later, how many business minutes lie between two instants.
// Must never read the real clock; every instant is passed in (Date or epoch ms), every result is a new Date.
import { SportelloError } from '../errors.js';
import { localDateOf, localDay, type BusinessCalendar, type OpenInterval } from './calendar.js';

/** An instant as callers hold it: a Date or epoch milliseconds. */
export type Instant = Date | number;

const MS_PER_MINUTE = 60_000;
// A calendar that stays shut this many consecutive local days is treated as never opening again
// (a year of holidays is a configuration error, not a queue); it bounds every walk.
const MAX_CLOSED_DAYS = 400;

/** @internal Epoch ms of an Instant, rejecting Invalid Date and NaN. */
export function toMillis(t: Instant, what: string): number {
  const ms = typeof t === 'number' ? t : t.getTime();
  if (!Number.isFinite(ms)) {
    throw new SportelloError('SLA_INVALID_ARGUMENT', `${what} is not a valid instant`, {
      context: { [what]: String(t) },
    });
  }
  return ms;
}

/**
 * @internal Open intervals from `fromMs` onwards, clipped to start no earlier than it, in order.
 * The consumer stops iterating; the generator never ends on its own for a calendar that opens.
 */
export function* openIntervalsFrom(cal: BusinessCalendar, fromMs: number): Generator<OpenInterval> {
  let iso = localDateOf(cal, fromMs);
  let closedDays = 0;
  for (;;) {
    const { intervals, next } = localDay(cal, iso);
    closedDays = intervals.length === 0 ? closedDays + 1 : 0;
    if (closedDays > MAX_CLOSED_DAYS) {
      throw new SportelloError('SLA_CALENDAR_NEVER_OPEN', `calendar "${cal.id}" has no opening hours for over a year`, {
        context: { calendar: cal.id, from: new Date(fromMs).toISOString() },
        hint: 'check its hours, holidays and extraHolidays',
      });
    }
    for (const [start, end] of intervals) {
      if (end > fromMs) yield [Math.max(start, fromMs), end];
    }
    iso = next;
  }
}

/** True when `t` falls inside an opening interval; intervals are half-open, so closing time is closed. */
export function isOpen(cal: BusinessCalendar, t: Instant): boolean {
  const ms = toMillis(t, 't');
  return localDay(cal, localDateOf(cal, ms)).intervals.some(([start, end]) => start <= ms && ms < end);
}

/** `t` itself when open, else the start of the next opening interval. */
export function nextOpening(cal: BusinessCalendar, t: Instant): Date {
  const first = openIntervalsFrom(cal, toMillis(t, 't')).next();
  return new Date((first.value as OpenInterval)[0]);
}

/**
 * The instant at which `minutes` business minutes after `t` have elapsed. When the budget runs out
 * exactly at a closing time, that closing time is returned (due "today at 17:00", not "tomorrow at 09:00").
 * `minutes` may be fractional (rounded to the millisecond); 0 returns `t` unchanged.
 */
export function addBusinessMinutes(cal: BusinessCalendar, t: Instant, minutes: number): Date {
  const from = toMillis(t, 't');
  let budget = minutesToMillis(minutes);
  if (budget === 0) return new Date(from);
  for (const [start, end] of openIntervalsFrom(cal, from)) {
    if (end - start >= budget) return new Date(start + budget);
    budget -= end - start;
  }
  throw new Error('unreachable: openIntervalsFrom never ends');
}

/** Business minutes in [a, b) (fractional when the instants carry seconds); negative when b < a. */
export function businessMinutesBetween(cal: BusinessCalendar, a: Instant, b: Instant): number {
  const from = toMillis(a, 'a');
  const to = toMillis(b, 'b');
  if (to < from) return -businessMinutesBetween(cal, to, from);
  let total = 0;
  for (const [start, end] of openIntervalsFrom(cal, from)) {
    if (start >= to) break;
    total += Math.min(end, to) - start;
  }
  return total / MS_PER_MINUTE;
}

/** @internal */
export function minutesToMillis(minutes: number): number {
  if (!Number.isFinite(minutes) || minutes < 0) {
    throw new SportelloError('SLA_INVALID_ARGUMENT', `business minutes must be a finite number ≥ 0, got ${minutes}`, {
      context: { minutes },
    });
  }
  return Math.round(minutes * MS_PER_MINUTE);
}
