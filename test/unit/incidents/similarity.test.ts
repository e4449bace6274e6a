// A live case's profile (its stems and signature) is computed once and reused for every new mail it is
// compared with, per vocabulary; the reused profile is the one a fresh computation gives; two signatures
// that cannot meet are told apart before any wording is compared.
import { describe, expect, it } from 'vitest';
import { caseProfile, caseSignature, categoryVocabulary, meeting, profile, similarity } from '../../../src/incidents/similarity.js';
import { signature } from '../../../src/incidents/signature.js';

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

describe('caseProfile and caseSignature', () => {
  const vocabulary = categoryVocabulary({ es: ['no hay wifi'], it: ['wifi non va'], en: ['the wifi is down'] }, { es: [], it: [], en: ['wifi'] });
  // Each test its own ids: the kept cases are per process.
  const text = 'Wifi down\nThe wifi is down on the third floor again';

  it('gives what profile() and signature() give, kept under the id for a fresh copy of the same text', () => {
    const first = caseProfile('SIM-1', { language: 'en', text }, vocabulary);
    expect(first).toEqual(profile({ language: 'en', text }, vocabulary));
    expect(caseProfile('SIM-1', { language: 'en', text: (' ' + text).slice(1) }, vocabulary)).toBe(first);
    expect(caseSignature('SIM-1', text)).toEqual(signature(text));
  });

  it('never trusts an id with another text, and keeps vocabularies and languages apart', () => {
    caseProfile('SIM-2', { language: 'en', text }, vocabulary);
    const printer = 'Printer\nThe printer on floor 2 does not print';
    expect(caseSignature('SIM-2', printer).systems).toEqual(new Set(['printer']));
    expect(caseProfile('SIM-2', { language: 'en', text: printer }, vocabulary)).toEqual(profile({ language: 'en', text: printer }, vocabulary));
    expect(caseProfile('SIM-2', { language: 'en', text: printer }, null)).toEqual(profile({ language: 'en', text: printer }, null));
    expect(caseProfile('SIM-2', { language: 'es', text: printer }, null)).toEqual(profile({ language: 'es', text: printer }, null));
  });
});

describe('meeting', () => {
  it.each([
    ['wifi down on floor 3', 'no hay wifi en la tercera planta', null],
    ['wifi down on floor 3', 'the printer is down', 'systems conflict'],
    ['wifi down on floor 3', 'please install the wifi driver', 'not both reporting a failure'],
    ['wifi down on floor 3', 'the wifi on floor 5 is down', 'different place'],
    ['wifi down on floor 3', 'no internet on floor 3', null],
  ])('%s / %s → %s', (a, b, apart) => {
    const m = meeting(signature(a), signature(b));
    expect(m.apart).toBe(apart);
    // Apart is exactly a score of 0.
    const s = similarity(profile({ language: 'en', text: a }, null), profile({ language: 'en', text: b }, null));
    expect(s.score === 0).toBe(apart !== null);
  });

  it('with categories that differ, only the same system meets', () => {
    expect(meeting(signature('wifi down on floor 3'), signature('no internet on floor 3'), { sameSystemOnly: true }).apart).toBe('categories differ and the systems are not the same');
  });
});
