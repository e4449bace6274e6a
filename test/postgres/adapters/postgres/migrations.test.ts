// The PostgreSQL schema against the SQLite one it mirrors, both real: the same tables, columns, keys
// and indexes; the same rows read back as the same JavaScript values; the same constraint violations
// refused; the same text order and lower(); and what PostgreSQL refuses that SQLite takes (U+0000).

import sqlite3 from 'sqlite3';
import { open, type Database } from 'sqlite';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migratePostgres } from '../../../../src/adapters/postgres/migrate.js';
import { MIGRATIONS } from '../../../../src/adapters/sqlite/migrations.js';
import { freshDatabase, type FreshDatabase } from '../../../support/pgstack.js';

type Row = Record<string, unknown>;

let fresh: FreshDatabase;
let pgc: pg.Client;
let lite: Database;

beforeAll(async () => {
  fresh = await freshDatabase('schema');
  pgc = await fresh.connect();
  await migratePostgres(pgc);
  lite = await open({ filename: ':memory:', driver: sqlite3.Database });
  await lite.exec('PRAGMA foreign_keys = ON');
  for (const m of MIGRATIONS) await lite.exec(m.sql);
});
afterAll(async () => {
  await lite?.close();
  await fresh?.drop();
});

// ---------------------------------------------------------------- the shape of both schemas

interface Column {
  name: string;
  /** NOT NULL declared (SQLite reports a PRIMARY KEY column as nullable, so keys are compared apart). */
  notNull: boolean;
  default: string | null;
}
interface Shape {
  columns: Record<string, Column[]>;
  primaryKeys: Record<string, string[]>;
  uniques: Record<string, string[][]>;
  indexes: Record<string, string>;
}

async function sqliteShape(): Promise<Shape> {
  const shape: Shape = { columns: {}, primaryKeys: {}, uniques: {}, indexes: {} };
  const tables = await lite.all<{ name: string }[]>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`);
  for (const { name: t } of tables) {
    const cols = await lite.all<{ name: string; notnull: number; dflt_value: string | null; pk: number }[]>(`PRAGMA table_info(${t})`);
    shape.columns[t] = cols.map((c) => ({ name: c.name, notNull: c.notnull === 1 && c.pk === 0, default: c.dflt_value }));
    shape.primaryKeys[t] = cols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
    const indexes = await lite.all<{ name: string; origin: string; partial: number }[]>(`PRAGMA index_list(${t})`);
    const uniques: string[][] = [];
    for (const ix of indexes) {
      const cols = (await lite.all<{ name: string }[]>(`PRAGMA index_info(${ix.name})`)).map((c) => c.name);
      if (ix.origin === 'u') uniques.push(cols);
      if (ix.origin === 'c') shape.indexes[ix.name] = `${t} (${cols.join(', ')})${ix.partial ? ' partial' : ''}`;
    }
    shape.uniques[t] = uniques.sort();
  }
  return shape;
}

async function postgresShape(): Promise<Shape> {
  const shape: Shape = { columns: {}, primaryKeys: {}, uniques: {}, indexes: {} };
  const cols = await pgc.query<{ table_name: string; column_name: string; is_nullable: string; column_default: string | null; pk: boolean }>(
    `SELECT c.table_name, c.column_name, c.is_nullable, c.column_default,
            EXISTS (SELECT 1 FROM information_schema.key_column_usage k JOIN information_schema.table_constraints tc
                      ON tc.constraint_name = k.constraint_name AND tc.constraint_type = 'PRIMARY KEY'
                     WHERE k.table_name = c.table_name AND k.column_name = c.column_name) AS pk
       FROM information_schema.columns c
      WHERE c.table_schema = 'public' AND c.table_name <> 'schema_migrations'
      ORDER BY c.table_name, c.ordinal_position`,
  );
  for (const c of cols.rows) {
    (shape.columns[c.table_name] ??= []).push({
      name: c.column_name,
      notNull: c.is_nullable === 'NO' && !c.pk,
      // '[]'::text → '[]': the cast is PostgreSQL's spelling of the same constant
      default: c.column_default === null ? null : c.column_default.replace(/::text$/, ''),
    });
  }
  const keys = await pgc.query<{ table_name: string; constraint_type: string; columns: string[] }>(
    `SELECT tc.table_name, tc.constraint_type, array_agg(k.column_name::text ORDER BY k.ordinal_position) AS columns
       FROM information_schema.table_constraints tc
       JOIN information_schema.key_column_usage k ON k.constraint_name = tc.constraint_name AND k.table_name = tc.table_name
      WHERE tc.table_schema = 'public' AND tc.constraint_type IN ('PRIMARY KEY', 'UNIQUE') AND tc.table_name <> 'schema_migrations'
      GROUP BY tc.table_name, tc.constraint_name, tc.constraint_type`,
  );
  for (const t of Object.keys(shape.columns)) shape.uniques[t] = [];
  for (const k of keys.rows) {
    if (k.constraint_type === 'PRIMARY KEY') shape.primaryKeys[k.table_name] = k.columns;
    else shape.uniques[k.table_name]!.push(k.columns);
  }
  for (const t of Object.keys(shape.uniques)) shape.uniques[t]!.sort();
  const indexes = await pgc.query<{ indexname: string; tablename: string; indexdef: string }>(
    `SELECT i.indexname, i.tablename, i.indexdef FROM pg_indexes i
      WHERE i.schemaname = 'public' AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
  );
  for (const ix of indexes.rows) {
    // "CREATE INDEX n ON public.t USING btree (a, b) WHERE (…)": the columns, and whether it is partial.
    const m = /USING \w+ \(([^)]*)\)( WHERE .*)?$/.exec(ix.indexdef);
    shape.indexes[ix.indexname] = `${ix.tablename} (${m?.[1]})${m?.[2] ? ' partial' : ''}`;
  }
  return shape;
}

describe('the PostgreSQL schema', () => {
  it('has the tables, columns (in order), NOT NULLs, defaults, keys and indexes of the SQLite schema', async () => {
    const [expected, actual] = [await sqliteShape(), await postgresShape()];

    expect(Object.keys(actual.columns).sort()).toEqual(Object.keys(expected.columns).sort());
    expect(actual.columns).toEqual(expected.columns);
    expect(actual.primaryKeys).toEqual(expected.primaryKeys);
    expect(actual.uniques).toEqual(expected.uniques);
    expect(actual.indexes).toEqual(expected.indexes);
  });

  it('types each column for the value the SQLite store keeps there', async () => {
    const { rows } = await pgc.query<{ table_name: string; column_name: string; data_type: string; collation_name: string | null }>(
      `SELECT table_name, column_name, data_type, collation_name FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name <> 'schema_migrations'`,
    );
    const byType = (type: string) => rows.filter((r) => r.data_type === type).map((r) => `${r.table_name}.${r.column_name}`).sort();
    const isTime = (c: string) => /\.(at|date|imported|first_start|take_from)$|_at$|_until$/.test(c);

    expect(new Set(rows.map((r) => r.data_type))).toEqual(new Set(['text', 'bigint', 'integer', 'timestamp with time zone', 'bytea']));
    // Every instant is a TIMESTAMPTZ and nothing else is; the desk-local calendar day stays text.
    expect(byType('timestamp with time zone')).toEqual(rows.map((r) => `${r.table_name}.${r.column_name}`).filter(isTime).sort());
    expect(byType('text')).toContain('daily_claims.day');
    expect(byType('bytea')).toEqual(['messages.raw', 'quarantine.raw']);
    expect(byType('bigint')).toEqual(expect.arrayContaining(['processed.uid', 'processed.uid_validity', 'mailbox_state.uid_validity', 'cases.number']));
    // Text compares byte-wise whatever locale the database has.
    expect(rows.filter((r) => r.data_type === 'text' && r.collation_name !== 'C')).toEqual([]);
  });
});

// ---------------------------------------------------------------- the same rows back

const T = (n: number) => new Date(Date.UTC(2026, 2, 2, 9, 0, 0, n)).toISOString();
const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

const insertSql = (table: string, row: Row, placeholder: (i: number) => string) =>
  `INSERT INTO ${table} (${Object.keys(row).join(', ')}) VALUES (${Object.keys(row).map((_, i) => placeholder(i)).join(', ')})`;
const intoSqlite = (table: string, row: Row) => lite.run(insertSql(table, row, () => '?'), ...Object.values(row));
const intoPostgres = (table: string, row: Row) => pgc.query(insertSql(table, row, (i) => `$${i + 1}`), Object.values(row));

/** Inserts one row into both databases with the same values. */
async function insertBoth(table: string, row: Row): Promise<void> {
  await intoSqlite(table, row);
  await intoPostgres(table, row);
}

async function selectBoth(sql: string): Promise<[Row[], Row[]]> {
  return [await lite.all<Row[]>(sql), (await pgc.query<Row>(sql)).rows];
}

describe('rows written to both schemas', () => {
  beforeAll(async () => {
    await insertBoth('desk_counters', { desk: 'IT', last_number: 2 });
    await insertBoth('cases', {
      id: 'IT-1', desk: 'IT', number: 1, status: 'open', category: 'hardware', priority: 'high', language: 'es',
      requester_address: 'alice@example.test', requester_name: 'Alice Ñández', subject: 'Impresora atascada ☃',
      created_at: T(0), updated_at: T(1), due_at: T(999), routing_json: '{"b":1,"a":[true,null]}',
      sla_policy: 'std', first_response_due_at: T(500), sla_clock_json: '{"start":"2026-03-02T09:00:00.000Z","pauses":[]}',
      assignee: 'bob@example.test', first_response_at: null, resolved_at: null, closed_at: null, rating: 5,
      rating_comment: null, rated_at: null, wait_until: null, imported: T(-1),
    });
    await insertBoth('cases', {
      id: 'IT-2', desk: 'IT', number: 2, status: 'new', priority: 'normal', requester_address: 'carlo@example.test',
      subject: '', created_at: '1970-01-01T00:00:00.000Z', updated_at: '2099-12-31T23:59:59.999Z',
    });
    await insertBoth('messages', {
      case_id: 'IT-1', desk: 'IT', direction: 'in', kind: 'requester', message_id: '<a@example.test>',
      references_json: '["<x@y>"]', from_address: 'alice@example.test', date: T(-5), text: 'hola\r\n', raw: ALL_BYTES, created_at: T(0),
    });
    await insertBoth('messages', { case_id: 'IT-1', desk: 'IT', direction: 'out', kind: 'ack', message_id: '<b@example.test>', raw: Buffer.alloc(0), created_at: T(2) });
    await insertBoth('events', { case_id: 'IT-1', at: T(0), type: 'created', actor: 'system', data_json: '{}' });
    await insertBoth('outbox', {
      case_id: 'IT-1', message_row: 2, kind: 'ack', status: 'pending', envelope_from: '', recipient: 'alice@example.test',
      mail_json: '{"subject":"[IT-1]"}', next_attempt_at: T(3), created_at: T(2),
    });
    // UIDVALIDITY and UIDs are unsigned 32-bit: the top of the range does not fit PostgreSQL's INTEGER.
    await insertBoth('mailbox_state', { desk: 'IT', folder: 'INBOX', uid_validity: 4294967295, last_uid: 4294967294, updated_at: T(4), first_start: T(-1), take_from: null });
    await insertBoth('processed', { desk: 'IT', folder: 'INBOX', uid_validity: 4294967295, uid: 4294967294, message_id: '<a@example.test>', outcome: 'case', case_id: 'IT-1', at: T(4) });
    await insertBoth('quarantine', { desk: 'IT', folder: 'INBOX', uid_validity: 7, uid: 9, code: 'MAIL_TOO_LARGE', reason: 'big', raw: Buffer.from('x'), at: T(5) });
    await insertBoth('daily_claims', { job: 'purge', day: '2026-03-02', at: T(6) });
    await insertBoth('daemon_reports', { host: 'vm-a', pid: 4242, started_at: T(-9), json: '{"ok":true}', at: T(7) });
  });

  it.each([
    'SELECT * FROM cases ORDER BY id',
    'SELECT * FROM messages ORDER BY id',
    'SELECT * FROM events ORDER BY id',
    'SELECT * FROM outbox ORDER BY id',
    'SELECT * FROM mailbox_state',
    'SELECT * FROM processed',
    'SELECT * FROM quarantine',
    'SELECT * FROM daily_claims',
    'SELECT * FROM daemon_reports',
    'SELECT * FROM desk_counters',
  ])('%s reads back the same JavaScript values from both', async (sql) => {
    const [fromSqlite, fromPostgres] = await selectBoth(sql);

    expect(fromPostgres.length).toBeGreaterThan(0);
    expect(fromPostgres).toEqual(fromSqlite);
  });

  it('keeps every byte of a raw source, and numbers, times and JSON text exactly', async () => {
    const { rows } = await pgc.query<Row>(`SELECT m.raw, c.number, c.created_at, c.routing_json, p.uid_validity
      FROM messages m JOIN cases c ON c.id = m.case_id JOIN processed p ON p.case_id = c.id WHERE m.id = 1`);

    expect(rows).toEqual([{ raw: ALL_BYTES, number: 1, created_at: T(0), routing_json: '{"b":1,"a":[true,null]}', uid_validity: 4294967295 }]);
  });

  it('compares times as times, not as text, when the query passes another ISO spelling', async () => {
    const { rows } = await pgc.query<{ id: number }>('SELECT id FROM outbox WHERE next_attempt_at <= $1', ['2026-03-02T10:00:00.003+01:00']);

    expect(rows).toEqual([{ id: 1 }]);
  });

  it('sorts and lower-cases text as SQLite does (byte-wise, ASCII only), whatever the database locale', async () => {
    for (const desk of ['b', 'B', 'a', '_x', 'Z', 'É', 'e', 'ñ']) await insertBoth('desk_counters', { desk, last_number: 0 });

    const [fromSqlite, fromPostgres] = await selectBoth('SELECT desk, lower(desk) AS low FROM desk_counters ORDER BY desk');

    expect(fromPostgres).toEqual(fromSqlite);
    expect(fromPostgres.map((r) => r.desk)).toEqual(['B', 'IT', 'Z', '_x', 'a', 'b', 'e', 'É', 'ñ']);
  });

  it('writes times as Date#toISOString() through sportello_iso(), for SQL that builds text or JSON', async () => {
    const instants = [T(0), '1970-01-01T00:00:00.000Z', '2099-12-31T23:59:59.999Z', '0100-06-15T12:30:45.120Z'];

    const { rows } = await pgc.query<{ iso: string[]; json: string }>(
      'SELECT array_agg(sportello_iso(t) ORDER BY n) AS iso, json_agg(sportello_iso(t) ORDER BY n)::text AS json FROM unnest($1::timestamptz[]) WITH ORDINALITY AS u(t, n)',
      [instants],
    );

    expect(rows[0]!.iso).toEqual(instants);
    expect(JSON.parse(rows[0]!.json)).toEqual(instants);
  });

  it('seeds a 32-hex-digit erasure salt, as the SQLite schema does', async () => {
    const [[fromSqlite], [fromPostgres]] = await selectBoth(`SELECT value FROM store_meta WHERE key = 'erasure-salt'`);

    expect(fromSqlite!.value).toMatch(/^[0-9a-f]{32}$/);
    expect(fromPostgres!.value).toMatch(/^[0-9a-f]{32}$/);
  });
});

// ---------------------------------------------------------------- the same rows refused

describe('constraints both schemas enforce', () => {
  beforeAll(async () => {
    await insertBoth('cases', {
      id: 'HR-1', desk: 'HR', number: 1, status: 'new', priority: 'normal', requester_address: 'a@example.test',
      subject: 's', created_at: T(0), updated_at: T(0),
    });
    await insertBoth('daily_claims', { job: 'reset', day: '2026-03-02', at: T(8) });
    await insertBoth('daemon_reports', { host: 'vm-c', pid: 1, started_at: T(0), json: '{}', at: T(8) });
  });

  it.each<[string, string, Row, string]>([
    ['a second case with the same desk and number', 'cases', { id: 'HR-1b', desk: 'HR', number: 1, status: 'new', priority: 'normal', requester_address: 'a', subject: 's', created_at: T(0), updated_at: T(0) }, '23505'],
    ['a case id twice', 'cases', { id: 'HR-1', desk: 'HR', number: 2, status: 'new', priority: 'normal', requester_address: 'a', subject: 's', created_at: T(0), updated_at: T(0) }, '23505'],
    ['an unknown case status', 'cases', { id: 'HR-3', desk: 'HR', number: 3, status: 'lost', priority: 'normal', requester_address: 'a', subject: 's', created_at: T(0), updated_at: T(0) }, '23514'],
    ['a case without a subject', 'cases', { id: 'HR-4', desk: 'HR', number: 4, status: 'new', priority: 'normal', requester_address: 'a', subject: null, created_at: T(0), updated_at: T(0) }, '23502'],
    ['a message of a case that does not exist', 'messages', { case_id: 'HR-404', desk: 'HR', direction: 'in', kind: 'requester', message_id: '<m1@x>', created_at: T(0) }, '23503'],
    ['a message with an unknown direction', 'messages', { case_id: 'HR-1', desk: 'HR', direction: 'up', kind: 'requester', message_id: '<m2@x>', created_at: T(0) }, '23514'],
    ['an outbox row in an unknown state', 'outbox', { kind: 'ack', status: 'lost', envelope_from: '', recipient: 'a', mail_json: '{}', next_attempt_at: T(0), created_at: T(0) }, '23514'],
    ['an outbox row for a message row that does not exist', 'outbox', { message_row: 999, kind: 'ack', status: 'pending', envelope_from: '', recipient: 'a', mail_json: '{}', next_attempt_at: T(0), created_at: T(0) }, '23503'],
    ['a quarantine row in an unknown state', 'quarantine', { code: 'X', reason: 'r', at: T(0), state: 'lost' }, '23514'],
    ['a second report of the same daemon (host, pid, start)', 'daemon_reports', { host: 'vm-c', pid: 1, started_at: T(0), json: '{"again":true}', at: T(9) }, '23505'],
    ['the same daily claim twice', 'daily_claims', { job: 'reset', day: '2026-03-02', at: T(9) }, '23505'],
  ])('refuses %s', async (_what, table, row, pgCode) => {
    await expect(intoSqlite(table, row)).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT' });
    await expect(intoPostgres(table, row)).rejects.toMatchObject({ code: pgCode });
  });

  it('refuses U+0000 in text, which SQLite keeps: the store must strip it from parsed mail (raw keeps it)', async () => {
    const row = { case_id: 'HR-1', desk: 'HR', direction: 'in', kind: 'requester', message_id: '<nul@x>', text: 'a\u0000b', raw: Buffer.from('a\u0000b'), created_at: T(0) };

    await intoSqlite('messages', row);
    await expect(intoPostgres('messages', row)).rejects.toMatchObject({ code: '22021' });
  });
});
