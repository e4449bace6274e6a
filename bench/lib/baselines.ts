// The alternatives the chosen model was measured against: natural's BayesClassifier and
// LogisticRegressionClassifier (fed our own tokens, as deps.md §2 advises) and complement naive Bayes.
// Bench-only: nothing in src/ may import this file.
import { createRequire } from 'node:module';
import type { SparseVector } from '../../src/classify/features.js';

interface NaturalClassifier {
  addDocument(tokens: string[], label: string): void;
  train(): void;
  classify(tokens: string[]): string;
}
type NaturalClassifierClass = new () => NaturalClassifier;

// Deep import: the package root runs dotenv and loads every storage backend (natural#777).
const require = createRequire(import.meta.url);
const classifiers = require('natural/lib/natural/classifiers/index.js') as {
  BayesClassifier: NaturalClassifierClass;
  LogisticRegressionClassifier: NaturalClassifierClass;
};

export interface TokenDoc {
  readonly tokens: string[];
  readonly label: string;
}

export type Predictor = (tokens: string[]) => string;

export function trainNatural(kind: 'bayes' | 'logistic', docs: readonly TokenDoc[]): Predictor {
  const classifier = kind === 'bayes' ? new classifiers.BayesClassifier() : new classifiers.LogisticRegressionClassifier();
  for (const d of docs) if (d.tokens.length > 0) classifier.addDocument(d.tokens, d.label);
  classifier.train();
  return (tokens) => classifier.classify(tokens);
}

/**
 * Complement naive Bayes (Rennie et al. 2003) over TF-IDF vectors, with weight normalisation:
 * each class is scored by how *unlike* the other classes the text is, which suits skewed classes.
 */
export function trainComplementNb(
  xs: readonly SparseVector[],
  ys: Int32Array,
  classes: number,
  dimension: number,
  smoothing = 0.3,
): (x: SparseVector) => number {
  const perClass = new Float64Array(classes * dimension);
  const total = new Float64Array(dimension);
  xs.forEach((x, i) => {
    const c = ys[i] as number;
    x.indices.forEach((j, m) => {
      const v = x.values[m] as number;
      perClass[c * dimension + j] = (perClass[c * dimension + j] as number) + v;
      total[j] = (total[j] as number) + v;
    });
  });
  const grandTotal = total.reduce((s, v) => s + v, 0);
  const weights = new Float64Array(classes * dimension);
  for (let c = 0; c < classes; c++) {
    let classTotal = 0;
    for (let j = 0; j < dimension; j++) classTotal += perClass[c * dimension + j] as number;
    const denominator = grandTotal - classTotal + smoothing * dimension;
    let norm = 0;
    for (let j = 0; j < dimension; j++) {
      const w = Math.log(((total[j] as number) - (perClass[c * dimension + j] as number) + smoothing) / denominator);
      weights[c * dimension + j] = w;
      norm += Math.abs(w);
    }
    for (let j = 0; j < dimension; j++) weights[c * dimension + j] = (weights[c * dimension + j] as number) / norm;
  }
  return (x) => {
    let best = 0;
    let bestScore = Infinity;
    for (let c = 0; c < classes; c++) {
      let s = 0;
      x.indices.forEach((j, m) => {
        s += (x.values[m] as number) * (weights[c * dimension + j] as number);
      });
      if (s < bestScore) {
        bestScore = s;
        best = c;
      }
    }
    return best;
  };
}
