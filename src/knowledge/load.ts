// Loads every article (*.md, any depth; README.md files are notes for admins, not articles) under the
// knowledge directory. Returns the valid articles and every problem, file:line:column, sorted; one bad
// file never hides the good ones. Article ids are unique per desk; never guesses a desk from a folder name.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

import { formatPosition, sortProblems } from '../admin-files/problems.js';
import { indexArticle, type Article } from './article.js';
import { parseArticle, type KnowledgeDesk, type KnowledgeProblem } from './parse-article.js';

export interface LoadArticlesOptions {
  /** Desks from the rules (RuleSet.desks fits): checks desk and category ids, picks each desk's default language. */
  readonly desks?: Readonly<Record<string, KnowledgeDesk>>;
  /** Directory problem paths are relative to; default the knowledge directory's parent. */
  readonly base?: string;
}

export interface LoadedArticles {
  /** Valid articles, sorted by desk then id. */
  readonly articles: readonly Article[];
  readonly problems: readonly KnowledgeProblem[];
}

export interface ArticleSource {
  /** Name used in problems, e.g. "rules/knowledge/it/vpn.md". */
  readonly file: string;
  readonly text: string;
}

const ARTICLE = /\.md$/i;

export async function loadArticles(dir: string, options: LoadArticlesOptions = {}): Promise<LoadedArticles> {
  const root = path.resolve(dir);
  const base = path.resolve(options.base ?? path.dirname(root));
  const display = (p: string) => path.relative(base, p).split(path.sep).join('/') || '.';
  let names: string[];
  try {
    const entries = await readdir(root, { recursive: true, withFileTypes: true });
    names = entries
      .filter((e) => e.isFile() && ARTICLE.test(e.name) && e.name.toLowerCase() !== 'readme.md')
      .map((e) => path.join(e.parentPath, e.name))
      .sort();
  } catch (err) {
    return { articles: [], problems: [{ file: display(root), line: 1, column: 1, code: 'KNOWLEDGE_DIR_UNREADABLE', message: `cannot read the knowledge directory: ${(err as Error).message}` }] };
  }
  const sources: ArticleSource[] = [];
  const problems: KnowledgeProblem[] = [];
  for (const name of names) {
    try {
      sources.push({ file: display(name), text: await readFile(name, 'utf8') });
    } catch (err) {
      problems.push({ file: display(name), line: 1, column: 1, code: 'READ_ERROR', message: `cannot read: ${(err as Error).message}` });
    }
  }
  const loaded = loadArticleSources(sources, options.desks);
  return { articles: loaded.articles, problems: sortProblems([...problems, ...loaded.problems]) };
}

/** The pure core of loadArticles, for callers (and tests) that already hold the texts. */
export function loadArticleSources(sources: readonly ArticleSource[], desks?: Readonly<Record<string, KnowledgeDesk>>): LoadedArticles {
  const problems: KnowledgeProblem[] = [];
  const byKey = new Map<string, Article>();
  for (const source of sources) {
    const parsed = parseArticle(source.file, source.text, desks);
    problems.push(...parsed.problems);
    if (!parsed.content) continue;
    const key = `${parsed.content.desk}\u0000${parsed.content.id}`;
    const first = byKey.get(key);
    if (first) {
      problems.push({
        file: source.file,
        line: parsed.content.line,
        column: 1,
        code: 'DUPLICATE_ID',
        message: `article id "${parsed.content.id}" is already used in desk ${parsed.content.desk} at ${formatPosition(first.file, { line: first.line, column: 1 })}`,
        hint: 'ids must be unique per desk; rename one',
      });
      continue;
    }
    byKey.set(key, Object.freeze(indexArticle(parsed.content)));
  }
  const articles = [...byKey.values()].sort((a, b) => cmp(a.desk, b.desk) || cmp(a.id, b.id));
  return { articles, problems: sortProblems(problems) };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
