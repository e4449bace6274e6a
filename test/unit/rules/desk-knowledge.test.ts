import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

import { formatProblem, loadRules } from '../../../src/rules/index.js';
import { loadSources, loadValid, SLA_DESK } from './helpers.js';

const article = (id: string, desk = 'IT', categories = '[hardware]') =>
  `---\nid: ${id}\ndesk: ${desk}\ncategories: ${categories}\ntitle: { en: ${id} title }\nkeywords: { en: [${id}] }\n---\nBody of ${id}.\n`;

const HR = `desks:
  HR:
    threshold: 0.5
    categories: [{ id: payroll, names: { es: n, it: b, en: p } }]
`;

const articleIds = (ruleSet: Awaited<ReturnType<typeof loadValid>>) =>
  Object.fromEntries(Object.entries(ruleSet.desks).map(([id, desk]) => [id, desk.articles.map((a) => a.id)]));

describe('knowledge articles load with the rules', () => {
  it('reads knowledge/<desk in lower case> by default and skips README.md', async () => {
    const ruleSet = await loadValid({
      'it.yml': SLA_DESK,
      'knowledge/it/vpn.md': article('vpn'),
      'knowledge/it/deep/wifi.md': article('wifi'),
      'knowledge/it/README.md': '# notes',
    });
    expect(articleIds(ruleSet)).toEqual({ IT: ['vpn', 'wifi'] });
    expect(ruleSet.desks['IT']!.articles[0]).toMatchObject({ desk: 'IT', file: 'rules/knowledge/it/vpn.md', line: 2, categories: ['hardware'] });
  });

  it('gives a desk without a knowledge folder no articles and no problem', async () => {
    expect(articleIds(await loadValid({ 'it.yml': SLA_DESK }))).toEqual({ IT: [] });
  });

  it('reads the folder `knowledge:` names, relative to the rules file; desks may share one', async () => {
    const ruleSet = await loadValid({
      'it.yml': `${SLA_DESK}    knowledge: kb\n`,
      'hr.yml': `${HR}    knowledge: kb\n`,
      'kb/vpn.md': article('vpn'),
      'kb/payslip.md': article('payslip', 'HR', '[payroll]'),
      'knowledge/it/ignored.md': article('ignored'),
    });
    expect(articleIds(ruleSet)).toEqual({ HR: ['payslip'], IT: ['vpn'] });
  });

  it('freezes the articles all the way down', async () => {
    const ruleSet = await loadValid({ 'it.yml': SLA_DESK, 'knowledge/it/vpn.md': article('vpn') });
    const vpn = ruleSet.desks['IT']!.articles[0]!;
    expect(Object.isFrozen(ruleSet.desks['IT']!.articles)).toBe(true);
    expect(Object.isFrozen(vpn.terms.en!.keywords)).toBe(true);
  });

  it.each([
    [
      'a knowledge folder that does not exist',
      { 'it.yml': `${SLA_DESK}    knowledge: kb/it\n` },
      ['rules/it.yml:26:16: knowledge folder "kb/it" does not exist'],
    ],
    [
      'an article naming a category the desk lacks',
      { 'it.yml': SLA_DESK, 'knowledge/it/vpn.md': article('vpn', 'IT', '[hardwre]') },
      ['rules/knowledge/it/vpn.md:4:14: desk IT has no category "hardwre" (did you mean "hardware"?)'],
    ],
    [
      'an article of another desk in this desk\'s folder',
      { 'it.yml': SLA_DESK, 'hr.yml': HR, 'knowledge/it/payslip.md': article('payslip', 'HR', '[payroll]') },
      ['rules/knowledge/it/payslip.md:2:1: article "payslip" is for desk HR, but rules/knowledge/it is the knowledge folder of IT'],
    ],
    [
      'an article of a desk no rules file declares',
      { 'it.yml': SLA_DESK, 'knowledge/it/vpn.md': article('vpn', 'ITT') },
      ['rules/knowledge/it/vpn.md:3:7: unknown desk "ITT" (did you mean "IT"?)'],
    ],
    [
      'two articles with one id',
      { 'it.yml': SLA_DESK, 'knowledge/it/a.md': article('vpn'), 'knowledge/it/b.md': article('vpn') },
      ['rules/knowledge/it/b.md:2:1: article id "vpn" is already used in desk IT at rules/knowledge/it/a.md:2:1'],
    ],
  ])('reports %s', async (_kind, files, expected) => {
    const result = await loadSources(files);
    expect(result.ruleSet).toBeUndefined();
    expect(result.problems!.map(formatProblem)).toEqual(expected);
  });

  it('checks no article while a rules file is invalid (its desks would look unknown)', async () => {
    const result = await loadSources({ 'it.yml': SLA_DESK, 'hr.yml': HR.replace('threshold: 0.5', 'threshold: 5'), 'knowledge/hr/payslip.md': article('payslip', 'HR', '[payroll]') });
    expect(result.problems!.map(formatProblem)).toEqual(['rules/hr.yml:3:16: threshold: must be at most 1']);
  });
});

describe('knowledge folders on disk', () => {
  it('loadRules reads the default folder and reports a missing explicit one', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'sportello-knowledge-'));
    try {
      const dir = path.join(root, 'rules');
      await mkdir(path.join(dir, 'knowledge', 'it'), { recursive: true });
      await writeFile(path.join(dir, 'knowledge', 'it', 'vpn.md'), article('vpn'));
      await writeFile(path.join(dir, 'it.yml'), SLA_DESK);
      const loaded = await loadRules(dir);
      expect(loaded.ruleSet?.desks['IT']!.articles.map((a) => a.file)).toEqual(['rules/knowledge/it/vpn.md']);

      await writeFile(path.join(dir, 'hr.yml'), `${HR}    knowledge: missing\n`);
      expect((await loadRules(dir)).problems?.map(formatProblem)).toEqual(['rules/hr.yml:5:16: knowledge folder "missing" does not exist']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
