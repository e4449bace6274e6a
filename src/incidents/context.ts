// What the pipeline knows about incidents for one desk: the grouping settings from its rules file and
// the topical vocabulary of each category, plus the annotation the incident stage leaves for the
// reply policy. Data only; the decisions are in grouping.ts and src/pipeline/incident-plan.ts.

import type { LiveCase } from '../domain/incident.js';
import type { SlaPlan } from '../domain/plan.js';
import type { GroupingSettings } from './grouping.js';
import { categoryVocabulary, type CategoryVocabulary } from './similarity.js';
import type { Language } from '../domain/routing.js';

/** What a rules category gives grouping: its id and its example phrases and keywords per language. */
export interface CategoryExamples {
  readonly id: string;
  readonly examples: Readonly<Record<Language, readonly string[]>>;
  readonly keywords: Readonly<Record<Language, readonly string[]>>;
}

export interface IncidentContext {
  readonly settings: GroupingSettings;
  /** Topical stems per language of a category (from the rules' examples), or null for an unknown one. */
  readonly vocabulary: (category: string) => CategoryVocabulary | null;
}

/** How far back the shell fetches live cases for grouping; 0 when grouping is off (incidents still come). */
export function incidentWindowMs(ctx: { readonly incidents?: IncidentContext | null }): number {
  return (ctx.incidents?.settings.windowMinutes ?? 0) * 60_000;
}

export type IncidentPlanning =
  /** The new case joins this live incident; `reporters` counts its requesters before this one. */
  | { readonly kind: 'join'; readonly incident: LiveCase; readonly reporters: number; readonly score: number; readonly why: string }
  /** The new case and these live cases (oldest first) form a new incident that started at `startedAt`. */
  | { readonly kind: 'form'; readonly members: readonly LiveCase[]; readonly startedAt: string; readonly sla: SlaPlan | null; readonly score: number; readonly why: string };

const CONTEXTS = new WeakMap<object, IncidentContext>();

/** The incident context of a desk's current rules (memoised per rules version), or null when grouping is off. */
export function incidentContext(rules: { readonly incidents: GroupingSettings | null; readonly categories: readonly CategoryExamples[] } | undefined): IncidentContext | null {
  if (!rules?.incidents) return null;
  let ctx = CONTEXTS.get(rules);
  if (!ctx) {
    const vocabularies = new Map(rules.categories.map((c) => [c.id, categoryVocabulary(c.examples, c.keywords)]));
    ctx = { settings: rules.incidents, vocabulary: (category) => vocabularies.get(category) ?? null };
    CONTEXTS.set(rules, ctx);
  }
  return ctx;
}
