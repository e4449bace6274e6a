// Decides what the desk's escalation address reads once a day: the categories (and priorities) whose
// forecast from history is later than their SLA policy's target, so someone can fix the policy or the
// staffing. Pure; lists nothing (and nothing is mailed) when every forecast fits its SLA.
import type { BusinessCalendar } from '../sla/index.js';
import { quantile } from '../stats/report.js';
import { comparableCases, wholeMinutes, type HistoryCase } from './history.js';
import type { ForecastSettings } from './settings.js';

export interface DigestRow {
  readonly category: string;
  readonly priority: string;
  readonly policy: string;
  readonly slaMinutes: number;
  readonly forecastMinutes: number;
  readonly comparable: number;
}

/**
 * One row per category × priority seen in the history that has enough comparable cases of its own
 * (no widening: a digest about "printer, high" must be about printer, high) and whose quantile exceeds
 * the policy target. Worst first.
 */
export function forecastDigest(
  calendar: BusinessCalendar,
  settings: Pick<ForecastSettings, 'quantile' | 'minHistory'>,
  history: readonly HistoryCase[],
  policyFor: (category: string, priority: string) => { readonly name: string; readonly resolutionMinutes: number } | null,
): DigestRow[] {
  const groups = new Map<string, { category: string; priority: string }>();
  for (const c of history) if (c.resolvedAt) groups.set(`${c.category ?? 'triage'}\u0000${c.priority}`, { category: c.category ?? 'triage', priority: c.priority });
  const rows: DigestRow[] = [];
  for (const { category, priority } of groups.values()) {
    const found = comparableCases(calendar, history, category === 'triage' ? null : category, priority, settings.minHistory);
    const policy = policyFor(category, priority);
    if (!found || found.scope !== 'category-priority' || !policy) continue;
    const forecastMinutes = wholeMinutes(quantile(found.minutes, settings.quantile)!);
    if (forecastMinutes > policy.resolutionMinutes) {
      rows.push({ category, priority, policy: policy.name, slaMinutes: policy.resolutionMinutes, forecastMinutes, comparable: found.minutes.length });
    }
  }
  return rows.sort((a, b) => b.forecastMinutes / b.slaMinutes - a.forecastMinutes / a.slaMinutes || a.category.localeCompare(b.category));
}
