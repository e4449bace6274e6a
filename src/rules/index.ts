// Public face of the rules engine: load admin-edited YAML rules (rules/*.yml) into a frozen RuleSet
// (with each desk's calendar, SLA policies, escalation and articles) or a list of positioned problems,
// route a mail with them, pick its SLA policy, derive classifier training data, run the routing
// fixtures. Watching for edits is the shell's (src/shell/rules-watch.ts). Nothing outside src/rules
// should import its inner files.
export { loadRules, loadRulesOrThrow, loadRuleSources, type LoadResult, type RulesSource } from './load.js';
export { formatProblem, suggestion, type RuleProblem } from '../admin-files/problems.js';
export type { RulesContext } from './check-config.js';
export { route, type RouteDeps } from './route.js';
export { trainingDocs, type TrainingDoc } from './training.js';
export { runRoutingFixtures, type FixtureExpectation, type FixtureResult, type ParseMail } from './fixtures.js';
export type { Category, DeskEscalation, DeskRules, Rule, RuleSet } from './rule-set.js';
export { deskRulesOf } from './rule-set.js';
export { slaPolicyFor, type DeskSla, type SlaChoice, type SlaChoiceReason, type SlaPolicy } from './sla-policy.js';
export { parseDuration } from './duration.js';
export { defaultKnowledgeDir, type LoadKnowledge } from './desk-knowledge.js';
export { TRIAGE, rulesJsonSchema } from './schema.js';
