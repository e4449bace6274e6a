import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

import { parseCsv } from '../../../src/rules/corpus.js';
import { loadRuleSources, trainingDocs } from '../../../src/rules/index.js';
import { corporaDir, loadValid } from './helpers.js';
import { withoutCorpora } from '../../support/corpora.js';

describe('trainingDocs', () => {
  it('yields examples and each keyword per language, then corpus rows', async () => {
    const ruleSet = await loadValid({
      'it.yml': `desks:
  IT:
    threshold: 0.5
    corpus: { file: c.csv, language: en, labels: { HW: hardware } }
    categories:
      - id: hardware
        names: { es: a, it: b, en: c }
        keywords: { es: [portátil], en: [laptop, printer] }
        examples: { it: [la stampante non stampa] }
`,
      'c.csv': 'label,text\nHW,screen flickers\nOther,ignored\n',
    });
    expect(trainingDocs(ruleSet, 'IT')).toEqual([
      { text: 'portátil', label: 'hardware', language: 'es' },
      { text: 'la stampante non stampa', label: 'hardware', language: 'it' },
      { text: 'laptop', label: 'hardware', language: 'en' },
      { text: 'printer', label: 'hardware', language: 'en' },
      { text: 'screen flickers', label: 'hardware', language: 'en' },
    ]);
    expect(trainingDocs(ruleSet, 'nope')).toEqual([]);
  });
});

describe('CSV parsing', () => {
  it.each([
    ['plain', 'a,b\n1,2\n', [['a', 'b'], ['1', '2']]],
    ['CRLF and BOM', '\ufeffa,b\r\n1,2\r\n', [['a', 'b'], ['1', '2']]],
    ['quoted comma, quote and newline', 'a,b\n"x, y","say ""hi""\nbye"\n', [['a', 'b'], ['x, y', 'say "hi"\nbye']]],
    ['no trailing newline, empty field', 'a,b\n1,', [['a', 'b'], ['1', '']]],
  ])('%s', (_name, source, expected) => {
    const { records, problems } = parseCsv(source, 'c.csv');
    expect(problems).toEqual([]);
    expect(records.map((r) => r.fields)).toEqual(expected);
  });

  it.each([
    ['unterminated quoted field', 'a,b\n1,2\n"open,3\n4,5\n'],
    ['text after a closing quote', 'a,b\n1,2\n"x"y,3\n4,5\n'],
    ['unexpected quote in a field', 'a,b\n1,2\nx"y,3\n4,5\n'],
  ])('reports %s at its line and skips only that record', (message, source) => {
    const { records, problems } = parseCsv(source, 'c.csv');
    expect(problems).toEqual([expect.objectContaining({ file: 'c.csv', line: 3, column: 1, code: 'CORPUS_INVALID', message })]);
    expect(records.map((r) => r.line)).toEqual([1, 2, 4]);
  });
});

describe.skipIf(withoutCorpora(import.meta.url, ['it-service-tickets']))('the real IT service tickets corpus', () => {
  const csv = path.join(corporaDir, 'it-service-tickets', 'all_tickets_processed_improved_v3.csv');

  it('loads through a corpus section with a label map, skipping unmapped labels', async () => {
    await stat(csv);
    const rulesPath = '/virtual/rules/it.yml';
    const result = await loadRuleSources(
      [
        {
          file: 'rules/it.yml',
          path: rulesPath,
          text: `desks:
  IT:
    threshold: 0.5
    corpus:
      file: ${path.relative(path.dirname(rulesPath), csv)}
      language: en
      textColumn: Document
      labelColumn: Topic_group
      labels: { Hardware: hardware, Access: access, Administrative rights: software }
    categories:
      - { id: hardware, names: { es: a, it: b, en: c } }
      - { id: access, names: { es: a, it: b, en: c } }
      - { id: software, names: { es: a, it: b, en: c } }
`,
        },
      ],
      { base: '/virtual', readText: (p) => readFile(p, 'utf8') },
    );
    expect(result.problems).toBeUndefined();
    const docs = trainingDocs(result.ruleSet!, 'IT');
    const counts = Object.fromEntries(['hardware', 'access', 'software'].map((c) => [c, docs.filter((d) => d.label === c).length]));
    // README: Hardware 13,617 · Access 7,125 · Administrative rights 1,760 rows.
    expect(counts).toEqual({ hardware: 13_617, access: 7_125, software: 1_760 });
  });
});
