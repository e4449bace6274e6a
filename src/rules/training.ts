// Decides what the text classifier learns for a desk: each category's example phrases and each
// keyword as its own short document, per language, then the configured corpus rows. Labels are
// category ids of that desk only; `triage` is learnt only if the admin gave it examples.
import type { Language } from '../domain/routing.js';
import { LANGUAGES } from '../domain/routing.js';
import { deskRulesOf, type RuleSet } from './rule-set.js';

export interface TrainingDoc {
  readonly text: string;
  readonly label: string;
  readonly language: Language;
}

/** [] for a desk the rule set does not have. */
export function trainingDocs(ruleSet: RuleSet, deskId: string): TrainingDoc[] {
  const desk = deskRulesOf(ruleSet, deskId);
  if (desk === undefined) return [];
  const docs: TrainingDoc[] = [];
  for (const category of desk.categories) {
    for (const language of LANGUAGES) {
      for (const text of [...category.examples[language], ...category.keywords[language]]) {
        docs.push({ text, label: category.id, language });
      }
    }
  }
  for (const row of desk.corpus) docs.push({ text: row.text, label: row.label, language: row.language });
  return docs;
}
