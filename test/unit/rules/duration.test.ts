import { describe, expect, it } from 'vitest';

import { MAX_DURATION_MINUTES, parseDuration } from '../../../src/rules/duration.js';

describe('parseDuration: business time in hours and minutes only', () => {
  it.each([
    ['30m', 30],
    ['4h', 240],
    ['16h', 960],
    ['1h30m', 90],
    ['1h 30m', 90],
    [' 2h ', 120],
    ['90m', 90],
    ['2000h', MAX_DURATION_MINUTES],
  ])('%s = %i minutes', (text, minutes) => {
    expect(parseDuration(text)).toBe(minutes);
  });

  it.each([
    ['2d', '"2d" is in days, which have no fixed length in business time; write hours, e.g. "16h" for two 8-hour days'],
    ['2 days', '"2 days" is in days, which have no fixed length in business time; write hours, e.g. "16h" for two 8-hour days'],
    ['1w', '"1w" is in weeks, which have no fixed length in business time; write hours, e.g. "16h" for two 8-hour days'],
    ['4', '"4" has no unit; write minutes ("30m") or hours ("4h")'],
    ['4 hours', '"4 hours" is not a duration like "30m", "4h" or "1h30m"'],
    ['1.5h', '"1.5h" is not a duration like "30m", "4h" or "1h30m"'],
    ['30m4h', '"30m4h" is not a duration like "30m", "4h" or "1h30m"'],
    ['', '"" is not a duration like "30m", "4h" or "1h30m"'],
    ['0h', '"0h" is zero; a target must be at least "1m"'],
    ['1h90m', '"1h90m" has 90 minutes after the hours; write "2h30m"'],
    ['2001h', '"2001h" is more than 2000h of business time'],
  ])('rejects %j', (text, message) => {
    expect(parseDuration(text)).toBe(message);
  });
});
