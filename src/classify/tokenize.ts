// Decides which terms a text contributes to the classifier: Unicode word split, lower-case,
// accents folded (so "contraseña" = "contrasena"), natural's stop words and Porter/Snowball stems.
// Must never use natural's own tokenizers: AggressiveTokenizerIt splits "città" into "citt" + "à".
import { createRequire } from 'node:module';
import type { Language } from '../domain/routing.js';

interface Stemmer {
  stem(token: string): string;
}
interface StopWords {
  words: readonly string[];
}

// Deep requires: the package root loads every storage backend and runs dotenv (natural#777).
const require = createRequire(import.meta.url);
const NATURAL = 'natural/lib/natural';
const STEMMERS: Record<Language, Stemmer> = {
  es: require(`${NATURAL}/stemmers/porter_stemmer_es.js`) as Stemmer,
  it: require(`${NATURAL}/stemmers/porter_stemmer_it.js`) as Stemmer,
  en: require(`${NATURAL}/stemmers/porter_stemmer.js`) as Stemmer,
};
const STOP_SOURCES: Record<Language, string> = {
  es: `${NATURAL}/util/stopwords_es.js`,
  it: `${NATURAL}/util/stopwords_it.js`,
  en: `${NATURAL}/util/stopwords.js`,
};

/** Letters and digits, NFD-decomposed with combining marks removed; ñ→n, à→a, ß stays. */
export function foldAccents(text: string): string {
  return text.normalize('NFD').replace(/\p{M}+/gu, '');
}

// Stop words are folded like the text, so "perché" in natural's list also removes "perche".
const STOP_WORDS: Record<Language, ReadonlySet<string>> = {
  es: loadStopWords('es'),
  it: loadStopWords('it'),
  en: loadStopWords('en'),
};

function loadStopWords(language: Language): ReadonlySet<string> {
  const list = (require(STOP_SOURCES[language]) as StopWords).words;
  return new Set(list.map((w) => foldAccents(w.toLowerCase())));
}

// A word is a run of letters/digits; apostrophes split, so Italian "l'accesso" yields "accesso".
const WORD = /[\p{L}\p{N}]+/gu;
const MAX_TOKEN_LENGTH = 40;

export interface TokenizeOptions {
  /** Drop natural's stop words for the language (default true). */
  readonly stopWords?: boolean;
  /** Apply natural's stemmer for the language (default true). */
  readonly stem?: boolean;
}

/**
 * Terms of `text` for `language`: lower-cased, accent-folded, stop words removed, stemmed.
 * Accents are folded *before* stemming so accented and unaccented spellings stem alike.
 * @example tokenize('No puedo cambiar la contraseña', 'es') // ['pued', 'cambi', 'contrasen']
 */
export function tokenize(text: string, language: Language, options: TokenizeOptions = {}): string[] {
  const found = words(text, language, options.stopWords ?? true);
  return options.stem ?? true ? found.map((w) => stemWord(w, language)) : found;
}

/** Lower-cased, accent-folded words of `text`, optionally without the language's stop words. */
export function words(text: string, language: Language, dropStopWords = true): string[] {
  const stops = STOP_WORDS[language];
  const out: string[] = [];
  for (const match of foldAccents(text.toLowerCase()).matchAll(WORD)) {
    const word = match[0];
    if (word.length > MAX_TOKEN_LENGTH) continue;
    if (dropStopWords && stops.has(word)) continue;
    out.push(word);
  }
  return out;
}

// natural's Porter stemmers run a dozen regular expressions a word, and mail repeats its words: each
// language keeps the stems it made, emptied when full so memory stays bounded (≈ 2 MB a language).
const STEMS_KEPT = 20_000;
const STEMS: Record<Language, Map<string, string>> = { es: new Map(), it: new Map(), en: new Map() };

/** natural's stem of one already folded, lower-cased word. */
export function stemWord(word: string, language: Language): string {
  const kept = STEMS[language];
  let stem = kept.get(word);
  if (stem === undefined) {
    if (kept.size >= STEMS_KEPT) kept.clear();
    kept.set(word, (stem = STEMMERS[language].stem(word)));
  }
  return stem;
}
