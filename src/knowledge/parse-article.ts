// Turns one article file (YAML front matter between "---" lines, then Markdown) into validated
// content or problems at file:line:column, like the rules loader: yaml's LineCounter, then zod.
// Never throws on bad input and never reports a position it cannot point to in the file itself.
import { LineCounter, parseDocument } from 'yaml';
import * as z from 'zod';

import { LANGUAGES, type Language } from '../domain/routing.js';
import { Locator, type PathKey } from '../admin-files/positions.js';
import { suggestion, type RuleProblem } from '../admin-files/problems.js';
import { tokenize } from '../classify/tokenize.js';
import type { ArticleContent } from './article.js';

export type KnowledgeProblem = RuleProblem;

const text = z.string().trim().min(1);
const words = z.array(text);

/** Front matter keys; strict so a typo ("keyowrds") is reported instead of silently ignored. */
export const ArticleFrontMatter = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'article ids are lower-case letters, digits and "-"'),
  desk: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'desk ids are letters, digits, "-" and "_"'),
  categories: z.array(z.string().regex(/^[a-z][a-z0-9_-]*$/, 'category ids are lower-case letters, digits, "-" and "_"')).default([]),
  title: z.strictObject({ es: text.optional(), it: text.optional(), en: text.optional() }),
  keywords: z.strictObject({ es: words.optional(), it: words.optional(), en: words.optional() }).default({}),
  // Only web links: the URL lands in mail we send, so no javascript:, file: or mailto: tricks.
  url: z.url({ protocol: /^https?$/, error: 'url must be an http(s) link' }).optional(),
});

const ALLOWED: Record<string, readonly string[]> = {
  '': Object.keys(ArticleFrontMatter.shape),
  title: LANGUAGES,
  keywords: LANGUAGES,
};

/** What the loader knows about a desk from the rules; structurally a subset of rules' DeskRules. */
export interface KnowledgeDesk {
  readonly defaultLanguage: Language;
  readonly categories: readonly { readonly id: string }[];
}

export type ParsedArticle =
  | { readonly content: ArticleContent; readonly problems: readonly [] }
  | { readonly content: null; readonly problems: readonly KnowledgeProblem[] };

const FENCE = /^---[ \t]*$/;
const FENCE_END = /^(?:---|\.\.\.)[ \t]*$/;
// A language section starts at a line holding only "<!-- es -->" (invisible when the Markdown is rendered).
const SECTION = /^<!--\s*([A-Za-z]{2}(?:-[A-Za-z]+)?)\s*-->[ \t]*$/;

/**
 * Parses `source` (the file's text) named `file` in problems. `desks` (from the rules) enables the
 * desk/category checks and names the default language a title must exist in; without it, `en`.
 */
export function parseArticle(file: string, source: string, desks?: Readonly<Record<string, KnowledgeDesk>>): ParsedArticle {
  const lines = source.replace(/^\uFEFF/, '').split(/\r?\n/);
  const problem = (line: number, column: number, code: string, message: string, hint?: string): KnowledgeProblem =>
    hint === undefined ? { file, line, column, code, message } : { file, line, column, code, message, hint };

  if (!FENCE.test(lines[0] ?? '')) {
    return fail([problem(1, 1, 'NO_FRONT_MATTER', 'an article starts with YAML front matter between "---" lines', 'put id, desk, categories, title and keywords first')]);
  }
  const end = lines.findIndex((l, i) => i > 0 && FENCE_END.test(l));
  if (end < 0) return fail([problem(1, 1, 'NO_FRONT_MATTER', 'the front matter has no closing "---" line')]);

  // One leading newline per skipped line keeps yaml's line numbers equal to the file's.
  const yamlText = '\n' + lines.slice(1, end).join('\n');
  const counter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter: counter, uniqueKeys: true, prettyErrors: false });
  const locate = new Locator(doc, counter);
  const at = (path: readonly PathKey[], code: string, message: string, hint?: string, key = false): KnowledgeProblem => {
    const { line, column } = key ? locate.key(path) : locate.value(path);
    return problem(line, column, code, message, hint);
  };
  if (doc.errors.length > 0) {
    return fail(doc.errors.map((e) => {
      const { line, column } = locate.at(e.pos[0]);
      return problem(line, column, e.code === 'DUPLICATE_KEY' ? 'DUPLICATE_KEY' : 'YAML_SYNTAX', e.message, `YAML error ${e.code}`);
    }));
  }

  const data: unknown = doc.toJS() ?? {};
  const result = ArticleFrontMatter.safeParse(data);
  if (!result.success) return fail(result.error.issues.flatMap((issue) => issueProblems(issue, data, at)));
  const spec = result.data;

  const problems: KnowledgeProblem[] = [];
  const desk = desks?.[spec.desk];
  if (desks && !desk) {
    problems.push(at(['desk'], 'UNKNOWN_DESK', `unknown desk "${spec.desk}"${suggestion(spec.desk, Object.keys(desks))}`, `desks in the rules: ${Object.keys(desks).join(', ')}`));
  }
  if (desk) {
    const known = desk.categories.map((c) => c.id);
    spec.categories.forEach((c, i) => {
      if (!known.includes(c)) problems.push(at(['categories', i], 'UNKNOWN_CATEGORY', `desk ${spec.desk} has no category "${c}"${suggestion(c, known)}`, `categories: ${known.join(', ')}`));
    });
  }
  const defaultLanguage = desk?.defaultLanguage ?? 'en';
  if (spec.title[defaultLanguage] === undefined) {
    problems.push(at(['title'], 'MISSING_TITLE', `missing title.${defaultLanguage}: the desk's default language, used when a mail's language has no title`));
  }
  for (const language of LANGUAGES) {
    spec.keywords[language]?.forEach((k, i) => {
      if (tokenize(k, language).length === 0) {
        problems.push(at(['keywords', language, i], 'EMPTY_KEYWORD', `keyword "${k}" has only ${language} stop words, so it would match almost any mail`, 'use a more specific word'));
      }
    });
  }

  const body = parseBody(lines, end + 1, defaultLanguage, problem, problems);

  if (problems.length > 0) return fail(problems);
  return {
    content: {
      id: spec.id,
      desk: spec.desk,
      categories: spec.categories,
      title: spec.title,
      keywords: spec.keywords,
      url: spec.url ?? null,
      body,
      defaultLanguage,
      file,
      line: locate.value(['id']).line,
    },
    problems: [],
  };
}

type Problem = (line: number, column: number, code: string, message: string, hint?: string) => KnowledgeProblem;

/** Language sections from line index `from`; without any marker the whole body is the default language's. */
function parseBody(lines: readonly string[], from: number, defaultLanguage: Language, problem: Problem, problems: KnowledgeProblem[]): Partial<Record<Language, string>> {
  const body: Partial<Record<Language, string>> = {};
  const rest = lines.slice(from);
  if (!rest.some((l) => SECTION.test(l))) {
    const all = rest.join('\n').trim();
    if (all !== '') body[defaultLanguage] = all;
    return body;
  }
  // undefined: before the first marker; null: inside a section whose language is rejected.
  let current: Language | null | undefined;
  let chunk: string[] = [];
  const flush = () => {
    const t = chunk.join('\n').trim();
    if (current) body[current] = t;
    chunk = [];
  };
  for (const [offset, line] of rest.entries()) {
    const marker = SECTION.exec(line);
    if (!marker) {
      if (current === undefined && line.trim() !== '' && chunk.length === 0) {
        problems.push(problem(from + offset + 1, 1, 'TEXT_OUTSIDE_SECTION', 'text before the first language section belongs to no language', 'move it into a section: <!-- es -->, <!-- it --> or <!-- en -->'));
      }
      if (current !== undefined || line.trim() !== '') chunk.push(line);
      continue;
    }
    flush();
    const code = marker[1]!.toLowerCase();
    const known = (LANGUAGES as readonly string[]).includes(code);
    if (!known) {
      problems.push(problem(from + offset + 1, 1, 'UNKNOWN_LANGUAGE', `unknown language section "${code}"${suggestion(code, LANGUAGES)}`, `languages: ${LANGUAGES.join(', ')}`));
    } else if (body[code as Language] !== undefined) {
      problems.push(problem(from + offset + 1, 1, 'DUPLICATE_SECTION', `a second "${code}" section`));
    }
    current = known ? (code as Language) : null;
  }
  flush();
  return body;
}

function fail(problems: KnowledgeProblem[]): ParsedArticle {
  return { content: null, problems };
}

type At = (path: readonly PathKey[], code: string, message: string, hint?: string, key?: boolean) => KnowledgeProblem;

function issueProblems(issue: z.core.$ZodIssue, data: unknown, at: At): KnowledgeProblem[] {
  const path = issue.path as PathKey[];
  const name = path.map(String).join('.') || 'front matter';
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = ALLOWED[path.join('.')] ?? [];
      return issue.keys.map((key) =>
        at([...path, key], 'UNKNOWN_KEY', `unknown key "${key}"${suggestion(key, allowed)}`, `allowed here: ${allowed.join(', ')}`, true),
      );
    }
    case 'invalid_type':
      if (valueAt(data, path) === undefined) {
        return [at(path.slice(0, -1), 'MISSING_FIELD', `missing required field "${String(path[path.length - 1])}"`)];
      }
      return [at(path, 'INVALID_TYPE', `${name}: expected ${issue.expected === 'object' ? 'a mapping' : issue.expected === 'array' ? 'a list' : `a ${issue.expected}`}`)];
    case 'too_small':
      return [at(path, 'INVALID_VALUE', `${name}: must not be empty`)];
    default:
      return [at(path, 'INVALID_VALUE', `${name}: ${issue.message}`)];
  }
}

function valueAt(data: unknown, path: readonly PathKey[]): unknown {
  let value = data;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}
