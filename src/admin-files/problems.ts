// How a problem in an admin-edited file (rules YAML, knowledge articles, the config) is reported:
// file:line:column, a stable code and a message that names the fix ("did you mean …"). Shared by
// src/rules, src/knowledge and src/config, so none of them imports another for it. Positions are
// 1-based as editors show them; messages never carry the position themselves, formatProblem adds it.

export interface RuleProblem {
  /** Path relative to the rules directory's parent, forward slashes, e.g. "rules/it.yml". */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
}

/** `rules/it.yml:14:7: unknown operator "contain" (did you mean "contains"?)` */
export function formatProblem(problem: RuleProblem): string {
  return `${problem.file}:${problem.line}:${problem.column}: ${problem.message}`;
}

/** Problems in reading order: by file, then line, then column. */
export function sortProblems(problems: readonly RuleProblem[]): RuleProblem[] {
  return [...problems].sort(
    (a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column),
  );
}

/** Optimal-string-alignment distance: Levenshtein plus adjacent transpositions ("contians"). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The closest candidate, if it is close enough to be a plausible typo: at most 1 edit for words of
 * up to 4 letters, 2 for longer ones; comparison ignores case.
 */
export function didYouMean(input: string, candidates: Iterable<string>): string | undefined {
  const needle = input.toLowerCase();
  const limit = needle.length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(needle, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** ` (did you mean "x"?)` or "" — appended to messages. */
export function suggestion(input: string, candidates: Iterable<string>): string {
  const match = didYouMean(input, candidates);
  return match === undefined ? '' : ` (did you mean "${match}"?)`;
}

/** "rules/it.yml:3:3", for messages that point at a second place. */
export function formatPosition(file: string, position: { line: number; column: number }): string {
  return `${file}:${position.line}:${position.column}`;
}
