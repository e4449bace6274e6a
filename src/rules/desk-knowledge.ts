// Decides which self-service articles each desk offers: the folder its `knowledge:` names (relative
// to the rules file) or, without one, knowledge/<desk id in lower case> next to it when that exists.
// Article problems become rules problems; an article must sit in its own desk's folder, never guessed.
import path from 'node:path';

import type { Article, KnowledgeDesk, LoadedArticles } from '../knowledge/index.js';
import type { ParsedFile } from './parse-file.js';
import type { RuleProblem } from '../admin-files/problems.js';
import { TRIAGE } from './schema.js';
import type { DeskSpecT } from './schema.js';

/**
 * Loads the articles of one folder, checked against `desks`; resolves null when the folder does not
 * exist (a missing default folder just means "no articles").
 */
export type LoadKnowledge = (dir: string, desks: Readonly<Record<string, KnowledgeDesk>>) => Promise<LoadedArticles | null>;

export interface KnowledgeSite {
  readonly file: ParsedFile;
  /** Absolute path of the rules file; `knowledge:` is relative to its directory. */
  readonly path: string;
  readonly deskId: string;
  readonly spec: DeskSpecT;
}

/** Folder name used when a desk sets no `knowledge:`. */
export function defaultKnowledgeDir(deskId: string): string {
  return `knowledge/${deskId.toLowerCase()}`;
}

/** Articles per desk id (every site gets an entry) and the problems of every folder read. */
export async function loadDeskKnowledge(
  sites: readonly KnowledgeSite[],
  load: LoadKnowledge,
  display: (absolute: string) => string,
): Promise<{ articles: Map<string, Article[]>; problems: RuleProblem[] }> {
  const desks: Record<string, KnowledgeDesk> = {};
  for (const site of sites) {
    const ids = site.spec.categories.map((c) => ({ id: c.id }));
    if (!ids.some((c) => c.id === TRIAGE)) ids.push({ id: TRIAGE });
    desks[site.deskId] = { defaultLanguage: site.spec.defaultLanguage, categories: ids };
  }
  const byDir = new Map<string, KnowledgeSite[]>();
  for (const site of sites) {
    const dir = path.resolve(path.dirname(site.path), site.spec.knowledge ?? defaultKnowledgeDir(site.deskId));
    byDir.set(dir, [...(byDir.get(dir) ?? []), site]);
  }

  const articles = new Map<string, Article[]>(sites.map((s) => [s.deskId, []]));
  const problems: RuleProblem[] = [];
  for (const [dir, owners] of byDir) {
    const loaded = await load(dir, desks);
    if (loaded === null) {
      for (const site of owners.filter((s) => s.spec.knowledge !== undefined)) {
        const { line, column } = site.file.locate.value(['desks', site.deskId, 'knowledge']);
        problems.push({ file: site.file.file, line, column, code: 'KNOWLEDGE_NOT_FOUND', message: `knowledge folder "${site.spec.knowledge}" does not exist`, hint: 'the path is relative to this rules file' });
      }
      continue;
    }
    problems.push(...loaded.problems);
    const owned = new Set(owners.map((s) => s.deskId));
    for (const article of loaded.articles) {
      if (owned.has(article.desk)) {
        articles.get(article.desk)!.push(article);
        continue;
      }
      problems.push({
        file: article.file,
        line: article.line,
        column: 1,
        code: 'ARTICLE_WRONG_FOLDER',
        message: `article "${article.id}" is for desk ${article.desk}, but ${display(dir)} is the knowledge folder of ${[...owned].join(', ')}`,
        hint: `move it to ${article.desk}'s knowledge folder or correct its desk`,
      });
    }
  }
  return { articles, problems };
}
