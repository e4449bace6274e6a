// Decides the language (es / it / en) of a mail's text with eld's medium n-gram database cut to our
// three languages (src/classify/eld-ngrams.ts: the same scores, ~1/10 of the table). Must never guess from
// too little text: short or ambiguous input returns the caller's fallback marked as not confident.
import { LANGUAGES, type Language } from '../domain/routing.js';
import { ngramsData } from './eld-ngrams.js';
import { eldSourceFile } from './eld-source.js';

interface EldInstance {
  detect(text: string): { language: string; getScores(): Record<string, number> };
}
// eld exports only whole databases; its detector factory loads ours (the 60-language one costs ~190 MB).
const { createEld } = (await import(eldSourceFile('languageDetector.js'))) as { createEld: () => { instance: EldInstance; loadData: (data: unknown) => void } };

export interface LanguageGuess {
  readonly language: Language;
  /** False when the text was too short or two languages scored too close to tell. */
  readonly confident: boolean;
}

export interface LanguageDetector {
  detect(text: string, fallback: Language): LanguageGuess;
}

// eld reads at most the first 1000 characters anyway; a mail's opening lines carry the language.
const MAX_CHARS = 1000;
/** Fewer letters than this is a greeting or a code, not evidence (eld itself wants ≥ 3 n-grams). */
const MIN_LETTERS = 12;
/** eld's 0–1 scores of the top two languages must differ by at least this much. */
const MIN_MARGIN = 0.05;

/** Builds a detector with its own eld instance (never eld's shared, mutable module export). */
export function createLanguageDetector(): LanguageDetector {
  const { instance: eld, loadData } = createEld();
  loadData(ngramsData);
  return {
    detect(text, fallback) {
      const sample = text.slice(0, MAX_CHARS);
      const letters = sample.match(/\p{L}/gu)?.length ?? 0;
      if (letters < MIN_LETTERS) return { language: fallback, confident: false };
      const result = eld.detect(sample);
      const language = LANGUAGES.find((l) => l === result.language);
      if (language === undefined) return { language: fallback, confident: false };
      // eld's isReliable() compares the top score with the runner-up's *language index*
      // (LanguageResult.js, eld 2.1.0), so compute the margin from getScores() instead.
      const scores = Object.values(result.getScores()).sort((a, b) => b - a);
      const margin = (scores[0] ?? 0) - (scores[1] ?? 0);
      return { language, confident: margin >= MIN_MARGIN };
    },
  };
}

/**
 * One-off detection; builds a detector per call, so prefer `createLanguageDetector()` in loops.
 * @example detectLanguage('Non riesco a stampare', 'en') // { language: 'it', confident: true }
 */
export function detectLanguage(text: string, fallback: Language): LanguageGuess {
  return createLanguageDetector().detect(text, fallback);
}
