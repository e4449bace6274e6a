// Decides when the PostgreSQL schema is brought up to date: every pending migration of
// ./migrations.ts in one transaction, under a transaction-scoped advisory lock, so that several
// daemons starting at once apply each migration exactly once and a failure leaves the old schema.
// Must never run outside a transaction, skip a pending migration, or undo one this version does not know.
import type { ClientBase } from 'pg';
import { SportelloError } from '../../errors.js';
import type { SqlMigration } from '../sqlite/migrations.js';
import { PG_MIGRATIONS } from './migrations.js';

/**
 * The advisory lock key (two 32-bit halves: 'SPRT' and 1). Transaction-scoped, so it is released by
 * COMMIT or ROLLBACK and works through a pooler in transaction mode, unlike a session lock.
 */
export const MIGRATION_LOCK: readonly [number, number] = [0x53505254, 1];

const VERSION_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  name TEXT COLLATE "C" PRIMARY KEY,
  applied_at TIMESTAMPTZ NOT NULL
)`;

export interface SchemaState {
  /** Migrations of this version the database has, in this version's order. */
  readonly applied: readonly string[];
  /** Migrations of this version the database lacks, in the order they would run. */
  readonly pending: readonly string[];
  /** Migrations the database has that this version does not know: a newer Sportello upgraded it. */
  readonly unknown: readonly string[];
}

export interface MigrateOptions {
  /** Defaults to the schema of this version; tests pass their own lists. */
  readonly migrations?: readonly SqlMigration[];
  /** How long to wait for another process's migration before giving up (default 60 s). */
  readonly lockTimeoutMs?: number;
}

/** What the database has and lacks, without changing it (read-only commands refuse a pending schema). */
export async function schemaState(client: ClientBase, migrations: readonly SqlMigration[] = PG_MIGRATIONS): Promise<SchemaState> {
  const exists = await client.query<{ t: string | null }>(`SELECT to_regclass('schema_migrations')::text AS t`);
  const names = exists.rows[0]?.t ? (await client.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name) : [];
  return compare(names, migrations);
}

function compare(inDatabase: readonly string[], migrations: readonly SqlMigration[]): SchemaState {
  const have = new Set(inDatabase);
  const known = new Set(migrations.map((m) => m.name));
  return Object.freeze({
    applied: migrations.filter((m) => have.has(m.name)).map((m) => m.name),
    pending: migrations.filter((m) => !have.has(m.name)).map((m) => m.name),
    unknown: inDatabase.filter((n) => !known.has(n)).sort(),
  });
}

/**
 * Applies the pending migrations and returns the state before it did (`pending` is what it applied).
 * The client must not be inside a transaction; it is left outside one, also after an error.
 */
export async function migratePostgres(client: ClientBase, opts: MigrateOptions = {}): Promise<SchemaState> {
  const migrations = opts.migrations ?? PG_MIGRATIONS;
  const lockTimeoutMs = opts.lockTimeoutMs ?? 60_000;
  if (!Number.isSafeInteger(lockTimeoutMs) || lockTimeoutMs < 1) {
    throw new SportelloError('STORE', `lockTimeoutMs must be a positive whole number of milliseconds, got ${lockTimeoutMs}`);
  }
  let current = '(taking the migration lock)';
  await client.query('BEGIN');
  try {
    // lock_timeout bounds the wait for the advisory lock below; SET LOCAL ends with the transaction.
    await client.query(`SET LOCAL lock_timeout = ${lockTimeoutMs}`);
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', [...MIGRATION_LOCK]);
    current = '(the schema_migrations table)';
    // Only under the lock: two concurrent CREATE TABLE IF NOT EXISTS can still collide.
    await client.query(VERSION_TABLE);
    const state = compare((await client.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name), migrations);
    const pending = new Set(state.pending);
    for (const m of migrations.filter((x) => pending.has(x.name))) {
      current = m.name;
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations (name, applied_at) VALUES ($1, now())', [m.name]);
    }
    current = '(commit)';
    await client.query('COMMIT');
    return state;
  } catch (cause) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw migrationError(cause, current, lockTimeoutMs);
  }
}

function migrationError(cause: unknown, step: string, lockTimeoutMs: number): SportelloError {
  const pgCode = (cause as { code?: unknown }).code;
  const detail = cause instanceof Error ? cause.message : String(cause);
  if (pgCode === '55P03') {
    return new SportelloError('STORE', `another process has been migrating this PostgreSQL database for more than ${lockTimeoutMs} ms`, {
      cause,
      context: { step, pgCode },
      hint: 'wait for the other sportello to finish starting, or find the session holding the advisory lock in pg_locks',
    });
  }
  return new SportelloError('STORE', `PostgreSQL schema migration ${step} failed: ${detail}; nothing was changed`, {
    cause,
    context: { step, pgCode },
    hint: 'the database keeps its previous schema; check that the role may create tables in the database and its schema',
  });
}
