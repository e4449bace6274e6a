import { describe, expect, it } from 'vitest';

import type { CategoryScore, Language } from '../../../src/domain/routing.js';
import { route, type RouteDeps } from '../../../src/rules/index.js';
import { loadValid, mail } from './helpers.js';

const rules = `desks:
  IT:
    defaultLanguage: es
    threshold: 0.6
    categories:
      - { id: hardware, names: { es: Hardware, it: Hardware, en: Hardware } }
      - { id: access, names: { es: Accesos, it: Accessi, en: Access } }
      - { id: security, names: { es: Seguridad, it: Sicurezza, en: Security } }
    rules:
      - name: phishing
        when: { subject: { contains: phishing } }
        then: { category: security, priority: high, tags: [phishing], notify: sec@example.test, assignee: sec-team }
      - name: urgent
        when: { subject: { contains: [urgent, urgente] } }
        then: { priority: urgent, category: hardware, tags: [urgent, phishing], notify: [boss@example.test, sec@example.test] }
      - name: vendor
        when: { from: { domain: vendor.test } }
        then: { sla: vendor, template: vendor-ack, suppressAutoReply: true, tags: [vendor] }
      - name: stop here
        when: { subject: { contains: stop } }
        then: { tags: [stopped], stop: true }
      - name: after stop
        when: {}
        then: { tags: [catch-all], quarantine: never reached when stopped }
    calendar: { timezone: Europe/Madrid, hours: { mon: ['09:00-17:00'] } }
    sla:
      policies: { standard: { firstResponse: 4h, resolution: 16h }, vendor: { firstResponse: 8h, resolution: 40h } }
      default: standard
`;

const ruleSet = await loadValid({ 'it.yml': rules });

const deps = (scores: readonly CategoryScore[] | null, language: Language = 'en'): RouteDeps & { calls: unknown[] } => {
  const calls: unknown[] = [];
  return {
    calls,
    detectLanguage: (text, fallback) => {
      calls.push(['detectLanguage', text, fallback]);
      return language;
    },
    classify: (deskId, text, lang) => {
      calls.push(['classify', deskId, text, lang]);
      return scores;
    },
  };
};

describe('route: combining rules', () => {
  it('first rule to set a field wins; tags and notify accumulate without duplicates', () => {
    const d = route(ruleSet, 'IT', mail({ subject: 'URGENT phishing stop', from: 'x@vendor.test' }), deps(null));
    expect(d).toMatchObject({
      category: 'security',
      priority: 'high',
      assignee: 'sec-team',
      slaPolicy: 'vendor',
      template: 'vendor-ack',
      suppressAutoReply: true,
      tags: ['phishing', 'urgent', 'vendor', 'stopped'],
      notify: ['sec@example.test', 'boss@example.test'],
      quarantine: null,
      confidence: null,
      explanation: { kind: 'rule', file: 'rules/it.yml', line: 10, rule: 'phishing' },
      matchedRules: ['rules/it.yml:10', 'rules/it.yml:13', 'rules/it.yml:16', 'rules/it.yml:19'],
    });
  });

  it('without stop every later rule still runs', () => {
    const d = route(ruleSet, 'IT', mail({ subject: 'urgente' }), deps(null));
    expect(d.category).toBe('hardware');
    expect(d.priority).toBe('urgent');
    expect(d.matchedRules).toEqual(['rules/it.yml:13', 'rules/it.yml:22']);
    expect(d.tags).toEqual(['urgent', 'phishing', 'catch-all']);
    expect(d.quarantine).toBe('never reached when stopped');
    expect(d.explanation).toEqual({ kind: 'rule', file: 'rules/it.yml', line: 13, rule: 'urgent' });
  });

  it('defaults when only a rule without category matched', () => {
    const d = route(ruleSet, 'IT', mail({ subject: 'hello' }), deps(null));
    expect(d).toMatchObject({ category: 'triage', priority: 'normal', assignee: null, slaPolicy: null, template: null, suppressAutoReply: false, notify: [] });
    expect(d.explanation).toEqual({ kind: 'default', reason: 'no classifier model for desk IT' });
  });
});

describe('route: classifier and language', () => {
  const scores = [
    { category: 'access', score: 0.1 },
    { category: 'hardware', score: 0.7 },
    { category: 'not-in-desk', score: 0.9 },
    { category: 'security', score: 0.15 },
    { category: 'triage', score: 0.05 },
  ];

  it('detects the language on subject + body with the desk default as fallback, and classifies in it', () => {
    const d0 = deps(scores, 'it');
    const d = route(ruleSet, 'IT', mail({ subject: 'La stampante', text: 'non stampa' }), d0);
    expect(d.language).toBe('it');
    expect(d0.calls).toEqual([
      ['detectLanguage', 'La stampante\nnon stampa', 'es'],
      ['classify', 'IT', 'La stampante\nnon stampa', 'it'],
    ]);
  });

  it('takes the top score at or above the threshold, explaining with the top three', () => {
    const d = route(ruleSet, 'IT', mail({ subject: 'printer' }), deps(scores));
    expect(d.category).toBe('hardware');
    expect(d.confidence).toBe(0.7);
    expect(d.explanation).toEqual({
      kind: 'classifier',
      threshold: 0.6,
      top: [
        { category: 'hardware', score: 0.7 },
        { category: 'security', score: 0.15 },
        { category: 'access', score: 0.1 },
      ],
    });
  });

  it.each([
    [0.6, 'hardware'],
    [0.59, 'triage'],
  ])('top score %s against threshold 0.6 → %s', (score, category) => {
    const d = route(ruleSet, 'IT', mail({ subject: 'x' }), deps([{ category: 'hardware', score }]));
    expect(d.category).toBe(category);
    expect(d.explanation.kind).toBe('classifier');
  });

  it('a rule-set category skips the classifier', () => {
    const d0 = deps(scores);
    expect(route(ruleSet, 'IT', mail({ subject: 'phishing' }), d0).category).toBe('security');
    expect(d0.calls.filter((c) => (c as unknown[])[0] === 'classify')).toEqual([]);
  });

  it('an empty score list means triage by default', () => {
    expect(route(ruleSet, 'IT', mail({ subject: 'x' }), deps([])).explanation.kind).toBe('default');
  });

  it('an unknown desk is triaged with a reason, never throws', () => {
    const d = route(ruleSet, 'Sales', mail({ subject: 'phishing' }), deps(scores));
    expect(d).toMatchObject({ category: 'triage', priority: 'normal', matchedRules: [], explanation: { kind: 'default', reason: 'no rules loaded for desk Sales' } });
  });
});
