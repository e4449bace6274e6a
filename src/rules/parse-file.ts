// Turns one rules file's text into validated data or positioned problems: YAML syntax (yaml's own
// error codes), then the zod schema, each issue mapped to the line:column the admin must edit.
// Never throws on bad input and never stops at the first problem; a file with syntax errors other
// than duplicate keys is not schema-checked, because its structure cannot be trusted.
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { $ZodIssue } from 'zod/v4/core';

import { KEY_NOUNS, RulesFile, type RulesFileSpec } from './schema.js';
import { Locator, type PathKey } from '../admin-files/positions.js';
import { didYouMean, suggestion, type RuleProblem } from '../admin-files/problems.js';
import { objectKeys, schemaAt } from '../schema-paths.js';

export interface ParsedFile {
  readonly file: string;
  readonly doc: Document;
  readonly locate: Locator;
  /** The document as plain data (best effort even when invalid), for cross-file checks. */
  readonly data: unknown;
  /** Set only when the file passed the schema. */
  readonly spec: RulesFileSpec | null;
  readonly problems: readonly RuleProblem[];
}

export function parseRulesFile(file: string, source: string): ParsedFile {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const locate = new Locator(doc, lines);
  const problems: RuleProblem[] = doc.errors.map((error) => {
    const { line, column } = locate.at(error.pos[0]);
    const code = error.code === 'DUPLICATE_KEY' ? 'DUPLICATE_KEY' : 'YAML_SYNTAX';
    return { file, line, column, code, message: lowerFirst(error.message), hint: `YAML error ${error.code}` };
  });
  const data: unknown = doc.toJS() ?? {};
  if (problems.some((p) => p.code === 'YAML_SYNTAX')) return { file, doc, locate, data, spec: null, problems };

  const result = RulesFile.safeParse(data);
  if (result.success) return { file, doc, locate, data, spec: result.data, problems };
  const typoed = typoTargets(result.error.issues);
  for (const issue of result.error.issues) {
    // A misspelt required key shows up twice (unknown + missing); the did-you-mean already says it all.
    const missing = issue.code === 'invalid_type' && valueAt(data, issue.path as PathKey[]) === undefined;
    if (missing && typoed.has(JSON.stringify(issue.path))) continue;
    problems.push(...issueProblems(issue, [], data, file, locate));
  }
  return { file, doc, locate, data, spec: null, problems };
}

type Issue = $ZodIssue;

/** Paths of required keys that some unknown key is probably a misspelling of. */
function typoTargets(issues: readonly Issue[]): Set<string> {
  const targets = new Set<string>();
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    const path = issue.path as PathKey[];
    const schema = schemaAt(RulesFile, path);
    if (!schema) continue;
    for (const key of issue.keys) {
      const target = didYouMean(key, objectKeys(schema));
      if (target !== undefined) targets.add(JSON.stringify([...path, target]));
    }
  }
  return targets;
}

/**
 * Problems for one zod issue whose path is relative to `prefix` in the file's data (for schemas run
 * on a part of the file, e.g. createCalendar on a desk's calendar).
 */
export function issueProblems(issue: Issue, prefix: readonly PathKey[], data: unknown, file: string, locate: Locator): RuleProblem[] {
  const path = [...prefix, ...(issue.path as PathKey[])];
  const value = valueAt(data, path);
  const at = (p: readonly PathKey[], code: string, message: string, hint?: string): RuleProblem => {
    const { line, column } = locate.value(p);
    return hint === undefined ? { file, line, column, code, message } : { file, line, column, code, message, hint };
  };
  const name = label(path);

  switch (issue.code) {
    case 'unrecognized_keys': {
      const schema = schemaAt(RulesFile, path);
      const noun = (schema && KEY_NOUNS.get(schema)) ?? 'key';
      const allowed = schema ? objectKeys(schema) : [];
      return issue.keys.map((key) => {
        const { line, column } = locate.key([...path, key]);
        return {
          file,
          line,
          column,
          code: 'UNKNOWN_KEY',
          message: `unknown ${noun} "${key}"${suggestion(key, allowed)}`,
          hint: `allowed here: ${allowed.join(', ')}`,
        };
      });
    }
    case 'invalid_union': {
      // The branch the admin meant: one that failed deeper inside the value, else one whose type fit.
      const branch =
        issue.errors.find((issues) => issues.every((i) => i.path.length > 0)) ??
        issue.errors.find((issues) => !issues.some((i) => i.code === 'invalid_type' && i.path.length === 0));
      if (branch) return branch.flatMap((inner) => issueProblems(inner, path, data, file, locate));
      const expected = issue.errors.flatMap((issues) => issues.map((i) => (i.code === 'invalid_type' ? describeExpected(i.expected) : '')));
      return [at(path, 'INVALID_TYPE', `${name}: expected ${[...new Set(expected.filter(Boolean))].join(' or ')}, got ${describe(value)}`)];
    }
    case 'invalid_type':
      if (value === undefined) {
        return [at(path.slice(0, -1), 'MISSING_FIELD', `missing required field "${String(path[path.length - 1])}"`)];
      }
      return [at(path, 'INVALID_TYPE', `${name}: expected ${describeExpected(issue.expected)}, got ${describe(value)}`)];
    case 'invalid_value': {
      const values = issue.values.map(String);
      return [
        at(path, 'INVALID_VALUE', `${name}: "${String(value)}" is not one of ${values.join(', ')}${suggestion(String(value), values)}`),
      ];
    }
    case 'too_big':
    case 'too_small': {
      const bound = issue.code === 'too_big' ? issue.maximum : issue.minimum;
      const inclusive = issue.inclusive !== false;
      const text =
        issue.origin === 'array'
          ? `needs at least ${String(bound)} item${bound === 1 ? '' : 's'}`
          : issue.origin === 'string'
            ? 'must not be empty'
            : `must be ${issue.code === 'too_big' ? (inclusive ? 'at most' : 'less than') : inclusive ? 'at least' : 'more than'} ${String(bound)}`;
      return [at(path, 'OUT_OF_RANGE', `${name}: ${text}`)];
    }
    case 'invalid_format':
      return [
        at(path, 'INVALID_FORMAT', issue.format === 'email' ? `${name}: "${String(value)}" is not an email address` : `${name}: ${issue.message}`),
      ];
    case 'invalid_key':
      return [at(path, 'INVALID_KEY', `${name}: ${issue.issues[0]?.message ?? issue.message}`)];
    case 'custom':
      if (path[path.length - 1] === 'timezone' && typeof value === 'string') {
        // The calendar schema's own message omits the value; a misspelt zone deserves a did-you-mean.
        return [at(path, 'INVALID_VALUE', `timezone: "${value}" is not an IANA time zone${suggestion(value, timeZones())}`, 'e.g. Europe/Madrid, Europe/Rome')];
      }
      if (issue.params?.['rule'] === 'BAD_REGEX') {
        return [at(path, 'BAD_REGEX', `invalid regex "${String(value)}": ${issue.message}`, 'regexes use RE2 syntax: no lookaround or backreferences')];
      }
      return [at(path, 'INVALID_VALUE', `${name}: ${issue.message}`)];
    default:
      return [at(path, 'INVALID_VALUE', `${name}: ${issue.message}`)];
  }
}

/** "priority", "tags[2]", or "file" for the root. */
function label(path: readonly PathKey[]): string {
  let out = '';
  for (let i = path.length - 1; i >= 0; i--) {
    const key = path[i]!;
    if (typeof key === 'number') out = `[${key}]${out}`;
    else return `${key}${out}`;
  }
  return out || 'file';
}

function describeExpected(expected: string): string {
  return expected === 'object' ? 'a mapping' : expected === 'array' ? 'a list' : `a ${expected}`;
}

function describe(value: unknown): string {
  if (value === undefined || value === null) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function timeZones(): readonly string[] {
  return Intl.supportedValuesOf('timeZone');
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

export function valueAt(data: unknown, path: readonly PathKey[]): unknown {
  let value = data;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}
