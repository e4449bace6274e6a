// The type parsers a PostgreSQL store's clients use: BIGINT text to an exact number or a refusal,
// TIMESTAMPTZ text (in any zone PostgreSQL may print) to the ISO string the SQLite store keeps.

import { describe, expect, it } from 'vitest';
import { PG_TYPES, parseInt8, parseTimestamptz } from '../../../../src/adapters/postgres/types.js';

describe('parseInt8', () => {
  it.each([
    ['0', 0],
    ['4294967295', 4294967295],
    ['-42', -42],
    ['9007199254740991', Number.MAX_SAFE_INTEGER],
  ])('reads %s as the number %d', (text, n) => {
    expect(parseInt8(text)).toBe(n);
  });

  it('refuses a BIGINT a JavaScript number cannot hold exactly, naming the value', () => {
    expect(() => parseInt8('9007199254740993')).toThrow(expect.objectContaining({ code: 'STORE', context: { value: '9007199254740993' } }));
  });
});

describe('parseTimestamptz', () => {
  it.each([
    ['2026-03-02 09:00:00.003+00', '2026-03-02T09:00:00.003Z'],
    ['2026-03-02 10:00:00+01', '2026-03-02T09:00:00.000Z'],
    ['2026-03-29 03:30:00.5+05:30', '2026-03-28T22:00:00.500Z'],
    ['1970-01-01 00:00:00+00', '1970-01-01T00:00:00.000Z'],
  ])('reads %s as %s', (text, iso) => {
    expect(parseTimestamptz(text)).toBe(iso);
  });

  it('refuses infinity, which has no ISO 8601 form', () => {
    expect(() => parseTimestamptz('infinity')).toThrow(expect.objectContaining({ code: 'STORE' }));
  });
});

describe('PG_TYPES', () => {
  it('uses the parsers above for BIGINT (20) and TIMESTAMPTZ (1184), node-postgres defaults otherwise', () => {
    expect(PG_TYPES.getTypeParser(20, 'text')).toBe(parseInt8);
    expect(PG_TYPES.getTypeParser(1184, 'text')).toBe(parseTimestamptz);
    expect((PG_TYPES.getTypeParser(23, 'text') as (s: string) => unknown)('7')).toBe(7);
    expect((PG_TYPES.getTypeParser(17, 'text') as (s: string) => unknown)('\\x00ff')).toEqual(Buffer.from([0, 255]));
  });
});
