// Who is notified per desk policy, and how the routing explanation reads in each language.
import { describe, expect, it } from 'vitest';
import { explain, noteRecipients, notificationRecipients } from '../../../src/agents/notification.js';

const AGENTS = ['maria@example.test', 'luca@example.test', 'ana@example.test'];

describe('notificationRecipients', () => {
  it.each([
    ['all', null, [], AGENTS],
    ['all', null, ['Luca+x@example.test'], ['maria@example.test', 'ana@example.test']],
    ['assignee', 'luca@example.test', [], ['luca@example.test']],
    ['assignee', 'luca@example.test', ['luca@example.test'], []],
    ['assignee', null, [], AGENTS],
    ['assignee', 'former@example.test', [], AGENTS],
    ['none', 'luca@example.test', [], []],
  ] as const)('%s, assignee %s, excluding %j', (policy, assignee, exclude, expected) => {
    expect(notificationRecipients(policy, AGENTS, assignee, exclude)).toEqual(expected);
  });

  it('notes go to every other agent whatever the policy', () => {
    expect(noteRecipients(AGENTS, 'maria@example.test')).toEqual(['luca@example.test', 'ana@example.test']);
  });
});

describe('explain', () => {
  it.each([
    ['en', { kind: 'rule', file: 'rules/it.yml', line: 12, rule: 'vpn' }, 'rule "vpn" (rules/it.yml:12)'],
    ['es', { kind: 'rule', file: 'rules/it.yml', line: 3, rule: 'vpn' }, 'regla "vpn" (rules/it.yml:3)'],
    ['it', { kind: 'classifier', top: [{ category: 'network', score: 0.8123 }, { category: 'access', score: 0.1 }], threshold: 0.5 }, 'classificatore di testo: network 0.81, access 0.10 (soglia 0.50)'],
    ['en', { kind: 'default', reason: 'no rules loaded for desk IT' }, 'no rules loaded for desk IT'],
  ] as const)('%s %j', (language, explanation, text) => {
    expect(explain(explanation, language)).toBe(text);
  });
});
