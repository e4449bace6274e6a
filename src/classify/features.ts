// Decides how a text becomes a sparse TF-IDF vector: stemmed word n-grams plus optional
// character n-grams inside words, smoothed idf, optional sublinear tf, L2-normalised.
// Must never depend on document order for the vocabulary (terms are sorted), so a model is reproducible.
import type { Language } from '../domain/routing.js';
import { stemWord, words } from './tokenize.js';

export interface FeatureOptions {
  /** Longest word n-gram (1 = single stems, 2 = stems and adjacent pairs). */
  readonly wordNgrams: number;
  /** Character n-gram lengths [min, max] taken inside each word with boundary marks, or null. */
  readonly charNgrams: readonly [number, number] | null;
  /** Keep a term only if it occurs in at least this many training documents. */
  readonly minDf: number;
  /** Use 1 + ln(tf) instead of the raw count, so one repeated word cannot dominate. */
  readonly sublinearTf: boolean;
  readonly stopWords: boolean;
  /** Add each word's stem as an extra term ("~stem"), so inflections share evidence. */
  readonly stem: boolean;
}

// Measured on it-service-tickets (bench/classify.ts --compare): stop-word removal and stem-only
// terms each cost ~1 point of accuracy; words + bigrams + extra stems kept it. minDf 1 because rule
// example phrases are few and a keyword seen once must still count.
export const DEFAULT_FEATURE_OPTIONS: FeatureOptions = {
  wordNgrams: 2,
  charNgrams: null,
  minDf: 1,
  sublinearTf: true,
  stopWords: false,
  stem: true,
};

export interface SparseVector {
  /** Ascending feature indices. */
  readonly indices: Int32Array;
  readonly values: Float32Array;
}

export interface VectorizerState {
  readonly options: FeatureOptions;
  /** Term of each feature index, sorted. */
  readonly terms: readonly string[];
  readonly idf: Float32Array;
}

/** Maps texts to TF-IDF vectors over a fixed vocabulary; unknown terms are ignored. */
export class Vectorizer {
  readonly options: FeatureOptions;
  readonly terms: readonly string[];
  readonly idf: Float32Array;
  private readonly index: Map<string, number>;
  private readonly stems = new Map<string, string>();

  constructor(state: VectorizerState) {
    this.options = state.options;
    this.terms = state.terms;
    this.idf = state.idf;
    this.index = new Map(state.terms.map((t, i) => [t, i]));
  }

  get dimension(): number {
    return this.terms.length;
  }

  vectorize(text: string, language: Language): SparseVector {
    return this.weigh(termCounts(text, language, this.options, this.stems));
  }

  /** Weighs already counted terms (lets training count each document once). */
  weigh(counts: ReadonlyMap<string, number>): SparseVector {
    const pairs: [number, number][] = [];
    for (const [term, count] of counts) {
      const i = this.index.get(term);
      if (i === undefined) continue;
      const tf = this.options.sublinearTf ? 1 + Math.log(count) : count;
      pairs.push([i, tf * (this.idf[i] ?? 0)]);
    }
    pairs.sort((a, b) => a[0] - b[0]);
    const norm = Math.sqrt(pairs.reduce((s, [, v]) => s + v * v, 0)) || 1;
    return {
      indices: Int32Array.from(pairs, ([i]) => i),
      values: Float32Array.from(pairs, ([, v]) => v / norm),
    };
  }

  toState(): VectorizerState {
    return { options: this.options, terms: this.terms, idf: this.idf };
  }
}

/** Counts the terms of one text; `stems` memoises natural's stemmer across calls. */
export function termCounts(
  text: string,
  language: Language,
  options: FeatureOptions,
  stems: Map<string, string>,
): Map<string, number> {
  const found = words(text, language, options.stopWords);
  const counts = new Map<string, number>();
  const add = (term: string): void => {
    counts.set(term, (counts.get(term) ?? 0) + 1);
  };
  // Word terms never contain a space, '~' or '#', so n-grams, stems and char grams cannot collide.
  for (let i = 0; i < found.length; i++) {
    let gram = found[i] as string;
    add(gram);
    for (let n = 2; n <= options.wordNgrams && i + n <= found.length; n++) {
      gram += ` ${found[i + n - 1] as string}`;
      add(gram);
    }
  }
  if (options.stem) {
    for (const word of found) {
      const stem = stemCached(word, language, stems);
      if (stem !== word) add(`~${stem}`);
    }
  }
  if (options.charNgrams) {
    const [min, max] = options.charNgrams;
    for (const word of found) {
      const marked = ` ${word} `;
      for (let n = min; n <= max; n++) {
        for (let i = 0; i + n <= marked.length; i++) add(`#${marked.slice(i, i + n)}`);
      }
    }
  }
  return counts;
}

function stemCached(word: string, language: Language, stems: Map<string, string>): string {
  const key = `${language}:${word}`;
  let stem = stems.get(key);
  if (stem === undefined) {
    stem = stemWord(word, language);
    stems.set(key, stem);
  }
  return stem;
}

export interface FittedFeatures {
  readonly vectorizer: Vectorizer;
  readonly vectors: SparseVector[];
}

/** Builds the vocabulary and idf from the training texts and returns their vectors. */
export function fitFeatures(
  docs: readonly { readonly text: string; readonly language: Language }[],
  options: FeatureOptions,
): FittedFeatures {
  const stems = new Map<string, string>();
  const counted = docs.map((d) => termCounts(d.text, d.language, options, stems));
  const df = new Map<string, number>();
  for (const counts of counted) {
    for (const term of counts.keys()) df.set(term, (df.get(term) ?? 0) + 1);
  }
  const terms = [...df.entries()]
    .filter(([, n]) => n >= options.minDf)
    .map(([t]) => t)
    .sort();
  // sklearn's smooth idf: ln((1 + N) / (1 + df)) + 1, so a term in every document still counts.
  const idf = Float32Array.from(terms, (t) => Math.log((1 + docs.length) / (1 + (df.get(t) ?? 0))) + 1);
  const vectorizer = new Vectorizer({ options, terms, idf });
  return { vectorizer, vectors: counted.map((c) => vectorizer.weigh(c)) };
}
