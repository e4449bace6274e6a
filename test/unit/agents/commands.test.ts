// The command block: what counts as a command line, every command with its es/it aliases, values and their
// errors with did-you-mean, conflicts, and what body is left (signature-only and quote-only count as empty).
import { describe, expect, it } from 'vitest';
import { commandFromPlusTag, parseCommandBlock, parseDuration, type CommandVocabulary } from '../../../src/agents/commands.js';
import { didYouMean, editDistance } from '../../../src/agents/did-you-mean.js';

const VOCAB: CommandVocabulary = {
  categories: ['network', 'hardware', 'access'],
  agents: [
    { address: 'maria@example.test', name: 'María García' },
    { address: 'luca@example.test', name: 'Luca Bianchi' },
    { address: 'ana@example.test', name: 'Ana' },
    { address: 'ana@other.test', name: 'Ana Ruiz' },
  ],
  self: 'luca@example.test',
};

const parse = (text: string, vocab: CommandVocabulary = VOCAB) => parseCommandBlock(text, vocab);

describe('parseCommandBlock: commands and values', () => {
  it.each([
    ['#note', { name: 'note' }],
    ['#NOTE', { name: 'note' }],
    ['#nota', { name: 'note' }],
    ['#assign maria', { name: 'assign', agent: 'maria@example.test' }],
    ['#assign MARIA@example.test', { name: 'assign', agent: 'maria@example.test' }],
    ['#asignar maría', { name: 'assign', agent: 'maria@example.test' }],
    ['#assegna Luca', { name: 'assign', agent: 'luca@example.test' }],
    ['#assign me', { name: 'assign', agent: 'luca@example.test' }],
    ['#assign io', { name: 'assign', agent: 'luca@example.test' }],
    ['#assign ana@other.test', { name: 'assign', agent: 'ana@other.test' }],
    ['#priority high', { name: 'priority', priority: 'high' }],
    ['#priority URGENT', { name: 'priority', priority: 'urgent' }],
    ['#prioridad alta', { name: 'priority', priority: 'high' }],
    ['#prioridad baja', { name: 'priority', priority: 'low' }],
    ['#priorità bassa', { name: 'priority', priority: 'low' }],
    ['#priorita urgente', { name: 'priority', priority: 'urgent' }],
    ['#priority normale', { name: 'priority', priority: 'normal' }],
    ['#category Network', { name: 'category', category: 'network' }],
    ['#categoría hardware', { name: 'category', category: 'hardware' }],
    ['#wait 2d', { name: 'wait', minutes: 2880 }],
    ['#wait 4h', { name: 'wait', minutes: 240 }],
    ['#wait 30m', { name: 'wait', minutes: 30 }],
    ['#wait 1w', { name: 'wait', minutes: 10080 }],
    ['#wait 2 days', { name: 'wait', minutes: 2880 }],
    ['#esperar 3 días', { name: 'wait', minutes: 4320 }],
    ['#attesa 2 giorni', { name: 'wait', minutes: 2880 }],
    ['#resolve', { name: 'resolve' }],
    ['#resolver', { name: 'resolve' }],
    ['#risolvi', { name: 'resolve' }],
    ['#close', { name: 'close' }],
    ['#cerrar', { name: 'close' }],
    ['#chiudi', { name: 'close' }],
    ['#reopen', { name: 'reopen' }],
    ['#reabrir', { name: 'reopen' }],
    ['#riapri', { name: 'reopen' }],
  ])('%s', (text, expected) => {
    const r = parse(`${text}\n\nHello`);
    expect(r.errors).toEqual([]);
    expect(r.commands).toHaveLength(1);
    expect(r.commands[0]).toMatchObject(expected);
    expect(r.body).toBe('Hello');
  });

  it('reads several commands on one line and over several lines, with blank lines before and between', () => {
    const r = parse('\n\n#assign maria #priority high\n\n#category network\nThe switch is back.\n#close');
    expect(r.errors).toEqual([]);
    expect(r.commands.map((c) => c.name)).toEqual(['assign', 'priority', 'category']);
    expect(r.block).toEqual(['#assign maria #priority high', '#category network']);
    // A "#" line after the text is text: the block is only at the top.
    expect(r.body).toBe('The switch is back.\n#close');
  });

  it('keeps the raw command for the event log', () => {
    expect(parse('#wait 2 days').commands[0]).toMatchObject({ raw: '#wait 2 days' });
  });

  it.each([
    ['#note called the vendor\nthey ship Monday', 'called the vendor\nthey ship Monday'],
    ['#priority low #resolve Replaced the toner.', 'Replaced the toner.'],
    ['#note   spaced   text', 'spaced   text'],
  ])('a value-less command followed by words starts the body: %j', (text, body) => {
    const r = parse(text);
    expect(r.errors).toEqual([]);
    expect(r.body).toBe(body);
  });

  it.each([
    ['Hello\n#close', 'text first'],
    ['# Heading\n#close', 'markdown heading (space after #)'],
    ['#1 priority for us\n#close', 'a number after #'],
    ['> #close\nok', 'a quoted line'],
  ])('no command block when %j (%s)', (text) => {
    const r = parse(text);
    expect(r.commands).toEqual([]);
    expect(r.errors).toEqual([]);
    expect(r.block).toEqual([]);
    expect(r.body).toBe(text.trim());
  });
});

describe('parseCommandBlock: errors', () => {
  it.each([
    ['#asign maria', 'unknown-command', '#assign', null],
    ['#prioirty high', 'unknown-command', '#priority', null],
    ['#clsoe', 'unknown-command', '#close', null],
    ['#resolv', 'unknown-command', '#resolve', null],
    ['#chiud', 'unknown-command', '#close', null],
    ['#frobnicate', 'unknown-command', null, null],
    ['#priority hihg', 'bad-value', 'high', 'hihg'],
    ['#prioridad urgnete', 'bad-value', 'urgent', 'urgnete'],
    ['#priority extreme', 'bad-value', null, 'extreme'],
    ['#category netwrok', 'bad-value', 'network', 'netwrok'],
    ['#category printers', 'bad-value', null, 'printers'],
    ['#assign mraia', 'bad-value', 'maria', 'mraia'],
    ['#assign bob', 'bad-value', null, 'bob'],
    ['#assign ana', 'ambiguous-agent', null, 'ana'],
    ['#assign', 'missing-value', null, null],
    ['#priority', 'missing-value', null, null],
    ['#wait', 'missing-value', null, null],
    ['#wait soon', 'bad-value', null, 'soon'],
    ['#wait 0d', 'bad-value', null, '0d'],
    ['#wait 2y', 'bad-value', null, '2y'],
    ['#wait 400d', 'bad-value', null, '400d'],
    ['#assign maria garcia', 'extra-value', null, 'maria garcia'],
    ['#category network printer', 'extra-value', null, 'network printer'],
  ])('%s → %s', (text, code, suggestion, value) => {
    const r = parse(text);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ code, suggestion, value, line: 1 });
    expect(r.errors[0]!.message).toContain(r.errors[0]!.command);
  });

  it('an unknown command lists every valid command', () => {
    const e = parse('#asign maria').errors[0]!;
    expect(e.valid).toEqual(['#note', '#assign', '#priority', '#category', '#wait', '#eta', '#resolve', '#close', '#reopen', '#incident', '#unlink']);
    expect(e.message).toBe('unknown command #asign (did you mean #assign?); valid: #note, #assign, #priority, #category, #wait, #eta, #resolve, #close, #reopen, #incident, #unlink');
  });

  it('a bad value lists the valid values (desk categories, allowed priorities, agents)', () => {
    expect(parse('#category x').errors[0]!.valid).toEqual(['network', 'hardware', 'access']);
    expect(parse('#priority x', { ...VOCAB, priorities: ['normal', 'high'] }).errors[0]!.valid).toEqual(['normal', 'high']);
    expect(parse('#priority low', { ...VOCAB, priorities: ['normal', 'high'] }).errors[0]).toMatchObject({ code: 'bad-value' });
    expect(parse('#assign x').errors[0]!.valid).toEqual(['maria', 'luca', 'ana', 'ana']);
    expect(parse('#assign ana').errors[0]!.valid).toEqual(['ana@example.test', 'ana@other.test']);
  });

  it('"me" without a known sender is an ordinary name', () => {
    expect(parse('#assign me', { ...VOCAB, self: undefined }).errors[0]).toMatchObject({ code: 'bad-value', value: 'me' });
  });

  it('reports the line of each error and keeps parsing the rest of the block', () => {
    const r = parse('\n#assign maria\n#prioridad altísima\n#categoria netwrok\nText');
    expect(r.commands.map((c) => c.name)).toEqual(['assign']);
    expect(r.errors.map((e) => [e.line, e.code])).toEqual([
      [3, 'bad-value'],
      [4, 'bad-value'],
    ]);
    expect(r.body).toBe('Text');
  });

  it('the values of an unknown command are not read as text or commands', () => {
    const r = parse('#asign maria #priority high');
    expect(r.commands.map((c) => c.name)).toEqual(['priority']);
    expect(r.body).toBe('');
  });

  it.each([
    ['#resolve #close', ['#resolve', '#close']],
    ['#wait 2d\n#resolve', ['#wait', '#resolve']],
    ['#close\n#reopen', ['#close', '#reopen']],
  ])('two status commands conflict: %j', (text, valid) => {
    const r = parse(text);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ code: 'conflict', valid });
  });

  it('a repeated command conflicts, on the line of the repetition', () => {
    const r = parse('#priority high\n#priority low');
    expect(r.errors).toEqual([expect.objectContaining({ code: 'conflict', command: '#priority', line: 2 })]);
  });
});

describe('parseCommandBlock: body', () => {
  it.each([
    ['#resolve', ''],
    ['#resolve\n\n', ''],
    ['#resolve\n\n--\nMaría García\nIT desk', ''],
    ['#resolve\n\nSaludos,\nMaría', ''],
    ['#resolve\n\nSent from my iPhone', ''],
    ['#resolve\n\nOn Mon, 3 Jun 2024 at 10:00, Ana <ana@example.es> wrote:\n> The printer is broken', ''],
    ['#resolve\n> only quoted\n> lines', ''],
    ['#resolve\r\nFixed.\r\n', 'Fixed.'],
    ['#resolve\nFixed.\n\nOn Mon, 3 Jun 2024 at 10:00, Ana <ana@example.es> wrote:\n> broken', 'Fixed.\n\nOn Mon, 3 Jun 2024 at 10:00, Ana <ana@example.es> wrote:\n> broken'],
  ])('%j → body %j', (text, body) => {
    expect(parse(text).body).toBe(body);
  });
});

describe('commandFromPlusTag', () => {
  it.each([
    ['note', 'note'],
    ['NOTA', 'note'],
    ['resolve', 'resolve'],
    ['chiudi', 'close'],
    ['assign', null],
    ['priority', null],
    ['billing', null],
  ])('%s → %s', (tag, name) => {
    expect(commandFromPlusTag(tag)?.name ?? null).toBe(name);
  });
});

describe('parseDuration and did-you-mean', () => {
  it.each([
    ['90m', 90],
    ['1 hour', 60],
    ['2 semanas', 20160],
    ['1 settimana', 10080],
    ['3g', 4320],
    ['1.5h', null],
    ['-2d', null],
    ['d', null],
  ])('parseDuration(%j) = %s', (text, minutes) => {
    expect(parseDuration(text)).toBe(minutes);
  });

  it.each([
    ['asign', 'assign', 1],
    ['prioirty', 'priority', 1],
    ['kitten', 'sitting', 3],
    ['', 'abc', 3],
  ])('editDistance(%j, %j) = %d', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });

  it('suggests only close words, one edit for short ones', () => {
    expect(didYouMean('wai', ['wait', 'note'])).toBe('wait');
    expect(didYouMean('cat', ['chat'])).toBe('chat');
    expect(didYouMean('xyz', ['wait', 'note'])).toBeNull();
    expect(didYouMean('clsoe', ['close', 'reopen'])).toBe('close');
    expect(didYouMean('close', ['close'])).toBeNull();
  });
});

describe('#eta', () => {
  it.each([
    ['#eta 2d', { minutes: 2880 }],
    ['#eta 4h', { minutes: 240 }],
    ['#eta 3 giorni', { minutes: 4320 }],
    ['#plazo 2026-12-10', { date: '2026-12-10' }],
    ['#scadenza 2026-02-28', { date: '2026-02-28' }],
  ])('%s', (text, eta) => {
    const r = parse(text);
    expect(r.errors).toEqual([]);
    expect(r.commands).toEqual([{ name: 'eta', eta, raw: text }]);
  });
  it.each([
    ['#eta', 'missing-value', null],
    ['#eta soon', 'bad-value', 'soon'],
    ['#eta 2026-02-30', 'bad-value', '2026-02-30'],
    ['#eta 10/12/2026', 'bad-value', '10/12/2026'],
  ])('%s → %s', (text, code, value) => {
    expect(parse(text).errors[0]).toMatchObject({ code, value, valid: ['4h', '2d', '2026-12-10'] });
  });
  it('combines with a status command (it is not one)', () => {
    expect(parse('#eta 2d #wait 1d').errors).toEqual([]);
  });
});
