// The rules' `forecast:` section of a desk: which quantile of past resolution times a promise uses,
// how much history it needs before it replaces the SLA policy's deadline, and when (share of the promised
// time used) the requester gets an honest update. Parsed once with zod; defaults apply when absent.
import * as z from 'zod';

export const ForecastSpec = z.strictObject({
  quantile: z.number().gt(0).lt(1).default(0.8).describe('Share of comparable past cases resolved within the promised time: 0.8 promises what 80 % achieved.'),
  minHistory: z.int().min(1).max(100_000).default(20).describe('Comparable resolved cases needed before the history decides; with fewer, the SLA policy does.'),
  preBreachShare: z.number().gt(0).lt(1).default(0.8).describe('Share of the promised business time after which an unanswered requester gets one honest update.'),
  historyDays: z.int().min(1).max(3650).default(180).describe('How far back resolved cases count as history.'),
  historyCases: z.int().min(1).max(1_000_000).default(5000).describe('At most this many of the most recently resolved cases count as history: a large desk reads and weighs a bounded, recent sample, not its whole past.'),
});

export type ForecastSettings = z.output<typeof ForecastSpec>;

export const DEFAULT_FORECAST: ForecastSettings = Object.freeze(ForecastSpec.parse({}));
