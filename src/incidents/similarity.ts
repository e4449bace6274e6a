// Decides how likely two problem reports describe the same outage: the shared system they name, where
// (floor, room, building), and — within one language — the classifier's own stems restricted to the
// vocabulary the rules' examples give the category. Pure; a conflict (printer vs Wi-Fi, floor 3 vs
// floor 5) is a hard no, because a wrong link tells someone a false story.

import type { Language } from '../domain/routing.js';
import { tokenize } from '../classify/index.js';
import { signature, systemsMeet, type Signature } from './signature.js';

export interface ReportText {
  readonly language: Language;
  /** Subject and new body text of the report. */
  readonly text: string;
}

export interface Profile {
  readonly language: Language;
  readonly signature: Signature;
  /** Stems of the text that the category's examples use in this language (its topical vocabulary). */
  readonly terms: ReadonlyMap<string, number>;
}

/** Stems per language that the category's keywords and examples contain. */
export type CategoryVocabulary = Readonly<Record<Language, ReadonlySet<string>>>;

/** The stems a category's rule examples and keywords use per language; built once per rules version. */
export function categoryVocabulary(examples: Readonly<Record<Language, readonly string[]>>, keywords: Readonly<Record<Language, readonly string[]>>): CategoryVocabulary {
  const build = (language: Language) => new Set([...examples[language], ...keywords[language]].flatMap((t) => tokenize(t, language)));
  return { es: build('es'), it: build('it'), en: build('en') };
}

/**
 * A report is profiled more than once (the pipeline asks whether it may group, then groups it): profiles
 * (stemming is most of the cost) are kept per vocabulary, and signatures (which no vocabulary changes)
 * once per text, least recently used first out, at most KEPT each (memory stays flat however many cases
 * the store holds).
 */
const KEPT = 2048;
const PROFILES = new WeakMap<object, Map<string, Profile>>();
const NO_VOCABULARY = {};
const SIGNATURES = new Map<string, Signature>();

function remembered<V>(kept: Map<string, V>, key: string, make: () => V): V {
  const hit = kept.get(key);
  if (hit) {
    kept.delete(key);
    kept.set(key, hit);
    return hit;
  }
  const made = make();
  kept.set(key, made);
  if (kept.size > KEPT) kept.delete(kept.keys().next().value!);
  return made;
}

/** The signature of a report's text (see signature.ts), kept like the profiles. */
export function signatureOf(text: string): Signature {
  return remembered(SIGNATURES, text, () => signature(text));
}

export function profile(report: ReportText, vocabulary: CategoryVocabulary | null): Profile {
  let kept = PROFILES.get(vocabulary ?? NO_VOCABULARY);
  if (!kept) PROFILES.set(vocabulary ?? NO_VOCABULARY, (kept = new Map()));
  return remembered(kept, `${report.language}\u0000${report.text}`, () => computeProfile(report, vocabulary, signatureOf(report.text)));
}

function computeProfile(report: ReportText, vocabulary: CategoryVocabulary | null, sig: Signature, stems: readonly string[] = tokenize(report.text, report.language)): Profile {
  const vocab = vocabulary?.[report.language];
  const terms = new Map<string, number>();
  for (const stem of stems) {
    if (vocab && !vocab.has(stem)) continue;
    terms.set(stem, (terms.get(stem) ?? 0) + 1);
  }
  return { language: report.language, signature: sig, terms };
}

/**
 * A live case is looked at by every new mail of a burst, as a fresh row each time: what it gives grouping
 * is kept under its id (a short key, where a text key costs a hash of the whole text on every look), and
 * trusted only while the text is the same (another store or desk reusing the id gets its own). Oldest
 * first out, at most KEPT.
 */
interface KnownCase {
  readonly text: string;
  readonly signature: Signature;
  /** The text's stems in one language, whatever the vocabulary (new mails of other categories filter them their way). */
  stems: { readonly language: Language; readonly stems: readonly string[] } | null;
  /** Per vocabulary, in the case's language. */
  readonly profiles: Map<object, Profile>;
}
const CASES = new Map<string, KnownCase>();

function knownCase(id: string, text: string): KnownCase {
  const hit = CASES.get(id);
  if (hit && hit.text === text) return hit;
  const made: KnownCase = { text, signature: signatureOf(text), stems: null, profiles: new Map() };
  CASES.set(id, made);
  if (CASES.size > KEPT) CASES.delete(CASES.keys().next().value!);
  return made;
}

/** signatureOf for a live case, remembered under its id. */
export function caseSignature(id: string, text: string): Signature {
  return knownCase(id, text).signature;
}

/** profile for a live case, remembered under its id (equal to profile() of the same report). */
export function caseProfile(id: string, report: ReportText, vocabulary: CategoryVocabulary | null): Profile {
  const known = knownCase(id, report.text);
  const hit = known.profiles.get(vocabulary ?? NO_VOCABULARY);
  if (hit && hit.language === report.language) return hit;
  if (known.stems?.language !== report.language) known.stems = { language: report.language, stems: tokenize(report.text, report.language) };
  const made = computeProfile(report, vocabulary, known.signature, known.stems.stems);
  known.profiles.set(vocabulary ?? NO_VOCABULARY, made);
  return made;
}

function cosine(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (const [t, v] of a) {
    na += v * v;
    const w = b.get(t);
    if (w !== undefined) dot += v * w;
  }
  for (const v of b.values()) nb += v * v;
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

type Place = 'same' | 'conflict' | 'unknown';
function place(a: ReadonlySet<string>, b: ReadonlySet<string>): Place {
  if (a.size === 0 || b.size === 0) return 'unknown';
  for (const x of a) if (b.has(x)) return 'same';
  return 'conflict';
}

export interface Similarity {
  readonly score: number;
  /** Why, for the event log and the bench: "system same, floor same, text 0.42". */
  readonly why: string;
}

// Weights measured on bench/incidents.ts (see README, "Incidents"): the system carries most of the
// evidence, the place confirms it, and same-language wording breaks ties.
const W_SYSTEM = 0.5;
const W_PLACE = 0.3;
const W_TEXT = 0.2;

/** Where two signatures stand before any wording is compared: apart (score 0, and why), or how far they meet. */
export type Meeting =
  | { readonly apart: string }
  | { readonly apart: null; readonly systems: 'same' | 'compatible'; readonly where: number };

/**
 * The hard part of the comparison, on signatures alone: both must report a failure of systems that meet,
 * in no conflicting place. Cheap, so grouping rules most live cases out with it before stemming them.
 * @example meeting(signature('wifi down on floor 3'), signature('the printer is down'), {}) // → { apart: 'systems conflict' }
 */
export function meeting(sa: Signature, sb: Signature, options: { readonly sameSystemOnly?: boolean } = {}): Meeting {
  if (!sa.failure || !sb.failure) return { apart: 'not both reporting a failure' };
  const systems = systemsMeet(sa.systems, sb.systems);
  if (systems === 'conflict' || systems === 'unknown') return { apart: `systems ${systems}` };
  if (systems !== 'same' && options.sameSystemOnly) return { apart: 'categories differ and the systems are not the same' };
  const places = [place(sa.floors, sb.floors), place(sa.rooms, sb.rooms), place(sa.buildings, sb.buildings)];
  if (places.includes('conflict')) return { apart: 'different place' };
  return { apart: null, systems, where: places.includes('same') ? 1 : 0.5 };
}

/**
 * How similar two reports of the same category are, 0–1.
 * @example similarity(profile({ language: 'es', text: 'No hay wifi en la planta 3' }, v), profile({ language: 'en', text: 'wifi down on floor 3' }, v))
 *   // → { score: 0.9, why: 'system same, place same, text n/a' }
 */
export function similarity(a: Profile, b: Profile, options: { readonly sameSystemOnly?: boolean } = {}): Similarity {
  const m = meeting(a.signature, b.signature, options);
  if (m.apart !== null) return { score: 0, why: m.apart };
  const { systems, where } = m;
  const text = a.language === b.language ? cosine(a.terms, b.terms) : null;
  const score = W_SYSTEM * (systems === 'same' ? 1 : 0.7) + W_PLACE * where + W_TEXT * (text ?? 0.5);
  return {
    score: Math.round(score * 1000) / 1000,
    why: `system ${systems}, place ${where === 1 ? 'same' : 'unknown'}, text ${text === null ? 'n/a' : text.toFixed(2)}`,
  };
}
