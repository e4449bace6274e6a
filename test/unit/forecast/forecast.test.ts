import { describe, expect, it } from 'vitest';

import { addBusinessMinutes, createCalendar } from '../../../src/sla/index.js';
import { openWhenArrived } from '../../../src/forecast/forecast.js';
import { comparableCases, etaInstant, explainForecast, firstPromise, forecastDigest, forecastResolution, preBreach, type CasePromise, type HistoryCase } from '../../../src/forecast/index.js';

const day = ['09:00-17:00'];
const calendar = createCalendar({ id: 'test', timezone: 'UTC', hours: { mon: day, tue: day, wed: day, thu: day, fri: day } });
const NOW = new Date('2026-12-07T09:00:00Z'); // Monday, desk opens
const BASE = new Date('2026-06-01T09:00:00Z');

/** `n` resolved cases, one opened each business hour from BASE, each taking `minutes(i)` business minutes. */
function resolved(n: number, minutes: (i: number) => number, category = 'printer', priority = 'normal', offset = 0): HistoryCase[] {
  return Array.from({ length: n }, (_, i) => {
    const created = addBusinessMinutes(calendar, BASE, (offset + i) * 60);
    return { category, priority, status: 'resolved', createdAt: created.toISOString(), resolvedAt: addBusinessMinutes(calendar, created, minutes(i)).toISOString(), pauses: [] };
  });
}
const open = (n: number, category = 'printer'): HistoryCase[] =>
  Array.from({ length: n }, (_, i) => ({ category, priority: 'normal', status: 'open', createdAt: new Date(NOW.getTime() - (i + 1) * 3_600_000).toISOString(), resolvedAt: null, pauses: [] }));

const settings = { quantile: 0.8, minHistory: 20 };
const forecast = (history: HistoryCase[], over: Partial<{ category: string; priority: string; quantile: number; minHistory: number }> = {}) =>
  forecastResolution({ calendar, settings: { ...settings, ...over }, history, category: over.category ?? 'printer', priority: over.priority ?? 'normal', now: NOW });

describe('comparableCases', () => {
  it('questions that widen to the same scope share its one list of minutes, ascending', () => {
    const history = [...resolved(3, () => 60, 'printer'), ...resolved(30, (i) => 300 - i, 'network', 'normal', 10)];
    const printer = comparableCases(calendar, history, 'printer', 'high', 20);
    const access = comparableCases(calendar, history, 'access', 'low', 20);
    expect(printer?.scope).toBe('desk');
    expect(access?.minutes).toBe(printer?.minutes);
    expect(printer?.minutes).toEqual([...printer!.minutes].sort((a, b) => a - b));
    expect(printer?.minutes).toHaveLength(33);
    expect(comparableCases(calendar, history, 'network', 'normal', 20)?.minutes).toHaveLength(30);
  });
});

describe('forecastResolution', () => {
  it.each([
    ['no history at all', null, []],
    ['one case fewer than the minimum', null, resolved(19, () => 120)],
    ['exactly the minimum', 'category-priority', resolved(20, () => 120)],
    ['too few of the priority: the category decides', 'category', [...resolved(5, () => 60, 'printer', 'high'), ...resolved(20, () => 120, 'printer', 'normal', 10)]],
    ['too few of the category: the desk decides', 'desk', [...resolved(3, () => 60, 'printer'), ...resolved(30, () => 120, 'network', 'normal', 10)]],
    ['open cases are no history', null, [...resolved(19, () => 120), ...open(5)]],
  ] as const)('%s → %s', (_name, scope, history) => {
    const f = forecast([...history], { priority: scope === 'category' ? 'high' : 'normal' });
    expect(f?.scope ?? null).toBe(scope);
  });

  it.each([
    [0.8, 972], // 60…1200 min: position 15.2 → 960 + 0.2 × 60
    [0.5, 630],
    [0.95, 1143],
  ])('honours the quantile asked for (%s → %s business minutes)', (quantile, minutes) => {
    const f = forecast(resolved(20, (i) => (i + 1) * 60), { quantile });
    expect(f!.quantileMinutes).toBe(minutes);
    expect(f!.quantile).toBe(quantile);
    expect(f!.dueAt).toBe(addBusinessMinutes(calendar, NOW, minutes).toISOString());
  });

  it('promises a slow category a later date than a quick one', () => {
    const history = [...resolved(25, () => 32 * 60, 'printer'), ...resolved(25, () => 4 * 60, 'network', 'normal', 30)];
    const slow = forecast(history, { category: 'printer' })!;
    const quick = forecast(history, { category: 'network' })!;
    expect(slow.dueAt > quick.dueAt).toBe(true);
    expect(quick.dueAt).toBe('2026-12-07T13:00:00.000Z'); // 4 business hours from Monday 09:00
    expect(slow.dueAt).toBe('2026-12-10T17:00:00.000Z'); // 32 business hours: four 8-hour days, Thursday at closing
  });

  it('adds time for open cases ahead beyond the usual queue', () => {
    const history = resolved(20, () => 120);
    const idle = forecast(history)!;
    const busy = forecast([...history, ...open(6)])!;
    expect(idle).toMatchObject({ ahead: 0, loadMinutes: 0 });
    expect(busy).toMatchObject({ ahead: 6, usualAhead: 1 });
    expect(busy.loadMinutes).toBeGreaterThan(0);
    expect(busy.dueAt > idle.dueAt).toBe(true);
    // Open cases of another category do not stand in the way.
    expect(forecast([...history, ...open(6, 'network')])!.dueAt).toBe(idle.dueAt);
  });

  it('leaves time spent waiting on the requester out of the history', () => {
    const waited = resolved(20, () => 120).map((c) => ({
      ...c,
      // An hour waiting in the middle: the desk spent two business hours, not three.
      resolvedAt: addBusinessMinutes(calendar, new Date(c.createdAt), 180).toISOString(),
      pauses: [{ from: addBusinessMinutes(calendar, new Date(c.createdAt), 60).toISOString(), to: addBusinessMinutes(calendar, new Date(c.createdAt), 120).toISOString() }],
    }));
    expect(forecast(waited)!.quantileMinutes).toBe(120);
  });

  it('explains itself in one sentence', () => {
    const f = forecast([...resolved(43, () => 660), ...open(6)])!;
    expect(explainForecast(f)).toBe(`80 % of 43 comparable cases (of the same category and priority) were resolved within 11 hrs of business time; 6 open cases ahead (usually 10)`);
    expect(f.loadMinutes).toBe(0); // 43 overlapping cases: ten open at a time was normal
  });
});

describe('firstPromise', () => {
  it.each([
    ['forecast', '2026-12-08T12:00:00.000Z'],
    ['sla', '2026-12-07T17:00:00.000Z'],
  ] as const)('the %s decides', (source, at) => {
    const f = source === 'forecast' ? forecast(resolved(20, () => 660)) : null;
    expect(firstPromise('2026-12-07T17:00:00.000Z', f, NOW)).toMatchObject({ seq: 1, source, at, slaDueAt: '2026-12-07T17:00:00.000Z', start: NOW.toISOString() });
  });
  it('is null with neither', () => expect(firstPromise(null, null, NOW)).toBeNull());
});

describe('preBreach', () => {
  // Promised Monday 09:00 → Tuesday 09:00 (8 business hours); 80 % is Monday 15:24.
  const promise: CasePromise = { seq: 1, at: '2026-12-08T09:00:00.000Z', start: NOW.toISOString(), source: 'forecast', slaDueAt: null, forecast: null };
  const base = {
    calendar, settings: { ...settings, preBreachShare: 0.8 }, promise, status: 'open' as const, pauses: [], lastAgentAt: null, alreadySent: false,
    history: resolved(20, (i) => (i + 1) * 60), category: 'printer', priority: 'normal', openedAt: NOW.toISOString(),
  };
  it.each([
    ['before the share is used', { now: new Date('2026-12-07T15:00:00Z') }, 'not-yet'],
    ['already sent for this promise', { now: new Date('2026-12-07T16:00:00Z'), alreadySent: true }, 'sent'],
    ['waiting on the requester', { now: new Date('2026-12-07T16:00:00Z'), status: 'waiting' as const }, 'not-running'],
    ['resolved', { now: new Date('2026-12-07T16:00:00Z'), status: 'resolved' as const }, 'not-running'],
    ['an agent wrote since the promise', { now: new Date('2026-12-07T16:00:00Z'), lastAgentAt: '2026-12-07T11:00:00.000Z' }, 'agent-wrote'],
    ['the desk is closed', { now: new Date('2026-12-07T20:00:00Z') }, 'desk-closed'],
  ])('not due: %s', (_name, over, reason) => {
    expect(preBreach({ ...base, ...over })).toEqual({ due: false, reason });
  });
  it('is due at the share, with a later date from the cases that took longer', () => {
    const d = preBreach({ ...base, now: new Date('2026-12-07T16:00:00Z') });
    expect(d.due).toBe(true);
    if (!d.due) return;
    expect(d.reachedAt.toISOString()).toBe('2026-12-07T15:24:00.000Z');
    expect(d.next).toMatchObject({ seq: 2, source: 'update', start: '2026-12-07T16:00:00.000Z' });
    // Of the 13 cases that took over 7 h, 80 % took up to 17.6 h: 10.6 h more from Monday 16:00.
    expect(d.next.at).toBe(addBusinessMinutes(calendar, new Date('2026-12-07T16:00:00Z'), 636).toISOString());
  });
  it('an agent answer before the promise was made does not count', () => {
    expect(preBreach({ ...base, now: new Date('2026-12-07T16:00:00Z'), lastAgentAt: '2026-12-06T11:00:00.000Z' }).due).toBe(true);
  });
  it('a pause pushes the share later', () => {
    const pauses = [{ from: '2026-12-07T10:00:00.000Z', to: '2026-12-07T12:00:00.000Z' }];
    expect(preBreach({ ...base, pauses, now: new Date('2026-12-07T16:00:00Z') })).toEqual({ due: false, reason: 'not-yet' });
  });
});

describe('etaInstant', () => {
  const monday10 = new Date('2026-12-07T10:00:00Z');
  it.each([
    ['2d from Monday 10:00 is Wednesday 10:00', { minutes: 2880 }, monday10, '2026-12-09T10:00:00.000Z'],
    ['4h of business time', { minutes: 240 }, monday10, '2026-12-07T14:00:00.000Z'],
    ['1d from Friday 10:00 skips the weekend', { minutes: 1440 }, new Date('2026-12-11T10:00:00Z'), '2026-12-14T10:00:00.000Z'],
    ['a date is the close of business', { date: '2026-12-10' }, monday10, '2026-12-10T17:00:00.000Z'],
    ['a Saturday is its last minute', { date: '2026-12-12' }, monday10, '2026-12-12T23:59:00.000Z'],
    ['a past date is now', { date: '2026-12-01' }, monday10, '2026-12-07T10:00:00.000Z'],
  ] as const)('%s', (_name, eta, now, expected) => {
    expect(etaInstant(eta, calendar, now).toISOString()).toBe(expected);
  });
});

describe('forecastDigest', () => {
  it('lists only the category whose forecast exceeds its SLA target, with its own history', () => {
    const history = [...resolved(25, () => 32 * 60, 'printer'), ...resolved(25, () => 4 * 60, 'network', 'normal', 30), ...resolved(5, () => 99 * 60, 'access', 'normal', 60)];
    const rows = forecastDigest(calendar, settings, history, () => ({ name: 'standard', resolutionMinutes: 16 * 60 }));
    expect(rows).toEqual([{ category: 'printer', priority: 'normal', policy: 'standard', slaMinutes: 960, forecastMinutes: 1920, comparable: 25 }]);
  });
});

describe('openWhenArrived (the usual queue, by sweep)', () => {
  /** What it replaces: every pair asked, O(n²). */
  const pairwise = (same: readonly HistoryCase[]) =>
    same
      .filter((c) => c.resolvedAt)
      .map((c) => same.filter((o) => o !== c && o.createdAt < c.createdAt && (o.resolvedAt === null || o.resolvedAt > c.createdAt)).length)
      .sort((a, b) => a - b);

  it('counts, for each resolved case, the others open when it arrived — as asking every pair does, ties and odd data included', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const minute = (m: number) => new Date(Date.UTC(2026, 0, 1) + Math.floor(m) * 60_000).toISOString();
    for (let round = 0; round < 20; round++) {
      const same: HistoryCase[] = Array.from({ length: 1 + Math.floor(random() * 80) }, () => {
        const created = random() * 500;
        const r = random();
        // Mostly resolved later; some still open; a few resolved "before" they were created (bad clocks); many ties.
        const resolvedAt = r < 0.2 ? null : minute(r < 0.25 ? created - random() * 10 : created + random() * 200);
        return { category: 'x', priority: 'normal', status: resolvedAt ? 'resolved' : 'open', createdAt: minute(Math.round(created / 5) * 5), resolvedAt, pauses: [] };
      });
      const resolved = same.filter((c) => c.resolvedAt);
      expect(openWhenArrived(same, resolved)).toEqual(pairwise(same));
    }
  });
});
