// The migration runner on a real PostgreSQL, each test in a fresh database: a second run is a no-op,
// two runners started together apply each migration once, a failing migration leaves nothing behind,
// a runner that cannot get the lock gives up with the cause, and schemaState reports without writing.

import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATION_LOCK, migratePostgres, schemaState } from '../../../../src/adapters/postgres/migrate.js';
import { PG_MIGRATIONS } from '../../../../src/adapters/postgres/migrations.js';
import { freshDatabase, type FreshDatabase } from '../../../support/pgstack.js';

const ALL = PG_MIGRATIONS.map((m) => m.name);

let dbs: FreshDatabase[] = [];
afterEach(async () => {
  await Promise.all(dbs.map((d) => d.drop()));
  dbs = [];
});

async function fresh(label: string): Promise<FreshDatabase> {
  const db = await freshDatabase(label);
  dbs.push(db);
  return db;
}

async function appliedNames(client: pg.Client): Promise<string[]> {
  return (await client.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name')).rows.map((r) => r.name);
}

async function tableNames(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ t: string }>(`SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
  return rows.map((r) => r.t);
}

/** Resolves once `n` sessions wait for the migration lock (observed in pg_locks, not guessed by a timer). */
async function untilWaiting(observer: pg.Client, n: number): Promise<void> {
  const deadline = performance.now() + 20_000;
  while (performance.now() < deadline) {
    const { rows } = await observer.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid = $1 AND objid = $2`,
      [...MIGRATION_LOCK],
    );
    if (rows[0]!.n >= n) return;
  }
  throw new Error(`${n} runners never queued for the migration lock: does migratePostgres still take it?`);
}

describe('migratePostgres', () => {
  it('applies every migration to an empty database, and nothing on a second run', async () => {
    const db = await fresh('twice');
    const client = await db.connect();

    const first = await migratePostgres(client);
    const tablesAfterFirst = await tableNames(client);
    const second = await migratePostgres(client);

    expect(first).toEqual({ applied: [], pending: ALL, unknown: [] });
    expect(second).toEqual({ applied: ALL, pending: [], unknown: [] });
    expect(await appliedNames(client)).toEqual(ALL);
    expect(await tableNames(client)).toEqual(tablesAfterFirst);
    expect(tablesAfterFirst).toContain('cases');
  });

  it('applies each migration once when two runners start together', async () => {
    const db = await fresh('concurrent');
    const [holder, a, b, observer] = [await db.connect(), await db.connect(), await db.connect(), await db.connect()];
    // Hold the lock so that both runners are certainly inside migratePostgres, waiting, before either runs.
    await holder.query('BEGIN');
    await holder.query('SELECT pg_advisory_xact_lock($1, $2)', [...MIGRATION_LOCK]);
    const runs = [migratePostgres(a), migratePostgres(b)];
    await untilWaiting(observer, 2);
    await holder.query('COMMIT');

    const results = await Promise.all(runs);

    expect(results.map((r) => r.pending.length).sort()).toEqual([0, ALL.length]);
    expect(await appliedNames(observer)).toEqual(ALL);
  });

  it('leaves the database as it was when a migration fails, and names the migration', async () => {
    const db = await fresh('failing');
    const client = await db.connect();
    const migrations = [
      { name: '001-good', sql: 'CREATE TABLE good (id BIGINT PRIMARY KEY);' },
      { name: '002-bad', sql: 'CREATE TABLE bad (id BIGINT PRIMARY KEY); INSERT INTO nowhere VALUES (1);' },
    ];

    const failed = migratePostgres(client, { migrations });

    await expect(failed).rejects.toMatchObject({
      code: 'STORE',
      message: expect.stringMatching(/migration 002-bad failed: relation "nowhere" does not exist; nothing was changed/),
      context: { step: '002-bad', pgCode: '42P01' },
    });
    expect(await tableNames(client)).toEqual([]);
    // The client is usable afterwards: no transaction was left open.
    expect((await client.query<{ ok: number }>('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
  });

  it('gives up with the cause and a hint when another process holds the lock too long', async () => {
    const db = await fresh('locked');
    const [holder, client] = [await db.connect(), await db.connect()];
    await holder.query('BEGIN');
    await holder.query('SELECT pg_advisory_xact_lock($1, $2)', [...MIGRATION_LOCK]);

    const waiting = migratePostgres(client, { lockTimeoutMs: 50 });

    await expect(waiting).rejects.toMatchObject({
      code: 'STORE',
      message: 'another process has been migrating this PostgreSQL database for more than 50 ms',
      context: { pgCode: '55P03' },
      hint: expect.stringContaining('pg_locks'),
    });
    await holder.query('ROLLBACK');
    expect(await tableNames(client)).toEqual([]);
  });

  it('refuses a lock timeout that is not a positive whole number of milliseconds', async () => {
    const db = await fresh('badtimeout');
    const client = await db.connect();

    await expect(migratePostgres(client, { lockTimeoutMs: 0.5 })).rejects.toMatchObject({ code: 'STORE' });
    expect(await tableNames(client)).toEqual([]);
  });
});

describe('schemaState', () => {
  it('reports pending, applied and unknown migrations without changing the database', async () => {
    const db = await fresh('state');
    const client = await db.connect();

    const empty = await schemaState(client);
    const tablesBefore = await tableNames(client);
    await migratePostgres(client, { migrations: PG_MIGRATIONS.slice(0, 3) });
    await client.query(`INSERT INTO schema_migrations (name, applied_at) VALUES ('999-from-a-newer-version', now())`);
    const partial = await schemaState(client);

    expect(empty).toEqual({ applied: [], pending: ALL, unknown: [] });
    expect(tablesBefore).toEqual([]);
    expect(partial).toEqual({ applied: ALL.slice(0, 3), pending: ALL.slice(3), unknown: ['999-from-a-newer-version'] });
  });
});
