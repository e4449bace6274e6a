// Decides which commands an agent's mail carries: the "#…" lines at the top of the new text (#note, #assign,
// #priority, #category, #wait, #eta, #resolve, #close, #reopen, with es/it aliases), and what text is left to relay.
// Must never guess a value: a typo is an error with a suggestion, and the caller applies nothing unless errors is empty.

import { PRIORITIES, type Priority } from '../domain/routing.js';
import { extractNewText } from '../quotes/index.js';
import { didYouMean, fold } from './did-you-mean.js';

export const COMMAND_NAMES = ['note', 'assign', 'priority', 'category', 'wait', 'eta', 'resolve', 'close', 'reopen', 'incident', 'unlink'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

/** Commands that take exactly one value; the others take none. */
const TAKES_VALUE: ReadonlySet<CommandName> = new Set(['assign', 'priority', 'category', 'wait', 'eta', 'incident']);
/** At most one of these per mail: they each decide the case's next status. */
const STATUS_COMMANDS: ReadonlySet<CommandName> = new Set(['wait', 'resolve', 'close', 'reopen']);

// Keys are folded (lower-case, no accents). Agents of an es/it desk write in their language; any desk accepts all.
const ALIASES: Readonly<Record<string, CommandName>> = {
  note: 'note', nota: 'note',
  assign: 'assign', asignar: 'assign', asigna: 'assign', assegna: 'assign', assegnare: 'assign',
  priority: 'priority', prioridad: 'priority', priorita: 'priority',
  category: 'category', categoria: 'category',
  wait: 'wait', esperar: 'wait', espera: 'wait', attesa: 'wait', attendi: 'wait',
  eta: 'eta', plazo: 'eta', prevision: 'eta', scadenza: 'eta', previsione: 'eta',
  resolve: 'resolve', resolver: 'resolve', resuelto: 'resolve', risolvi: 'resolve', risolto: 'resolve',
  close: 'close', cerrar: 'close', chiudi: 'close',
  reopen: 'reopen', reabrir: 'reopen', riapri: 'reopen',
  incident: 'incident', incidencia: 'incident', incidente: 'incident',
  unlink: 'unlink', desvincular: 'unlink', separa: 'unlink', scollega: 'unlink',
};

/** "#incident new" in each language. */
const NEW_WORDS: ReadonlySet<string> = new Set(['new', 'nueva', 'nuevo', 'nuovo', 'nuova']);
const CASE_ID_VALUE = /^[A-Z][A-Z0-9]{0,9}-[1-9][0-9]{0,8}$/;

const PRIORITY_WORDS: Readonly<Record<string, Priority>> = {
  low: 'low', baja: 'low', bassa: 'low',
  normal: 'normal', medium: 'normal', normale: 'normal', media: 'normal',
  high: 'high', alta: 'high',
  urgent: 'urgent', urgente: 'urgent',
};

/** Minutes per unit; keys folded. "m" is minutes (as in 30m), never months. */
const DURATION_UNITS: Readonly<Record<string, number>> = {
  m: 1, min: 1, mins: 1, minute: 1, minutes: 1, minuto: 1, minutos: 1, minuti: 1,
  h: 60, hr: 60, hrs: 60, hour: 60, hours: 60, hora: 60, horas: 60, ora: 60, ore: 60,
  d: 1440, day: 1440, days: 1440, dia: 1440, dias: 1440, g: 1440, giorno: 1440, giorni: 1440,
  w: 10080, wk: 10080, wks: 10080, week: 10080, weeks: 10080, semana: 10080, semanas: 10080, settimana: 10080, settimane: 10080,
};
/** A longer wait is a forgotten case, not a plan: one year. */
export const MAX_WAIT_MINUTES = 365 * 1440;

/** Words an agent may use with #assign to mean themselves. */
const SELF_WORDS: ReadonlySet<string> = new Set(['me', 'myself', 'yo', 'io']);

export type Command =
  | { readonly name: 'note' | 'resolve' | 'close' | 'reopen' | 'unlink'; readonly raw: string }
  /** Join the incident with this case id, or open a new one ("new") for this case. */
  | { readonly name: 'incident'; readonly incident: string; readonly raw: string }
  /** The assignee's configured address. */
  | { readonly name: 'assign'; readonly agent: string; readonly raw: string }
  | { readonly name: 'priority'; readonly priority: Priority; readonly raw: string }
  /** The category id as configured. */
  | { readonly name: 'category'; readonly category: string; readonly raw: string }
  /** Calendar minutes to wait for the requester; the caller adds them to its clock. */
  | { readonly name: 'wait'; readonly minutes: number; readonly raw: string }
  /** The resolution date the agent promises: a duration (business time from now) or a date (close of business). */
  | { readonly name: 'eta'; readonly eta: { readonly minutes: number } | { readonly date: string }; readonly raw: string };

export type CommandErrorCode = 'unknown-command' | 'missing-value' | 'bad-value' | 'extra-value' | 'ambiguous-agent' | 'conflict';

export interface CommandError {
  readonly code: CommandErrorCode;
  /** The command as typed, with its "#", e.g. "#asign". */
  readonly command: string;
  /** The command it was recognised as, null for an unknown one. */
  readonly name: CommandName | null;
  readonly value: string | null;
  /** What would have been accepted: command names for an unknown command, values otherwise. */
  readonly valid: readonly string[];
  readonly suggestion: string | null;
  /** 1-based line of the mail text the command is on. */
  readonly line: number;
  /** One English sentence for logs and the event log; mails use help.ts's localised wording. */
  readonly message: string;
}

export interface AgentRef {
  readonly address: string;
  readonly name?: string;
}

export interface CommandVocabulary {
  /** Category ids of the desk, as configured. */
  readonly categories: readonly string[];
  readonly agents: readonly AgentRef[];
  /** Allowed priorities; defaults to all four. */
  readonly priorities?: readonly Priority[];
  /** The sending agent's address, so "#assign me" works; without it "me" is an ordinary (unknown) name. */
  readonly self?: string;
}

export interface ParsedCommands {
  readonly commands: readonly Command[];
  readonly errors: readonly CommandError[];
  /**
   * The text without the command block, trimmed; "" when what is left is only a signature or quoted history.
   * Still holds any quoted history below new text: relay it through trimForRelay.
   */
  readonly body: string;
  /** The command lines as written, for the event log. */
  readonly block: readonly string[];
}

const COMMAND_TOKEN = /^#\p{L}/u;

/**
 * Reads the command block at the top of an agent's mail.
 *
 * The block is every line, after optional blank lines, whose first character is "#" followed by a letter
 * ("# Heading" and "#1" are text). Blank lines inside the block are allowed. One line may hold several
 * commands ("#assign maria #priority high"). A value-less command followed by words (#note, #resolve …)
 * starts the body with those words and ends the block, so "#note called the vendor" is a note with text.
 * A command taking a value accepts exactly one ("#wait 2 days" counts as one duration).
 * @example parseCommandBlock('#priority alta\nDone.', { categories: [], agents: [] })
 *   // → { commands: [{ name: 'priority', priority: 'high', raw: '#priority alta' }], errors: [], body: 'Done.', … }
 */
export function parseCommandBlock(text: string, vocab: CommandVocabulary): ParsedCommands {
  const lines = text.replace(/\r\n?/g, '\n').replace(/^\uFEFF/, '').split('\n');
  const commands: Command[] = [];
  const errors: CommandError[] = [];
  const block: string[] = [];
  const commandLines: number[] = [];
  let i = 0;
  while (i < lines.length && lines[i]!.trim() === '') i++;
  let firstBodyLine: string | null = null;
  for (; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    if (!COMMAND_TOKEN.test(line)) break;
    block.push(line);
    const rest = parseLine(line, i + 1, vocab, commands, errors);
    while (commandLines.length < commands.length) commandLines.push(i + 1);
    if (rest !== null) {
      firstBodyLine = rest;
      i++;
      break;
    }
  }
  checkConflicts(commands, commandLines, errors);
  const remainder = [...(firstBodyLine === null ? [] : [firstBodyLine]), ...lines.slice(i)];
  return { commands, errors, body: bodyOf(remainder), block };
}

/** Parses one command line into `commands`/`errors`; returns the free text that starts the body, or null. */
function parseLine(line: string, lineNo: number, vocab: CommandVocabulary, commands: Command[], errors: CommandError[]): string | null {
  const tokens = tokenize(line);
  let t = 0;
  while (t < tokens.length) {
    const tok = tokens[t]!;
    if (!COMMAND_TOKEN.test(tok.text)) {
      // Only reachable after a value-less command: the rest of the line is text (see parseCommandBlock).
      return line.slice(tok.start);
    }
    t++;
    const name = ALIASES[fold(tok.text.slice(1))];
    if (name === undefined) {
      const valid = COMMAND_NAMES.map((c) => `#${c}`);
      const guess = didYouMean(tok.text.slice(1), [...COMMAND_NAMES, ...Object.keys(ALIASES)]);
      const suggestion = guess === null ? null : `#${ALIASES[fold(guess)] ?? guess}`;
      errors.push(error('unknown-command', tok.text, null, null, valid, suggestion, lineNo, `unknown command ${tok.text}`));
      // Skip the values that belong to the unknown command so they do not read as commands or text.
      while (t < tokens.length && !COMMAND_TOKEN.test(tokens[t]!.text)) t++;
      continue;
    }
    if (!TAKES_VALUE.has(name)) {
      commands.push({ name: name as 'note' | 'resolve' | 'close' | 'reopen' | 'unlink', raw: tok.text });
      continue;
    }
    const values: string[] = [];
    while (t < tokens.length && !COMMAND_TOKEN.test(tokens[t]!.text)) values.push(tokens[t++]!.text);
    const raw = [tok.text, ...values].join(' ');
    const result = parseValue(name, tok.text, values, lineNo, vocab);
    if ('code' in result) errors.push(result);
    else commands.push({ ...result, raw } as Command);
  }
  return null;
}

function tokenize(line: string): { text: string; start: number }[] {
  return [...line.matchAll(/\S+/gu)].map((m) => ({ text: m[0], start: m.index }));
}

type WithoutRaw<T> = T extends unknown ? Omit<T, 'raw'> : never;
type ValueResult = WithoutRaw<Extract<Command, { name: 'assign' | 'priority' | 'category' | 'wait' | 'eta' | 'incident' }>> | CommandError;

function parseValue(name: CommandName, typed: string, values: readonly string[], lineNo: number, vocab: CommandVocabulary): ValueResult {
  const valid = validValues(name, vocab);
  if (values.length === 0) {
    return error('missing-value', typed, name, null, valid, null, lineNo, `${typed} needs a value`);
  }
  const joined = values.join(' ');
  if (name === 'wait') {
    const minutes = parseDuration(joined);
    if (minutes === null) {
      return error('bad-value', typed, name, joined, valid, null, lineNo, `${typed}: "${joined}" is not a duration such as 30m, 4h, 2d or 1w`);
    }
    return { name, minutes };
  }
  if (name === 'eta') {
    const eta = parseEta(joined);
    if (eta === null) {
      return error('bad-value', typed, name, joined, valid, null, lineNo, `${typed}: "${joined}" is not a duration such as 4h or 2d, nor a date such as 2026-12-10`);
    }
    return { name, eta };
  }
  if (values.length > 1) {
    return error('extra-value', typed, name, joined, valid, null, lineNo, `${typed} takes one value, got "${joined}"`);
  }
  const value = values[0]!;
  switch (name) {
    case 'priority': {
      const allowed = vocab.priorities ?? PRIORITIES;
      const p = PRIORITY_WORDS[fold(value)];
      if (p !== undefined && allowed.includes(p)) return { name, priority: p };
      const words = Object.keys(PRIORITY_WORDS).filter((w) => allowed.includes(PRIORITY_WORDS[w]!));
      const guess = didYouMean(value, words);
      return error('bad-value', typed, name, value, valid, guess === null ? null : PRIORITY_WORDS[guess]!, lineNo, `${typed}: unknown priority "${value}"`);
    }
    case 'incident': {
      if (NEW_WORDS.has(fold(value))) return { name, incident: 'new' };
      if (CASE_ID_VALUE.test(value.toUpperCase())) return { name, incident: value.toUpperCase() };
      return error('bad-value', typed, name, value, valid, null, lineNo, `${typed}: "${value}" is neither a case id such as IT-57 nor "new"`);
    }
    case 'category': {
      const c = vocab.categories.find((id) => fold(id) === fold(value));
      if (c !== undefined) return { name, category: c };
      return error('bad-value', typed, name, value, valid, didYouMean(value, vocab.categories), lineNo, `${typed}: unknown category "${value}"`);
    }
    default: // 'assign': TAKES_VALUE lists exactly these four
      return assignee(typed, value, lineNo, vocab);
  }
}

function assignee(typed: string, value: string, lineNo: number, vocab: CommandVocabulary): ValueResult {
  const valid = validValues('assign', vocab);
  const found = resolveAgent(value, vocab.agents, vocab.self);
  if ('agent' in found) return { name: 'assign', agent: found.agent };
  if ('ambiguous' in found) {
    return error('ambiguous-agent', typed, 'assign', value, found.ambiguous, null, lineNo, `${typed}: "${value}" matches ${found.ambiguous.join(', ')}`);
  }
  return error('bad-value', typed, 'assign', value, valid, found.suggestion, lineNo, `${typed}: no agent "${value}" on this desk`);
}

export type AgentLookup =
  | { readonly agent: string }
  | { readonly ambiguous: readonly string[] }
  | { readonly suggestion: string | null };

/**
 * Which agent a typed name means (#assign, `cases update --assignee`, a rule's `assignee:`): full
 * address, local part, display name, first word of the display name, most specific first; "me" is
 * `self`. The agent comes back as its configured address, lower-case; a near miss as a suggestion.
 */
export function resolveAgent(value: string, agents: readonly AgentRef[], self?: string): AgentLookup {
  const v = fold(value);
  if (self !== undefined && SELF_WORDS.has(v)) {
    const me = agents.find((a) => a.address.toLowerCase() === self.toLowerCase());
    if (me) return { agent: me.address.toLowerCase() };
  }
  const levels: ((a: AgentRef) => boolean)[] = [
    (a) => fold(a.address) === v,
    (a) => fold(localPart(a.address)) === v,
    (a) => a.name !== undefined && fold(a.name) === v,
    (a) => a.name !== undefined && fold(a.name.trim().split(/\s+/u)[0] ?? '') === v,
  ];
  for (const matches of levels) {
    const found = agents.filter(matches);
    if (found.length === 1) return { agent: found[0]!.address.toLowerCase() };
    if (found.length > 1) return { ambiguous: found.map((a) => a.address.toLowerCase()) };
  }
  return { suggestion: didYouMean(value, agents.map((a) => localPart(a.address))) };
}

function localPart(address: string): string {
  return address.slice(0, Math.max(0, address.lastIndexOf('@'))).toLowerCase();
}

/** "30m", "4h", "2d", "1w", "2 days", "3 giorni", "1 semana"; whole numbers only, at most MAX_WAIT_MINUTES. */
export function parseDuration(text: string): number | null {
  const m = /^(\d{1,6})\s*(\p{L}+)$/u.exec(text.trim());
  if (!m) return null;
  const unit = DURATION_UNITS[fold(m[2]!)];
  const minutes = Number(m[1]) * (unit ?? NaN);
  return Number.isFinite(minutes) && minutes > 0 && minutes <= MAX_WAIT_MINUTES ? minutes : null;
}

/** "#eta 2d" (a duration as #wait takes it) or "#eta 2026-12-10" (a real calendar date); null otherwise. */
export function parseEta(text: string): { readonly minutes: number } | { readonly date: string } | null {
  const t = text.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
  if (m) {
    const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
    return d.toISOString().slice(0, 10) === t ? { date: t } : null;
  }
  const minutes = parseDuration(t);
  return minutes === null ? null : { minutes };
}

/** The canonical values listed in an error, e.g. ["low", "normal", "high", "urgent"]. */
export function validValues(name: CommandName, vocab: CommandVocabulary): readonly string[] {
  switch (name) {
    case 'priority':
      return vocab.priorities ?? PRIORITIES;
    case 'category':
      return vocab.categories;
    case 'assign':
      return vocab.agents.map((a) => localPart(a.address));
    case 'wait':
      return ['30m', '4h', '2d', '1w'];
    case 'eta':
      return ['4h', '2d', '2026-12-10'];
    case 'incident':
      return ['IT-57', 'new'];
    default:
      return [];
  }
}

function checkConflicts(commands: readonly Command[], lineNos: readonly number[], errors: CommandError[]): void {
  const seen = new Set<CommandName>();
  let status: Command | null = null;
  for (const [k, c] of commands.entries()) {
    const lineNo = lineNos[k] ?? 1;
    if (seen.has(c.name)) {
      errors.push(error('conflict', `#${c.name}`, c.name, null, [], null, lineNo, `#${c.name} is given more than once`));
    }
    seen.add(c.name);
    if (STATUS_COMMANDS.has(c.name)) {
      if (status !== null && status.name !== c.name) {
        const both = [`#${status.name}`, `#${c.name}`];
        errors.push(error('conflict', `#${c.name}`, c.name, null, both, null, lineNo, `${both.join(' and ')} cannot be combined: choose one`));
      }
      status ??= c;
    }
  }
}

/** What is left after the block; "" when it holds no new text (only a signature, only quoted history). */
function bodyOf(lines: readonly string[]): string {
  const rest = lines.join('\n').trim();
  if (rest === '') return '';
  const fresh = extractNewText(rest).text;
  const hasNewText = fresh.split('\n').some((l) => l.trim() !== '' && !l.trimStart().startsWith('>'));
  return hasNewText ? rest : '';
}

function error(
  code: CommandErrorCode,
  command: string,
  name: CommandName | null,
  value: string | null,
  valid: readonly string[],
  suggestion: string | null,
  line: number,
  message: string,
): CommandError {
  const hint = suggestion === null ? '' : ` (did you mean ${suggestion}?)`;
  const list = valid.length === 0 || code === 'conflict' ? '' : `; valid: ${valid.join(', ')}`;
  return { code, command, name, value, valid, suggestion, line, message: `${message}${hint}${list}` };
}

/**
 * The command a desk plus-address stands for (it+note@ → #note), or null. Only value-less commands can be
 * sent this way; the caller honours it only for a trusted agent, exactly like a "#" line.
 */
export function commandFromPlusTag(tag: string): Command | null {
  const name = ALIASES[fold(tag)];
  if (name === undefined || TAKES_VALUE.has(name)) return null;
  return { name: name as 'note' | 'resolve' | 'close' | 'reopen' | 'unlink', raw: `+${tag}` };
}
