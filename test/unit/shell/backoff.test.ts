// Retry delays: exponential from the base, capped, jittered between half and all of the ceiling.

import { describe, expect, it } from 'vitest';
import { backoffMs } from '../../../src/shell/backoff.js';

const POLICY = { baseMs: 1_000, maxMs: 60_000 };

describe('backoffMs', () => {
  it.each([
    // attempt, random, expected
    [1, 0, 500],
    [1, 0.5, 750],
    [1, 0.999, 1_000],
    [2, 0, 1_000],
    [3, 1, 4_000],
    [6, 1, 32_000],
    [7, 1, 60_000],
    [7, 0, 30_000],
    [1_000, 1, 60_000],
    [0, 1, 1_000],
    [-5, 1, 1_000],
    [2.9, 1, 2_000],
  ])('attempt %d, random %d → %d ms', (attempt, random, expected) => {
    expect(backoffMs(attempt, POLICY, () => random)).toBe(expected);
  });

  it('stays within [ceiling/2, ceiling] and never exceeds the cap, for any random value', () => {
    for (let attempt = 1; attempt <= 40; attempt++) {
      const ceiling = Math.min(POLICY.maxMs, POLICY.baseMs * 2 ** (attempt - 1));
      for (const r of [0, 0.1, 0.37, 0.5, 0.99, 0.999999]) {
        const d = backoffMs(attempt, POLICY, () => r);
        expect(d).toBeGreaterThanOrEqual(ceiling / 2);
        expect(d).toBeLessThanOrEqual(ceiling);
        expect(Number.isFinite(d)).toBe(true);
      }
    }
  });

  it('never decreases with the attempt for the same random value', () => {
    const delays = Array.from({ length: 20 }, (_, i) => backoffMs(i + 1, POLICY, () => 0.3));
    expect(delays).toEqual([...delays].sort((a, b) => a - b));
  });
});
