// desks[].startFrom: now (the default), all, or an ISO date / date-time; a bare date is midnight in the
// configured time zone; anything else is a config problem naming the key, the line and the fix.

import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { isSportelloError } from '../../../src/errors.js';
import { parseStartFrom, startFromProblem } from '../../../src/config/start-from.js';

const yaml = (startFrom: string | null) => `
timezone: Europe/Madrid
smtp: { host: smtp.example.test }
desks:
  - id: IT
    address: it@example.test
    imap: { host: imap.example.test, user: it@example.test, password: pw }
${startFrom === null ? '' : `    startFrom: ${startFrom}\n`}`;

describe('startFrom', () => {
  it.each([
    ['now', { kind: 'now' }],
    ['all', { kind: 'all' }],
    // Madrid is UTC+1 in January: its midnight is 23:00 UTC the day before.
    ['2026-01-15', { kind: 'date', at: new Date('2026-01-14T23:00:00.000Z') }],
    ['2026-07-01', { kind: 'date', at: new Date('2026-06-30T22:00:00.000Z') }],
    ['2026-01-15T08:30:00+01:00', { kind: 'date', at: new Date('2026-01-15T07:30:00.000Z') }],
    ['2026-01-15T08:30:00Z', { kind: 'date', at: new Date('2026-01-15T08:30:00.000Z') }],
  ] as const)('%s', (value, expected) => {
    expect(startFromProblem(value)).toBeNull();
    expect(parseStartFrom(value, 'Europe/Madrid')).toEqual(expected);
  });

  it.each([
    ['yesterday', /not now, all or an ISO date such as 2026-01-15/],
    ['15/01/2026', /not now, all or an ISO date/],
    ['2026-02-30', /not a real date/],
    ['2026-13-01', /not a real date/],
    ['NOW', /not now, all or an ISO date/],
  ])('refuses %s', (value, message) => {
    expect(startFromProblem(value)).toMatch(message);
  });

  it('defaults to now', () => {
    expect(parseConfig(yaml(null), { file: '/etc/sportello.yml', env: {} }).desks[0]!.startFrom).toBe('now');
  });

  it('keeps a quoted or unquoted YAML date as text', () => {
    expect(parseConfig(yaml('2026-01-15'), { file: '/etc/sportello.yml', env: {} }).desks[0]!.startFrom).toBe('2026-01-15');
    expect(parseConfig(yaml("'all'"), { file: '/etc/sportello.yml', env: {} }).desks[0]!.startFrom).toBe('all');
  });

  it('reports a bad value with its key path and line', () => {
    try {
      parseConfig(yaml('2026-02-30'), { file: '/etc/sportello.yml', env: {} });
      expect.unreachable('a bad startFrom must be refused');
    } catch (err) {
      expect(isSportelloError(err, 'CONFIG_INVALID')).toBe(true);
      const problems = (err as { context: { problems: unknown[] } }).context.problems;
      expect(problems).toContainEqual({ path: 'desks.0.startFrom', line: 8, message: expect.stringMatching(/startFrom "2026-02-30" is not a real date/) });
    }
  });
});
