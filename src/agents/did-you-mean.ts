// Decides which known word a mistyped command or value was probably meant to be ("#asign" → assign).
// Optimal-string-alignment distance (Damerau: a swap of two neighbours costs 1), case- and accent-folded.
// Must never suggest a word further than a couple of edits away: a wrong guess is worse than none.

/** Lower-case, accents removed ("Priorità" → "priorita"): agents type commands on phones, with or without accents. */
export function fold(word: string): string {
  return word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** Edit distance with adjacent transpositions; inputs are short words, so the O(n·m) table is fine. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** Short words tolerate one edit, longer ones two: "wai" → wait, "clsoe" → close (one swap), "xyz" → nothing. */
function allowedEdits(word: string): number {
  return word.length <= 4 ? 1 : 2;
}

/**
 * The closest candidate within the allowed distance, or null; ties go to the earlier candidate.
 * Returns the candidate as given (not folded).
 */
export function didYouMean(word: string, candidates: readonly string[]): string | null {
  // No command or value is this long; comparing a pasted blob against every candidate would be slow.
  if (word.length > 40) return null;
  const w = fold(word);
  if (w === '') return null;
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const dist = editDistance(w, fold(c));
    if (dist > 0 && dist <= allowedEdits(w) && dist < bestDistance) {
      best = c;
      bestDistance = dist;
    }
  }
  return best;
}
