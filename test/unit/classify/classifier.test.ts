import { describe, expect, it } from 'vitest';
import { isSportelloError } from '../../../src/errors.js';
import { restoreClassifier, trainClassifier, type TextClassifier } from '../../../src/classify/index.js';
import { readTickets, samplePerLabel, stratifiedSplit } from '../../../bench/lib/corpus.js';
import { HELD_OUT, TRAIN } from './phrases.js';
import { withoutCorpora } from '../../support/corpora.js';

const NO_TICKETS = withoutCorpora(import.meta.url, ['it-service-tickets']);

function expectDistribution(scores: readonly { category: string; score: number }[], categories: readonly string[]): void {
  expect(scores.map((s) => s.category).sort()).toEqual([...categories].sort());
  expect(scores.reduce((s, c) => s + c.score, 0)).toBeCloseTo(1, 6);
  for (const s of scores) {
    expect(s.score).toBeGreaterThanOrEqual(0);
    expect(s.score).toBeLessThanOrEqual(1);
  }
  const values = scores.map((s) => s.score);
  expect(values).toEqual([...values].sort((a, b) => b - a));
}

describe('trainClassifier on es/it/en phrases', () => {
  const classifier = trainClassifier(TRAIN);

  it('lists its categories sorted', () => {
    expect(classifier.categories).toEqual(['access', 'hardware', 'network']);
  });

  it.each(HELD_OUT)('%j (%s) → %s', (text, language, expected) => {
    const scores = classifier.predict(text, language);
    expectDistribution(scores, classifier.categories);
    expect(scores[0]?.category).toBe(expected);
  });

  it('detects the language when the caller gives none', () => {
    expect(classifier.predict('Non riesco a stampare, la stampante è guasta')[0]?.category).toBe('hardware');
  });

  it.each(['', '   ', 'xyzzy plugh', '12345'])('%j has no known term: every category scores the same', (text) => {
    const scores = classifier.predict(text, 'en');
    expectDistribution(scores, classifier.categories);
    for (const s of scores) expect(s.score).toBeCloseTo(1 / 3, 12);
  });

  it('a training phrase is classified with high confidence', () => {
    expect(classifier.predict('I forgot my password', 'en')[0]).toMatchObject({ category: 'access' });
    expect(classifier.predict('I forgot my password', 'en')[0]?.score).toBeGreaterThan(0.6);
  });

  it('serialise → restore gives identical predictions and identical JSON', () => {
    const json = JSON.parse(JSON.stringify(classifier.toJSON())) as unknown;
    const restored = restoreClassifier(json);
    for (const [text, language] of HELD_OUT) expect(restored.predict(text, language)).toEqual(classifier.predict(text, language));
    expect(JSON.stringify(restored.toJSON())).toBe(JSON.stringify(classifier.toJSON()));
  });

  it('trains deterministically: the same documents give byte-identical models', () => {
    expect(JSON.stringify(trainClassifier(TRAIN).toJSON())).toBe(JSON.stringify(classifier.toJSON()));
  });

  it('a single category still yields a distribution', () => {
    const one = trainClassifier([{ text: 'anything at all', label: 'triage', language: 'en' }]);
    expect(one.predict('anything', 'en')).toEqual([{ category: 'triage', score: 1 }]);
  });

  it('refuses to train without documents', () => {
    let thrown: unknown;
    try {
      trainClassifier([]);
    } catch (error) {
      thrown = error;
    }
    expect(isSportelloError(thrown, 'CLASSIFIER_NO_DATA')).toBe(true);
  });
});

describe('restoreClassifier rejects unusable models', () => {
  const good = trainClassifier(TRAIN).toJSON();
  it.each<[string, unknown]>([
    ['null', null],
    ['a string', 'model'],
    ['another format', { ...good, format: 'natural' }],
    ['another model version', { ...good, version: 0 }],
    ['truncated weights', { ...good, weights: good.weights.slice(0, 40) }],
    ['weights that are not base64 of floats', { ...good, weights: 'abc' }],
    ['missing terms', { ...good, terms: undefined }],
    ['missing feature options', { ...good, options: { ...good.options, features: undefined } }],
  ])('%s', (_name, json) => {
    let thrown: unknown;
    try {
      restoreClassifier(json);
    } catch (error) {
      thrown = error;
    }
    expect(isSportelloError(thrown, 'CLASSIFIER_MODEL_INVALID')).toBe(true);
  });
});

describe.skipIf(NO_TICKETS)('trainClassifier on a sample of it-service-tickets', () => {
  // 60 rows per label to train, 20 per label to test: small enough for a unit test.
  const rows = NO_TICKETS ? [] : readTickets();
  const { train, test } = stratifiedSplit(rows, 0.2, 42);
  const trainSample = samplePerLabel(train, 60, 1);
  const testSample = samplePerLabel(test, 20, 1);
  let classifier: TextClassifier;

  it('learns well above chance (1/8) on unseen tickets', () => {
    classifier = trainClassifier(trainSample.map((r) => ({ ...r, language: 'en' as const })));
    const correct = testSample.filter((r) => classifier.predict(r.text, 'en')[0]?.category === r.label).length;
    expect(trainSample).toHaveLength(480);
    expect(correct / testSample.length).toBeGreaterThan(0.5);
  });
});
