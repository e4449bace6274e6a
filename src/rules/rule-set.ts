// The loaded, validated rules as the router sees them, and how validated file specs become one.
// Built only from files that passed every check; the result is deeply frozen so a hot reload can
// swap it atomically and no stage can change routing behind the admin's back.
import type { Language } from '../domain/routing.js';
import type { CorpusRow } from './corpus.js';
import { compileCondition, type Predicate } from './match.js';
import type { ActionsSpec, CategorySpecT, ConditionSpec, DeskSpecT } from './schema.js';
import { TRIAGE } from './schema.js';

export interface Category {
  readonly id: string;
  readonly names: Readonly<Record<Language, string>>;
  readonly keywords: Readonly<Record<Language, readonly string[]>>;
  readonly examples: Readonly<Record<Language, readonly string[]>>;
}

export interface Rule {
  readonly name: string;
  /** Rules file, relative to the rules directory's parent, e.g. "rules/it.yml". */
  readonly file: string;
  /** Line of the rule's first key. */
  readonly line: number;
  readonly when: ConditionSpec;
  readonly then: ActionsSpec;
  /** The compiled `when`; regexes live inside its closure. */
  readonly matches: Predicate;
}

export interface DeskRules {
  readonly id: string;
  readonly file: string;
  readonly defaultLanguage: Language;
  readonly threshold: number;
  /** Declared categories plus `triage` (added when the file does not declare it). */
  readonly categories: readonly Category[];
  /** In file order: the order they are evaluated in. */
  readonly rules: readonly Rule[];
  /** Rows of the configured corpus file, mapped to category ids; [] when none is configured. */
  readonly corpus: readonly CorpusRow[];
}

export interface RuleSet {
  /** Files the set was loaded from, relative to the rules directory's parent. */
  readonly files: readonly string[];
  readonly desks: Readonly<Record<string, DeskRules>>;
}

const TRIAGE_NAMES: Readonly<Record<Language, string>> = { es: 'Por clasificar', it: 'Da smistare', en: 'Triage' };

export interface DeskSource {
  readonly id: string;
  readonly file: string;
  readonly spec: DeskSpecT;
  /** 1-based line of each rule, same order as spec.rules. */
  readonly ruleLines: readonly number[];
  readonly corpus: readonly CorpusRow[];
}

function category(spec: CategorySpecT): Category {
  const perLanguage = (v: CategorySpecT['keywords']) => ({ es: v?.es ?? [], it: v?.it ?? [], en: v?.en ?? [] });
  return { id: spec.id, names: spec.names, keywords: perLanguage(spec.keywords), examples: perLanguage(spec.examples) };
}

export function buildRuleSet(files: readonly string[], desks: readonly DeskSource[]): RuleSet {
  const built: Record<string, DeskRules> = {};
  for (const desk of desks) {
    const categories = desk.spec.categories.map(category);
    if (!categories.some((c) => c.id === TRIAGE)) {
      categories.push({ id: TRIAGE, names: TRIAGE_NAMES, keywords: { es: [], it: [], en: [] }, examples: { es: [], it: [], en: [] } });
    }
    built[desk.id] = {
      id: desk.id,
      file: desk.file,
      defaultLanguage: desk.spec.defaultLanguage,
      threshold: desk.spec.threshold,
      categories,
      rules: desk.spec.rules.map((rule, index) => ({
        name: rule.name,
        file: desk.file,
        line: desk.ruleLines[index] ?? 0,
        when: rule.when,
        then: rule.then,
        matches: compileCondition(rule.when),
      })),
      corpus: desk.corpus,
    };
  }
  return deepFreeze({ files: [...files], desks: built });
}

export function deepFreeze<T>(value: T): T {
  if (value !== null && (typeof value === 'object' || typeof value === 'function') && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Reflect.ownKeys(value as object)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  }
  return value;
}
