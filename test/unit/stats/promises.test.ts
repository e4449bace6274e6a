// Promise figures from recorded cases: kept against the first date told (a later update does not make a
// missed promise kept), calibration against the forecast date, reopen rate, backlog ages, weekly counts, CSV.

import { describe, expect, it } from 'vitest';
import { categoryStats, csv, histogram, AGE_BUCKETS, promisesPerWeek, type PromiseStatsCase } from '../../../src/stats/promises.js';
import type { CasePromise } from '../../../src/forecast/promise.js';

const NOW = new Date('2026-11-27T16:00:00Z');
const promise = (at: string, over: Partial<CasePromise> = {}): CasePromise => ({ seq: 1, at, start: '2026-11-23T09:00:00Z', source: 'sla', slaDueAt: at, forecast: null, firstAt: at, ...over });
const forecast = (dueAt: string) => ({ dueAt, minutes: 0, quantile: 0.8, quantileMinutes: 0, comparable: 20, scope: 'category' as const, ahead: 0, usualAhead: 0, loadMinutes: 0 });
const kase = (over: Partial<PromiseStatsCase>): PromiseStatsCase => ({
  id: 'IT-1', desk: 'IT', status: 'resolved', category: 'hardware', createdAt: '2026-11-23T09:00:00Z', firstResponseAt: null, resolvedAt: null, dueAt: null, firstResponseDueAt: null, rating: null, promise: null, reopened: 0, ...over,
});

const cases = [
  // Kept: resolved before the first date.
  kase({ id: 'IT-1', resolvedAt: '2026-11-24T10:00:00Z', promise: promise('2026-11-24T12:00:00Z', { source: 'forecast', forecast: forecast('2026-11-24T12:00:00Z') }), rating: 5, firstResponseAt: '2026-11-23T10:00:00Z' }),
  // Missed, though a later update moved the promise past the resolution.
  kase({ id: 'IT-2', resolvedAt: '2026-11-26T10:00:00Z', promise: promise('2026-11-27T12:00:00Z', { seq: 2, source: 'update', firstAt: '2026-11-25T12:00:00Z', forecast: forecast('2026-11-25T12:00:00Z') }), reopened: 1, rating: 3 }),
  // No promise recorded (older case): its SLA due time counts.
  kase({ id: 'IT-3', category: 'network', resolvedAt: '2026-11-24T10:00:00Z', dueAt: '2026-11-24T09:00:00Z' }),
  kase({ id: 'IT-4', status: 'open', createdAt: '2026-11-20T16:00:00Z' }),
  kase({ id: 'HR-1', desk: 'HR' }),
];

describe('categoryStats', () => {
  const [all, hardware, network] = categoryStats('IT', cases, null, NOW);
  it('the desk row comes first, then categories by volume', () => {
    expect([all!.category, hardware!.category, network!.category]).toEqual(['*', 'hardware', 'network']);
  });
  it('measures promises against the first date told', () => {
    expect(all).toMatchObject({ opened: 4, resolved: 3, promised: 3, promisesKept: 1 / 3 });
    expect(hardware).toMatchObject({ promisesKept: 0.5, forecasts: 2, calibration: 0.5, quantileAsked: 0.8 });
  });
  it('reopen rate, backlog age and satisfaction', () => {
    expect(hardware).toMatchObject({ reopenRate: 0.5, backlog: 1, backlogOldestMinutes: 7 * 1440, ratings: 2, satisfaction: 4 });
    expect(network).toMatchObject({ reopenRate: 0, backlog: 0, backlogOldestMinutes: null, satisfaction: null });
  });
});

describe('promisesPerWeek and histogram', () => {
  it('counts kept and missed by ISO week of resolution', () => {
    expect(promisesPerWeek('IT', cases)).toEqual([{ week: '2026-W48', kept: 1, missed: 2 }]);
  });
  it('buckets by upper bound', () => {
    expect(histogram([10, 1440, 1441, 5000, 30_000], AGE_BUCKETS).map((b) => b.count)).toEqual([2, 1, 1, 0, 1]);
  });
});

describe('csv', () => {
  it('is RFC 4180', () => {
    expect(csv([['a', 'b'], ['x,y', 'say "hi"'], [null, 3]])).toBe('a,b\r\n"x,y","say ""hi"""\r\n,3\r\n');
  });
});
