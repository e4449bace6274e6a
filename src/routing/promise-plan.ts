// Adds to a new case's schedule the date it is promised: the forecast from the desk's own history when
// there is enough of it (src/forecast), else the SLA policy's deadline. Pure: the shell hands in the
// history the store returned; without it (null) the schedule stays as the SLA made it.
import type { RoutingDecision } from '../domain/routing.js';
import type { SlaPlan } from '../pipeline/types.js';
import type { DeskRules } from '../rules/index.js';
import { DEFAULT_FORECAST, firstPromise, forecastResolution, type HistoryCase } from '../forecast/index.js';
import type { HistoryWindow } from '../domain/case.js';

export function withPromise(sla: SlaPlan | null, desk: DeskRules | undefined, routing: RoutingDecision, history: readonly HistoryCase[] | null, now: Date): SlaPlan | null {
  if (!sla || !desk?.calendar || history === null) return sla;
  const forecast = forecastResolution({ calendar: desk.calendar, settings: desk.forecast, history, category: routing.category ?? null, priority: routing.priority, now });
  return { ...sla, promise: firstPromise(sla.dueAt, forecast, now) };
}

/** Which resolved cases count as history for this desk: since when, and at most how many. */
export function historyWindow(desk: DeskRules | undefined, now: Date): HistoryWindow {
  const { historyDays, historyCases } = desk?.forecast ?? DEFAULT_FORECAST;
  return { since: new Date(now.getTime() - historyDays * 86_400_000), cases: historyCases };
}
