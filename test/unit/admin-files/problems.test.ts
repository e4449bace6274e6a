import { describe, expect, it } from 'vitest';

import { didYouMean, editDistance, formatProblem } from '../../../src/admin-files/problems.js';

describe('did-you-mean', () => {
  it.each([
    ['contain', 'contains', 1],
    ['contians', 'contains', 1],
    ['priorty', 'priority', 1],
    ['', 'abc', 3],
    ['kitten', 'sitting', 3],
  ])('editDistance(%s, %s) = %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });

  const operators = ['contains', 'equals', 'startsWith', 'endsWith', 'in', 'regex', 'exists'];
  it.each([
    ['contain', 'contains'],
    ['Contains', 'contains'],
    ['starts_with', 'startsWith'],
    ['regexp', 'regex'],
    ['equal', 'equals'],
    ['matches', undefined],
    ['x', undefined],
  ])('%s → %s', (input, expected) => {
    expect(didYouMean(input, operators)).toBe(expected);
  });
});

it('formats a problem as file:line:column: message', () => {
  expect(formatProblem({ file: 'rules/it.yml', line: 14, column: 7, code: 'UNKNOWN_KEY', message: 'unknown operator "contain" (did you mean "contains"?)' })).toBe(
    'rules/it.yml:14:7: unknown operator "contain" (did you mean "contains"?)',
  );
});
