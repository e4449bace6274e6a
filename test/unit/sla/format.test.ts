import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { formatDue, formatDuration } from '../../../src/sla/index.js';

const MADRID = 'Europe/Madrid';
const at = (iso: string, zone = MADRID) => DateTime.fromISO(iso, { zone }).toJSDate();
const NOW = at('2026-11-20T16:30');

describe('Intl on this Node', () => {
  it('has full ICU data for es, it and en-GB', () => {
    expect(Intl.DateTimeFormat.supportedLocalesOf(['es-ES', 'it-IT', 'en-GB'])).toEqual(['es-ES', 'it-IT', 'en-GB']);
    expect(new Intl.DateTimeFormat('it-IT', { month: 'long', timeZone: 'UTC' }).format(0)).toBe('gennaio');
  });
});

describe('formatDue', () => {
  it.each([
    ['es', '2026-11-24T14:00', 'martes 24 de noviembre a las 14:00'],
    ['it', '2026-11-24T14:00', 'martedì 24 novembre alle 14:00'],
    ['en', '2026-11-24T14:00', 'Tuesday 24 November at 14:00'],
    ['es', '2026-11-23T09:05', 'lunes 23 de noviembre a las 9:05'],
    ['it', '2026-11-23T09:05', 'lunedì 23 novembre alle 09:05'],
    ['en', '2026-11-23T09:05', 'Monday 23 November at 09:05'],
    ['es', '2026-03-29T10:00', 'domingo 29 de marzo a las 10:00'],
    ['it', '2026-10-25T18:30', 'domenica 25 ottobre alle 18:30'],
    ['en', '2026-08-01T12:00', 'Saturday 1 August at 12:00'],
    ['es', '2026-12-02T01:15', 'miércoles 2 de diciembre a la 1:15'],
    ['it', '2026-12-02T01:15', "mercoledì 2 dicembre all'01:15"],
    ['es', '2027-01-05T09:00', 'martes 5 de enero de 2027 a las 9:00'],
    ['it', '2027-01-05T09:00', 'martedì 5 gennaio 2027 alle 09:00'],
    ['en', '2027-01-05T09:00', 'Tuesday 5 January 2027 at 09:00'],
    ['en', '2025-12-31T17:00', 'Wednesday 31 December 2025 at 17:00'],
  ] as const)('%s %s → %s', (language, local, expected) => {
    expect(formatDue(at(local), { language, timezone: MADRID, now: NOW })).toBe(expected);
  });

  it('formats in the zone it is given, not the host zone', () => {
    const instant = Date.UTC(2026, 10, 24, 13, 0); // 13:00 UTC
    expect(formatDue(instant, { language: 'es', timezone: 'Europe/Madrid', now: NOW })).toBe('martes 24 de noviembre a las 14:00');
    expect(formatDue(instant, { language: 'es', timezone: 'Atlantic/Canary', now: NOW })).toBe('martes 24 de noviembre a las 13:00');
    expect(formatDue(instant, { language: 'en', timezone: 'Asia/Tokyo', now: NOW })).toBe('Tuesday 24 November at 22:00');
  });

  it('decides "same year" in the reader’s zone', () => {
    const newYearInMadrid = Date.UTC(2026, 11, 31, 23, 30); // 00:30 on 1 January 2027 in Madrid
    const now = Date.UTC(2026, 11, 31, 12, 0);
    expect(formatDue(newYearInMadrid, { language: 'it', timezone: MADRID, now })).toBe("venerdì 1 gennaio 2027 alle 00:30");
    expect(formatDue(newYearInMadrid, { language: 'en', timezone: 'Europe/London', now })).toBe('Thursday 31 December at 23:30');
  });

  it('shows the year when no "now" is given', () => {
    expect(formatDue(at('2026-11-24T14:00'), { language: 'en', timezone: MADRID })).toBe('Tuesday 24 November 2026 at 14:00');
  });

  it('rejects an unknown zone with a SportelloError', () => {
    expect(() => formatDue(NOW, { language: 'en', timezone: 'Mars/Olympus' })).toThrow(
      expect.objectContaining({ code: 'SLA_INVALID_ARGUMENT' }),
    );
  });
});

describe('formatDuration', () => {
  it.each([
    [270, 'es', '4 h 30 min'],
    [270, 'it', '4 h 30 min'],
    [270, 'en', '4 hrs 30 mins'],
    [60, 'es', '1 h'],
    [60, 'en', '1 hr'],
    [45, 'it', '45 min'],
    [0, 'es', '0 min'],
    [2400, 'it', '40 h'],
    [89.6, 'es', '1 h 30 min'],
  ] as const)('%s min in %s → %s', (minutes, language, expected) => {
    expect(formatDuration(minutes, language)).toBe(expected);
  });

  it.each([
    [61, 'es', '1 hora y 1 minuto'],
    [150, 'it', '2 ore e 30 minuti'],
    [120, 'en', '2 hours'],
    [1, 'en', '1 minute'],
    [245, 'en', '4 hours and 5 minutes'],
  ] as const)('long: %s min in %s → %s', (minutes, language, expected) => {
    expect(formatDuration(minutes, language, { style: 'long' })).toBe(expected);
  });

  it.each([-1, Number.NaN, Infinity])('rejects %s', (minutes) => {
    expect(() => formatDuration(minutes, 'en')).toThrow(expect.objectContaining({ code: 'SLA_INVALID_ARGUMENT' }));
  });
});
