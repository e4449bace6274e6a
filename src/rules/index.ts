// Public face of the rules engine: load admin-edited YAML rules (rules/*.yml) into a frozen RuleSet
// or a list of positioned problems, route a mail with them, derive classifier training data, run the
// routing fixtures and watch for edits. Nothing outside src/rules should import its inner files.
export { loadRules, loadRulesOrThrow, loadRuleSources, type LoadResult, type RulesSource } from './load.js';
export { formatProblem, type RuleProblem } from './problems.js';
export { route, type RouteDeps } from './route.js';
export { trainingDocs, type TrainingDoc } from './training.js';
export { runRoutingFixtures, type FixtureExpectation, type FixtureResult, type ParseMail } from './fixtures.js';
export { watchRules, type RulesWatcher, type WatchHandlers, type WatchOptions } from './watch.js';
export type { Category, DeskRules, Rule, RuleSet } from './rule-set.js';
export { TRIAGE, rulesJsonSchema } from './schema.js';
