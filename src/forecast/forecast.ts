// Decides the resolution date a new case is promised from the desk's own history: the chosen quantile
// of comparable cases' business-time resolution, plus the open cases ahead of it beyond the usual queue.
// Pure: history, calendar and "now" come in. Must never forecast from fewer cases than the minimum
// (null then: the SLA policy decides) and never promise a date earlier than the history supports.
import type { BusinessCalendar } from '../sla/index.js';
import { addBusinessMinutes, businessMinutesBetween } from '../sla/index.js';
import { quantile } from '../stats/report.js';
import { comparableCases, wholeMinutes } from './history.js';
import type { HistoryCase } from '../domain/case.js';
import type { Forecast } from '../domain/promise.js';
import type { ForecastSettings } from './settings.js';

export interface ForecastInput {
  readonly calendar: BusinessCalendar;
  readonly settings: Pick<ForecastSettings, 'quantile' | 'minHistory'>;
  /** Resolved and still-open cases of the desk, as the store returned them. */
  readonly history: readonly HistoryCase[];
  readonly category: string | null;
  readonly priority: string;
  readonly now: Date;
}

export type { Forecast } from '../domain/promise.js';

/**
 * @example forecastResolution({ calendar, settings: { quantile: 0.8, minHistory: 20 }, history, category: 'printer', priority: 'normal', now })
 *   // → { dueAt: '2026-11-26T16:00:00.000Z', quantileMinutes: 660, comparable: 43, ahead: 6, … } or null
 */
export function forecastResolution(input: ForecastInput): Forecast | null {
  const { calendar, settings, history, now } = input;
  const found = comparableCases(calendar, history, input.category, input.priority, settings.minHistory);
  if (!found) return null;
  const quantileMinutes = wholeMinutes(quantile(found.minutes, settings.quantile)!);
  const load = loadAhead(calendar, history, input.category, now, quantile(found.minutes, 0.5)!);
  const minutes = quantileMinutes + load.loadMinutes;
  return {
    dueAt: addBusinessMinutes(calendar, now, minutes).toISOString(),
    minutes,
    quantile: settings.quantile,
    quantileMinutes,
    comparable: found.minutes.length,
    scope: found.scope,
    ...load,
  };
}

/**
 * The queue in front of a new case. Past resolution times already include the queue those cases met,
 * so only cases beyond the usual number add time; each adds the desk's interval between resolutions of
 * that category, capped at the median resolution (as if worked one at a time: never more pessimistic).
 */
export function loadAhead(
  calendar: BusinessCalendar,
  history: readonly HistoryCase[],
  category: string | null,
  now: Date,
  medianMinutes: number,
): { readonly ahead: number; readonly usualAhead: number; readonly loadMinutes: number } {
  const same = history.filter((c) => c.category === category);
  const nowIso = now.toISOString();
  const ahead = same.filter((c) => (c.status === 'new' || c.status === 'open') && c.createdAt < nowIso).length;
  const resolved = same.filter((c) => c.resolvedAt).sort((a, b) => a.resolvedAt!.localeCompare(b.resolvedAt!));
  // How many of the category were open when each resolved case arrived.
  const queues = resolved.map((c) => same.filter((o) => o !== c && o.createdAt < c.createdAt && (o.resolvedAt === null || o.resolvedAt > c.createdAt)).length).sort((a, b) => a - b);
  const usualAhead = Math.round(quantile(queues, 0.5) ?? 0);
  const excess = Math.max(0, ahead - usualAhead);
  if (excess === 0 || resolved.length < 2) return { ahead, usualAhead, loadMinutes: 0 };
  const span = businessMinutesBetween(calendar, new Date(resolved[0]!.resolvedAt!), new Date(resolved[resolved.length - 1]!.resolvedAt!));
  const interval = Math.min(medianMinutes, span / (resolved.length - 1));
  return { ahead, usualAhead, loadMinutes: Math.ceil(excess * interval) };
}
