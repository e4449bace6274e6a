import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

import { parseMail } from '../../../src/adapters/mime-parser.js';
import { formatProblem, loadRules, runRoutingFixtures } from '../../../src/rules/index.js';
import { fakeDeps, rulesDir } from './helpers.js';

const shipped = await loadRules(rulesDir);

describe('shipped rules', () => {
  it('load without problems', () => {
    expect((shipped.problems ?? []).map(formatProblem)).toEqual([]);
    expect(Object.keys(shipped.ruleSet?.desks ?? {}).sort()).toEqual(['HR', 'IT']);
  });

  it.each([
    ['IT', ['access', 'hardware', 'network', 'security', 'software', 'triage']],
    ['HR', ['benefits', 'documents', 'leave', 'onboarding', 'payroll', 'triage']],
  ])('desk %s has the agreed categories, each with 10+ examples per language', (desk, ids) => {
    const categories = shipped.ruleSet!.desks[desk]!.categories;
    expect(categories.map((c) => c.id).sort()).toEqual(ids);
    for (const c of categories.filter((c) => c.id !== 'triage')) {
      for (const lang of ['es', 'it', 'en'] as const) expect(c.examples[lang].length, `${c.id}/${lang}`).toBeGreaterThanOrEqual(10);
    }
  });

  it.each(['it.yml', 'hr.yml'])('%s starts with the yaml-language-server schema comment', async (name) => {
    const text = await readFile(path.join(rulesDir, name), 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=./schema.json');
  });

  it('route every fixture as expected.yml says', async () => {
    const ruleSet = shipped.ruleSet!;
    const results = await runRoutingFixtures(ruleSet, path.join(rulesDir, 'fixtures'), fakeDeps(ruleSet), (raw) => parseMail(raw));
    expect(results.length).toBeGreaterThanOrEqual(12);
    const failures = results.filter((r) => !r.ok).map((r) => ({ file: r.file, expected: r.expected, actual: r.actual, why: r.explanation, error: r.error }));
    expect(failures).toEqual([]);
  });
});
