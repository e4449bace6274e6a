// Decides what a case is promised and how that promise is explained: the forecast from history when
// there is enough of it, else the SLA policy's deadline; an agent's #eta replaces either. Every change
// of the promised date is a new promise (seq + 1), so "one update per promise" can be counted.
// Pure; must never drop the SLA deadline: the case keeps both, escalation still runs on the SLA.
import type { Language } from '../domain/routing.js';
import { formatDuration } from '../sla/index.js';
import type { CasePromise, Forecast, PromiseSource } from '../domain/promise.js';

export type { CasePromise, PromiseSource } from '../domain/promise.js';

/** The first promise of a new case; null when there is neither a forecast nor an SLA deadline. */
export function firstPromise(slaDueAt: string | null, forecast: Forecast | null, now: Date): CasePromise | null {
  if (forecast) return { seq: 1, at: forecast.dueAt, start: now.toISOString(), source: 'forecast', slaDueAt, forecast, firstAt: forecast.dueAt };
  if (slaDueAt) return { seq: 1, at: slaDueAt, start: now.toISOString(), source: 'sla', slaDueAt, forecast: null, firstAt: slaDueAt };
  return null;
}

/** The promise after `previous` (null for a case that had none) moved to `at`. */
export function nextPromise(previous: CasePromise | null, at: string, source: PromiseSource, now: Date, extra: { readonly forecast?: Forecast | null; readonly by?: string; readonly slaDueAt?: string | null } = {}): CasePromise {
  return {
    seq: (previous?.seq ?? 0) + 1,
    at,
    start: now.toISOString(),
    source,
    slaDueAt: extra.slaDueAt !== undefined ? extra.slaDueAt : (previous?.slaDueAt ?? null),
    // The original forecast stays with the case: calibration is measured against it.
    forecast: extra.forecast !== undefined ? extra.forecast : (previous?.forecast ?? null),
    ...(extra.by ? { by: extra.by } : {}),
    firstAt: previous?.firstAt ?? previous?.at ?? at,
  };
}

const SCOPE_WORDS: Readonly<Record<Forecast['scope'], string>> = {
  'category-priority': 'of the same category and priority',
  category: 'of the same category',
  desk: 'of the desk',
};

/**
 * One English sentence for `cases show`, `classify` and `preview`:
 * "80 % of 43 comparable cases (of the same category) were resolved within 11 hrs of business time; 6 open cases ahead (usually 2), +3 hrs".
 */
export function explainForecast(f: Forecast, language: Language = 'en'): string {
  const pct = `${Math.round(f.quantile * 100)} %`;
  const load = f.ahead === 0 ? 'no open cases ahead' : `${f.ahead} open case${f.ahead === 1 ? '' : 's'} ahead (usually ${f.usualAhead})${f.loadMinutes > 0 ? `, +${formatDuration(f.loadMinutes, language)}` : ''}`;
  return `${pct} of ${f.comparable} comparable cases (${SCOPE_WORDS[f.scope]}) were resolved within ${formatDuration(f.quantileMinutes, language)} of business time; ${load}`;
}

/** Why a case has the promise it has, for people reading `cases show`. */
export function explainPromise(p: CasePromise): string {
  switch (p.source) {
    case 'forecast':
      return p.forecast ? `forecast from history: ${explainForecast(p.forecast)}` : 'forecast from history';
    case 'sla':
      return 'the SLA policy\'s deadline (too little history for a forecast)';
    case 'eta':
      return `set by ${p.by ?? 'an agent'} with #eta`;
    case 'update':
      return p.forecast ? `updated before the previous promise was missed: ${explainForecast(p.forecast)}` : 'updated before the previous promise was missed';
  }
}
