import { describe, expect, it } from 'vitest';
import { DEFAULT_GROUPING, decideGrouping, mayGroup, type GroupCandidate, type NewReport } from '../../../src/incidents/grouping.js';
import { categoryVocabulary, profile, similarity } from '../../../src/incidents/similarity.js';
import type { Language } from '../../../src/domain/routing.js';

const NOW = new Date('2026-11-24T09:30:00Z');
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000).toISOString();
const candidate = (id: string, requester: string, text: string, over: Partial<GroupCandidate> = {}): GroupCandidate => ({
  id, kind: 'case', status: 'new', category: 'network', requester: `${requester}@example.test`, createdAt: minutesAgo(10), incident: null, language: 'en', text, ...over,
});
const report = (text: string, language: Language = 'en', over: Partial<NewReport> = {}): NewReport => ({ requester: 'zoe@example.test', category: 'network', language, text, ...over });
const VOCAB = categoryVocabulary(
  { es: ['el wifi va muy lento', 'la red no funciona'], it: ['il wifi è lentissimo', 'la rete non funziona'], en: ['the wifi is very slow', 'the network is down'] },
  { es: ['wifi', 'red'], it: ['wifi', 'rete'], en: ['wifi', 'network'] },
);

const outage = [
  candidate('IT-1', 'ana', 'Sin wifi en la tercera planta\nNo hay wifi en la tercera planta.', { language: 'es' }),
  candidate('IT-2', 'luca', 'Wi-Fi non funziona\nal terzo piano il wifi non funziona', { language: 'it' }),
];

describe('decideGrouping', () => {
  it.each([
    {
      name: 'a third requester about the same outage forms an incident with the first two, in three languages',
      report: report('wifi down on floor 3'),
      candidates: outage,
      expected: { kind: 'form', members: ['IT-1', 'IT-2'] },
    },
    {
      name: 'two requesters are not enough with minRequesters 3',
      report: report('wifi down on floor 3'),
      candidates: outage.slice(0, 1),
      expected: { kind: 'none' },
    },
    {
      name: 'the same person writing again is not a second witness',
      report: report('wifi down on floor 3', 'en', { requester: 'ana@example.test' }),
      candidates: outage,
      expected: { kind: 'none' },
    },
    {
      name: 'the printer on floor 3 during a Wi-Fi outage on floor 3 stays on its own',
      report: report('the printer on floor 3 is not printing', 'en', { category: 'network' }),
      candidates: outage,
      expected: { kind: 'none' },
    },
    {
      name: 'the same system on another floor is another problem',
      report: report('wifi down on floor 5'),
      candidates: outage,
      expected: { kind: 'none' },
    },
    {
      name: 'another category never groups (hardware vs network)',
      report: report('wifi down on floor 3', 'en', { category: 'hardware' }),
      candidates: outage,
      expected: { kind: 'none' },
    },
    {
      name: 'a question is not a failure report',
      report: report("what's the password of the guest wifi on floor 3?"),
      candidates: outage,
      expected: { kind: 'none' },
    },
    {
      name: 'cases older than the window do not count',
      report: report('wifi down on floor 3'),
      candidates: outage.map((c) => ({ ...c, createdAt: minutesAgo(60) })),
      expected: { kind: 'none' },
    },
    {
      name: 'resolved cases do not count',
      report: report('wifi down on floor 3'),
      candidates: outage.map((c) => ({ ...c, status: 'resolved' as const })),
      expected: { kind: 'none' },
    },
    {
      name: 'a report of a live incident joins it, even when its members are older than the window',
      report: report('no wifi on the third floor, still down'),
      candidates: [
        { ...outage[0]!, incident: 'IT-3', createdAt: minutesAgo(120) },
        { ...outage[1]!, incident: 'IT-3', createdAt: minutesAgo(118) },
        candidate('IT-3', 'it', '', { kind: 'incident', createdAt: minutesAgo(120), language: null }),
      ],
      expected: { kind: 'join', incident: 'IT-3' },
    },
    {
      name: 'a resolved incident is not joined',
      report: report('no wifi on the third floor'),
      candidates: [
        { ...outage[0]!, incident: 'IT-3' },
        { ...outage[1]!, incident: 'IT-3' },
        candidate('IT-3', 'it', '', { kind: 'incident', status: 'resolved', language: null }),
      ],
      expected: { kind: 'none' },
    },
    {
      name: 'a requester already in the incident is not added twice',
      report: report('wifi down on floor 3 again', 'en', { requester: 'luca@example.test' }),
      candidates: [{ ...outage[0]!, incident: 'IT-3' }, { ...outage[1]!, incident: 'IT-3' }, candidate('IT-3', 'it', '', { kind: 'incident', language: null })],
      expected: { kind: 'none' },
    },
    {
      name: 'a triage mail joins only when it names the very same system',
      report: report('wifi down on floor 3', 'en', { category: 'triage' }),
      candidates: outage,
      expected: { kind: 'form', members: ['IT-1', 'IT-2'] },
    },
  ])('$name', ({ report: r, candidates, expected }) => {
    expect(decideGrouping(r, candidates, DEFAULT_GROUPING, NOW, VOCAB)).toMatchObject(expected);
  });

  it('honours the settings: two requesters suffice with minRequesters 2', () => {
    expect(decideGrouping(report('wifi down on floor 3'), outage.slice(0, 1), { ...DEFAULT_GROUPING, minRequesters: 2 }, NOW, VOCAB)).toMatchObject({ kind: 'form', members: ['IT-1'] });
  });

  it('honours the settings: a threshold of 1 links nothing without the same place and words', () => {
    expect(decideGrouping(report('wifi down'), outage, { ...DEFAULT_GROUPING, threshold: 1 }, NOW, VOCAB)).toMatchObject({ kind: 'none' });
  });
});

describe('similarity', () => {
  it('gives same-language wording weight only within the category vocabulary', () => {
    const a = profile({ language: 'en', text: 'Hi team, the wifi is very slow on floor 2, thanks John' }, VOCAB);
    const b = profile({ language: 'en', text: 'wifi very slow on floor 2' }, VOCAB);
    expect([...a.terms.keys()]).not.toContain('john');
    expect(similarity(a, b).score).toBeGreaterThan(0.9);
  });
});

describe('mayGroup', () => {
  it.each([
    ['wifi down on floor 3', true],
    ['Sin wifi en la tercera planta', true],
    // A failure of no shared system, a shared system and no failure: both score 0 against any case.
    ['My laptop is not working', false],
    ['Can you install the VPN client on my new laptop?', false],
    ['The printer on floor 2 is jammed again.', false],
  ])('%s → %s', (text, expected) => {
    expect(mayGroup(text, DEFAULT_GROUPING)).toBe(expected);
    // It says no only when grouping would find nothing, whoever else reported what.
    if (!expected) expect(decideGrouping(report(text), [candidate('IT-1', 'ana', text), candidate('IT-2', 'luca', text)], { ...DEFAULT_GROUPING, minRequesters: 2 }, NOW, null)).toMatchObject({ kind: 'none' });
  });

  it('a threshold of 0 lets anything group, so then any report may', () => {
    expect(mayGroup('Please add me to the sales list', { ...DEFAULT_GROUPING, threshold: 0 })).toBe(true);
  });
});
