// Decides the wording agents read about commands, in es/it/en: the help block (notifications, error replies),
// one line per applied command (confirmations) and one per error (with the valid values and a did-you-mean).
// Wording only: must never decide what a command does; commands.ts and lifecycle.ts do.

import type { Language } from '../domain/routing.js';
import type { Command, CommandError, CommandName } from './commands.js';
import type { Transition } from './lifecycle.js';
import { plusAddress } from './plus-address.js';

export interface HelpContext {
  readonly deskAddress: string;
  readonly categories: readonly string[];
  /** Agent local parts or addresses, as #assign accepts them. */
  readonly agents: readonly string[];
}

export interface HelpEntry {
  readonly usage: string;
  readonly text: string;
}

type Words = {
  readonly usage: Readonly<Record<CommandName, string>>;
  readonly text: Readonly<Record<CommandName, string>>;
  readonly intro: string;
  readonly plus: (address: string) => string;
  readonly values: string;
  readonly applied: (c: Command) => string;
  readonly errors: {
    readonly unknown: (cmd: string) => string;
    readonly missing: (cmd: string) => string;
    readonly bad: (cmd: string, value: string) => string;
    readonly extra: (cmd: string, value: string) => string;
    readonly ambiguous: (cmd: string, value: string) => string;
    readonly conflict: (cmd: string) => string;
    readonly valid: string;
    readonly didYouMean: (s: string) => string;
  };
  readonly lifecycle: {
    readonly already: (caseId: string, status: string) => string;
    readonly invalid: (caseId: string, command: string, status: string) => string;
  };
  readonly status: Readonly<Record<string, string>>;
};

const EN: Words = {
  usage: {
    note: '#note', assign: '#assign <agent>', priority: '#priority <low|normal|high|urgent>', category: '#category <id>',
    wait: '#wait <30m|4h|2d|1w>', eta: '#eta <4h|2d|2026-12-10>', resolve: '#resolve', close: '#close', reopen: '#reopen', incident: '#incident <IT-57|new>', unlink: '#unlink',
  },
  text: {
    incident: 'make the case a member of that incident, or of a new incident', unlink: 'take the case out of its incident',
    note: 'internal note: goes to the other agents, never to the requester',
    assign: 'assign the case', priority: 'change the priority', category: 'change the category',
    wait: 'wait for the requester (the SLA clock pauses)', eta: 'promise the requester a resolution date (they are told once)', resolve: 'mark as resolved and ask the requester for a rating',
    close: 'close without asking for a rating', reopen: 'reopen a resolved or closed case',
  },
  intro: 'Reply to this message to answer the requester. Commands go on the first lines, one or more per line:',
  plus: (a) => `Writing to ${a} makes the whole message an internal note.`,
  values: 'Values',
  applied: (c) => {
    switch (c.name) {
      case 'note': return 'Sent as an internal note to the other agents.';
      case 'assign': return `Assigned to ${c.agent}.`;
      case 'priority': return `Priority set to ${c.priority}.`;
      case 'category': return `Category set to ${c.category}.`;
      case 'wait': return `Waiting for the requester for ${minutesText(c.minutes, 'en')}.`;
      case 'eta': return `The requester is told the case will be resolved ${'date' in c.eta ? `by ${c.eta.date}` : `within ${minutesText(c.eta.minutes, 'en')}`}.`;
      case 'resolve': return 'Resolved; the requester has been asked for a rating.';
      case 'close': return 'Closed.';
      case 'reopen': return 'Reopened.';
      case 'incident': return c.incident === 'new' ? 'Made the first member of a new incident.' : `Now a member of incident ${c.incident}.`;
      case 'unlink': return 'Taken out of its incident.';
    }
  },
  errors: {
    unknown: (c) => `${c} is not a command.`,
    missing: (c) => `${c} needs a value.`,
    bad: (c, v) => `${c}: "${v}" is not a valid value.`,
    extra: (c, v) => `${c} takes a single value, not "${v}".`,
    ambiguous: (c, v) => `${c}: "${v}" matches more than one agent; write the full address.`,
    conflict: (c) => `${c} cannot be combined with the other commands in this message (or is repeated).`,
    valid: 'Valid',
    didYouMean: (s) => `Did you mean ${s}?`,
  },
  lifecycle: {
    already: (id, s) => `${id} is already ${s}.`,
    invalid: (id, cmd, s) => `${cmd} is not possible: ${id} is ${s}.`,
  },
  status: { new: 'new', open: 'open', waiting: 'waiting', resolved: 'resolved', closed: 'closed' },
};

const ES: Words = {
  usage: {
    note: '#nota', assign: '#asignar <agente>', priority: '#prioridad <baja|normal|alta|urgente>', category: '#categoria <id>',
    wait: '#esperar <30m|4h|2d|1w>', eta: '#plazo <4h|2d|2026-12-10>', resolve: '#resolver', close: '#cerrar', reopen: '#reabrir', incident: '#incidencia <IT-57|nueva>', unlink: '#desvincular',
  },
  text: {
    note: 'nota interna: va a los demás agentes, nunca al solicitante',
    assign: 'asignar el caso', priority: 'cambiar la prioridad', category: 'cambiar la categoría',
    wait: 'esperar al solicitante (el reloj del SLA se detiene)', eta: 'prometer al solicitante una fecha de resolución (se le avisa una vez)', resolve: 'marcar como resuelto y pedir una valoración al solicitante',
    close: 'cerrar sin pedir valoración', reopen: 'reabrir un caso resuelto o cerrado',
    incident: 'hacer el caso miembro de esa incidencia, o de una incidencia nueva', unlink: 'sacar el caso de su incidencia',
  },
  intro: 'Responda a este mensaje para contestar al solicitante. Los comandos van en las primeras líneas, uno o varios por línea (también en inglés: #note, #assign…):',
  plus: (a) => `Si escribe a ${a}, todo el mensaje será una nota interna.`,
  values: 'Valores',
  applied: (c) => {
    switch (c.name) {
      case 'note': return 'Enviado como nota interna a los demás agentes.';
      case 'assign': return `Asignado a ${c.agent}.`;
      case 'priority': return `Prioridad: ${PRIORITY_NAMES.es[c.priority]}.`;
      case 'category': return `Categoría: ${c.category}.`;
      case 'wait': return `En espera del solicitante durante ${minutesText(c.minutes, 'es')}.`;
      case 'eta': return `Se avisa al solicitante de que el caso estará resuelto ${'date' in c.eta ? `el ${c.eta.date}` : `en ${minutesText(c.eta.minutes, 'es')}`}.`;
      case 'resolve': return 'Resuelto; se ha pedido una valoración al solicitante.';
      case 'close': return 'Cerrado.';
      case 'reopen': return 'Reabierto.';
      case 'incident': return c.incident === 'new' ? 'Ahora es el primer miembro de una incidencia nueva.' : `Ahora es miembro de la incidencia ${c.incident}.`;
      case 'unlink': return 'Ya no forma parte de su incidencia.';
    }
  },
  errors: {
    unknown: (c) => `${c} no es un comando.`,
    missing: (c) => `${c} necesita un valor.`,
    bad: (c, v) => `${c}: «${v}» no es un valor válido.`,
    extra: (c, v) => `${c} admite un solo valor, no «${v}».`,
    ambiguous: (c, v) => `${c}: «${v}» coincide con varios agentes; escriba la dirección completa.`,
    conflict: (c) => `${c} no se puede combinar con los otros comandos de este mensaje (o está repetido).`,
    valid: 'Válidos',
    didYouMean: (s) => `¿Quería decir ${s}?`,
  },
  lifecycle: {
    already: (id, s) => `${id} ya está ${s}.`,
    invalid: (id, cmd, s) => `${cmd} no es posible: ${id} está ${s}.`,
  },
  status: { new: 'nuevo', open: 'abierto', waiting: 'en espera', resolved: 'resuelto', closed: 'cerrado' },
};

const IT: Words = {
  usage: {
    note: '#nota', assign: '#assegna <agente>', priority: '#priorità <bassa|normale|alta|urgente>', category: '#categoria <id>',
    wait: '#attesa <30m|4h|2d|1w>', eta: '#scadenza <4h|2d|2026-12-10>', resolve: '#risolvi', close: '#chiudi', reopen: '#riapri', incident: '#incidente <IT-57|nuovo>', unlink: '#scollega',
  },
  text: {
    note: 'nota interna: va agli altri agenti, mai al richiedente',
    assign: 'assegnare il caso', priority: 'cambiare la priorità', category: 'cambiare la categoria',
    wait: 'attendere il richiedente (l’orologio dello SLA si ferma)', eta: 'promettere al richiedente una data di risoluzione (viene avvisato una volta)', resolve: 'segnare come risolto e chiedere una valutazione al richiedente',
    close: 'chiudere senza chiedere una valutazione', reopen: 'riaprire un caso risolto o chiuso',
    incident: "rendere il caso membro di quell'incidente, o di un nuovo incidente", unlink: 'togliere il caso dal suo incidente',
  },
  intro: 'Rispondi a questo messaggio per rispondere al richiedente. I comandi vanno nelle prime righe, uno o più per riga (anche in inglese: #note, #assign…):',
  plus: (a) => `Scrivendo a ${a} l’intero messaggio diventa una nota interna.`,
  values: 'Valori',
  applied: (c) => {
    switch (c.name) {
      case 'note': return 'Inviato come nota interna agli altri agenti.';
      case 'assign': return `Assegnato a ${c.agent}.`;
      case 'priority': return `Priorità: ${PRIORITY_NAMES.it[c.priority]}.`;
      case 'category': return `Categoria: ${c.category}.`;
      case 'wait': return `In attesa del richiedente per ${minutesText(c.minutes, 'it')}.`;
      case 'eta': return `Il richiedente viene avvisato che la pratica sarà risolta ${'date' in c.eta ? `entro il ${c.eta.date}` : `entro ${minutesText(c.eta.minutes, 'it')}`}.`;
      case 'resolve': return 'Risolto; è stata chiesta una valutazione al richiedente.';
      case 'close': return 'Chiuso.';
      case 'reopen': return 'Riaperto.';
      case 'incident': return c.incident === 'new' ? 'Ora è il primo membro di un nuovo incidente.' : `Ora è membro dell'incidente ${c.incident}.`;
      case 'unlink': return 'Tolto dal suo incidente.';
    }
  },
  errors: {
    unknown: (c) => `${c} non è un comando.`,
    missing: (c) => `${c} richiede un valore.`,
    bad: (c, v) => `${c}: «${v}» non è un valore valido.`,
    extra: (c, v) => `${c} accetta un solo valore, non «${v}».`,
    ambiguous: (c, v) => `${c}: «${v}» corrisponde a più agenti; scrivi l’indirizzo completo.`,
    conflict: (c) => `${c} non si può combinare con gli altri comandi di questo messaggio (o è ripetuto).`,
    valid: 'Validi',
    didYouMean: (s) => `Forse intendevi ${s}?`,
  },
  lifecycle: {
    already: (id, s) => `${id} è già ${s}.`,
    invalid: (id, cmd, s) => `${cmd} non è possibile: ${id} è ${s}.`,
  },
  status: { new: 'nuovo', open: 'aperto', waiting: 'in attesa', resolved: 'risolto', closed: 'chiuso' },
};

const WORDS: Readonly<Record<Language, Words>> = { en: EN, es: ES, it: IT };

const PRIORITY_NAMES = {
  es: { low: 'baja', normal: 'normal', high: 'alta', urgent: 'urgente' },
  it: { low: 'bassa', normal: 'normale', high: 'alta', urgent: 'urgente' },
} as const;

/** A priority in the reader's words ("alta", "bassa"); unknown values pass through. */
export function priorityName(priority: string, language: Language): string {
  if (language === 'en') return priority;
  return (PRIORITY_NAMES[language] as Record<string, string>)[priority] ?? priority;
}

const COMMAND_ORDER: readonly CommandName[] = ['note', 'assign', 'priority', 'category', 'wait', 'eta', 'resolve', 'close', 'reopen', 'incident', 'unlink'];

/** The help entries in display order, with the desk's categories and agents filled in. */
export function helpEntries(language: Language, ctx: HelpContext): HelpEntry[] {
  const w = WORDS[language];
  return COMMAND_ORDER.map((name) => {
    let text = w.text[name];
    if (name === 'category' && ctx.categories.length > 0) text += ` (${ctx.categories.join(', ')})`;
    if (name === 'assign' && ctx.agents.length > 0) text += ` (${ctx.agents.join(', ')})`;
    return { usage: w.usage[name], text };
  });
}

/** The help block as plain text, for templates that print it verbatim. */
export function commandHelp(language: Language, ctx: HelpContext): string {
  const w = WORDS[language];
  const lines = helpEntries(language, ctx).map((e) => `  ${e.usage.padEnd(24)} ${e.text}`);
  const note = plusAddress(ctx.deskAddress, 'note');
  return [w.intro, ...lines, note === null ? '' : w.plus(note)].filter((l) => l !== '').join('\n');
}

/** One line confirming an applied command, in the agent's language. */
export function describeApplied(command: Command, language: Language): string {
  return WORDS[language].applied(command);
}

/** One line per command error: what is wrong, the did-you-mean, and the valid values. */
export function describeCommandError(err: CommandError, language: Language): string {
  const e = WORDS[language].errors;
  const value = err.value ?? '';
  const head =
    err.code === 'unknown-command' ? e.unknown(err.command) :
    err.code === 'missing-value' ? e.missing(err.command) :
    err.code === 'bad-value' ? e.bad(err.command, value) :
    err.code === 'extra-value' ? e.extra(err.command, value) :
    err.code === 'ambiguous-agent' ? e.ambiguous(err.command, value) :
    e.conflict(err.command);
  // Priorities are shown in the agent's words ("alta", not "high"); both are accepted.
  const local = (v: string): string => (err.name === 'priority' && language !== 'en' ? (PRIORITY_NAMES[language] as Record<string, string>)[v] ?? v : v);
  const parts = [head];
  if (err.suggestion !== null) parts.push(e.didYouMean(local(err.suggestion)));
  if (err.valid.length > 0 && err.code !== 'conflict') parts.push(`${e.valid}: ${err.valid.map(local).join(', ')}.`);
  return parts.join(' ');
}

/** One line for a refused status change ("#resolve is not possible: IT-12 is closed."). */
export function describeLifecycleError(err: Extract<Transition, { ok: false }>, caseId: string, language: Language): string {
  const w = WORDS[language];
  const status = w.status[err.from] ?? err.from;
  if (err.code === 'already') return w.lifecycle.already(caseId, status);
  return w.lifecycle.invalid(caseId, `#${err.event}`, status);
}

/** "2 d", "4 h", "30 min": a wait as the agent typed it, not converted into business time. */
function minutesText(minutes: number, language: Language): string {
  const unit = { en: { d: 'd', h: 'h', m: 'min' }, es: { d: 'd', h: 'h', m: 'min' }, it: { d: 'g', h: 'h', m: 'min' } }[language];
  if (minutes % 1440 === 0) return `${minutes / 1440} ${unit.d}`;
  if (minutes % 60 === 0) return `${minutes / 60} ${unit.h}`;
  return `${minutes} ${unit.m}`;
}
