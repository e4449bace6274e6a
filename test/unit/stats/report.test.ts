// Desk figures from recorded cases: medians and p90 of first response and resolution, promises kept,
// ratings, and the weekday × hour heat-map in the desk's time zone (DST-aware through Intl).

import { describe, expect, it } from 'vitest';
import { deskStats, quantile, type StatsCase } from '../../../src/stats/report.js';
import { createCalendar } from '../../../src/sla/index.js';

const base: StatsCase = { id: 'IT-1', desk: 'IT', status: 'resolved', category: 'access', createdAt: '', firstResponseAt: null, resolvedAt: null, dueAt: null, firstResponseDueAt: null, rating: null };
const c = (over: Partial<StatsCase>): StatsCase => ({ ...base, ...over });

describe('quantile', () => {
  it.each([
    [[], 0.5, null],
    [[10], 0.5, 10],
    [[10, 20], 0.5, 15],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9, 9.1],
  ] as const)('%j at %d is %d', (xs, q, expected) => {
    const got = quantile(xs, q);
    if (expected === null) expect(got).toBeNull();
    else expect(got).toBeCloseTo(expected, 6);
  });
});

describe('deskStats', () => {
  const calendar = createCalendar({ id: 'IT', timezone: 'Europe/Madrid', hours: { mon: ['09:00-17:00'], tue: ['09:00-17:00'], wed: ['09:00-17:00'], thu: ['09:00-17:00'], fri: ['09:00-17:00'] } });
  const cases = [
    // Friday 16:00 → Monday 10:00 local: 2 business hours, 66 wall-clock hours.
    c({ id: 'IT-1', createdAt: '2026-11-20T15:00:00Z', firstResponseAt: '2026-11-23T09:00:00Z', firstResponseDueAt: '2026-11-23T10:00:00Z', resolvedAt: '2026-11-23T12:00:00Z', dueAt: '2026-11-23T11:00:00Z', rating: 5 }),
    c({ id: 'IT-2', category: 'hardware', createdAt: '2026-11-23T09:00:00Z', firstResponseAt: '2026-11-23T09:30:00Z', firstResponseDueAt: '2026-11-23T13:00:00Z', resolvedAt: '2026-11-23T10:00:00Z', dueAt: '2026-11-23T16:00:00Z', rating: 3 }),
    c({ id: 'IT-3', status: 'open', createdAt: '2026-11-24T08:00:00Z' }),
    c({ id: 'HR-1', desk: 'HR', createdAt: '2026-11-24T08:00:00Z' }),
  ];
  const s = deskStats('IT', cases, ['2026-11-23T09:10:00Z', '2026-11-23T09:40:00Z', '2026-11-24T08:05:00Z', '2026-07-06T08:00:00Z'], calendar, 'Europe/Madrid');

  it('counts only its own desk', () => {
    expect(s).toMatchObject({ opened: 3, resolved: 2, backlog: 1, byCategory: { access: 2, hardware: 1 } });
  });

  it('reports first response and resolution in wall-clock and business time', () => {
    expect(s.firstResponse).toMatchObject({ count: 2, medianMinutes: (3960 + 30) / 2, medianBusinessMinutes: (120 + 30) / 2 });
    expect(s.resolution.count).toBe(2);
  });

  it('reports promises kept and satisfaction', () => {
    expect(s.firstResponseOnTime).toBe(1);
    expect(s.resolvedOnTime).toBe(0.5);
    expect(s.rating).toEqual({ count: 2, average: 4 });
  });

  it('places requester mails in the desk time zone, summer and winter', () => {
    // Two Monday mails at 10:xx CET (09:xxZ) and 6 July 08:00Z, which is Monday 10:00 CEST.
    expect(s.peakHours[0]![10]).toBe(3);
    expect(s.peakHours[1]![9]).toBe(1); // Tuesday 09:05 CET
    expect(s.peakHours.flat().reduce((a, b) => a + b, 0)).toBe(4);
    expect(s.busiest).toEqual({ weekday: 0, hour: 10, mails: 3 });
  });
});

describe('deskStats: incidents', () => {
  const cases = [
    c({ id: 'IT-3', kind: 'incident', createdAt: '2026-11-24T09:00:00Z', resolvedAt: '2026-11-24T11:00:00Z' }),
    c({ id: 'IT-9', kind: 'incident', status: 'open', createdAt: '2026-11-25T09:00:00Z' }),
    ...['IT-1', 'IT-2', 'IT-4', 'IT-5'].map((id) => c({ id, incident: 'IT-3', createdAt: '2026-11-24T09:00:00Z', resolvedAt: '2026-11-24T11:00:00Z' })),
    ...['IT-7', 'IT-8'].map((id) => c({ id, status: 'open', incident: 'IT-9', createdAt: '2026-11-25T09:00:00Z' })),
    c({ id: 'IT-6', status: 'open', createdAt: '2026-11-24T10:00:00Z' }),
  ];
  const s = deskStats('IT', cases, [], null, 'UTC');

  it('counts incidents apart from requests, with their size and time to resolve', () => {
    expect(s.opened).toBe(7);
    expect(s.incidents).toMatchObject({ count: 2, members: 6, medianSize: 3, largest: 4, resolution: { count: 1, medianMinutes: 120 } });
  });
});
