import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

import { isSportelloError } from '../../../src/errors.js';
import { formatProblem, loadRules, loadRulesOrThrow } from '../../../src/rules/index.js';
import { loadSources, loadValid } from './helpers.js';

/** A minimal valid desk; tests splice their broken line in via `extra`. */
const desk = (id: string, extra = '', categories = ['hardware', 'access']) => `desks:
  ${id}:
    threshold: 0.5
    categories:
${categories.map((c) => `      - { id: ${c}, names: { es: ${c}, it: ${c}, en: ${c} } }`).join('\n')}
    rules:
      - name: first
        when: {}
        then: { priority: low }
${extra}`;

const problemsOf = async (files: Record<string, string>) => {
  const result = await loadSources(files);
  expect(result.ruleSet).toBeUndefined();
  return result.problems!.map(formatProblem);
};

describe('loadRules problems name file:line:column and suggest the fix', () => {
  it.each([
    [
      'unknown operator',
      `      - name: r\n        when:\n          subject: { contain: x }\n        then: { priority: high }\n`,
      'rules/it.yml:13:22: unknown operator "contain" (did you mean "contains"?)',
    ],
    [
      'unknown condition field',
      `      - name: r\n        when: { subjet: { contains: x } }\n        then: { priority: high }\n`,
      'rules/it.yml:12:17: unknown condition "subjet" (did you mean "subject"?)',
    ],
    [
      'unknown action',
      `      - name: r\n        when: {}\n        then: { priorty: high }\n`,
      'rules/it.yml:13:17: unknown action "priorty" (did you mean "priority"?)',
    ],
    [
      'unknown key without a close match',
      `      - name: r\n        when: {}\n        then: { banana: 1 }\n`,
      'rules/it.yml:13:17: unknown action "banana"',
    ],
    [
      'operator that only address fields have',
      `      - name: r\n        when: { subject: { domain: x.test } }\n        then: {}\n`,
      'rules/it.yml:12:28: unknown operator "domain"',
    ],
    [
      'bad enum value',
      `      - name: r\n        when: {}\n        then: { priority: hihg }\n`,
      'rules/it.yml:13:27: priority: "hihg" is not one of low, normal, high, urgent (did you mean "high"?)',
    ],
    [
      'bad language in a list',
      `      - name: r\n        when: { language: [es, fr] }\n        then: {}\n`,
      'rules/it.yml:12:32: language[1]: "fr" is not one of es, it, en',
    ],
    [
      'missing required field',
      `      - when: {}\n        then: {}\n`,
      'rules/it.yml:11:9: missing required field "name"',
    ],
    [
      'wrong type',
      `      - name: r\n        when: {}\n        then: { tags: urgent }\n`,
      'rules/it.yml:13:23: tags: expected a list, got string "urgent"',
    ],
    [
      'bad regex',
      `      - name: r\n        when: { body: { regex: "(unclosed" } }\n        then: {}\n`,
      'rules/it.yml:12:32: invalid regex "(unclosed": missing ): (unclosed',
    ],
    [
      'regex feature RE2 refuses (lookahead)',
      `      - name: r\n        when: { body: { regex: ["ok", "a(?=b)"] } }\n        then: {}\n`,
      'rules/it.yml:12:39: invalid regex "a(?=b)": invalid perl operator: (?=',
    ],
    [
      'bad email in notify',
      `      - name: r\n        when: {}\n        then: { notify: [boss] }\n`,
      'rules/it.yml:13:26: notify[0]: "boss" is not an email address',
    ],
    [
      'empty operator list',
      `      - name: r\n        when: { any: [] }\n        then: {}\n`,
      'rules/it.yml:12:22: any: needs at least 1 item',
    ],
    [
      'rule names a category the desk lacks',
      `      - name: r\n        when: {}\n        then: { category: acess }\n`,
      'rules/it.yml:13:27: rule "r" names category "acess", which desk IT does not have (did you mean "access"?)',
    ],
    [
      'yaml syntax error',
      `      - name: "unterminated\n`,
      'rules/it.yml:12:1: missing closing "quote',
    ],
    [
      'duplicate key',
      `      - name: r\n        name: s\n        when: {}\n        then: {}\n`,
      'rules/it.yml:12:9: map keys must be unique',
    ],
  ])('%s', async (_kind, extra, expected) => {
    expect(await problemsOf({ 'it.yml': desk('IT', extra) })).toEqual([expected]);
  });

  it.each([
    [
      'threshold out of range',
      desk('IT').replace('threshold: 0.5', 'threshold: 1.5'),
      ['rules/it.yml:3:16: threshold: must be at most 1'],
    ],
    [
      'misspelt required desk setting reports the typo once',
      desk('IT').replace('threshold: 0.5', 'treshold: 0.5'),
      ['rules/it.yml:3:5: unknown desk setting "treshold" (did you mean "threshold"?)'],
    ],
    [
      'unknown top-level section',
      `desk: {}\n`,
      ['rules/it.yml:1:1: unknown section "desk" (did you mean "desks"?)'],
    ],
    [
      'duplicate category id',
      desk('IT', '', ['hardware', 'access', 'hardware']),
      ['rules/it.yml:7:15: duplicate category "hardware" (first declared on line 5)'],
    ],
    [
      'invalid category id',
      desk('IT', '', ['Hard Ware']),
      ['rules/it.yml:5:15: id: category ids are lower-case letters, digits, "-" and "_"'],
    ],
  ])('%s', async (_kind, source, expected) => {
    expect(await problemsOf({ 'it.yml': source })).toEqual(expected);
  });

  it('reports a desk declared in two files at the second declaration, naming the first', async () => {
    expect(await problemsOf({ 'a.yml': desk('IT'), 'b.yml': `# second\n${desk('IT')}` })).toEqual([
      'rules/b.yml:3:3: desk "IT" is already declared at rules/a.yml:2:3',
    ]);
  });

  it('hints that a category belongs to another desk', async () => {
    const result = await loadSources({
      'hr.yml': desk('HR', '', ['payroll']),
      'it.yml': desk('IT', `      - name: r\n        when: {}\n        then: { category: payroll }\n`),
    });
    expect(result.problems).toEqual([
      expect.objectContaining({ file: 'rules/it.yml', line: 13, column: 27, code: 'UNKNOWN_CATEGORY', hint: '"payroll" belongs to desk HR; add it to IT or fix the name' }),
    ]);
  });

  it('collects every problem of every file in one pass, sorted by position', async () => {
    const broken = desk(
      'IT',
      [
        '      - name: a',
        '        when: { subject: { contain: x }, body: { regex: "[" } }',
        '        then: { priority: hihg, category: nope }',
        '      - name: b',
        '        when: { attachment: { size: { gt: -1 } } }',
        '        then: { stop: yes }',
        '',
      ].join('\n'),
    );
    const problems = await problemsOf({ 'it.yml': broken, 'hr.yml': 'desks: [oops\n' });
    expect(problems).toEqual([
      expect.stringMatching(/^rules\/hr\.yml:2:1: /),
      'rules/it.yml:12:28: unknown operator "contain" (did you mean "contains"?)',
      'rules/it.yml:12:57: invalid regex "[": missing ]: [',
      'rules/it.yml:13:27: priority: "hihg" is not one of low, normal, high, urgent (did you mean "high"?)',
      'rules/it.yml:13:43: rule "a" names category "nope", which desk IT does not have',
      'rules/it.yml:15:43: gt: must be at least 0',
      'rules/it.yml:16:23: stop: expected a boolean, got string "yes"',
    ]);
  });

  it('gives each problem a code and, where useful, a hint', async () => {
    const result = await loadSources({ 'it.yml': desk('IT', `      - name: r\n        when: { subject: { contain: x } }\n        then: {}\n`) });
    expect(result.problems).toEqual([
      {
        file: 'rules/it.yml',
        line: 12,
        column: 28,
        code: 'UNKNOWN_KEY',
        message: 'unknown operator "contain" (did you mean "contains"?)',
        hint: 'allowed here: contains, equals, startsWith, endsWith, in, regex, exists',
      },
    ]);
  });
});

describe('corpus files', () => {
  const withCorpus = (corpus: string) =>
    desk('IT').replace('    rules:', `    corpus:\n${corpus}\n    rules:`);

  it('loads rows, maps labels and skips unmapped labels', async () => {
    const ruleSet = await loadValid({
      'it.yml': withCorpus('      file: corpora/t.csv\n      language: en\n      labels: { Hardware: hardware, Access: access }'),
      'corpora/t.csv': 'text,label\r\nlaptop broken,Hardware\r\n"reset my password, please",Access\r\n"say ""hi""",Miscellaneous\r\n',
    });
    expect(ruleSet.desks['IT']!.corpus).toEqual([
      { text: 'laptop broken', label: 'hardware', language: 'en' },
      { text: 'reset my password, please', label: 'access', language: 'en' },
    ]);
  });

  it.each([
    [
      'missing file',
      '      file: corpora/none.csv\n      language: en\n      labels: { Hardware: hardware }',
      {},
      ['rules/it.yml:8:13: cannot read corpus "corpora/none.csv": ENOENT: no such file \'corpora/none.csv\''],
    ],
    [
      'row with too many fields',
      '      file: corpora/t.csv\n      language: en\n      labels: { Hardware: hardware }',
      { 'corpora/t.csv': 'text,label\nok,Hardware\nnot, quoted,Hardware\n' },
      ['rules/corpora/t.csv:3:1: row has 3 fields, the header has 2'],
    ],
    [
      'missing configured column',
      '      file: corpora/t.csv\n      language: en\n      textColumn: Document\n      labels: { Hardware: hardware }',
      { 'corpora/t.csv': 'text,label\nok,Hardware\n' },
      ['rules/it.yml:10:19: corpus "corpora/t.csv" has no column "Document"'],
    ],
    [
      'label mapped to an unknown category',
      '      file: corpora/t.csv\n      language: en\n      labels: { Hardware: hardwre }',
      { 'corpora/t.csv': 'text,label\nok,Hardware\n' },
      ['rules/it.yml:10:27: corpus label "Hardware" names category "hardwre", which desk IT does not have (did you mean "hardware"?)'],
    ],
  ])('%s', async (_kind, corpus, extraFiles, expected) => {
    expect(await problemsOf({ 'it.yml': withCorpus(corpus), ...extraFiles })).toEqual(expected);
  });
});

describe('loadRules on a directory', () => {
  const withDir = async (files: Record<string, string>, body: (dir: string) => Promise<void>) => {
    const root = await mkdtemp(path.join(tmpdir(), 'sportello-rules-'));
    const dir = path.join(root, 'rules');
    try {
      await mkdir(path.join(dir, 'fixtures'), { recursive: true });
      for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
      await body(dir);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  };

  it('reads *.yml and *.yaml directly in the directory, not fixtures/', async () => {
    await withDir({ 'it.yml': desk('IT'), 'hr.yaml': desk('HR'), 'fixtures/expected.yml': 'x.eml: nonsense\n', 'notes.txt': 'x' }, async (dir) => {
      const result = await loadRules(dir);
      expect(result.ruleSet?.files).toEqual(['rules/hr.yaml', 'rules/it.yml']);
    });
  });

  it('reports an empty directory and a missing one', async () => {
    await withDir({}, async (dir) => {
      expect((await loadRules(dir)).problems?.map((p) => p.code)).toEqual(['NO_RULES']);
      expect((await loadRules(path.join(dir, 'missing'))).problems?.map((p) => p.code)).toEqual(['RULES_DIR_UNREADABLE']);
    });
  });

  it('loadRulesOrThrow throws RULES_INVALID carrying the problems', async () => {
    await withDir({ 'it.yml': 'desks: 3\n' }, async (dir) => {
      const error = await loadRulesOrThrow(dir).catch((e: unknown) => e);
      expect(isSportelloError(error, 'RULES_INVALID')).toBe(true);
      expect((error as { context: { problems: unknown[] } }).context.problems).toHaveLength(1);
    });
  });

  it('returns a deeply frozen rule set', async () => {
    const ruleSet = await loadValid({ 'it.yml': desk('IT') });
    const it = ruleSet.desks['IT']!;
    expect(Object.isFrozen(ruleSet)).toBe(true);
    expect(Object.isFrozen(it.categories[0]!.names)).toBe(true);
    expect(Object.isFrozen(it.rules[0]!.then)).toBe(true);
    expect(() => (it.rules as unknown[]).push({})).toThrow(TypeError);
    expect(it.categories.map((c) => c.id)).toEqual(['hardware', 'access', 'triage']);
    expect(it.rules[0]).toMatchObject({ name: 'first', file: 'rules/it.yml', line: 8 });
  });
});
