// Decides whether a new case belongs to an outage: join an open incident of the desk, form a new one
// with recent similar cases of other requesters, or stay on its own. Pure: the store hands over the
// recent open cases; this module never reads the clock or the store, and never groups one person's
// mails with each other (a repeated mail is not a second witness).

import type { CaseStatus } from '../domain/case.js';
import type { GroupCandidate } from '../domain/incident.js';
import type { Language } from '../domain/routing.js';
import { baseAddress } from '../mail/address.js';
import { caseProfile, caseSignature, meeting, profile, signatureOf, similarity, type CategoryVocabulary, type Profile } from './similarity.js';

/** Per desk, from the rules file (`incidents:`). */
export interface GroupingSettings {
  /** How far back similar cases count, in minutes. */
  readonly windowMinutes: number;
  /** Distinct requesters (the new one included) needed to open an incident. */
  readonly minRequesters: number;
  /** Minimum similarity (0–1) for two reports to count as the same problem. */
  readonly threshold: number;
}

export const DEFAULT_GROUPING: GroupingSettings = Object.freeze({ windowMinutes: 45, minRequesters: 3, threshold: 0.65 });

const TRIAGE = 'triage';

/** Same category, or one side is triage (the classifier was unsure, so its category says nothing). */
export function categoriesMeet(a: string | null, b: string | null): boolean {
  return a === b || a === TRIAGE || b === TRIAGE;
}

const LIVE: ReadonlySet<CaseStatus> = new Set(['new', 'open', 'waiting']);

export type { CaseKind, GroupCandidate } from '../domain/incident.js';

export interface NewReport {
  readonly requester: string;
  readonly category: string;
  readonly language: Language;
  readonly text: string;
}

export type GroupingDecision =
  | { readonly kind: 'none'; readonly reason: string }
  /** Join this open incident (`similarTo` is the member the report resembles most). */
  | { readonly kind: 'join'; readonly incident: string; readonly similarTo: string; readonly score: number; readonly why: string }
  /** Open an incident with these existing cases (oldest first) and the new one. */
  | { readonly kind: 'form'; readonly members: readonly string[]; readonly score: number; readonly why: string };

/**
 * Whether a report could group with anything at all, from its own text: only a failure of a shared system
 * scores above 0 against any case (similarity.ts), so for every other report the live cases need not
 * even be read. A threshold of 0 lets anything through, so then it always could.
 * @example mayGroup('wifi down on floor 3', DEFAULT_GROUPING) // → true
 * @example mayGroup('Please add Ana to the sales list', DEFAULT_GROUPING) // → false
 */
export function mayGroup(text: string, settings: GroupingSettings): boolean {
  const mine = signatureOf(text);
  return settings.threshold <= 0 || (mine.failure && mine.systems.size > 0);
}

/**
 * @param vocabulary the category's topical stems per language (from the rules' examples), or null.
 * @example decideGrouping(report, candidates, DEFAULT_GROUPING, now, vocab)
 *   // → { kind: 'form', members: ['IT-3', 'IT-5'], score: 0.85, why: 'system same, place same, text n/a' }
 */
export function decideGrouping(
  report: NewReport,
  candidates: readonly GroupCandidate[],
  settings: GroupingSettings,
  now: Date,
  vocabulary: CategoryVocabulary | null,
): GroupingDecision {
  const me = baseAddress(report.requester);
  const mySignature = signatureOf(report.text);
  let mine: Profile | null = null;
  const openIncidents = new Map(candidates.filter((c) => c.kind === 'incident' && LIVE.has(c.status) && categoriesMeet(report.category, c.category)).map((c) => [c.id, c]));
  const since = now.getTime() - settings.windowMinutes * 60_000;
  const scored: { c: GroupCandidate; score: number; why: string }[] = [];
  for (const c of candidates) {
    if (c.kind !== 'case' || !LIVE.has(c.status) || !categoriesMeet(report.category, c.category)) continue;
    const inIncident = c.incident !== null && openIncidents.has(c.incident);
    // Members of an open incident count whatever their age: the outage is still on.
    if (!inIncident && Date.parse(c.createdAt) < since) continue;
    // Where the classifier was unsure (triage), only the very same system may vouch for the link.
    const options = { sameSystemOnly: report.category !== c.category };
    // Most live cases name another system, another place or no failure: their signature alone scores
    // them 0, before any stemming (a threshold of 0 keeps even those, so then all are compared).
    if (settings.threshold > 0 && meeting(mySignature, caseSignature(c.id, c.text), options).apart !== null) continue;
    mine ??= profile(report, vocabulary);
    const other: Profile = caseProfile(c.id, { language: c.language ?? report.language, text: c.text }, vocabulary);
    const s = similarity(mine, other, options);
    if (s.score >= settings.threshold) scored.push({ c, ...s });
  }
  scored.sort((a, b) => b.score - a.score || a.c.createdAt.localeCompare(b.c.createdAt));

  const joinable = scored.find((s) => s.c.incident !== null && openIncidents.has(s.c.incident));
  if (joinable) {
    const incident = joinable.c.incident!;
    const already = candidates.some((c) => c.incident === incident && baseAddress(c.requester) === me);
    if (already) return { kind: 'none', reason: `the requester already reported incident ${incident}` };
    return { kind: 'join', incident, similarTo: joinable.c.id, score: joinable.score, why: joinable.why };
  }
  const free = scored.filter((s) => s.c.incident === null && baseAddress(s.c.requester) !== me);
  const requesters = new Set([me, ...free.map((s) => baseAddress(s.c.requester))]);
  if (requesters.size < settings.minRequesters) {
    return { kind: 'none', reason: `${requesters.size} requester(s) with a similar report, ${settings.minRequesters} needed` };
  }
  const best = free[0]!;
  const members = [...free].sort((a, b) => a.c.createdAt.localeCompare(b.c.createdAt)).map((s) => s.c.id);
  return { kind: 'form', members, score: best.score, why: best.why };
}
