import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  addBusinessMinutes,
  businessMinutesBetween,
  createCalendar,
  dueAt,
  elapsedBusinessMinutes,
  thresholdAt,
} from '../../../src/sla/index.js';
import type { SlaPause } from '../../../src/sla/index.js';

const ZONE = 'Europe/Madrid';
const at = (iso: string) => DateTime.fromISO(iso, { zone: ZONE }).toJSDate();
const local = (d: Date | null) => (d ? DateTime.fromJSDate(d, { zone: ZONE }).toISO({ suppressMilliseconds: true }) : null);
const hours = ['09:00-13:00', '14:00-18:00'];
const cal = createCalendar({
  id: 'madrid',
  timezone: ZONE,
  hours: { mon: hours, tue: hours, wed: hours, thu: hours, fri: hours },
  holidays: { country: 'ES', region: 'MD' },
});

const START = '2026-11-23T10:00'; // Monday
const TARGET = 480;
const UNPAUSED_DUE = '2026-11-24T10:00:00+01:00';

describe('dueAt', () => {
  it('without pauses equals addBusinessMinutes', () => {
    const due = dueAt(cal, { start: at(START), targetMinutes: TARGET, pauses: [] });
    expect(local(due)).toBe(UNPAUSED_DUE);
    expect(due).toEqual(addBusinessMinutes(cal, at(START), TARGET));
  });

  // Waiting on the requester: the due time moves by exactly the business time spent paused.
  it.each<[string, [string, string][], number]>([
    ['an hour in the morning', [['2026-11-23T11:00', '2026-11-23T12:00']], 60],
    ['across lunch (only business time counts)', [['2026-11-23T12:30', '2026-11-23T14:30']], 60],
    ['overnight', [['2026-11-23T17:00', '2026-11-24T09:30']], 90],
    ['two separate pauses', [['2026-11-23T11:00', '2026-11-23T11:15'], ['2026-11-23T15:00', '2026-11-23T15:45']], 60],
    ['overlapping pauses are not counted twice', [['2026-11-23T11:00', '2026-11-23T12:00'], ['2026-11-23T11:30', '2026-11-23T12:30']], 90],
    ['a pause that began before the clock only counts from start', [['2026-11-23T08:00', '2026-11-23T11:00']], 60],
    ['a pause over a closed weekend moves nothing', [['2026-11-21T09:00', '2026-11-22T20:00']], 0],
    ['a pause lasting past the original due time', [['2026-11-23T16:00', '2026-11-24T12:00']], 300],
  ])('%s', (_name, spans, pausedMinutes) => {
    const pauses: SlaPause[] = spans.map(([from, to]) => ({ from: at(from), to: at(to) }));
    const due = dueAt(cal, { start: at(START), targetMinutes: TARGET, pauses })!;
    const pausedBusiness = pauses.reduce(
      (sum, p) => sum + businessMinutesBetween(cal, Math.max(+p.from, +at(START)), Math.max(+p.to!, +at(START))),
      0,
    );
    expect(businessMinutesBetween(cal, at(UNPAUSED_DUE), due)).toBe(pausedMinutes);
    if (spans.length === 1) expect(pausedMinutes).toBe(pausedBusiness);
    expect(elapsedBusinessMinutes(cal, { start: at(START), targetMinutes: TARGET, pauses }, due)).toBe(TARGET);
  });

  it('is null while paused with no end', () => {
    const clock = { start: at(START), targetMinutes: TARGET, pauses: [{ from: at('2026-11-23T15:00'), to: null }] };
    expect(dueAt(cal, clock)).toBeNull();
    expect(thresholdAt(cal, clock, 0.75)).toBeNull();
    expect(elapsedBusinessMinutes(cal, clock, at('2026-11-30T12:00'))).toBe(240);
  });

  it('keeps a due time that passed before an open pause began (already breached)', () => {
    const clock = { start: at(START), targetMinutes: 60, pauses: [{ from: at('2026-11-23T15:00'), to: null }] };
    expect(local(dueAt(cal, clock))).toBe('2026-11-23T11:00:00+01:00');
    expect(local(thresholdAt(cal, clock, 2))).toBe('2026-11-23T12:00:00+01:00');
  });

  it('rejects a pause that ends before it starts', () => {
    const clock = { start: at(START), targetMinutes: 60, pauses: [{ from: at('2026-11-23T15:00'), to: at('2026-11-23T14:00') }] };
    expect(() => dueAt(cal, clock)).toThrow(expect.objectContaining({ code: 'SLA_INVALID_ARGUMENT' }));
  });
});

describe('thresholdAt', () => {
  // Friday 16:30, target 4 business hours on 09:00–13:00/14:00–18:00.
  const clock = { start: at('2026-11-20T16:30'), targetMinutes: 240, pauses: [] };
  it.each([
    [0, '2026-11-20T16:30:00+01:00'],
    [0.5, '2026-11-23T09:30:00+01:00'],
    [0.75, '2026-11-23T10:30:00+01:00'],
    [1, '2026-11-23T11:30:00+01:00'],
    [1.5, '2026-11-23T14:30:00+01:00'],
  ])('fraction %s', (fraction, expected) => {
    expect(local(thresholdAt(cal, clock, fraction))).toBe(expected);
  });

  it('rejects a negative fraction', () => {
    expect(() => thresholdAt(cal, clock, -0.1)).toThrow(/fraction/);
  });
});

describe('elapsedBusinessMinutes', () => {
  const clock = {
    start: at('2026-11-20T16:30'),
    targetMinutes: 240,
    pauses: [{ from: at('2026-11-23T09:00'), to: at('2026-11-23T10:00') }],
  };
  it.each([
    ['before start', '2026-11-20T12:00', 0],
    ['at closing on Friday', '2026-11-20T18:00', 90],
    ['over the weekend', '2026-11-22T12:00', 90],
    ['inside the pause', '2026-11-23T09:30', 90],
    ['after the pause', '2026-11-23T10:30', 120],
  ])('%s', (_name, when, minutes) => {
    expect(elapsedBusinessMinutes(cal, clock, at(when))).toBe(minutes);
  });
});
