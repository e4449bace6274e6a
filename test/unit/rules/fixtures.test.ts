import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';

import { runRoutingFixtures } from '../../../src/rules/index.js';
import { fakeDetectLanguage, loadValid, mail } from './helpers.js';

it('compares each fixture with expected.yml and flags missing or unlisted files', async () => {
  const ruleSet = await loadValid({
    'it.yml': `desks:
  IT:
    threshold: 0.5
    categories:
      - { id: hardware, names: { es: a, it: b, en: c } }
    rules:
      - name: printers
        when: { subject: { contains: printer } }
        then: { category: hardware }
`,
  });
  const dir = await mkdtemp(path.join(tmpdir(), 'sportello-fixtures-'));
  try {
    await writeFile(path.join(dir, 'expected.yml'), ['a.eml: { desk: IT, category: hardware, priority: normal }', 'b.eml: { desk: IT, category: hardware, priority: high }', 'gone.eml: { desk: IT, category: triage, priority: normal }', ''].join('\n'));
    for (const name of ['a.eml', 'b.eml', 'extra.eml', 'broken.eml']) await writeFile(path.join(dir, name), name);
    const parseMail = async (raw: Buffer) => {
      if (raw.toString() === 'broken.eml') throw new Error('bad MIME');
      return mail({ subject: raw.toString() === 'extra.eml' ? 'hello' : 'printer' });
    };
    const results = await runRoutingFixtures(ruleSet, dir, { detectLanguage: fakeDetectLanguage, classify: () => null }, parseMail);
    expect(results.map((r) => [r.file, r.ok, r.actual?.category ?? null, r.error ?? null])).toEqual([
      ['a.eml', true, 'hardware', null],
      ['b.eml', false, 'hardware', null],
      ['broken.eml', false, null, 'cannot parse: bad MIME'],
      ['extra.eml', false, 'triage', 'no entry in expected.yml'],
      ['gone.eml', false, null, 'listed in expected.yml but the file does not exist'],
    ]);
    expect(results[0]!.explanation).toEqual({ kind: 'rule', file: 'rules/it.yml', line: 7, rule: 'printers' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
