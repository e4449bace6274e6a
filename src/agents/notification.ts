// Decides what an agent notification says and who gets it: who asked, the category and why (rule file:line or
// classifier scores), the due time, the requester's new text and the command help; recipients per desk policy.
// Builds template variables only: must never render, send, or put a requester-invisible note in a requester's view.

import type { Language, Explanation, Priority } from '../domain/routing.js';
import type { NotifyPolicy } from '../domain/desk-settings.js';
import { tagSubject } from '../mail/subject.js';
import { commandHelp, helpEntries, priorityName, type HelpContext, type HelpEntry } from './help.js';
import { plusAddress, splitPlus } from './plus-address.js';

export type { NotifyPolicy };

export type NotificationKind = 'new-case' | 'follow-up' | 'reopened' | 'note' | 'assigned';

export interface NotificationInput {
  readonly language: Language;
  readonly kind: NotificationKind;
  readonly case: {
    readonly id: string;
    readonly subject: string;
    readonly status: string;
    readonly category: string | null;
    readonly priority: Priority | string;
    readonly assignee: string | null;
  };
  readonly requester: { readonly name: string; readonly address: string };
  /** Why the case has its category; null for follow-ups where routing is not repeated. */
  readonly explanation: Explanation | null;
  /** The due time already formatted for the reader (sla/format.ts), or null. */
  readonly dueText: string | null;
  /** The requester's new text (quotes and signature already cut) or, for a note, the note. */
  readonly text: string;
  /** The agent who wrote a note; null otherwise. */
  readonly author: { readonly name: string; readonly address: string } | null;
  readonly desk: { readonly id: string; readonly name: string; readonly address: string };
  readonly help: Omit<HelpContext, 'deskAddress'>;
}

export interface NotificationVars {
  readonly [key: string]: unknown;
  readonly subject: string;
  readonly language: Language;
  readonly kind: NotificationKind;
  readonly headline: string;
  /** The case plus priorityText, the priority in the reader's language. */
  readonly case: NotificationInput['case'] & { readonly priorityText: string };
  readonly requester: NotificationInput['requester'];
  readonly author: NotificationInput['author'];
  readonly routing: { readonly category: string | null; readonly why: string | null };
  readonly dueText: string | null;
  readonly text: string;
  readonly desk: NotificationInput['desk'];
  readonly help: string;
  readonly commands: readonly HelpEntry[];
  readonly noteAddress: string | null;
}

const HEADLINE: Readonly<Record<Language, Readonly<Record<NotificationKind, string>>>> = {
  en: { 'new-case': 'New case', 'follow-up': 'The requester wrote again', reopened: 'The requester reopened the case', note: 'Internal note', assigned: 'Assigned to you' },
  es: { 'new-case': 'Caso nuevo', 'follow-up': 'El solicitante ha vuelto a escribir', reopened: 'El solicitante ha reabierto el caso', note: 'Nota interna', assigned: 'Asignado a ti' },
  it: { 'new-case': 'Nuovo caso', 'follow-up': 'Il richiedente ha scritto di nuovo', reopened: 'Il richiedente ha riaperto il caso', note: 'Nota interna', assigned: 'Assegnato a te' },
};

/**
 * The variables of the agent-notification template.
 * @example buildAgentNotification({ kind: 'new-case', case: { id: 'IT-12', … }, explanation: { kind: 'rule', … }, … })
 *   // → { subject: '[IT-12] Printer broken', headline: 'New case', routing: { why: 'rule "printer" (rules/it.yml:12)' }, … }
 */
export function buildAgentNotification(input: NotificationInput): NotificationVars {
  const helpCtx: HelpContext = { ...input.help, deskAddress: input.desk.address };
  return {
    subject: tagSubject(input.case.id, input.case.subject),
    language: input.language,
    kind: input.kind,
    headline: HEADLINE[input.language][input.kind],
    case: { ...input.case, priorityText: priorityName(String(input.case.priority), input.language) },
    requester: input.requester,
    author: input.author,
    routing: { category: input.case.category, why: input.explanation ? explain(input.explanation, input.language) : null },
    dueText: input.dueText,
    text: input.text,
    desk: input.desk,
    help: commandHelp(input.language, helpCtx),
    commands: helpEntries(input.language, helpCtx),
    noteAddress: plusAddress(input.desk.address, 'note'),
  };
}

const RULE_WORD: Readonly<Record<Language, string>> = { en: 'rule', es: 'regla', it: 'regola' };
const CLASSIFIER_WORD: Readonly<Record<Language, [string, string]>> = {
  en: ['text classifier', 'threshold'],
  es: ['clasificador de texto', 'umbral'],
  it: ['classificatore di testo', 'soglia'],
};

/** One line saying why the category was chosen: the rule's file:line, or the classifier's top scores. */
export function explain(explanation: Explanation, language: Language): string {
  switch (explanation.kind) {
    case 'rule':
      return `${RULE_WORD[language]} "${explanation.rule}" (${explanation.file}:${explanation.line})`;
    case 'classifier': {
      const [word, threshold] = CLASSIFIER_WORD[language];
      const top = explanation.top.map((s) => `${s.category} ${s.score.toFixed(2)}`).join(', ');
      return `${word}: ${top} (${threshold} ${explanation.threshold.toFixed(2)})`;
    }
    case 'default':
      return explanation.reason;
  }
}

/**
 * Who is notified about a case event. The writer of the mail is never notified of their own mail, and an
 * assignee-only desk tells everyone while nobody is assigned, so a new case is never seen by no one.
 */
export function notificationRecipients(
  policy: NotifyPolicy,
  agents: readonly string[],
  assignee: string | null,
  exclude: readonly string[] = [],
): string[] {
  if (policy === 'none') return [];
  const skip = new Set(exclude.map((a) => splitPlus(a).base));
  const all = [...new Set(agents.map((a) => splitPlus(a).base))];
  const base = assignee === null ? null : splitPlus(assignee).base;
  const chosen = policy === 'assignee' && base !== null && all.includes(base) ? [base] : all;
  return chosen.filter((a) => !skip.has(a));
}

/** Internal notes go to every other agent whatever the notify policy: writing one is an explicit request to tell them. */
export function noteRecipients(agents: readonly string[], author: string): string[] {
  return notificationRecipients('all', agents, null, [author]);
}
