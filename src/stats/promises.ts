// Promise figures per desk and category, from what the store recorded: promises kept (resolved by the
// first date the requester was told), forecast calibration (share resolved by the forecast date against
// the quantile asked for), median business-time first response and resolution, reopen rate, backlog
// age, satisfaction, promises kept per week and the distributions the report draws. Pure.
import type { BusinessCalendar } from '../sla/index.js';
import { businessMinutesBetween } from '../sla/index.js';
import type { CasePromise } from '../domain/promise.js';
import { quantile, type StatsCase } from './report.js';

export interface PromiseStatsCase extends StatsCase {
  readonly promise: CasePromise | null;
  /** How often the case was reopened after a resolution. */
  readonly reopened: number;
}

export interface CategoryStats {
  readonly desk: string;
  /** A category id, or "*" for the whole desk. */
  readonly category: string;
  readonly opened: number;
  readonly resolved: number;
  /** Share of resolved cases resolved by the first promised date (the SLA due time for cases without one). */
  readonly promisesKept: number | null;
  readonly promised: number;
  /** Share of resolved forecast cases resolved by the forecast date; compare with `quantileAsked`. */
  readonly calibration: number | null;
  readonly forecasts: number;
  readonly quantileAsked: number | null;
  readonly medianFirstResponseBusinessMinutes: number | null;
  readonly medianResolutionBusinessMinutes: number | null;
  /** Share of resolved cases reopened at least once. */
  readonly reopenRate: number | null;
  readonly backlog: number;
  /** Age of the open cases, wall-clock minutes. */
  readonly backlogMedianAgeMinutes: number | null;
  readonly backlogOldestMinutes: number | null;
  readonly ratings: number;
  readonly satisfaction: number | null;
}

const OPEN = new Set(['new', 'open', 'waiting']);
const share = (xs: readonly boolean[]) => (xs.length ? xs.filter(Boolean).length / xs.length : null);
const median = (xs: readonly number[]) => quantile([...xs].sort((a, b) => a - b), 0.5);

/** The date a case was first promised (its SLA due time when it predates promises). */
export function promisedAt(c: PromiseStatsCase): string | null {
  return c.promise?.firstAt ?? c.promise?.at ?? c.dueAt;
}

/** One row for the desk ("*") and one per category, categories by volume. */
export function categoryStats(desk: string, cases: readonly PromiseStatsCase[], calendar: BusinessCalendar | null, now: Date): CategoryStats[] {
  const mine = cases.filter((c) => c.desk === desk);
  const byCategory = new Map<string, PromiseStatsCase[]>();
  for (const c of mine) byCategory.set(c.category ?? 'triage', [...(byCategory.get(c.category ?? 'triage') ?? []), c]);
  const rows = [...byCategory.entries()].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
  return [row(desk, '*', mine, calendar, now), ...rows.map(([category, list]) => row(desk, category, list, calendar, now))];
}

function row(desk: string, category: string, cases: readonly PromiseStatsCase[], calendar: BusinessCalendar | null, now: Date): CategoryStats {
  const resolved = cases.filter((c) => c.resolvedAt);
  const promised = resolved.filter((c) => promisedAt(c));
  const forecast = resolved.filter((c) => c.promise?.forecast);
  const business = (a: string, b: string) => (calendar ? businessMinutesBetween(calendar, new Date(a), new Date(b)) : (Date.parse(b) - Date.parse(a)) / 60_000);
  const open = cases.filter((c) => OPEN.has(c.status));
  const ages = open.map((c) => (now.getTime() - Date.parse(c.createdAt)) / 60_000);
  const ratings = cases.map((c) => c.rating).filter((r): r is number => r !== null);
  const asked = [...new Set(forecast.map((c) => c.promise!.forecast!.quantile))];
  return {
    desk,
    category,
    opened: cases.length,
    resolved: resolved.length,
    promisesKept: share(promised.map((c) => c.resolvedAt! <= promisedAt(c)!)),
    promised: promised.length,
    calibration: share(forecast.map((c) => c.resolvedAt! <= c.promise!.forecast!.dueAt)),
    forecasts: forecast.length,
    quantileAsked: asked.length === 1 ? asked[0]! : asked.length ? median(asked) : null,
    medianFirstResponseBusinessMinutes: median(cases.filter((c) => c.firstResponseAt).map((c) => business(c.createdAt, c.firstResponseAt!))),
    medianResolutionBusinessMinutes: median(resolved.map((c) => business(c.createdAt, c.resolvedAt!))),
    reopenRate: share(resolved.map((c) => c.reopened > 0)),
    backlog: open.length,
    backlogMedianAgeMinutes: median(ages),
    backlogOldestMinutes: ages.length ? Math.max(...ages) : null,
    ratings: ratings.length,
    satisfaction: ratings.length ? ratings.reduce((a, b) => a + b, 0) / ratings.length : null,
  };
}

export interface WeekPromises {
  /** ISO week, e.g. "2026-W48", of the resolution. */
  readonly week: string;
  readonly kept: number;
  readonly missed: number;
}

/** Promises kept and missed per ISO week of resolution, oldest first. */
export function promisesPerWeek(desk: string, cases: readonly PromiseStatsCase[]): WeekPromises[] {
  const weeks = new Map<string, { kept: number; missed: number }>();
  for (const c of cases) {
    const at = promisedAt(c);
    if (c.desk !== desk || !c.resolvedAt || !at) continue;
    const w = isoWeek(new Date(c.resolvedAt));
    const entry = weeks.get(w) ?? { kept: 0, missed: 0 };
    if (c.resolvedAt <= at) entry.kept++;
    else entry.missed++;
    weeks.set(w, entry);
  }
  return [...weeks.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([week, v]) => ({ week, ...v }));
}

function isoWeek(d: Date): string {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day);
  const year = t.getUTCFullYear();
  const week = Math.ceil(((t.getTime() - Date.UTC(year, 0, 1)) / 86_400_000 + 1) / 7);
  return `${year}-W${String(week).padStart(2, '0')}`;
}

export interface Bucket {
  readonly label: string;
  readonly count: number;
}

/** Counts per bucket; `edges` are upper bounds in minutes (the last bucket is open-ended). */
export function histogram(minutes: readonly number[], edges: readonly { readonly label: string; readonly upTo: number }[]): Bucket[] {
  return edges.map((e, i) => ({
    label: e.label,
    count: minutes.filter((m) => m <= e.upTo && (i === 0 || m > edges[i - 1]!.upTo)).length,
  }));
}

/** Business-time buckets for first response and resolution. */
export const DURATION_BUCKETS = [
  { label: '≤1 h', upTo: 60 },
  { label: '1–4 h', upTo: 240 },
  { label: '4–8 h', upTo: 480 },
  { label: '1–2 d', upTo: 960 },
  { label: '2–5 d', upTo: 2400 },
  { label: '>5 d', upTo: Infinity },
] as const;

/** Wall-clock buckets for the age of open cases. */
export const AGE_BUCKETS = [
  { label: '<1 d', upTo: 1440 },
  { label: '1–3 d', upTo: 4320 },
  { label: '3–7 d', upTo: 10080 },
  { label: '1–2 w', upTo: 20160 },
  { label: '>2 w', upTo: Infinity },
] as const;

/** RFC 4180 CSV (CRLF, quotes doubled) of plain rows; the first row is the header. */
export function csv(rows: readonly (readonly (string | number | null)[])[]): string {
  const cell = (v: string | number | null) => {
    const s = v === null ? '' : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}
