import { describe, expect, it } from 'vitest';

import { formatProblem } from '../../../src/rules/index.js';
import { addBusinessMinutes, isOpen } from '../../../src/sla/index.js';
import { loadSources, loadValid, SLA_DESK } from './helpers.js';

const problemsOf = async (source: string) => {
  const result = await loadSources({ 'it.yml': source });
  expect(result.ruleSet).toBeUndefined();
  return result.problems!.map(formatProblem);
};

const HOURS = "        mon: ['09:00-14:00', '15:00-18:00']\n        fri: ['08:00-15:00']\n";
const HOLIDAYS = '      holidays: { country: ES, region: MD }\n';

describe('calendar problems point at the key to fix', () => {
  it.each([
    [
      'an interval that ends before it starts',
      SLA_DESK.replace("fri: ['08:00-15:00']", "fri: ['18:00-09:00']"),
      ['rules/it.yml:15:15: fri[0]: "18:00-09:00" ends before it starts; split an overnight interval into "…-24:00" and "00:00-…"'],
    ],
    [
      'a time that does not exist',
      SLA_DESK.replace("fri: ['08:00-15:00']", "fri: ['08:00-25:00']"),
      ['rules/it.yml:15:15: fri[0]: "08:00-25:00" has a time that does not exist (use 00:00–23:59, or 24:00 as an end)'],
    ],
    [
      'overlapping intervals',
      SLA_DESK.replace("'15:00-18:00'", "'13:00-18:00'"),
      ['rules/it.yml:14:14: mon: "09:00-14:00" and "13:00-18:00" overlap'],
    ],
    [
      'a misspelt weekday',
      SLA_DESK.replace("fri: ['08", "fir: ['08"),
      ['rules/it.yml:15:9: unknown weekday "fir" (did you mean "fri"?)'],
    ],
    [
      'a misspelt time zone',
      SLA_DESK.replace('timezone: Europe/Madrid', 'timezone: Europe/Madird'),
      ['rules/it.yml:12:17: timezone: "Europe/Madird" is not an IANA time zone (did you mean "Europe/Madrid"?)'],
    ],
    [
      'a misspelt calendar setting (reported once)',
      SLA_DESK.replace('timezone: Europe/Madrid', 'timezon: Europe/Madrid'),
      ['rules/it.yml:12:7: unknown calendar setting "timezon" (did you mean "timezone"?)'],
    ],
    [
      'a misspelt holiday setting',
      SLA_DESK.replace('region: MD', 'regoin: MD'),
      ['rules/it.yml:16:32: unknown holiday setting "regoin" (did you mean "region"?)'],
    ],
    [
      'a misspelt on-call setting',
      SLA_DESK.replace(HOLIDAYS, `${HOLIDAYS}      onCall: { adress: oncall@example.test }\n`),
      ['rules/it.yml:17:17: unknown on-call setting "adress" (did you mean "address"?)'],
    ],
    [
      'a malformed extra holiday',
      SLA_DESK.replace(HOLIDAYS, `${HOLIDAYS}      extraHolidays: ['2026-13-01']\n`),
      ['rules/it.yml:17:23: extraHolidays[0]: must be a date like "2026-12-24"'],
    ],
    // The rest come from createCalendar at load time, mapped back to the same positions.
    [
      'no opening hours on any weekday',
      SLA_DESK.replace(HOURS, '        mon: []\n'),
      ['rules/it.yml:14:9: hours: no weekday has opening hours'],
    ],
    [
      'a country date-holidays does not know',
      SLA_DESK.replace('country: ES, region: MD', 'country: XX'),
      ['rules/it.yml:16:28: country: date-holidays does not know country "XX"'],
    ],
    [
      'a city without its region',
      SLA_DESK.replace('country: ES, region: MD', 'country: IT, city: RM'),
      ['rules/it.yml:16:38: city: a city needs its region'],
    ],
    [
      'an extra working day on a weekday without hours',
      SLA_DESK.replace(HOLIDAYS, `${HOLIDAYS}      extraWorkingDays: ['2026-12-05']\n`),
      ['rules/it.yml:17:26: extraWorkingDays[0]: 2026-12-05 is a sat, which has no hours; write { date: "2026-12-05", hours: [...] }'],
    ],
  ])('%s', async (_kind, source, expected) => {
    expect(await problemsOf(source)).toEqual(expected);
  });

  it('an unknown region names the regions date-holidays knows', async () => {
    expect(await problemsOf(SLA_DESK.replace('region: MD', 'region: ZZ'))).toEqual([
      expect.stringMatching(/^rules\/it\.yml:16:40: region: date-holidays does not know region "ZZ" of ES \(known: (?:[A-Z]{2}, )*MD(?:, [A-Z]{2})*\)$/),
    ]);
  });
});

const withOnCall = await loadValid({ 'it.yml': SLA_DESK.replace(HOLIDAYS, `${HOLIDAYS}      onCall: { address: oncall@example.test, phone: '+34 600 000 000' }\n`) });

describe('a desk calendar in the rule set', () => {
  const calendar = withOnCall.desks['IT']!.calendar!;

  it('is named after the desk and carries the on-call contact', () => {
    expect(calendar).toMatchObject({ id: 'IT', timezone: 'Europe/Madrid', onCall: { address: 'oncall@example.test', phone: '+34 600 000 000' } });
  });

  it('is frozen on the surface and its spec all the way down', () => {
    expect(Object.isFrozen(calendar)).toBe(true);
    expect(Object.isFrozen(calendar.spec.hours.mon)).toBe(true);
    expect(() => (calendar.spec.hours.mon as string[]).push('20:00-21:00')).toThrow(TypeError);
  });

  it.each([
    // SLA_DESK opens on Mondays and Fridays only; 2 May is a Madrid holiday (region MD), a Friday in 2025.
    ['skips Madrid\'s 2 May', '2025-05-02T09:00:00+02:00', 60, '2025-05-05T10:00:00+02:00'],
    ['runs to the end of Friday first', '2025-04-25T14:00:00+02:00', 120, '2025-04-28T10:00:00+02:00'],
    ['across the lunch break', '2026-03-02T13:30:00+01:00', 60, '2026-03-02T15:30:00+01:00'],
  ])('counts business time: %s', (_why, from, minutes, due) => {
    expect(addBusinessMinutes(calendar, new Date(from), minutes).getTime()).toBe(new Date(due).getTime());
  });

  it('keeps its memo of resolved days writable although frozen', () => {
    const before = calendar.days.size;
    expect(isOpen(calendar, new Date('2027-06-07T10:00:00+02:00'))).toBe(true);
    expect(calendar.days.size).toBeGreaterThan(before);
  });
});
