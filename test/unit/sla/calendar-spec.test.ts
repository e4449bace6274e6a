import { describe, expect, it } from 'vitest';
import { calendarSpecSchema, createCalendar, parseInterval } from '../../../src/sla/index.js';
import type { CalendarSpecInput } from '../../../src/sla/index.js';
import { isSportelloError } from '../../../src/errors.js';

const base: CalendarSpecInput = { id: 'desk', timezone: 'Europe/Madrid', hours: { mon: ['09:00-17:00'] } };

function problemsOf(spec: unknown): string[] {
  try {
    createCalendar(spec as CalendarSpecInput);
  } catch (err) {
    if (isSportelloError(err, 'SLA_CALENDAR_INVALID')) return err.context.problems as string[];
    throw err;
  }
  throw new Error('spec was accepted');
}

describe('calendarSpecSchema', () => {
  it('fills defaults for a minimal spec', () => {
    const spec = calendarSpecSchema.parse(base);
    expect(spec.hours.sun).toEqual([]);
    expect(spec.extraHolidays).toEqual([]);
    expect(spec.extraWorkingDays).toEqual([]);
  });

  it.each<[string, Partial<CalendarSpecInput> | Record<string, unknown>, RegExp]>([
    ['bad zone', { timezone: 'Europe/Madird' }, /^timezone: .*IANA/],
    ['reversed interval', { hours: { mon: ['18:00-09:00'] } }, /^hours\.mon\.0: "18:00-09:00" ends before it starts/],
    ['overlapping intervals', { hours: { tue: ['09:00-13:00', '12:30-18:00'] } }, /^hours\.tue: .*overlap/],
    ['impossible time', { hours: { wed: ['09:00-25:00'] } }, /^hours\.wed\.0: .*does not exist/],
    ['not an interval', { hours: { thu: ['9-17'] } }, /^hours\.thu\.0: .*not an interval/],
    ['typo in a weekday', { hours: { mon: ['09:00-17:00'], fry: ['09:00-17:00'] } }, /fry/],
    ['no hours at all', { hours: {} }, /^hours: no weekday/],
    ['unknown country', { holidays: { country: 'XX' } }, /^holidays\.country: .*"XX"/],
    ['unknown ES region', { holidays: { country: 'ES', region: 'ZZ' } }, /^holidays\.region: .*"ZZ".*MD/],
    ['IT regions are numeric in date-holidays', { holidays: { country: 'IT', region: 'LAZ' } }, /^holidays\.region: .*62/],
    ['unknown city', { holidays: { country: 'IT', region: '62', city: 'MI' } }, /^holidays\.city: .*RM/],
    ['city without region', { holidays: { country: 'IT', city: 'RM' } }, /^holidays\.city: /],
    ['impossible extra holiday', { extraHolidays: ['2026-02-30'] }, /^extraHolidays\.0: /],
    ['extra working day with no hours', { extraWorkingDays: ['2026-12-05'] }, /^extraWorkingDays\.0: 2026-12-05 is a sat/],
    [
      'day both extra holiday and working',
      { extraHolidays: ['2026-12-07'], extraWorkingDays: ['2026-12-07'] },
      /^extraWorkingDays\.0: .*extraHolidays/,
    ],
    [
      'bad extra working hours',
      { extraWorkingDays: [{ date: '2026-12-05', hours: ['12:00-10:00'] }] },
      /^extraWorkingDays\.0\.hours\.0: /,
    ],
    ['unknown top-level key', { holiday: { country: 'ES' } }, /holiday/],
  ])('%s', (_name, patch, expected) => {
    const problems = problemsOf({ ...base, ...patch });
    expect(problems.some((p) => expected.test(p)), problems.join('\n')).toBe(true);
  });

  it('reports every problem at once, with the calendar id in the message', () => {
    let message = '';
    try {
      createCalendar({ id: 'bad', timezone: 'Nowhere/City', hours: { mon: ['18:00-09:00'] } });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^calendar "bad" is invalid: timezone: .*; hours\.mon\.0: /);
  });

  it.each([
    ['ES', 'MD', undefined],
    ['ES', 'CT', undefined],
    ['ES', 'md', undefined],
    ['IT', '62', 'RM'],
    ['IT', '25', 'MI'],
  ])('accepts holidays %s-%s %s', (country, region, city) => {
    expect(createCalendar({ ...base, holidays: { country, region, city } }).id).toBe('desk');
  });
});

describe('parseInterval', () => {
  it.each([
    ['09:00-13:00', { start: 540, end: 780 }],
    ['00:00-24:00', { start: 0, end: 1440 }],
    ['14:30-18:15', { start: 870, end: 1095 }],
  ])('%s', (text, expected) => {
    expect(parseInterval(text)).toEqual(expected);
  });

  it.each(['24:00-24:00', '10:00-10:00', '23:00-24:30', '9:00-13:00'])('rejects %s', (text) => {
    expect(typeof parseInterval(text)).toBe('string');
  });
});
