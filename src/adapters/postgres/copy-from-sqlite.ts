// Moves an install from SQLite to PostgreSQL (`sportello migrate-store`): every table the SQLite schema
// holds, row for row with the same ids, read in one SQLite snapshot and written in one PostgreSQL
// transaction that commits only when every table's row count matches. Trusts the two schemas' parity
// (tested in test/postgres/adapters/postgres/migrations.test.ts); tables and columns are read from SQLite.
// Must never write into a database that already holds data, or copy while a daemon writes to the file.

import sqlite3 from 'sqlite3';
import { open, type Database } from 'sqlite';
import pg from 'pg';
import { stat } from 'node:fs/promises';
import { SportelloError } from '../../errors.js';
import { redactDatabase } from '../../config/database.js';
import { MIGRATIONS } from '../sqlite/migrations.js';
import { PG_TYPES } from './types.js';
import { migratePostgres } from './migrate.js';
import { pgStoreError, query, type Row } from './sql.js';

export interface TableCopy {
  readonly table: string;
  /** Rows in the SQLite file. */
  readonly source: number;
  /** Rows in PostgreSQL after the copy (committed only when every table's equals its source). */
  readonly target: number;
}

export interface CopyReport {
  readonly tables: readonly TableCopy[];
}

/** Rows PostgreSQL's migrations insert themselves and the copy replaces (the erasure salt: hashes stay stable). */
const SEEDED = new Set(['store_meta']);
/** Rows per INSERT, and bytes of raw sources per INSERT, so that no statement grows unbounded. */
const BATCH_ROWS = 500;
const BATCH_BYTES = 8 * 1024 * 1024;
/** Rows read from SQLite at a time. */
const PAGE = 200;

export async function copySqliteToPostgres(file: string, url: string, now: Date): Promise<CopyReport> {
  const lite = await openSource(file);
  let client: pg.Client | null = null;
  try {
    await lite.exec('BEGIN'); // one read snapshot of the whole file (WAL: writers may go on meanwhile)
    await refuseLiveWriter(lite, file, now);
    const tables = await tablesInOrder(lite);

    client = new pg.Client({ connectionString: url, types: PG_TYPES, connectionTimeoutMillis: 10_000 });
    client.on('error', () => undefined);
    await client.connect().catch((cause: unknown) => {
      throw pgStoreError(url, cause, 'cannot connect to the target database');
    });
    await migratePostgres(client);
    const db = client;
    const q = (sql: string, values: unknown[] = []) => query(db, url, sql, values);

    await q('BEGIN ISOLATION LEVEL SERIALIZABLE');
    try {
      const nonEmpty: string[] = [];
      for (const t of tables) {
        if (SEEDED.has(t.name)) continue;
        const n = Number((await q(`SELECT COUNT(*) AS n FROM ${t.name}`)).rows[0]!.n);
        if (n > 0) nonEmpty.push(`${t.name} (${n})`);
      }
      if (nonEmpty.length) {
        throw new SportelloError('USAGE', `the target ${redactDatabase(url)} already holds data: ${nonEmpty.join(', ')}`, {
          hint: 'migrate into an empty database (createdb a new one); nothing was written',
        });
      }
      const report: TableCopy[] = [];
      for (const t of tables) {
        if (SEEDED.has(t.name)) await q(`DELETE FROM ${t.name}`);
        const source = await copyTable(lite, q, t);
        const target = Number((await q(`SELECT COUNT(*) AS n FROM ${t.name}`)).rows[0]!.n);
        report.push({ table: t.name, source, target });
        // Ids were copied as they were: an identity's sequence goes on after the highest one.
        const seq = t.columns.includes('id') ? (await q(`SELECT pg_get_serial_sequence($1, 'id') AS s`, [t.name])).rows[0]?.s : null;
        if (seq) await q(`SELECT setval($1, GREATEST((SELECT MAX(id) FROM ${t.name}), 1), (SELECT MAX(id) FROM ${t.name}) IS NOT NULL)`, [seq]);
      }
      const wrong = report.filter((r) => r.source !== r.target);
      if (wrong.length) {
        throw new SportelloError('STORE', `row counts differ after the copy: ${wrong.map((r) => `${r.table} ${r.source} → ${r.target}`).join(', ')}`, {
          hint: 'nothing was committed; report this with both counts',
        });
      }
      await q('COMMIT');
      return { tables: report };
    } catch (err) {
      await db.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  } finally {
    await lite.exec('ROLLBACK').catch(() => undefined);
    await lite.close().catch(() => undefined);
    await client?.end().catch(() => undefined);
  }
}

async function openSource(file: string): Promise<Database> {
  try {
    await stat(file);
  } catch (cause) {
    throw new SportelloError('STORE_NOT_FOUND', `the database ${file} does not exist`, { cause, hint: 'pass the SQLite file of the install with --from' });
  }
  const lite = await open({ filename: file, driver: sqlite3.Database, mode: sqlite3.OPEN_READONLY }).catch((cause: unknown) => {
    throw new SportelloError('STORE', `cannot open ${file}: ${(cause as Error).message}`, { cause, hint: 'is it a Sportello SQLite database?' });
  });
  await lite.exec('PRAGMA busy_timeout = 5000');
  const applied = await lite.all<{ name: string }[]>('SELECT name FROM schema_migrations').catch(async (cause: unknown) => {
    await lite.close();
    throw new SportelloError('STORE', `${file} is not a Sportello database (no schema_migrations table)`, { cause, hint: 'pass the SQLite file of the install with --from' });
  });
  const missing = MIGRATIONS.map((m) => m.name).filter((n) => !applied.some((a) => a.name === n));
  if (missing.length) {
    await lite.close();
    throw new SportelloError('STORE', `${file} has not been upgraded to this version (missing ${missing.join(', ')})`, {
      hint: 'start sportello run (or once) of this version on it once, stop it, then migrate',
    });
  }
  return lite;
}

/** A daemon still holding the file's writer lease would go on writing after the copy: stop it first. */
async function refuseLiveWriter(lite: Database, file: string, now: Date): Promise<void> {
  const lease = await lite.get<Row>('SELECT host, pid, command, lease_until FROM writer_lease WHERE lease_until > ?', now.toISOString());
  if (lease) {
    throw new SportelloError('STORE_LOCKED', `sportello ${String(lease.command)} on host ${String(lease.host)}, pid ${String(lease.pid)} still works on ${file}`, {
      hint: 'stop it (its lease ends when it exits), then migrate; start it again with database: set to the new URL',
    });
  }
}

interface Table {
  readonly name: string;
  readonly columns: readonly string[];
  /** Columns referencing this same table (cases.incident): rows without them go first. */
  readonly selfRefs: readonly string[];
}

/** Every table of the SQLite schema (except schema_migrations), parents before the tables referencing them. */
async function tablesInOrder(lite: Database): Promise<Table[]> {
  const names = (await lite.all<{ name: string }[]>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations' ORDER BY name`)).map((r) => r.name);
  const info = new Map<string, { table: Table; parents: string[] }>();
  for (const name of names) {
    const cols = await lite.all<{ name: string }[]>(`PRAGMA table_info("${name}")`);
    const fks = await lite.all<{ table: string; from: string }[]>(`PRAGMA foreign_key_list("${name}")`);
    info.set(name, {
      table: {
        name,
        columns: cols.map((c) => c.name),
        selfRefs: fks.filter((f) => f.table === name).map((f) => f.from),
      },
      parents: fks.map((f) => f.table).filter((t) => t !== name),
    });
  }
  const out: Table[] = [];
  const done = new Set<string>();
  const visit = (name: string) => {
    if (done.has(name)) return;
    done.add(name);
    for (const p of info.get(name)?.parents ?? []) visit(p);
    out.push(info.get(name)!.table);
  };
  for (const name of names) visit(name);
  return out;
}

async function copyTable(lite: Database, q: (sql: string, values?: unknown[]) => Promise<unknown>, t: Table): Promise<number> {
  const cols = t.columns.map((c) => `"${c}"`).join(', ');
  let copied = 0;
  let batch: unknown[][] = [];
  let bytes = 0;
  const flush = async () => {
    if (!batch.length) return;
    const values: unknown[] = [];
    const tuples = batch.map((row) => `(${row.map((v) => `$${values.push(v)}`).join(', ')})`);
    await q(`INSERT INTO ${t.name} (${cols}) VALUES ${tuples.join(', ')}`, values);
    copied += batch.length;
    batch = [];
    bytes = 0;
  };
  // Rows that reference their own table (an incident's members) after those that do not.
  const anySelfRef = t.selfRefs.map((c) => `"${c}" IS NOT NULL`).join(' OR ');
  const passes = anySelfRef ? [`NOT (${anySelfRef})`, `(${anySelfRef})`] : ['1'];
  for (const pass of passes) {
    // Pages by rowid (raw sources can be large), in bounded batches to PostgreSQL.
    for (let after = Number.MIN_SAFE_INTEGER; ; ) {
      const page = await lite.all<Row[]>(`SELECT rowid AS "__rowid", ${cols} FROM "${t.name}" WHERE ${pass} AND rowid > ? ORDER BY rowid LIMIT ${PAGE}`, after);
      for (const r of page) {
        const row = t.columns.map((c) => r[c] ?? null);
        batch.push(row);
        bytes += row.reduce<number>((n, v) => n + (Buffer.isBuffer(v) ? v.length : typeof v === 'string' ? v.length : 8), 0);
        if (batch.length >= BATCH_ROWS || bytes >= BATCH_BYTES || (batch.length + 1) * t.columns.length > 60_000) await flush();
      }
      if (page.length < PAGE) break;
      after = Number(page.at(-1)!.__rowid);
    }
  }
  await flush();
  return copied;
}
