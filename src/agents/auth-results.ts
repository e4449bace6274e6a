// Reads one Authentication-Results header (RFC 8601 §2.2) into plain data: who wrote it (authserv-id) and each
// method's result with its properties (dkim=pass header.d=…, spf=pass smtp.mailfrom=…). Comments are dropped.
// Decides nothing about trust (trust.ts does) and must never throw: a malformed header yields fewer results.

export interface AuthResult {
  /** Lower-case method, e.g. "dkim", "spf", "dmarc". */
  readonly method: string;
  /** Lower-case result, e.g. "pass", "fail", "none". */
  readonly result: string;
  readonly reason: string | null;
  /** "ptype.property" (lower-case) → value as written, e.g. { "header.d": "example.com" }. First one wins. */
  readonly props: Readonly<Record<string, string>>;
}

export interface AuthResultsHeader {
  /**
   * The authserv-id, lower-case; null when the header has none (Exchange Online writes
   * "Authentication-Results: spf=pass …" without one).
   */
  readonly authservId: string | null;
  readonly results: readonly AuthResult[];
}

/** Headers longer than this are cut: one real header is a few hundred bytes, and input is attacker-controlled. */
const MAX_HEADER_CHARS = 8192;

/**
 * @example parseAuthResults('mx.example.test; dkim=pass (good) header.d=example.test; spf=fail smtp.mailfrom=x@y.test')
 *   // → { authservId: 'mx.example.test', results: [{ method: 'dkim', result: 'pass', … }, { method: 'spf', … }] }
 */
export function parseAuthResults(value: string): AuthResultsHeader {
  const segments = splitOutsideQuotes(stripComments(value.slice(0, MAX_HEADER_CHARS)), ';');
  const head = tokens(segments[0] ?? '');
  let authservId: string | null = null;
  let rest = segments.slice(1);
  if (head.length > 0 && !head[0]!.includes('=')) {
    authservId = unquote(head[0]!).toLowerCase();
  } else {
    rest = segments;
  }
  const results: AuthResult[] = [];
  for (const seg of rest) {
    const r = resinfo(seg);
    if (r) results.push(r);
  }
  return { authservId, results };
}

function resinfo(segment: string): AuthResult | null {
  const toks = tokens(segment);
  const first = toks[0];
  if (first === undefined) return null;
  const eq = first.indexOf('=');
  if (eq <= 0) return null; // "none" (no-result) or junk
  const method = first.slice(0, eq).split('/')[0]!.toLowerCase();
  const result = unquote(first.slice(eq + 1)).toLowerCase();
  let reason: string | null = null;
  const props: Record<string, string> = {};
  for (const t of toks.slice(1)) {
    const i = t.indexOf('=');
    if (i <= 0) continue;
    const key = t.slice(0, i).toLowerCase();
    const val = unquote(t.slice(i + 1));
    if (key === 'reason') reason ??= val;
    else if (key.includes('.') && !(key in props)) props[key] = val;
  }
  return { method, result, reason, props };
}

/** Replaces (possibly nested) comments with a space; quoted strings and backslash escapes are respected. */
function stripComments(s: string): string {
  let out = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && (quoted || depth > 0)) {
      if (depth === 0) out += c + (s[i + 1] ?? '');
      i++;
      continue;
    }
    if (depth === 0 && c === '"') quoted = !quoted;
    if (!quoted && c === '(') {
      depth++;
      continue;
    }
    if (!quoted && depth > 0 && c === ')') {
      depth--;
      if (depth === 0) out += ' ';
      continue;
    }
    if (depth === 0) out += c;
  }
  return out;
}

function splitOutsideQuotes(s: string, sep: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && quoted) {
      cur += c + (s[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === sep && !quoted) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}

/** Whitespace-separated tokens, "a = b" (CFWS around "=") joined into "a=b". */
function tokens(segment: string): string[] {
  // Whitespace is collapsed first so the "=" rule cannot backtrack over long runs of blanks.
  const joined = segment.replace(/\s+/g, ' ').replace(/ ?= ?/g, '=').trim();
  return splitOutsideQuotes(joined, ' ').filter((t) => t !== '');
}

function unquote(v: string): string {
  return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v;
}
