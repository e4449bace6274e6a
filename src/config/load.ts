// Reads sportello.yml once: YAML with positions, ${ENV} / ${ENV:-default} interpolation in string
// values, zod validation, relative paths resolved against the file, then a deep freeze.
// Every problem is reported at once with its key path, line and what was expected; never a partial config.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument, isScalar, type Document } from 'yaml';
import type { z } from 'zod';
import { SportelloError } from '../errors.js';
import { configSchema, type Config, type DeskConfig } from './schema.js';

export interface ConfigProblem {
  readonly path: string;
  readonly line: number | null;
  readonly message: string;
}

export interface LoadConfigOptions {
  /** Overrides `database` (the --db flag). */
  readonly db?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export async function loadConfig(file: string, opts: LoadConfigOptions = {}): Promise<Config> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new SportelloError('CONFIG_NOT_FOUND', `cannot read configuration file ${file}`, {
      cause,
      context: { file },
      hint: 'pass an existing file with --config FILE (the repository ships sportello.yml)',
    });
  }
  return parseConfig(text, { ...opts, file });
}

export function parseConfig(text: string, opts: LoadConfigOptions & { file?: string } = {}): Config {
  const file = opts.file ?? '<config>';
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, merge: true });
  const problems: ConfigProblem[] = doc.errors.map((e) => ({
    path: '',
    line: e.linePos?.[0]?.line ?? null,
    message: e.message.split('\n')[0] ?? e.message,
  }));
  if (problems.length === 0) {
    const raw = interpolate(doc.toJS() ?? {}, [], opts.env ?? process.env, problems, doc, lineCounter);
    const result = configSchema.safeParse(raw);
    if (result.success && problems.length === 0) {
      return finalize(result.data, file === '<config>' ? null : file, opts.db);
    }
    if (!result.success) problems.push(...result.error.issues.map((i) => toProblem(i, doc, lineCounter)));
  }
  throw new SportelloError('CONFIG_INVALID', `${file} has ${problems.length} problem(s):\n${problems.map((p) => `  ${formatProblem(file, p)}`).join('\n')}`, {
    context: { file, problems },
    hint: 'fix the keys listed above; see "Configuration" in README.md for every key',
  });
}

export function formatProblem(file: string, p: ConfigProblem): string {
  return `${file}${p.line ? `:${p.line}` : ''}: ${p.path ? `${p.path}: ` : ''}${p.message}`;
}

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

function interpolate(
  value: unknown,
  at: (string | number)[],
  env: Readonly<Record<string, string | undefined>>,
  problems: ConfigProblem[],
  doc: Document,
  lc: LineCounter,
): unknown {
  if (typeof value === 'string') {
    return value.replace(ENV_REF, (_m, name: string, fallback: string | undefined) => {
      const v = env[name];
      if (v !== undefined && v !== '') return v;
      if (fallback !== undefined) return fallback;
      problems.push({
        path: at.join('.'),
        line: lineOf(doc, lc, at),
        message: `environment variable ${name} is not set (export it, or write \${${name}:-default})`,
      });
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, [...at, i], env, problems, doc, lc));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, interpolate(v, [...at, k], env, problems, doc, lc)]),
    );
  }
  return value;
}

function toProblem(issue: z.core.$ZodIssue, doc: Document, lc: LineCounter): ConfigProblem {
  const at = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') message = `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_type' && issue.input === undefined) message = `missing (expected ${issue.expected})`;
  return { path: at.join('.'), line: lineOf(doc, lc, at), message };
}

/** Line of the deepest node that exists along the path (a missing key points at its parent). */
function lineOf(doc: Document, lc: LineCounter, at: (string | number)[]): number | null {
  for (let n = at.length; n >= 0; n--) {
    const node = doc.getIn(at.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node && (isScalar(node) || node.range)) {
      const offset = node.range?.[0];
      if (offset !== undefined) return lc.linePos(offset).line;
    }
  }
  return null;
}

function finalize(parsed: z.output<typeof configSchema>, file: string | null, dbOverride?: string): Config {
  const base = file ? path.dirname(path.resolve(file)) : process.cwd();
  const desks: DeskConfig[] = parsed.desks.map((d) => ({ ...d, prefix: (d.prefix ?? d.id).toUpperCase() }));
  const cfg: Config = {
    ...parsed,
    database: dbOverride ? path.resolve(dbOverride) : path.resolve(base, parsed.database),
    rulesDir: path.resolve(base, parsed.rulesDir),
    templatesDir: path.resolve(base, parsed.templatesDir),
    desks,
    configPath: file ? path.resolve(file) : null,
  };
  return deepFreeze(cfg);
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
