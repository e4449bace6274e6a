// Decides the variables of the mails an agent's own message causes: the confirmation, the command error, the
// "not verified" notice, and the relay of an agent's answer to the requester (from the desk, commands stripped).
// Builds template variables only; must never put command lines or internal notes into a requester's mail.

import type { Language } from '../domain/routing.js';
import { tagSubject } from '../mail/subject.js';
import type { Command, CommandError } from './commands.js';
import { commandHelp, describeApplied, describeCommandError, describeLifecycleError, type HelpContext } from './help.js';
import type { Transition } from './lifecycle.js';

interface CaseRef {
  readonly id: string;
  readonly subject: string;
}
interface Person {
  readonly name: string;
  readonly address: string;
}
interface DeskRef {
  readonly id: string;
  readonly name: string;
  readonly address: string;
}

const PREFIX: Readonly<Record<Language, { readonly done: string; readonly error: string; readonly untrusted: string }>> = {
  en: { done: 'Done', error: 'Not applied', untrusted: 'Not verified' },
  es: { done: 'Hecho', error: 'No aplicado', untrusted: 'No verificado' },
  it: { done: 'Fatto', error: 'Non applicato', untrusted: 'Non verificato' },
};

/** "Done: [IT-12] Printer": the tag stays findable for threading, the word says the outcome at a glance. */
function subjectWith(word: string, kase: CaseRef | null, subject: string): string {
  return `${word}: ${kase ? tagSubject(kase.id, kase.subject || subject) : subject}`;
}

export function confirmationVars(input: {
  readonly language: Language;
  readonly case: CaseRef;
  readonly agent: Person;
  readonly desk: DeskRef;
  readonly applied: readonly Command[];
  /** Where the agent's text went: the requester, the other agents, or nowhere. */
  readonly relayTo: 'requester' | 'agents' | null;
}): Record<string, unknown> {
  return {
    subject: subjectWith(PREFIX[input.language].done, input.case, input.case.subject),
    language: input.language,
    case: input.case,
    agent: input.agent,
    desk: input.desk,
    applied: input.applied.map((c) => describeApplied(c, input.language)),
    relayTo: input.relayTo,
  };
}

export function commandErrorVars(input: {
  readonly language: Language;
  readonly case: CaseRef | null;
  readonly subject: string;
  readonly agent: Person;
  readonly desk: DeskRef;
  readonly commandErrors: readonly CommandError[];
  readonly lifecycleErrors: readonly Extract<Transition, { ok: false }>[];
  readonly help: Omit<HelpContext, 'deskAddress'>;
}): Record<string, unknown> {
  const caseId = input.case?.id ?? '';
  return {
    subject: subjectWith(PREFIX[input.language].error, input.case, input.subject),
    language: input.language,
    case: input.case,
    agent: input.agent,
    desk: input.desk,
    errors: [
      ...input.commandErrors.map((e) => describeCommandError(e, input.language)),
      ...input.lifecycleErrors.map((e) => describeLifecycleError(e, caseId, input.language)),
    ],
    help: commandHelp(input.language, { ...input.help, deskAddress: input.desk.address }),
  };
}

export function notTrustedVars(input: {
  readonly language: Language;
  readonly case: CaseRef | null;
  readonly subject: string;
  readonly agent: Person;
  readonly desk: DeskRef;
  /** AgentTrust.reason from trust.ts. */
  readonly reason: string;
}): Record<string, unknown> {
  return {
    subject: subjectWith(PREFIX[input.language].untrusted, input.case, input.subject),
    language: input.language,
    case: input.case,
    agent: input.agent,
    desk: input.desk,
    reason: input.reason,
  };
}

/** The agent's answer as the requester sees it: from the desk, signed with the agent's name, body already stripped. */
export function relayVars(input: {
  readonly language: Language;
  readonly case: CaseRef;
  readonly requester: Person;
  readonly agent: Person;
  readonly desk: DeskRef;
  /** ParsedCommands.body passed through trimForRelay: no command lines, no quoted history. */
  readonly text: string;
}): Record<string, unknown> {
  return {
    subject: tagSubject(input.case.id, input.case.subject),
    language: input.language,
    case: input.case,
    requester: input.requester,
    agent: input.agent,
    desk: input.desk,
    text: input.text,
  };
}
