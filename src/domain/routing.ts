// What routing decided for one mail: category, priority and the actions rules may take,
// plus why (the rule's file:line or the classifier's top scores). Plain data produced by the
// rules engine and the classifier; the pipeline copies it onto the case and never recomputes it.

export const LANGUAGES = ['es', 'it', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

export interface CategoryScore {
  readonly category: string;
  readonly score: number;
}

export type Explanation =
  /** A rule set the category; file is relative to the rules directory's parent, e.g. "rules/it.yml". */
  | { readonly kind: 'rule'; readonly file: string; readonly line: number; readonly rule: string }
  /** The text classifier decided (or fell below the threshold → triage); top three with scores. */
  | { readonly kind: 'classifier'; readonly top: readonly CategoryScore[]; readonly threshold: number }
  /** Nothing decided: no rules loaded for the desk, or the classifier has no training data. */
  | { readonly kind: 'default'; readonly reason: string };

export interface RoutingDecision {
  readonly category: string;
  readonly priority: Priority;
  readonly language: Language;
  /** Classifier confidence of the chosen category, null when a rule or default decided. */
  readonly confidence: number | null;
  readonly explanation: Explanation;
  /** Rules that matched, in order, as "file:line" (for the case's event log). */
  readonly matchedRules: readonly string[];
  readonly assignee: string | null;
  readonly tags: readonly string[];
  readonly slaPolicy: string | null;
  readonly template: string | null;
  readonly suppressAutoReply: boolean;
  /** Set when a rule's action is to quarantine the mail; the text is the reason. */
  readonly quarantine: string | null;
  /** Addresses a rule asked to notify about the new case. */
  readonly notify: readonly string[];
}
