import { describe, expect, it } from 'vitest';
import { createHolidayLookup } from '../../../src/sla/holiday-set.js';

describe('createHolidayLookup', () => {
  it.each([
    ['ES national 8 December', { country: 'ES' }, '2026-12-08', true],
    ['ES national 6 January', { country: 'ES' }, '2026-01-06', true],
    ['IT national 8 December', { country: 'IT' }, '2026-12-08', true],
    ['IT national 6 January', { country: 'IT' }, '2026-01-06', true],
    ['IT 4 October is public from 2026', { country: 'IT' }, '2026-10-04', true],
    ['IT 4 October was not public in 2025', { country: 'IT' }, '2025-10-04', false],
    ['ES-MD 2 May', { country: 'ES', region: 'MD' }, '2025-05-02', true],
    ['ES-CT has no 2 May', { country: 'ES', region: 'CT' }, '2025-05-02', false],
    ['ES-CT 11 September', { country: 'ES', region: 'CT' }, '2025-09-11', true],
    ['ES-MD has no 11 September', { country: 'ES', region: 'MD' }, '2025-09-11', false],
    ['ES-MD San Isidro is only an observance', { country: 'ES', region: 'MD' }, '2025-05-15', false],
    ['ES-CT San José is only an observance', { country: 'ES', region: 'CT' }, '2026-03-19', false],
    ['IT-62-RM 29 June', { country: 'IT', region: '62', city: 'RM' }, '2026-06-29', true],
    ['IT-25-MI 7 December', { country: 'IT', region: '25', city: 'MI' }, '2026-12-07', true],
    ['IT national has no 7 December', { country: 'IT' }, '2026-12-07', false],
    ['an ordinary Tuesday', { country: 'ES', region: 'MD' }, '2026-11-24', false],
  ])('%s', (_name, source, day, expected) => {
    expect(createHolidayLookup(source, []).isHoliday(day)).toBe(expected);
  });

  it('adds explicit dates, with or without a country', () => {
    expect(createHolidayLookup(undefined, ['2026-12-24']).isHoliday('2026-12-24')).toBe(true);
    expect(createHolidayLookup(undefined, ['2026-12-24']).isHoliday('2026-12-08')).toBe(false);
    expect(createHolidayLookup({ country: 'ES' }, ['2026-12-24']).isHoliday('2026-12-24')).toBe(true);
  });
});
