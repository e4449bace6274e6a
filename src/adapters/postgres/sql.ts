// How the PostgreSQL store talks to the server: one query function that strips U+0000 from text
// parameters (PostgreSQL text cannot hold it; raw sources are BYTEA and keep every byte) and turns a
// driver failure into STORE naming the database (password hidden) and the fix for its SQLSTATE.
// Must never print a password, or turn an error the caller's own work threw into STORE.

import type { QueryResultRow } from 'pg';
import { SportelloError } from '../../errors.js';
import { redactDatabase } from '../../config/database.js';

/** A pool or a checked-out client: both answer query(text, values). */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
}

export type Row = Record<string, unknown>;

/** SQLSTATEs worth running the whole transaction again for: serialization failure and deadlock. */
export const RETRYABLE = new Set(['40001', '40P01']);

/** Strings lose U+0000 (text columns refuse it); everything else goes as is (Buffers become BYTEA). */
function clean(v: unknown): unknown {
  return typeof v === 'string' && v.includes('\u0000') ? v.replace(/\u0000/g, '') : v;
}

/** Runs one statement; a failure of the server or the connection becomes STORE (see pgStoreError). */
export async function query(db: Queryable, where: string, text: string, values: unknown[] = []): Promise<{ rows: Row[]; rowCount: number }> {
  try {
    const r = await db.query<Row>(text, values.map(clean));
    return { rows: r.rows, rowCount: r.rowCount ?? 0 };
  } catch (cause) {
    throw pgStoreError(where, cause);
  }
}

/** The SQLSTATE of a wrapped or bare driver error, or null. */
export function pgCode(err: unknown): string | null {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof SportelloError) continue; // its code is ours ("STORE" also has five letters)
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return null;
}

function hintFor(code: string | null, where: string): string {
  const cls = code?.slice(0, 2);
  if (code === '3D000') return `the database in ${where} does not exist: create it (createdb) or fix "database" in the config`;
  if (code === '28P01' || code === '28000') return `the server refused the login for ${where}: check the user and password (a \${VAR} in "database" must be set)`;
  if (code === '25006') return 'this command opened the database read-only; use a command that may write';
  if (code === '53100') return `the PostgreSQL server of ${where} ran out of disk space: free some; nothing was committed by the failed operation`;
  if (cls === '40') return 'another transaction got in the way (serialization or deadlock) and retrying did not help: retry the command';
  if (cls === '08' || code === null) return `check that the PostgreSQL server of ${where} is running and reachable (host, port, firewall)`;
  if (cls === '42') return `the schema of ${where} is not what this version expects: start sportello run (or once) of this version to upgrade it`;
  return `check the PostgreSQL server log of ${where} for SQLSTATE ${code}`;
}

/** Wraps a driver failure as STORE naming the database (no password), the SQLSTATE and a fix. */
export function pgStoreError(where: string, cause: unknown, doing = 'database operation failed'): SportelloError {
  if (cause instanceof SportelloError) return cause;
  const code = pgCode(cause);
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new SportelloError('STORE', `${doing} on ${redactDatabase(where)}: ${detail}`, {
    cause,
    context: { pgCode: code ?? (cause as { code?: unknown })?.code ?? null },
    hint: hintFor(code, redactDatabase(where)),
  });
}
