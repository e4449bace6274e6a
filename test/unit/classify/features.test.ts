import { describe, expect, it } from 'vitest';
import { DEFAULT_FEATURE_OPTIONS, fitFeatures, termCounts, Vectorizer } from '../../../src/classify/features.js';

const docs = [
  { text: 'La impresora no imprime', language: 'es' as const },
  { text: 'No puedo entrar, la contraseña caducó', language: 'es' as const },
  { text: 'La stampante non stampa', language: 'it' as const },
  { text: 'Printer is jammed again', language: 'en' as const },
];

describe('fitFeatures', () => {
  it('builds the same sorted vocabulary whatever the document order', () => {
    const a = fitFeatures(docs, DEFAULT_FEATURE_OPTIONS).vectorizer;
    const b = fitFeatures([...docs].reverse(), DEFAULT_FEATURE_OPTIONS).vectorizer;
    expect(a.terms).toEqual(b.terms);
    expect(Array.from(a.idf)).toEqual(Array.from(b.idf));
    expect([...a.terms]).toEqual([...a.terms].sort());
  });

  it('returns L2-normalised vectors with ascending indices', () => {
    const { vectors } = fitFeatures(docs, DEFAULT_FEATURE_OPTIONS);
    for (const v of vectors) {
      expect(Math.hypot(...v.values)).toBeCloseTo(1, 6);
      expect(Array.from(v.indices)).toEqual(Array.from(v.indices).sort((x, y) => x - y));
    }
  });

  it('ignores unknown terms and gives an empty vector for text without known terms', () => {
    const { vectorizer } = fitFeatures(docs, DEFAULT_FEATURE_OPTIONS);
    expect(vectorizer.vectorize('zzz qqq', 'en').indices.length).toBe(0);
    expect(vectorizer.vectorize('', 'en').indices.length).toBe(0);
    expect(vectorizer.vectorize('zzz impresora', 'es').indices.length).toBeGreaterThan(0);
  });

  it('drops terms below minDf', () => {
    const { vectorizer } = fitFeatures(docs, { ...DEFAULT_FEATURE_OPTIONS, minDf: 2 });
    expect(vectorizer.terms).toContain('la');
    expect(vectorizer.terms).not.toContain('impresora');
  });

  it('rare terms weigh more than common ones (idf)', () => {
    const { vectorizer } = fitFeatures(docs, DEFAULT_FEATURE_OPTIONS);
    const idf = (t: string): number => vectorizer.idf[vectorizer.terms.indexOf(t)] as number;
    expect(idf('impresora')).toBeGreaterThan(idf('la'));
  });

  it('restores from its state to the same vectors', () => {
    const { vectorizer } = fitFeatures(docs, DEFAULT_FEATURE_OPTIONS);
    const copy = new Vectorizer(vectorizer.toState());
    expect(copy.vectorize(docs[1]!.text, 'es')).toEqual(vectorizer.vectorize(docs[1]!.text, 'es'));
  });
});

describe('termCounts', () => {
  it.each([
    [{ wordNgrams: 1, stem: false }, ['impresoras', 'rotas']],
    [{ wordNgrams: 2, stem: false }, ['impresoras', 'impresoras rotas', 'rotas']],
    [{ wordNgrams: 1, stem: true }, ['impresoras', 'rotas', '~impresor', '~rot']],
  ])('with %j counts %j', (options, expected) => {
    const counts = termCounts('Impresoras rotas', 'es', { ...DEFAULT_FEATURE_OPTIONS, ...options }, new Map());
    expect([...counts.keys()].sort()).toEqual([...expected].sort());
  });

  it('adds character n-grams with word boundaries when asked', () => {
    const counts = termCounts('wifi', 'en', { ...DEFAULT_FEATURE_OPTIONS, stem: false, charNgrams: [3, 3] }, new Map());
    expect([...counts.keys()].filter((t) => t.startsWith('#')).sort()).toEqual(['# wi', '#fi ', '#ifi', '#wif']);
  });
});
