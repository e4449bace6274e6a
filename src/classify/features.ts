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

  /** Weighs already counted terms. */
  weigh(counts: ReadonlyMap<string, number>): SparseVector {
    const indices: number[] = [];
    const counted: number[] = [];
    for (const [term, count] of counts) {
      const i = this.index.get(term);
      if (i === undefined) continue;
      indices.push(i);
      counted.push(count);
    }
    return this.weighIndexed(indices, counted);
  }

  /** TF-IDF of feature indices with their counts, L2-normalised, indices ascending. */
  weighIndexed(indices: ArrayLike<number>, counts: ArrayLike<number>): SparseVector {
    const order = Array.from({ length: indices.length }, (_, n) => n).sort(
      (a, b) => (indices[a] as number) - (indices[b] as number),
    );
    const outIndices = new Int32Array(order.length);
    const values = new Float32Array(order.length);
    let norm = 0;
    order.forEach((n, m) => {
      const i = indices[n] as number;
      const count = counts[n] as number;
      const tf = this.options.sublinearTf ? 1 + Math.log(count) : count;
      const v = tf * (this.idf[i] as number);
      outIndices[m] = i;
      values[m] = v;
      norm += v * v;
    });
    norm = Math.sqrt(norm) || 1;
    for (let m = 0; m < values.length; m++) values[m] = (values[m] as number) / norm;
    return { indices: outIndices, values };
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

/**
 * Builds the vocabulary and idf from the training texts and returns their vectors.
 * Each document's terms are kept as provisional ids rather than strings, which keeps memory
 * proportional to the vocabulary, not to documents × terms.
 */
export function fitFeatures(
  docs: readonly { readonly text: string; readonly language: Language }[],
  options: FeatureOptions,
): FittedFeatures {
  const stems = new Map<string, string>();
  const provisional = new Map<string, number>();
  const df: number[] = [];
  const docTerms: Int32Array[] = [];
  const docCounts: Float64Array[] = [];
  for (const d of docs) {
    const counts = termCounts(d.text, d.language, options, stems);
    const ids = new Int32Array(counts.size);
    const values = new Float64Array(counts.size);
    let n = 0;
    for (const [term, count] of counts) {
      let id = provisional.get(term);
      if (id === undefined) {
        id = df.length;
        provisional.set(term, id);
        df.push(0);
      }
      df[id] = (df[id] as number) + 1;
      ids[n] = id;
      values[n] = count;
      n++;
    }
    docTerms.push(ids);
    docCounts.push(values);
  }
  const kept = [...provisional.entries()]
    .filter(([, id]) => (df[id] as number) >= options.minDf)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  provisional.clear();
  const finalId = new Int32Array(df.length).fill(-1);
  kept.forEach(([, id], i) => {
    finalId[id] = i;
  });
  // sklearn's smooth idf: ln((1 + N) / (1 + df)) + 1, so a term in every document still counts.
  const idf = Float32Array.from(kept, ([, id]) => Math.log((1 + docs.length) / (1 + (df[id] as number))) + 1);
  const vectorizer = new Vectorizer({ options, terms: kept.map(([t]) => t), idf });
  const vectors = docTerms.map((ids, i) => {
    const counts = docCounts[i] as Float64Array;
    const indices: number[] = [];
    const counted: number[] = [];
    ids.forEach((id, n) => {
      const f = finalId[id] as number;
      if (f >= 0) {
        indices.push(f);
        counted.push(counts[n] as number);
      }
    });
    return vectorizer.weighIndexed(indices, counted);
  });
  return { vectorizer, vectors };
}
