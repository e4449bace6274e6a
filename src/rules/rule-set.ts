// The loaded, validated rules as the router sees them, and how validated file specs become one.
// Built only from files that passed every check; the result is deeply frozen so a hot reload can
// swap it atomically and no stage can change routing behind the admin's back. Business calendars
// are frozen only on the surface: their memo of resolved days must stay writable.
import type { Language, Priority } from '../domain/routing.js';
import type { Article } from '../knowledge/index.js';
import type { EscalationThreshold } from '../sla/escalation.js';
import { DEFAULT_FORECAST, type ForecastSettings } from '../forecast/settings.js';
import type { BusinessCalendar } from '../sla/index.js';
import type { CorpusRow } from './corpus.js';
import { parseDuration } from './duration.js';
import { compileCondition, type Predicate } from './match.js';
import type { ActionsSpec, CategorySpecT, ConditionSpec, DeskSpecT, EscalationSpecT, SlaSpecT } from './schema.js';
import { TRIAGE } from './schema.js';
import type { DeskSla, SlaPolicy } from './sla-policy.js';
import type { GroupingSettings } from '../incidents/grouping.js';

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
  /** The desk's business calendar (id = desk id); null when the desk declares none. */
  readonly calendar: BusinessCalendar | null;
  /** SLA policies and how cases pick one (see slaPolicyFor); null when the desk declares none. */
  readonly sla: DeskSla | null;
  /** Where escalation mails go and at which share of a target; null when the desk declares none. */
  readonly escalation: DeskEscalation | null;
  /** How promises are learned from history (quantile, minimum history, pre-breach share); defaults when absent. */
  readonly forecast: ForecastSettings;
  /** Self-service articles of this desk (sorted by id), loaded with the rules. */
  readonly articles: readonly Article[];
  /** Incident grouping (window in minutes); null when the desk's file has no `incidents:`. */
  readonly incidents: GroupingSettings | null;
}

export interface DeskEscalation {
  readonly address: string;
  /** In file order; default warning at 0.75 and breach at 1. */
  readonly thresholds: readonly EscalationThreshold[];
}

/** A desk's rules, or undefined (safe against ids like "__proto__": desks is a plain record). */
export function deskRulesOf(ruleSet: RuleSet | null | undefined, deskId: string): DeskRules | undefined {
  return ruleSet && Object.hasOwn(ruleSet.desks, deskId) ? ruleSet.desks[deskId] : undefined;
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
  /** Built by the loader (createCalendar), so its problems carry positions. */
  readonly calendar: BusinessCalendar | null;
  readonly articles: readonly Article[];
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
      calendar: desk.calendar,
      sla: desk.spec.sla ? deskSla(desk.spec.sla) : null,
      escalation: desk.spec.escalation ? deskEscalation(desk.spec.escalation) : null,
      forecast: desk.spec.forecast ?? DEFAULT_FORECAST,
      articles: [...desk.articles],
      incidents: desk.spec.incidents
        ? { windowMinutes: minutes(desk.spec.incidents.window), minRequesters: desk.spec.incidents.minRequesters, threshold: desk.spec.incidents.threshold }
        : null,
    };
  }
  const calendars = desks.flatMap((d) => (d.calendar ? [d.calendar] : []));
  for (const calendar of calendars) {
    deepFreeze(calendar.spec);
    Object.freeze(calendar);
  }
  return deepFreeze({ files: [...files], desks: built }, new Set(calendars));
}

function deskSla(spec: SlaSpecT): DeskSla {
  const policies: Record<string, SlaPolicy> = {};
  for (const [name, policy] of Object.entries(spec.policies)) {
    policies[name] = { name, firstResponseMinutes: minutes(policy.firstResponse), resolutionMinutes: minutes(policy.resolution) };
  }
  return { policies, default: spec.default, byPriority: { ...(spec.byPriority as Partial<Record<Priority, string>> | undefined) }, byCategory: { ...spec.byCategory } };
}

function deskEscalation(spec: EscalationSpecT): DeskEscalation {
  return { address: spec.address, thresholds: spec.thresholds.map((t) => ({ name: t.name, fraction: t.fraction })) };
}

function minutes(duration: string): number {
  const parsed = parseDuration(duration);
  if (typeof parsed === 'string') throw new Error(`unreachable: the schema accepted the duration ${parsed}`);
  return parsed;
}

/**
 * Freezes `value` and everything reachable from it, except the objects in `opaque` (left as they
 * are, e.g. a calendar whose internal memo must stay writable). Already-frozen objects are still
 * descended into, so shallowly frozen parts (articles) end up frozen all the way down.
 */
export function deepFreeze<T>(value: T, opaque: ReadonlySet<object> = new Set(), seen = new WeakSet<object>()): T {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return value;
  const object = value as object;
  if (opaque.has(object) || seen.has(object)) return value;
  seen.add(object);
  Object.freeze(object);
  for (const key of Reflect.ownKeys(object)) deepFreeze((object as Record<PropertyKey, unknown>)[key], opaque, seen);
  return value;
}
