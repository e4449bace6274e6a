// Reads sportello.yml once: YAML with positions, ${ENV} / ${ENV:-default} interpolation in string
// values, zod validation, relative paths resolved against the file, then a deep freeze.
// Every problem is reported at once with its key path, line and what was expected; never a partial config.

import { isPostgresUrl } from './database.js';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument, isScalar, type Document } from 'yaml';
import type { z } from 'zod';
import { SportelloError } from '../errors.js';
import { configSchema, type Config, type DeskConfig } from './schema.js';
import { objectKeys, schemaAt } from '../schema-paths.js';
import { Locator } from '../admin-files/positions.js';
import { suggestion } from '../admin-files/problems.js';

export interface ConfigProblem {
  readonly path: string;
  readonly line: number | null;
  readonly message: string;
  /** What to do about it, printed on its own line under the problem. */
  readonly hint?: string;
}

export interface LoadConfigOptions {
  /** Overrides `database` (the --db flag). */
  readonly db?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * For commands that never connect to a mail server (rules check|test, classify, preview, templates
   * check, reading the store): an unset `${VAR}` keeps its literal text instead of failing, and is
   * listed in `config.unsetVariables`. `run` and `once` never pass it, so they still refuse.
   */
  readonly offline?: boolean;
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
  // After the first syntax error the parser's further complaints are mostly echoes of it.
  const problems: ConfigProblem[] = doc.errors.slice(0, 1).map((e) => ({
    path: '',
    line: lineCounter.linePos(e.pos[0]).line,
    message: e.message.split('\n')[0] ?? e.message,
  }));
  if (problems.length === 0) {
    const unset: UnsetVariable[] = [];
    const raw = interpolate(doc.toJS() ?? {}, [], opts.env ?? process.env, unset);
    if (!opts.offline) {
      // One problem per variable, at its first use, however many keys share it (YAML anchors, merges).
      for (const name of new Set(unset.map((u) => u.name))) {
        const uses = unset.filter((u) => u.name === name);
        const first = uses[0]!;
        const also = uses.slice(1).map((u) => u.path);
        problems.push({
          path: first.path,
          line: lineOf(doc, lineCounter, first.at),
          message: `environment variable ${name} is not set${also.length ? ` (also used by ${also.join(', ')})` : ''}`,
          hint: `export ${name}=…, or write \${${name}:-default} in the file`,
        });
      }
    }
    // reportInput lets a wrong type be told apart from a missing key.
    const result = configSchema.safeParse(raw, { reportInput: true });
    // Cross-desk checks run on the raw input so they are reported even when other keys are wrong.
    problems.push(...duplicateDesks(raw).map(({ at, ...d }) => ({ ...d, line: lineOf(doc, lineCounter, at) })));
    if (result.success && problems.length === 0) {
      return finalize(result.data, file === '<config>' ? null : file, opts.db, unset.map((u) => u.name));
    }
    // A value emptied by an unset variable would fail its own check too: that second message adds nothing.
    const emptied = new Set(unset.map((u) => u.path));
    if (!result.success) {
      const issues = result.error.issues.filter((i) => !(opts.offline !== true && emptied.has(i.path.join('.'))));
      problems.push(...issues.flatMap((i) => toProblems(i, doc, lineCounter)));
    }
  }
  throw new SportelloError('CONFIG_INVALID', `${file} has ${problems.length} problem(s):\n${problems.map((p) => `  ${formatProblem(file, p)}${p.hint ? `\n      ${p.hint}` : ''}`).join('\n')}`, {
    context: { file, problems },
    hint: 'fix the keys listed above; see "Configuration" in README.md for every key',
  });
}

export function formatProblem(file: string, p: ConfigProblem): string {
  return `${file}${p.line ? `:${p.line}` : ''}: ${p.path ? `${p.path}: ` : ''}${p.message}`;
}

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

interface UnsetVariable {
  readonly name: string;
  readonly path: string;
  readonly at: (string | number)[];
}

/** Replaces ${VAR} references; an unset one keeps its literal text (offline commands use the rest) and is recorded. */
function interpolate(value: unknown, at: (string | number)[], env: Readonly<Record<string, string | undefined>>, unset: UnsetVariable[]): unknown {
  if (typeof value === 'string') {
    const whole = new RegExp(`^${ENV_REF.source}$`).test(value);
    const text = value.replace(ENV_REF, (ref: string, name: string, fallback: string | undefined) => {
      const v = env[name];
      if (v !== undefined && v !== '') return v;
      if (fallback !== undefined) return fallback;
      unset.push({ name, path: at.join('.'), at });
      return ref;
    });
    // "port: ${SMTP_PORT:-587}" should give a number, as if the value had been written in place.
    return whole && /^(-?\d+(\.\d+)?|true|false)$/.test(text) ? (JSON.parse(text) as unknown) : text;
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, [...at, i], env, unset));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, [...at, k], env, unset)]));
  }
  return value;
}

function toProblems(issue: z.core.$ZodIssue, doc: Document, lc: LineCounter): ConfigProblem[] {
  const at = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    // Each unknown key at its own line, with the key it probably meant (the rules loader's did-you-mean).
    const schema = schemaAt(configSchema, at);
    const allowed = schema ? objectKeys(schema) : [];
    const locate = new Locator(doc, lc);
    return issue.keys.map((key) => ({
      path: [...at, key].join('.'),
      line: locate.key([...at, key]).line,
      message: `unknown key "${key}"${suggestion(key, allowed)}`,
      ...(allowed.length ? { hint: `allowed here: ${allowed.join(', ')}` } : {}),
    }));
  }
  let message = issue.message;
  if (issue.code === 'invalid_type' && issue.input === undefined) message = `missing (expected ${issue.expected})`;
  return [{ path: at.join('.'), line: lineOf(doc, lc, at), message }];
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

function finalize(parsed: z.output<typeof configSchema>, file: string | null, dbOverride: string | undefined, unsetVariables: readonly string[]): Config {
  const base = file ? path.dirname(path.resolve(file)) : process.cwd();
  const desks: DeskConfig[] = parsed.desks.map((d) => ({ ...d, prefix: (d.prefix ?? d.id).toUpperCase() }));
  const cfg: Config = {
    ...parsed,
    database: resolveDb(dbOverride ?? null, base, parsed.database),
    rulesDir: path.resolve(base, parsed.rulesDir),
    templatesDir: path.resolve(base, parsed.templatesDir),
    desks,
    configPath: file ? path.resolve(file) : null,
    unsetVariables: [...new Set(unsetVariables)],
  };
  return deepFreeze(cfg);
}

function resolveDb(override: string | null, base: string, configured: string): string {
  if (override === ':memory:' || (!override && configured === ':memory:')) return ':memory:';
  // A PostgreSQL URL is taken as written (its ${VAR} secrets already expanded); only a file path is relative.
  const chosen = override ?? configured;
  if (isPostgresUrl(chosen)) return chosen.trim();
  return override ? path.resolve(override) : path.resolve(base, configured);
}

/** Desks must differ in id, address and case prefix; checked on the raw YAML so nothing hides it. */
function duplicateDesks(raw: unknown): { path: string; at: (string | number)[]; message: string }[] {
  const desks = (raw as { desks?: unknown })?.desks;
  if (!Array.isArray(desks)) return [];
  const out: { path: string; at: (string | number)[]; message: string }[] = [];
  const seen = new Map<string, number>();
  desks.forEach((d: Record<string, unknown> | null, i) => {
    if (!d || typeof d !== 'object') return;
    const id = typeof d.id === 'string' ? d.id.toUpperCase() : null;
    const imap = d.imap as Record<string, unknown> | undefined;
    const mailbox = imap && typeof imap.user === 'string' ? `${String(imap.host)}/${imap.user.toLowerCase()}/${String(imap.folder ?? 'INBOX')}` : null;
    const values: [string, string | null][] = [
      ['id', id],
      // Two desks reading one mailbox would open two cases and send two auto-replies per mail.
      ['imap', mailbox],
      ['address', typeof d.address === 'string' ? d.address.trim().toLowerCase() : null],
      ['prefix', typeof d.prefix === 'string' ? d.prefix.toUpperCase() : id],
    ];
    for (const [key, value] of values) {
      if (!value) continue;
      const first = seen.get(`${key}:${value}`);
      if (first === undefined) seen.set(`${key}:${value}`, i);
      else out.push({ path: `desks.${i}.${key}`, at: ['desks', i, key], message: `duplicate desk ${key} "${value}" (also desks.${first})` });
    }
  });
  return out;
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
