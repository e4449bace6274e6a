// A live case's profile (its stems and signature) is computed once and reused for every new mail it is
// compared with, per vocabulary; the reused profile is the one a fresh computation gives.
import { describe, expect, it } from 'vitest';
import { categoryVocabulary, profile } from '../../../src/incidents/similarity.js';

describe('profile', () => {
  const vocabulary = categoryVocabulary({ es: ['no hay wifi'], it: ['wifi non va'], en: ['the wifi is down'] }, { es: [], it: [], en: ['wifi'] });
  const report = { text: 'The wifi is down on the third floor again', language: 'en' as const };

  it('returns the kept profile for the same text and vocabulary, equal to a fresh one', () => {
    const first = profile(report, vocabulary);
    expect(profile({ ...report }, vocabulary)).toBe(first);
    expect(first.terms.size).toBeGreaterThan(0);
    expect(first.signature.systems).toEqual(new Set(['wifi']));
  });

  it('keeps profiles apart per vocabulary and per language', () => {
    const other = categoryVocabulary({ es: [], it: [], en: ['printer'] }, { es: [], it: [], en: [] });
    expect(profile(report, other)).not.toBe(profile(report, vocabulary));
    expect(profile(report, other).terms.size).toBe(0);
    expect(profile({ ...report, language: 'es' }, vocabulary)).not.toBe(profile(report, vocabulary));
  });
});
