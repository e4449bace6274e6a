// Rules checked against the configuration and the templates: each mistake that used to pass
// `rules check` and then fail on real mail is reported at its file:line:col with a did-you-mean.
import { describe, expect, it } from 'vitest';

import { checkAgainstConfig, type RulesContext } from '../../../src/rules/check-config.js';
import { parseRulesFile } from '../../../src/rules/parse-file.js';
import { formatProblem } from '../../../src/rules/index.js';
import { loadRuleSources } from '../../../src/rules/load.js';
import { renderableNames } from '../../../src/routing/rules-context.js';

const CONTEXT: RulesContext = {
  desks: [
    { id: 'IT', agents: [{ address: 'bob@example.test', name: 'Bob' }, { address: 'maria@example.test', name: 'Maria Rossi' }] },
    { id: 'HR', agents: [{ address: 'carla@example.test', name: 'Carla' }] },
  ],
  templates: new Set(['auto-reply', 'printer-ready']),
  configFile: 'sportello.yml',
  rulesDir: 'rules',
};

const deskFile = (id: string, then = '{ priority: low }') => `desks:
  ${id}:
    threshold: 0.5
    categories:
      - { id: hardware, names: { es: h, it: h, en: h } }
    rules:
      - name: first
        when: {}
        then: ${then}
`;

const check = (files: Record<string, string>, ctx: RulesContext = CONTEXT) =>
  checkAgainstConfig(Object.entries(files).map(([name, text]) => parseRulesFile(`rules/${name}`, text)), ctx).map((p) => ({ at: formatProblem(p), code: p.code, hint: p.hint }));

describe('rules against the configuration', () => {
  it('accepts rules that name configured desks, their agents by address and existing templates', () => {
    expect(check({ 'it.yml': deskFile('IT', '{ assignee: Maria@Example.test, template: printer-ready }'), 'hr.yml': deskFile('HR') })).toEqual([]);
  });

  it.each([
    ['a misspelt address', 'mraia@example.test', '(did you mean "maria@example.test"?)'],
    ['a local part', 'maria', '(did you mean "maria@example.test"?)'],
    ['a display name', 'Maria Rossi', '(did you mean "maria@example.test"?)'],
    ['an agent of another desk', 'carla@example.test', ''],
  ])('an assignee given as %s is not an agent address', (_label, assignee, meant) => {
    const [problem, ...rest] = check({ 'it.yml': deskFile('IT', `{ assignee: "${assignee}" }`), 'hr.yml': deskFile('HR') });
    expect(rest).toEqual([]);
    expect(problem).toEqual({
      at: `rules/it.yml:9:27: rule "first" assigns to "${assignee}", who is not an agent of desk IT${meant ? ` ${meant}` : ''}`,
      code: 'UNKNOWN_ASSIGNEE',
      hint: 'agents of IT: bob@example.test, maria@example.test (write the address)',
    });
  });

  it('a template that does not exist, with a did-you-mean and the list of templates', () => {
    expect(check({ 'it.yml': deskFile('IT', '{ template: printer-reply }'), 'hr.yml': deskFile('HR') })).toEqual([
      {
        at: 'rules/it.yml:9:27: rule "first" uses template "printer-reply", which does not exist (did you mean "printer-ready"?)',
        code: 'UNKNOWN_TEMPLATE',
        hint: 'templates: auto-reply, printer-ready; create templates/en/printer-reply.text.liquid and .html.liquid',
      },
    ]);
  });

  it('templates are not checked without a template listing', () => {
    expect(check({ 'it.yml': deskFile('IT', '{ template: printer-reply }'), 'hr.yml': deskFile('HR') }, { ...CONTEXT, templates: null })).toEqual([]);
  });

  it('a rules file for a desk that is not configured, at the desk key', () => {
    expect(check({ 'it.yml': deskFile('IT'), 'hr.yml': deskFile('HR'), 'ti.yml': deskFile('Ti') })).toEqual([
      { at: 'rules/ti.yml:2:3: desk "Ti" is not in sportello.yml (did you mean "IT"?); its rules would never be used', code: 'UNKNOWN_DESK', hint: expect.stringContaining('desks in sportello.yml: IT, HR') },
    ]);
  });

  it('a configured desk without rules (hr.yml deleted): every HR mail would go to triage', () => {
    expect(check({ 'it.yml': deskFile('IT') })).toEqual([
      { at: 'rules/hr.yml:1:1: desk HR is in sportello.yml but no rules file declares it: every HR mail would go to triage', code: 'DESK_WITHOUT_RULES', hint: expect.stringContaining('create rules/hr.yml') },
    ]);
  });

  it('the loader refuses such a set (as for syntax errors) only when given the context', async () => {
    const sources = [{ file: 'rules/it.yml', path: '/virtual/rules/it.yml', text: deskFile('IT', '{ template: printer-reply }') }];
    const options = { base: '/virtual', readText: () => Promise.reject(new Error('no corpus')) };
    expect((await loadRuleSources(sources, options)).ruleSet).toBeDefined();
    const refused = await loadRuleSources(sources, { ...options, context: CONTEXT });
    expect(refused.ruleSet).toBeUndefined();
    expect(refused.problems?.map((p) => p.code)).toEqual(['DESK_WITHOUT_RULES', 'UNKNOWN_TEMPLATE']);
  });
});

describe('renderableNames', () => {
  it('counts a template only when the fallback language or en has it (render falls back to those)', () => {
    expect([...renderableNames(['en/auto-reply', 'es/solo-es', 'it/solo-it', 'it/fallback-only'], 'it')].sort()).toEqual(['auto-reply', 'fallback-only', 'solo-it']);
  });
});
