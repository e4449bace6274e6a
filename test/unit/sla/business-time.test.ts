import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { addBusinessMinutes, businessMinutesBetween, createCalendar, isOpen, nextOpening } from '../../../src/sla/index.js';
import type { CalendarSpecInput } from '../../../src/sla/index.js';

const MADRID = 'Europe/Madrid';
const ROME = 'Europe/Rome';
const weekdays = (...hours: string[]) => ({ mon: hours, tue: hours, wed: hours, thu: hours, fri: hours });

/** Local wall time in `zone` → Date; expectations are written back as local ISO with offset. */
const at = (iso: string, zone = MADRID) => DateTime.fromISO(iso, { zone }).toJSDate();
const local = (d: Date, zone = MADRID) => DateTime.fromJSDate(d, { zone }).toISO({ suppressMilliseconds: true });

const nineToFive = createCalendar({ id: 'madrid-9-17', timezone: MADRID, hours: weekdays('09:00-17:00') });
const split = createCalendar({ id: 'madrid-split', timezone: MADRID, hours: weekdays('09:00-13:00', '14:00-18:00') });

describe('addBusinessMinutes on 09:00–17:00', () => {
  it.each([
    ['Friday 16:30 + 4 h is Monday 12:30', '2026-11-20T16:30', 240, '2026-11-23T12:30:00+01:00'],
    ['Saturday arrival starts Monday 09:00', '2026-11-21T11:00', 60, '2026-11-23T10:00:00+01:00'],
    ['a budget ending at closing stays at closing', '2026-11-24T13:00', 240, '2026-11-24T17:00:00+01:00'],
    ['one minute more rolls to the next day', '2026-11-24T13:00', 241, '2026-11-25T09:01:00+01:00'],
    ['a whole business week', '2026-11-23T09:00', 5 * 480, '2026-11-27T17:00:00+01:00'],
    ['zero minutes is the instant itself, even when closed', '2026-11-21T11:00', 0, '2026-11-21T11:00:00+01:00'],
  ])('%s', (_name, start, minutes, expected) => {
    expect(local(addBusinessMinutes(nineToFive, at(start), minutes))).toBe(expected);
  });

  it('accepts epoch milliseconds and fractional minutes', () => {
    const due = addBusinessMinutes(nineToFive, at('2026-11-24T09:00').getTime(), 1.5);
    expect(local(due)).toBe('2026-11-24T09:01:30+01:00');
  });

  it('rejects negative budgets and invalid instants', () => {
    expect(() => addBusinessMinutes(nineToFive, at('2026-11-24T09:00'), -1)).toThrow(/≥ 0/);
    expect(() => addBusinessMinutes(nineToFive, new Date('nope'), 10)).toThrow(/not a valid instant/);
  });
});

describe('two intervals a day (09:00–13:00, 14:00–18:00)', () => {
  it.each([
    ['arrival in the lunch gap', '2026-11-24T13:30', 60, '2026-11-24T15:00:00+01:00', false, '2026-11-24T14:00:00+01:00'],
    ['arrival at 00:00', '2026-11-24T00:00', 60, '2026-11-24T10:00:00+01:00', false, '2026-11-24T09:00:00+01:00'],
    ['arrival exactly at closing', '2026-11-24T18:00', 60, '2026-11-25T10:00:00+01:00', false, '2026-11-25T09:00:00+01:00'],
    ['arrival exactly at the lunch closing', '2026-11-24T13:00', 30, '2026-11-24T14:30:00+01:00', false, '2026-11-24T14:00:00+01:00'],
    ['arrival exactly at opening', '2026-11-24T09:00', 30, '2026-11-24T09:30:00+01:00', true, '2026-11-24T09:00:00+01:00'],
    ['work spanning lunch', '2026-11-24T12:30', 60, '2026-11-24T14:30:00+01:00', true, '2026-11-24T12:30:00+01:00'],
    ['budget ending at the lunch closing', '2026-11-24T12:00', 60, '2026-11-24T13:00:00+01:00', true, '2026-11-24T12:00:00+01:00'],
    ['Friday evening to Monday', '2026-11-27T17:45', 30, '2026-11-30T09:15:00+01:00', true, '2026-11-27T17:45:00+01:00'],
  ])('%s', (_name, start, minutes, due, open, opening) => {
    expect(local(addBusinessMinutes(split, at(start), minutes))).toBe(due);
    expect(isOpen(split, at(start))).toBe(open);
    expect(local(nextOpening(split, at(start)))).toBe(opening);
  });

  it.each([
    ['a whole working day', '2026-11-24T00:00', '2026-11-25T00:00', 480],
    ['the lunch gap counts nothing', '2026-11-24T13:00', '2026-11-24T14:00', 0],
    ['a weekend counts nothing', '2026-11-28T00:00', '2026-11-30T00:00', 0],
    ['seconds give fractions', '2026-11-24T09:00:00', '2026-11-24T09:00:30', 0.5],
    ['reversed arguments are negative', '2026-11-25T00:00', '2026-11-24T00:00', -480],
  ])('businessMinutesBetween: %s', (_name, a, b, minutes) => {
    expect(businessMinutesBetween(split, at(a), at(b))).toBe(minutes);
  });

  it('addBusinessMinutes and businessMinutesBetween are inverse over a month of starts', () => {
    for (let h = 0; h < 24 * 30; h += 7) {
      const start = at('2026-11-01T00:00').getTime() + h * 3_600_000;
      const due = addBusinessMinutes(split, start, 613);
      expect(businessMinutesBetween(split, start, due)).toBe(613);
    }
  });
});

describe('holidays', () => {
  const es = createCalendar({ id: 'es', timezone: MADRID, hours: weekdays('09:00-17:00'), holidays: { country: 'ES' } });
  const it_ = createCalendar({ id: 'it', timezone: ROME, hours: weekdays('09:00-17:00'), holidays: { country: 'IT' } });
  const region = (country: string, r: string, city?: string, zone = MADRID) =>
    createCalendar({ id: `${country}-${r}`, timezone: zone, hours: weekdays('09:00-17:00'), holidays: { country, region: r, city } });
  const md = region('ES', 'MD');
  const ct = region('ES', 'CT');
  const itNational = createCalendar({ id: 'it', timezone: ROME, hours: weekdays('09:00-17:00'), holidays: { country: 'IT' } });
  const rome = region('IT', '62', 'RM', ROME);
  const milan = region('IT', '25', 'MI', ROME);

  it.each([
    ['ES skips 8 December (Tue)', es, '2026-12-07T16:00', '2026-12-09T10:00:00+01:00'],
    ['IT skips 8 December (Tue)', it_, '2026-12-07T16:00', '2026-12-09T10:00:00+01:00'],
    ['ES skips 6 January (Tue)', es, '2026-01-05T16:00', '2026-01-07T10:00:00+01:00'],
    ['IT skips 6 January (Tue)', it_, '2026-01-05T16:00', '2026-01-07T10:00:00+01:00'],
    ['ES-MD skips 1 and 2 May 2025', md, '2025-04-30T16:00', '2025-05-05T10:00:00+02:00'],
    ['ES-CT skips only 1 May 2025', ct, '2025-04-30T16:00', '2025-05-02T10:00:00+02:00'],
    ['ES-CT skips 11 September 2025', ct, '2025-09-10T16:00', '2025-09-12T10:00:00+02:00'],
    ['ES-MD works on 11 September 2025', md, '2025-09-10T16:00', '2025-09-11T10:00:00+02:00'],
    ['ES-MD skips Jueves and Viernes Santo 2026', md, '2026-04-01T16:00', '2026-04-06T10:00:00+02:00'],
    ['ES-CT works on Jueves Santo (only an observance there)', ct, '2026-04-01T16:00', '2026-04-02T10:00:00+02:00'],
    ['IT-62-RM skips 29 June (Rome)', rome, '2026-06-26T16:00', '2026-06-30T10:00:00+02:00'],
    ['IT national works on 29 June', itNational, '2026-06-26T16:00', '2026-06-29T10:00:00+02:00'],
    ['IT-25-MI skips Sant’Ambrogio and 8 December', milan, '2026-12-04T16:00', '2026-12-09T10:00:00+01:00'],
  ])('%s', (_name, cal, start, expected) => {
    const zone = cal.timezone;
    expect(local(addBusinessMinutes(cal, at(start, zone), 120), zone)).toBe(expected);
  });

  it('observance days (ES-CT San José, 19 March) are working days', () => {
    expect(isOpen(ct, at('2026-03-19T10:00'))).toBe(true);
  });

  it('extra holidays close a day; extra working days open one', () => {
    const spec: CalendarSpecInput = {
      id: 'es-extra',
      timezone: MADRID,
      hours: weekdays('09:00-17:00'),
      holidays: { country: 'ES' },
      extraHolidays: ['2026-12-24'],
      extraWorkingDays: ['2026-12-08', { date: '2026-12-05', hours: ['10:00-12:00'] }],
    };
    const cal = createCalendar(spec);
    expect(isOpen(cal, at('2026-12-24T10:00'))).toBe(false);
    expect(local(addBusinessMinutes(cal, at('2026-12-23T16:00'), 120))).toBe('2026-12-28T10:00:00+01:00');
    expect(isOpen(cal, at('2026-12-08T10:00'))).toBe(true);
    expect(local(nextOpening(cal, at('2026-12-04T18:00')))).toBe('2026-12-05T10:00:00+01:00');
    expect(businessMinutesBetween(cal, at('2026-12-05T00:00'), at('2026-12-06T00:00'))).toBe(120);
  });
});

describe('daylight-saving weekends', () => {
  const rome = createCalendar({ id: 'rome', timezone: ROME, hours: weekdays('09:00-17:00') });
  const withSunday = (zone: string, sun: string[]) =>
    createCalendar({ id: 'sun', timezone: zone, hours: { ...weekdays('09:00-17:00'), sun } });

  it.each([
    ['Madrid spring: Fri 16:30 + 8 h', nineToFive, '2026-03-27T16:30', 480, '2026-03-30T16:30:00+02:00'],
    ['Madrid autumn: Fri 16:30 + 8 h', nineToFive, '2026-10-23T16:30', 480, '2026-10-26T16:30:00+01:00'],
    ['Rome spring: Fri 16:00 + 2 h', rome, '2026-03-27T16:00', 120, '2026-03-30T10:00:00+02:00'],
    ['Rome autumn: Fri 16:00 + 2 h', rome, '2026-10-23T16:00', 120, '2026-10-26T10:00:00+01:00'],
  ])('%s', (_name, cal, start, minutes, expected) => {
    const zone = cal.timezone;
    const due = addBusinessMinutes(cal, at(start, zone), minutes);
    expect(local(due, zone)).toBe(expected);
    expect(businessMinutesBetween(cal, at(start, zone), due)).toBe(minutes);
  });

  it.each([
    ['Madrid spring Sunday lasts 23 h', MADRID, '2026-03-29', ['00:00-24:00'], 23 * 60],
    ['Madrid autumn Sunday lasts 25 h', MADRID, '2026-10-25', ['00:00-24:00'], 25 * 60],
    ['Rome spring Sunday lasts 23 h', ROME, '2026-03-29', ['00:00-24:00'], 23 * 60],
    ['Rome autumn Sunday lasts 25 h', ROME, '2026-10-25', ['00:00-24:00'], 25 * 60],
    ['01:00–04:00 loses the skipped hour', MADRID, '2026-03-29', ['01:00-04:00'], 120],
    ['01:00–04:00 gains the repeated hour', MADRID, '2026-10-25', ['01:00-04:00'], 240],
    ['an opening inside the gap opens at the jump', MADRID, '2026-03-29', ['02:30-05:00'], 120],
    ['a closing inside the gap closes at the jump', MADRID, '2026-03-29', ['00:00-02:30'], 120],
    ['daytime Sunday hours are unaffected', ROME, '2026-03-29', ['10:00-14:00'], 240],
  ])('%s', (_name, zone, day, sun, minutes) => {
    const cal = withSunday(zone, sun);
    const from = at(`${day}T00:00`, zone);
    const to = at(`${day}T00:00`, zone).getTime() + 30 * 3_600_000; // well past the Sunday, before Monday 09:00
    expect(businessMinutesBetween(cal, from, to)).toBe(minutes);
  });

  it('Sunday hours on the spring-forward Sunday', () => {
    const cal = withSunday(MADRID, ['10:00-14:00']);
    expect(local(addBusinessMinutes(cal, at('2026-03-29T01:00'), 60))).toBe('2026-03-29T11:00:00+02:00');
    expect(local(nextOpening(withSunday(MADRID, ['02:30-05:00']), at('2026-03-28T23:00')))).toBe('2026-03-29T03:00:00+02:00');
    expect(isOpen(withSunday(MADRID, ['02:30-05:00']), at('2026-03-29T03:10'))).toBe(true);
  });
});

describe('a calendar that never opens', () => {
  it('fails instead of walking for ever', () => {
    const cal = createCalendar({
      id: 'shut',
      timezone: MADRID,
      hours: { mon: ['09:00-10:00'] },
      extraHolidays: Array.from({ length: 60 }, (_, i) =>
        DateTime.fromISO('2026-01-05', { zone: MADRID }).plus({ weeks: i }).toISODate()!,
      ),
    });
    expect(() => addBusinessMinutes(cal, at('2026-01-01T00:00'), 10)).toThrow(
      expect.objectContaining({ code: 'SLA_CALENDAR_NEVER_OPEN' }),
    );
  });
});
