// Help and error wording in es/it/en: every usage line shown to agents parses as the command it documents,
// errors name the command, the value, a suggestion and the valid values.
import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES, parseCommandBlock, type CommandVocabulary } from '../../../src/agents/commands.js';
import { commandHelp, describeApplied, describeCommandError, describeLifecycleError, helpEntries } from '../../../src/agents/help.js';
import { transition } from '../../../src/agents/lifecycle.js';

const VOCAB: CommandVocabulary = { categories: ['network', 'hardware'], agents: [{ address: 'maria@example.test' }] };
const CTX = { deskAddress: 'it@example.test', categories: ['network', 'hardware'], agents: ['maria'] };
const LANGS = ['en', 'es', 'it'] as const;
const SAMPLE: Record<string, string> = { '<agent>': 'maria', '<agente>': 'maria', '<id>': 'network' };

describe('helpEntries', () => {
  it.each(LANGS)('every usage line in %s parses as the command it documents', (language) => {
    const entries = helpEntries(language, CTX);
    expect(entries).toHaveLength(COMMAND_NAMES.length);
    entries.forEach((e, i) => {
      const example = e.usage.replace(/<[^>]+>/, (slot) => SAMPLE[slot] ?? slot.slice(1, -1).split('|')[0]!);
      const r = parseCommandBlock(example, VOCAB);
      expect(r.errors, example).toEqual([]);
      expect(r.commands.map((c) => c.name), example).toEqual([COMMAND_NAMES[i]]);
    });
  });

  it.each([
    ['en', 'Writing to it+note@example.test makes the whole message an internal note.'],
    ['es', 'Si escribe a it+note@example.test, todo el mensaje será una nota interna.'],
    ['it', 'Scrivendo a it+note@example.test l’intero messaggio diventa una nota interna.'],
  ] as const)('the %s help block lists the desk values and the note address', (language, plusLine) => {
    const text = commandHelp(language, CTX);
    expect(text).toContain('(network, hardware)');
    expect(text).toContain('(maria)');
    expect(text.split('\n').at(-1)).toBe(plusLine);
    expect(text.split('\n')).toHaveLength(1 + COMMAND_NAMES.length + 1);
  });
});

describe('error and confirmation lines', () => {
  it.each([
    ['en', '#asign maria', '#asign is not a command. Did you mean #assign? Valid: #note, #assign, #priority, #category, #wait, #eta, #resolve, #close, #reopen, #incident, #unlink.'],
    ['es', '#prioridad altisima', '#prioridad: «altisima» no es un valor válido. Válidos: baja, normal, alta, urgente.'],
    ['it', '#priorità urgnete', '#priorità: «urgnete» non è un valore valido. Forse intendevi urgente? Validi: bassa, normale, alta, urgente.'],
    ['it', '#categoria netwrok', '#categoria: «netwrok» non è un valore valido. Forse intendevi network? Validi: network, hardware.'],
    ['en', '#wait', '#wait needs a value. Valid: 30m, 4h, 2d, 1w.'],
    ['es', '#resolver #cerrar', '#close no se puede combinar con los otros comandos de este mensaje (o está repetido).'],
  ] as const)('%s: %j', (language, text, line) => {
    const errors = parseCommandBlock(text, VOCAB).errors;
    expect(errors.map((e) => describeCommandError(e, language))).toEqual([line]);
  });

  it.each([
    ['en', 'closed', '#resolve is not possible: IT-12 is closed.'],
    ['es', 'closed', '#resolve no es posible: IT-12 está cerrado.'],
    ['it', 'resolved', 'IT-12 è già risolto.'],
  ] as const)('lifecycle refusal in %s on a %s case', (language, status, line) => {
    const t = transition(status, { type: 'resolve' }, { now: new Date(0), actor: 'maria@example.test', resolvedAt: null });
    expect(t.ok).toBe(false);
    if (!t.ok) expect(describeLifecycleError(t, 'IT-12', language)).toBe(line);
  });

  it.each([
    ['en', '#assign maria #priority high #wait 90m #resolve', ['Assigned to maria@example.test.', 'Priority set to high.', 'Waiting for the requester for 90 min.', 'Resolved; the requester has been asked for a rating.']],
    ['es', '#prioridad urgente #esperar 2d', ['Prioridad: urgente.', 'En espera del solicitante durante 2 d.']],
    ['it', '#priorità bassa #attesa 4h', ['Priorità: bassa.', 'In attesa del richiedente per 4 h.']],
  ] as const)('confirmation lines in %s', (language, text, lines) => {
    const r = parseCommandBlock(text, VOCAB);
    // The conflict (#wait with #resolve) does not matter here: only the wording of each command is tested.
    expect(r.commands.map((c) => describeApplied(c, language))).toEqual(lines);
  });
});
