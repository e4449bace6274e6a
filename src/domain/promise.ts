// What a case is promised, as plain records: the resolution date told to the requester and the forecast
// behind it (the history it is drawn from is HistoryCase in case.ts). src/forecast decides with them;
// stores keep them. Imports nothing.

export type ForecastScope = 'category-priority' | 'category' | 'desk';

export interface Forecast {
  /** When the case is expected to be resolved (ISO). */
  readonly dueAt: string;
  /** Business minutes from now to dueAt: the quantile plus the load. */
  readonly minutes: number;
  readonly quantile: number;
  /** The quantile of the comparable cases' resolution, business minutes. */
  readonly quantileMinutes: number;
  readonly comparable: number;
  readonly scope: ForecastScope;
  /** Open cases of the same category, opened before now and not waiting on their requester. */
  readonly ahead: number;
  /** How many were usually open when a past case of that category arrived (median). */
  readonly usualAhead: number;
  /** Business minutes added for the cases ahead beyond the usual queue. */
  readonly loadMinutes: number;
}

export type PromiseSource = 'sla' | 'forecast' | 'eta' | 'update';

export interface CasePromise {
  /** 1 for the first promise; each new date adds one. */
  readonly seq: number;
  /** The resolution date told to the requester (ISO). */
  readonly at: string;
  /** When this promise was made (ISO): the share of promised time is counted from here. */
  readonly start: string;
  readonly source: PromiseSource;
  /** The SLA policy's deadline at the time, kept beside the promise. */
  readonly slaDueAt: string | null;
  /** The evidence behind a forecast promise (or behind the update's new date). */
  readonly forecast: Forecast | null;
  /** Who set it with #eta. */
  readonly by?: string;
  /** The first date the case was promised: "promise kept" is measured against it, not against a later one. */
  readonly firstAt?: string;
}
