import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

import { loadArticles, loadArticleSources } from '../../../src/knowledge/load.js';
import { loadRulesOrThrow } from '../../../src/rules/load.js';
import { formatProblem } from '../../../src/admin-files/problems.js';
import { LANGUAGES } from '../../../src/domain/routing.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const KNOWLEDGE = path.join(repoRoot, 'rules', 'knowledge');

const md = (id: string, desk = 'IT', extra = '') => `---\nid: ${id}\ndesk: ${desk}\ntitle: { en: ${id} }\n${extra}---\nBody of ${id}.\n`;

describe('the shipped articles', () => {
  it('load against the shipped rules without a single problem', async () => {
    const rules = await loadRulesOrThrow(path.join(repoRoot, 'rules'));
    const { articles, problems } = await loadArticles(KNOWLEDGE, { desks: rules.desks, base: repoRoot });
    expect(problems.map(formatProblem)).toEqual([]);
    expect(articles.map((a) => `${a.desk}/${a.id}`)).toEqual([
      'HR/company-certificate',
      'HR/leave-request',
      'HR/payslip',
      'IT/mfa',
      'IT/new-laptop',
      'IT/phishing',
      'IT/printer',
      'IT/reset-password',
      'IT/vpn',
      'IT/wifi',
    ]);
  });

  it('each have a title, keywords and a body in es, it and en, and a category', async () => {
    const { articles } = await loadArticles(KNOWLEDGE);
    for (const a of articles) {
      for (const language of LANGUAGES) {
        expect(a.title[language], `${a.id} title.${language}`).toBeTruthy();
        expect(a.keywords[language]?.length, `${a.id} keywords.${language}`).toBeGreaterThanOrEqual(3);
        expect(a.body[language]?.length, `${a.id} body.${language}`).toBeGreaterThan(100);
      }
      expect(a.categories.length).toBeGreaterThan(0);
    }
  });
});

describe('loadArticles', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reads *.md at any depth, skips README.md and other files, names problems from the parent', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sportello-kb-'));
    const root = path.join(dir, 'knowledge');
    await mkdir(path.join(root, 'it', 'deep'), { recursive: true });
    await writeFile(path.join(root, 'README.md'), '# notes, not an article');
    await writeFile(path.join(root, 'it', 'vpn.md'), md('vpn'));
    await writeFile(path.join(root, 'it', 'deep', 'wifi.md'), md('wifi'));
    await writeFile(path.join(root, 'it', 'notes.txt'), 'ignored');
    await writeFile(path.join(root, 'it', 'broken.md'), '# no front matter');
    const { articles, problems } = await loadArticles(root);
    expect(articles.map((a) => [a.id, a.file])).toEqual([
      ['vpn', 'knowledge/it/vpn.md'],
      ['wifi', 'knowledge/it/deep/wifi.md'],
    ]);
    expect(problems.map(formatProblem)).toEqual([
      'knowledge/it/broken.md:1:1: an article starts with YAML front matter between "---" lines',
    ]);
  });

  it('reports a directory it cannot read instead of throwing', async () => {
    const { articles, problems } = await loadArticles(path.join(tmpdir(), 'sportello-no-such-dir-9f3'));
    expect(articles).toEqual([]);
    expect(problems[0]?.code).toBe('KNOWLEDGE_DIR_UNREADABLE');
  });
});

describe('loadArticleSources', () => {
  it('keeps the first of two articles with one id in one desk and points at it', () => {
    const { articles, problems } = loadArticleSources([
      { file: 'k/a.md', text: md('vpn') },
      { file: 'k/b.md', text: md('vpn') },
      { file: 'k/c.md', text: md('vpn', 'HR') },
    ]);
    expect(articles.map((a) => `${a.desk}/${a.id}@${a.file}`)).toEqual(['HR/vpn@k/c.md', 'IT/vpn@k/a.md']);
    expect(problems.map(formatProblem)).toEqual(['k/b.md:2:1: article id "vpn" is already used in desk IT at k/a.md:2:1']);
  });

  it('indexes keywords as stemmed phrases, and keywords that stem alike only once', () => {
    const { articles } = loadArticleSources([
      { file: 'k/p.md', text: md('printer', 'IT', 'keywords:\n  it: [stampante, stampanti, "Non Stampa"]\n') },
    ]);
    expect(articles[0]?.terms.it?.keywords).toEqual([
      { keyword: 'stampante', terms: ['stampant'] },
      { keyword: 'Non Stampa', terms: ['non', 'stamp'] },
    ]);
  });
});
