import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  addBusinessMinutes,
  businessMinutesBetween,
  createCalendar,
  dueAt,
  isOpen,
  nextOpening,
  onCallCalendar,
} from '../../../src/sla/index.js';

const ZONE = 'Europe/Rome';
const at = (iso: string) => DateTime.fromISO(iso, { zone: ZONE }).toJSDate();
const local = (d: Date) => DateTime.fromJSDate(d, { zone: ZONE }).toISO({ suppressMilliseconds: true });
const day = ['09:00-13:00', '14:00-18:00'];
const evening = ['18:00-24:00', '00:00-09:00'];
const weekdays = { mon: day, tue: day, wed: day, thu: day, fri: day };

const cal = createCalendar({
  id: 'rome',
  timezone: ZONE,
  hours: weekdays,
  holidays: { country: 'IT', region: '62', city: 'RM' },
  onCall: {
    hours: {
      ...{ mon: evening, tue: evening, wed: evening, thu: evening, fri: evening },
      ...{ sat: ['00:00-24:00'], sun: ['00:00-24:00'] },
    },
    phone: '+39 06 000000',
  },
});

describe('createCalendar', () => {
  it('keeps id, zone and on-call contact', () => {
    expect(cal.id).toBe('rome');
    expect(cal.timezone).toBe(ZONE);
    expect(cal.onCall).toEqual({ address: null, phone: '+39 06 000000' });
  });

  it('intervals given out of order are sorted', () => {
    const shuffled = createCalendar({ id: 's', timezone: ZONE, hours: { mon: ['14:00-18:00', '09:00-13:00'] } });
    expect(local(nextOpening(shuffled, at('2026-11-23T00:00')))).toBe('2026-11-23T09:00:00+01:00');
  });
});

describe('onCallCalendar', () => {
  const onCall = onCallCalendar(cal)!;

  it.each([
    ['weekday lunch gap is neither', '2026-11-24T13:30', false, false],
    ['weekday office hours', '2026-11-24T10:00', true, false],
    ['weekday night', '2026-11-24T23:00', false, true],
    ['Saturday', '2026-11-28T12:00', false, true],
    ['Rome holiday 29 June (Mon): on call covers it', '2026-06-29T10:00', false, false],
  ])('%s', (_name, when, office, rota) => {
    expect(isOpen(cal, at(when))).toBe(office);
    expect(isOpen(onCall, at(when))).toBe(rota);
  });

  it('runs across midnight as one stretch', () => {
    expect(local(addBusinessMinutes(onCall, at('2026-11-24T23:30'), 60))).toBe('2026-11-25T00:30:00+01:00');
    expect(businessMinutesBetween(onCall, at('2026-11-27T18:00'), at('2026-11-30T09:00'))).toBe(63 * 60);
  });

  it('is null without on-call hours', () => {
    expect(onCallCalendar(createCalendar({ id: 'x', timezone: ZONE, hours: { mon: day } }))).toBeNull();
    expect(onCallCalendar(createCalendar({ id: 'x', timezone: ZONE, hours: { mon: day }, onCall: { phone: '1' } }))).toBeNull();
  });
});

describe('memoised days', () => {
  it('give the same answers cold and warm, across calendars built from one spec', () => {
    const spec = { id: 'm', timezone: 'Europe/Madrid', hours: weekdays, holidays: { country: 'ES', region: 'MD' } };
    const warm = createCalendar(spec);
    const starts = Array.from({ length: 200 }, (_, i) => Date.UTC(2026, 0, 1) + i * 37 * 3_600_000);
    const first = starts.map((s) => dueAt(warm, { start: s, targetMinutes: 240 })!.getTime());
    const second = starts.map((s) => dueAt(warm, { start: s, targetMinutes: 240 })!.getTime());
    const cold = starts.map((s) => dueAt(createCalendar(spec), { start: s, targetMinutes: 240 })!.getTime());
    expect(second).toEqual(first);
    expect(cold).toEqual(first);
  });

  // Bench-like: reports the cost of a due-time computation after warm-up; timing is printed, never asserted.
  it('due-time computation cost (reported)', () => {
    const warm = createCalendar({ id: 'b', timezone: 'Europe/Madrid', hours: weekdays, holidays: { country: 'ES' } });
    const base = Date.UTC(2026, 10, 20, 15, 30);
    const runs = 20_000;
    let last = 0;
    for (let i = 0; i < 2_000; i++) last = dueAt(warm, { start: base + (i % 500) * 60_000, targetMinutes: 240, pauses: [] })!.getTime();
    const t0 = performance.now();
    for (let i = 0; i < runs; i++) last = dueAt(warm, { start: base + (i % 500) * 60_000, targetMinutes: 240, pauses: [] })!.getTime();
    const micros = ((performance.now() - t0) * 1000) / runs;
    console.info(`sla bench: dueAt 4 business hours, warm: ${micros.toFixed(1)} µs/call`);
    expect(last).toBe(addBusinessMinutes(warm, base + (19_999 % 500) * 60_000, 240).getTime());
  });
});
