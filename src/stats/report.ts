// Service figures from what the store recorded: how many requests, how fast the first answer and the
// resolution came (wall-clock and, where the desk has a calendar, business time), how often the promise
// was kept, satisfaction, and when people write (weekday × hour heat-map, desk time zone). Pure.

import type { BusinessCalendar } from '../sla/index.js';
import { businessMinutesBetween } from '../sla/index.js';

export interface StatsCase {
  readonly id: string;
  readonly desk: string;
  readonly status: string;
  readonly category: string | null;
  readonly createdAt: string;
  readonly firstResponseAt: string | null;
  readonly resolvedAt: string | null;
  readonly dueAt: string | null;
  readonly firstResponseDueAt: string | null;
  readonly rating: number | null;
  /** 'incident' for an incident case (not a request of its own); members carry their incident's id. */
  readonly kind?: 'case' | 'incident';
  readonly incident?: string | null;
}

export interface DeskStats {
  readonly desk: string;
  readonly opened: number;
  readonly resolved: number;
  readonly backlog: number;
  readonly byCategory: Readonly<Record<string, number>>;
  /** Minutes; wall-clock and, when the desk has a calendar, business time. */
  readonly firstResponse: Durations;
  readonly resolution: Durations;
  /** Share of resolved cases resolved by their promised time (null without due times). */
  readonly resolvedOnTime: number | null;
  readonly firstResponseOnTime: number | null;
  readonly rating: { readonly count: number; readonly average: number | null };
  /** Requester mails per weekday (Mon=0) and hour, in the desk's time zone. */
  readonly peakHours: readonly (readonly number[])[];
  readonly busiest: { readonly weekday: number; readonly hour: number; readonly mails: number } | null;
  readonly timezone: string;
  /** Incidents opened in the period: how many, how many requesters' cases each grouped, how fast they were resolved. */
  readonly incidents: IncidentStats;
}

export interface IncidentStats {
  readonly count: number;
  /** Cases linked to them (members). */
  readonly members: number;
  readonly medianSize: number | null;
  readonly largest: number;
  /** From the first report to the incident's resolution. */
  readonly resolution: Durations;
}

export interface Durations {
  readonly count: number;
  readonly medianMinutes: number | null;
  readonly p90Minutes: number | null;
  readonly medianBusinessMinutes: number | null;
}

export function quantile(sorted: readonly number[], q: number): number | null {
  if (!sorted.length) return null;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

function durations(pairs: readonly [string, string][], calendar: BusinessCalendar | null): Durations {
  const wall = pairs.map(([a, b]) => (Date.parse(b) - Date.parse(a)) / 60_000).sort((x, y) => x - y);
  const business = calendar ? pairs.map(([a, b]) => businessMinutesBetween(calendar, new Date(a), new Date(b))).sort((x, y) => x - y) : [];
  return {
    count: wall.length,
    medianMinutes: quantile(wall, 0.5),
    p90Minutes: quantile(wall, 0.9),
    medianBusinessMinutes: calendar ? quantile(business, 0.5) : null,
  };
}

function share(items: readonly boolean[]): number | null {
  return items.length ? items.filter(Boolean).length / items.length : null;
}

const WEEKDAY: Readonly<Record<string, number>> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };

export function deskStats(
  desk: string,
  cases: readonly StatsCase[],
  requesterMailTimes: readonly string[],
  calendar: BusinessCalendar | null,
  timezone: string,
): DeskStats {
  const all = cases.filter((c) => c.desk === desk);
  // An incident is not a request: the requests are its members, counted as cases.
  const incidents = all.filter((c) => c.kind === 'incident');
  const mine = all.filter((c) => c.kind !== 'incident');
  const resolved = mine.filter((c) => c.resolvedAt);
  const answered = mine.filter((c) => c.firstResponseAt);
  const byCategory: Record<string, number> = {};
  for (const c of mine) byCategory[c.category ?? 'triage'] = (byCategory[c.category ?? 'triage'] ?? 0) + 1;
  const ratings = mine.map((c) => c.rating).filter((r): r is number => r !== null);

  const heat = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
  const fmt = new Intl.DateTimeFormat('en-GB', { timeZone: timezone, weekday: 'short', hour: '2-digit', hourCycle: 'h23' });
  for (const t of requesterMailTimes) {
    const parts = Object.fromEntries(fmt.formatToParts(new Date(t)).map((p) => [p.type, p.value]));
    const day = WEEKDAY[String(parts.weekday)];
    if (day !== undefined) heat[day]![Number(parts.hour) % 24]!++;
  }
  let busiest: DeskStats['busiest'] = null;
  heat.forEach((row, weekday) => row.forEach((mails, hour) => {
    if (mails > 0 && (!busiest || mails > busiest.mails)) busiest = { weekday, hour, mails };
  }));

  return {
    desk,
    opened: mine.length,
    resolved: resolved.length,
    backlog: mine.filter((c) => !['resolved', 'closed'].includes(c.status)).length,
    byCategory,
    firstResponse: durations(answered.map((c) => [c.createdAt, c.firstResponseAt!]), calendar),
    resolution: durations(resolved.map((c) => [c.createdAt, c.resolvedAt!]), calendar),
    resolvedOnTime: share(resolved.filter((c) => c.dueAt).map((c) => c.resolvedAt! <= c.dueAt!)),
    firstResponseOnTime: share(answered.filter((c) => c.firstResponseDueAt).map((c) => c.firstResponseAt! <= c.firstResponseDueAt!)),
    rating: { count: ratings.length, average: ratings.length ? ratings.reduce((a, b) => a + b, 0) / ratings.length : null },
    peakHours: heat,
    busiest,
    timezone,
    incidents: incidentStats(incidents, mine, calendar),
  };
}

function incidentStats(incidents: readonly StatsCase[], cases: readonly StatsCase[], calendar: BusinessCalendar | null): IncidentStats {
  const sizes = incidents.map((i) => cases.filter((c) => c.incident === i.id).length).sort((a, b) => a - b);
  const resolved = incidents.filter((i) => i.resolvedAt);
  return {
    count: incidents.length,
    members: sizes.reduce((a, b) => a + b, 0),
    medianSize: quantile(sizes, 0.5),
    largest: sizes.at(-1) ?? 0,
    resolution: durations(resolved.map((i) => [i.createdAt, i.resolvedAt!]), calendar),
  };
}
