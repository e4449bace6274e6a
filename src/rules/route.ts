// Decides a mail's category, priority and actions for one desk. Combining rule, in file order:
// every matching rule is listed in matchedRules; for category, priority, assignee, sla, template and
// quarantine the first matching rule that sets the field wins; tags and notify accumulate (deduped,
// first-seen order); suppressAutoReply is true if any matching rule sets it; a matching rule with
// `stop: true` ends evaluation after its own actions. No rule set the category → the classifier's
// top score ≥ the desk threshold decides, else `triage`. Pure: all outside knowledge comes via deps.
import type { InboundMail } from '../domain/mail.js';
import type { CategoryScore, Explanation, Language, Priority, RoutingDecision } from '../domain/routing.js';
import { matchInput } from './match.js';
import { deskRulesOf, type Rule, type RuleSet } from './rule-set.js';
import { TRIAGE } from './schema.js';

export interface RouteDeps {
  detectLanguage(text: string, fallback: Language): Language;
  /** Scores for the desk's categories, or null when the desk has no trained model. */
  classify(deskId: string, text: string, language: Language): readonly CategoryScore[] | null;
}

/** Language the router falls back to for a desk it has no rules for. */
const FALLBACK_LANGUAGE: Language = 'en';
const DEFAULT_PRIORITY: Priority = 'normal';

export function route(ruleSet: RuleSet, deskId: string, mail: InboundMail, deps: RouteDeps): RoutingDecision {
  const desk = deskRulesOf(ruleSet, deskId);
  const text = `${mail.subject}\n${mail.text}`;
  const language = deps.detectLanguage(text, desk?.defaultLanguage ?? FALLBACK_LANGUAGE);
  if (desk === undefined) {
    return decision(language, { kind: 'default', reason: `no rules loaded for desk ${deskId}` }, TRIAGE, null, []);
  }

  const input = matchInput(mail, language);
  const matched: Rule[] = [];
  for (const rule of desk.rules) {
    if (!rule.matches(input)) continue;
    matched.push(rule);
    if (rule.then.stop === true) break;
  }
  const byRule = matched.find((r) => r.then.category !== undefined);
  let category: string;
  let confidence: number | null = null;
  let explanation: Explanation;
  if (byRule?.then.category !== undefined) {
    category = byRule.then.category;
    explanation = { kind: 'rule', file: byRule.file, line: byRule.line, rule: byRule.name };
  } else {
    const known = new Set(desk.categories.map((c) => c.id));
    const scores = deps.classify(desk.id, text, language);
    const top = [...(scores ?? [])].filter((s) => known.has(s.category)).sort((a, b) => b.score - a.score).slice(0, 3);
    const best = top[0];
    if (scores === null || best === undefined) {
      category = TRIAGE;
      explanation = { kind: 'default', reason: `no classifier model for desk ${desk.id}` };
    } else if (best.score >= desk.threshold) {
      category = best.category;
      confidence = best.score;
      explanation = { kind: 'classifier', top, threshold: desk.threshold };
    } else {
      category = TRIAGE;
      explanation = { kind: 'classifier', top, threshold: desk.threshold };
    }
  }
  return decision(language, explanation, category, confidence, matched);

  function decision(
    lang: Language,
    why: Explanation,
    chosen: string,
    score: number | null,
    rules: readonly Rule[],
  ): RoutingDecision {
    const pick = <K extends keyof Rule['then']>(key: K) => rules.find((r) => r.then[key] !== undefined)?.then[key];
    const gather = (values: (string | readonly string[] | undefined)[]) =>
      [...new Set(values.flatMap((v) => (v === undefined ? [] : typeof v === 'string' ? [v] : v)))];
    return {
      category: chosen,
      priority: pick('priority') ?? DEFAULT_PRIORITY,
      language: lang,
      confidence: score,
      explanation: why,
      matchedRules: rules.map((r) => `${r.file}:${r.line}`),
      assignee: pick('assignee') ?? null,
      tags: gather(rules.map((r) => r.then.tags)),
      slaPolicy: pick('sla') ?? null,
      template: pick('template') ?? null,
      suppressAutoReply: rules.some((r) => r.then.suppressAutoReply === true),
      quarantine: pick('quarantine') ?? null,
      notify: gather(rules.map((r) => r.then.notify)),
    };
  }
}
