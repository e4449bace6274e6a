// Decides the instant an agent's #eta names: a duration counts in business time on the desk's calendar
// from now ("#eta 2d" = two business days of the desk's hours, 8 h each… as the calendar has them), a
// date means the end of the desk's working day on that date. Pure; must never return a past instant.
import type { BusinessCalendar } from '../sla/index.js';
import { addBusinessMinutes } from '../sla/index.js';
import { localDay } from '../sla/calendar.js';

export type Eta = { readonly minutes: number } | { readonly date: string };

const MINUTES_PER_DAY = 1440;

/**
 * "2d" and "1w" are counted in the desk's working days: each calendar day of the duration becomes the
 * rest of the working day that many days on (2d from Monday 10:00 = Wednesday 10:00 on a weekday desk).
 * Hours and minutes are business minutes. A date is the close of business on that day (23:59 local if
 * the desk does not open then). Without a calendar, plain wall-clock time.
 */
export function etaInstant(eta: Eta, calendar: BusinessCalendar | null, now: Date): Date {
  if ('date' in eta) {
    const day = calendar ? localDay(calendar, eta.date) : null;
    const close = day?.intervals.length ? day.intervals[day.intervals.length - 1]![1] : null;
    const at = close !== null ? new Date(close) : endOfDay(eta.date, calendar?.timezone ?? 'UTC');
    return at > now ? at : now;
  }
  if (!calendar) return new Date(now.getTime() + eta.minutes * 60_000);
  const days = Math.floor(eta.minutes / MINUTES_PER_DAY);
  const rest = eta.minutes % MINUTES_PER_DAY;
  let at = now;
  for (let i = 0; i < days; i++) at = nextWorkingDaySameTime(calendar, at);
  return rest > 0 ? addBusinessMinutes(calendar, at, rest) : at;
}

/** The same local time on the next day the desk opens (or its opening, when that is later). */
function nextWorkingDaySameTime(calendar: BusinessCalendar, from: Date): Date {
  for (let step = 1; step <= 400; step++) {
    const candidate = new Date(from.getTime() + step * MINUTES_PER_DAY * 60_000);
    const iso = candidate.toLocaleDateString('en-CA', { timeZone: calendar.timezone });
    const day = localDay(calendar, iso);
    if (!day.intervals.length) continue;
    const [open, close] = [day.intervals[0]![0], day.intervals[day.intervals.length - 1]![1]];
    return new Date(Math.min(Math.max(candidate.getTime(), open), close));
  }
  return from;
}

function endOfDay(date: string, timezone: string): Date {
  // 23:59 on that date in the zone: the offset of noon that day is close enough for a deadline.
  const noonUtc = Date.parse(`${date}T12:00:00Z`);
  const local = new Date(new Date(noonUtc).toLocaleString('en-US', { timeZone: timezone }));
  const offset = local.getTime() - new Date(new Date(noonUtc).toLocaleString('en-US', { timeZone: 'UTC' })).getTime();
  return new Date(Date.parse(`${date}T23:59:00Z`) - offset);
}
