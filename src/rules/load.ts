// Loads every rules file directly under rules/ (*.yml, *.yaml; subfolders such as fixtures/ are not
// rules) and either returns one frozen RuleSet or every problem of every file, never a partial set.
// Problem paths are relative to the rules directory's parent ("rules/it.yml"); corpus CSVs, business
// calendars and knowledge articles are built here, at load time, so a broken one is reported like any
// other rules problem.
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

import { SportelloError } from '../errors.js';
import { loadArticles } from '../knowledge/index.js';
import { checkAgainstConfig, type RulesContext } from './check-config.js';
import { checkDesks } from './check-desks.js';
import { checkSla } from './check-sla.js';
import { readCorpus, type CorpusRow } from './corpus.js';
import { deskCalendar } from './desk-calendar.js';
import { loadDeskKnowledge, type KnowledgeSite, type LoadKnowledge } from './desk-knowledge.js';
import { parseRulesFile, valueAt, type ParsedFile } from './parse-file.js';
import { formatProblem, sortProblems, type RuleProblem } from '../admin-files/problems.js';
import { buildRuleSet, type DeskSource, type RuleSet } from './rule-set.js';

export type LoadResult =
  | { readonly ruleSet: RuleSet; readonly problems?: undefined }
  | { readonly problems: readonly RuleProblem[]; readonly ruleSet?: undefined };

export interface RulesSource {
  /** Name used in problems, e.g. "rules/it.yml". */
  readonly file: string;
  /** Absolute path; corpus files are resolved against its directory. */
  readonly path: string;
  readonly text: string;
}

const RULES_FILE = /\.ya?ml$/i;

const display = (base: string, file: string) => path.relative(base, file).split(path.sep).join('/');

/**
 * Loads `dir`; problems (never a throw) for bad content, unreadable files or an empty directory. With a
 * context (the configured desks and agents, the templates) the rules are also checked against it.
 */
export async function loadRules(dir: string, context?: RulesContext): Promise<LoadResult> {
  const root = path.resolve(dir);
  const base = path.dirname(root);
  const where = display(base, root) || '.';
  let names: string[];
  try {
    const entries = await readdir(root, { withFileTypes: true });
    names = entries.filter((e) => e.isFile() && RULES_FILE.test(e.name)).map((e) => e.name).sort();
  } catch (err) {
    return { problems: [{ file: where, line: 1, column: 1, code: 'RULES_DIR_UNREADABLE', message: `cannot read the rules directory: ${(err as Error).message}` }] };
  }
  if (names.length === 0) {
    return { problems: [{ file: where, line: 1, column: 1, code: 'NO_RULES', message: 'no rules files (*.yml) in the rules directory', hint: 'ship at least one desk, e.g. rules/it.yml' }] };
  }
  const sources: RulesSource[] = [];
  const problems: RuleProblem[] = [];
  for (const name of names) {
    const full = path.join(root, name);
    try {
      sources.push({ file: display(base, full), path: full, text: await readFile(full, 'utf8') });
    } catch (err) {
      problems.push({ file: display(base, full), line: 1, column: 1, code: 'READ_ERROR', message: `cannot read: ${(err as Error).message}` });
    }
  }
  const loadKnowledge: LoadKnowledge = async (knowledgeDir, desks) => {
    const exists = await stat(knowledgeDir).then(
      () => true,
      (err: NodeJS.ErrnoException) => err.code !== 'ENOENT',
    );
    return exists ? loadArticles(knowledgeDir, { desks, base }) : null;
  };
  const result = await loadRuleSources(sources, { base, readText: (p) => readFile(p, 'utf8'), loadKnowledge, ...(context ? { context } : {}) });
  return problems.length === 0 ? result : { problems: sortProblems([...problems, ...(result.problems ?? [])]) };
}

/** Same as loadRules, but throws SportelloError RULES_INVALID with `context.problems`. */
export async function loadRulesOrThrow(dir: string, context?: RulesContext): Promise<RuleSet> {
  const result = await loadRules(dir, context);
  if (result.ruleSet) return result.ruleSet;
  const first = result.problems[0];
  throw new SportelloError('RULES_INVALID', `${result.problems.length} problem(s) in ${dir}${first ? `; first: ${formatProblem(first)}` : ''}`, {
    context: { problems: result.problems },
    hint: 'fix the listed lines and save; the previous rules stay active meanwhile',
  });
}

export interface SourceOptions {
  /** Directory problem paths of corpus files are relative to. */
  readonly base: string;
  readText(path: string): Promise<string>;
  /** Reads a knowledge folder (see LoadKnowledge); without it no desk gets articles and none are checked. */
  readonly loadKnowledge?: LoadKnowledge;
  /** The configuration and templates the rules must agree with (see check-config.ts); unchecked without. */
  readonly context?: RulesContext;
}

/** The pure-ish core of loadRules, for callers (and tests) that already hold the file texts. */
export async function loadRuleSources(sources: readonly RulesSource[], options: SourceOptions): Promise<LoadResult> {
  const parsed = sources.map((s) => parseRulesFile(s.file, s.text));
  const problems: RuleProblem[] = [
    ...parsed.flatMap((p) => p.problems),
    ...checkDesks(parsed),
    ...checkSla(parsed),
    ...(options.context ? checkAgainstConfig(parsed, options.context) : []),
  ];
  const desks: Omit<DeskSource, 'articles'>[] = [];
  const knowledgeSites: KnowledgeSite[] = [];
  for (const [index, file] of parsed.entries()) {
    const source = sources[index]!;
    for (const [id, spec] of Object.entries(file.spec?.desks ?? {})) {
      const corpus = spec.corpus ? await loadCorpus(file, source, id, spec.corpus, options, problems) : [];
      const ruleLines = spec.rules.map((_, i) => file.locate.value(['desks', id, 'rules', i]).line);
      let calendar: DeskSource['calendar'] = null;
      if (spec.calendar) {
        const built = deskCalendar(file, id, spec.calendar);
        problems.push(...built.problems);
        calendar = built.calendar;
      }
      desks.push({ id, file: file.file, spec, ruleLines, corpus, calendar });
      knowledgeSites.push({ file, path: source.path, deskId: id, spec });
    }
  }
  // Articles are checked against every desk's categories, so they wait until every file is valid;
  // otherwise a desk in a broken file would make its articles look like they name an unknown desk.
  let articles = new Map<string, DeskSource['articles']>();
  if (options.loadKnowledge && parsed.every((p) => p.spec !== null)) {
    const knowledge = await loadDeskKnowledge(knowledgeSites, options.loadKnowledge, (p) => display(options.base, p));
    problems.push(...knowledge.problems);
    articles = knowledge.articles;
  }
  if (problems.length > 0) return { problems: sortProblems(problems) };
  return { ruleSet: buildRuleSet(sources.map((s) => s.file), desks.map((d) => ({ ...d, articles: articles.get(d.id) ?? [] }))) };
}

type CorpusSpec = NonNullable<NonNullable<NonNullable<ParsedFile['spec']>['desks']>[string]['corpus']>;

async function loadCorpus(
  file: ParsedFile,
  source: RulesSource,
  deskId: string,
  spec: CorpusSpec,
  options: SourceOptions,
  problems: RuleProblem[],
): Promise<CorpusRow[]> {
  const at = (key: string, code: string, message: string, hint?: string) => {
    const { line, column } = file.locate.value(['desks', deskId, 'corpus', key]);
    problems.push({ file: file.file, line, column, code, message, ...(hint === undefined ? {} : { hint }) });
  };
  const csvPath = path.resolve(path.dirname(source.path), spec.file);
  let text: string;
  try {
    text = await options.readText(csvPath);
  } catch (err) {
    at('file', 'CORPUS_NOT_FOUND', `cannot read corpus "${spec.file}": ${(err as Error).message}`, 'the path is relative to this rules file');
    return [];
  }
  const result = readCorpus(text, { ...spec, file: display(options.base, csvPath) });
  problems.push(...result.problems);
  for (const column of result.missingColumns) {
    const key = column === spec.textColumn ? 'textColumn' : 'labelColumn';
    at(valueAt(file.data, ['desks', deskId, 'corpus', key]) === undefined ? 'file' : key, 'CORPUS_INVALID', `corpus "${spec.file}" has no column "${column}"`, 'name the CSV header columns with textColumn/labelColumn');
  }
  return [...result.rows];
}
