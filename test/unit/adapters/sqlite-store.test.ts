// What only the SQLite store does, on a real temp file: creating and migrating the file, read-only
// opening for read commands, driver errors naming the file, and a failing trigger rolling a park back.
// Everything both stores must do is in the store contract (test/support/store-contract.ts).

import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sqlite3 from 'sqlite3';
import { open } from 'sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../../src/adapters/sqlite-store.js';
import { MIGRATIONS } from '../../../src/adapters/sqlite/migrations.js';
import type { CaseStore } from '../../../src/ports.js';
import { T0, at, outgoing, seedCase } from '../../support/store-contract.js';

let open_: CaseStore[] = [];
afterEach(async () => {
  for (const s of open_) await s.close().catch(() => undefined);
  open_ = [];
});

function tempFile(): string {
  return path.join(mkdtempSync(path.join(tmpdir(), 'sportello-store-')), 'nested', 'sportello.db');
}
async function openStore(file = tempFile()): Promise<CaseStore> {
  const s = await openSqliteStore(file);
  open_.push(s);
  return s;
}

describe('opening and migrations', () => {
  it('creates the directory, migrates once, and reopens an existing file without re-running anything', async () => {
    const file = tempFile();
    const first = await openStore(file);
    await seedCase(first);
    await first.close();
    open_ = [];
    const again = await openStore(file);
    expect((await again.listCases({})).map((c) => c.id)).toEqual(['IT-1']);
    await again.close();
    open_ = [];
    const db = await open({ filename: file, driver: sqlite3.Database });
    const rows = await db.all<{ name: string }[]>('SELECT name FROM schema_migrations');
    await db.close();
    expect(rows.map((r) => r.name)).toEqual(MIGRATIONS.map((m) => m.name));
  });

  it('upgrades a file an older version left with the first migration only: the rest applied, in order, once', async () => {
    const file = tempFile();
    // The file as the first release left it: its schema and one row in schema_migrations.
    mkdirSync(path.dirname(file), { recursive: true });
    const old = await open({ filename: file, driver: sqlite3.Database });
    await old.exec(`CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL); ${MIGRATIONS[0]!.sql}`);
    await old.run('INSERT INTO schema_migrations VALUES (?, ?)', MIGRATIONS[0]!.name, 'x');
    await old.close();
    const upgraded = await openStore(file);
    await seedCase(upgraded);
    await upgraded.close();
    open_ = [];
    const db = await open({ filename: file, driver: sqlite3.Database });
    const rows = await db.all<{ name: string; applied_at: string }[]>('SELECT name, applied_at FROM schema_migrations ORDER BY name');
    await db.close();
    expect(rows.map((r) => r.name)).toEqual(MIGRATIONS.map((m) => m.name));
    expect(rows[0]!.applied_at).toBe('x');
  });

  it('keeps daemon_status after 013: a daemon of the previous version, still running beside an upgraded one, can save its report', async () => {
    const file = tempFile();
    await openStore(file);
    const db = await open({ filename: file, driver: sqlite3.Database });
    await db.run(`INSERT INTO daemon_status (id, json, at) VALUES (1, '{}', ?) ON CONFLICT (id) DO UPDATE SET json = excluded.json, at = excluded.at`, T0.toISOString());
    expect(await db.all('SELECT id FROM daemon_status')).toEqual([{ id: 1 }]);
    await db.close();
  });

  it('reports a file that is not a database as STORE', async () => {
    await expect(openSqliteStore(path.join(path.sep, 'proc', 'version'))).rejects.toMatchObject({ code: 'STORE' });
  });
});

describe('read-only opening (read commands)', () => {
  it('a missing file is STORE_NOT_FOUND naming it; nothing is created, not even the directory', async () => {
    const file = tempFile();
    const err = await openSqliteStore(file, { mode: 'read' }).then(() => null, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'STORE_NOT_FOUND', message: `the database ${file} does not exist` });
    expect((err as { hint: string }).hint).toContain('--db');
    expect(existsSync(path.dirname(file))).toBe(false);
  });

  it('reads what a writer stored, and a write through it fails as STORE naming the file with the permission hint', async () => {
    const file = tempFile();
    const writer = await openStore(file);
    const id = await seedCase(writer);
    await writer.close();
    open_ = [];
    const reader = await openSqliteStore(file, { mode: 'read' });
    open_.push(reader);
    expect((await reader.listCases({})).map((c) => c.id)).toEqual([id]);
    const err = await reader.resetCheckpoint('IT', 'INBOX', 1, T0).then(() => null, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'STORE' });
    expect((err as Error).message).toBe(`database operation failed on ${file}: SQLITE_READONLY: attempt to write a readonly database`);
    expect((err as { hint: string }).hint).toContain(`write permission on ${file}`);
  });

  it('reads beside an open writer (WAL)', async () => {
    const file = tempFile();
    const writer = await openStore(file);
    const reader = await openSqliteStore(file, { mode: 'read' });
    open_.push(reader);
    await seedCase(writer);
    expect(await reader.listCases({})).toHaveLength(1);
  });

  it('refuses a file that is not a Sportello database, or one not yet upgraded, without changing it', async () => {
    const other = path.join(mkdtempSync(path.join(tmpdir(), 'sportello-store-')), 'other.db');
    const raw = await open({ filename: other, driver: sqlite3.Database });
    await raw.exec('CREATE TABLE t (x)');
    await expect(openSqliteStore(other, { mode: 'read' })).rejects.toMatchObject({ code: 'STORE', message: `${other} is not a Sportello database (no schema_migrations table)` });
    await raw.exec(`CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL); INSERT INTO schema_migrations VALUES ('001-initial', 'x')`);
    const err = await openSqliteStore(other, { mode: 'read' }).then(() => null, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'STORE' });
    expect((err as Error).message).toContain('has not been upgraded to this version (missing 002-sla');
    expect(await raw.all('SELECT name FROM schema_migrations')).toHaveLength(1);
    await raw.close();
  });
});

describe('parking interrupted sends (atomic)', () => {
  async function sendingRows(store: CaseStore, n: number): Promise<number[]> {
    const ids: number[] = [];
    await seedCase(store, async (tx, caseId) => {
      for (let i = 0; i < n; i++) ids.push(await tx.enqueue({ caseId, kind: 'auto-reply', envelopeFrom: '', mail: outgoing(`p${i}@example.test`) }, null, T0));
    });
    for (const id of ids) await store.markSending([id], T0);
    return ids;
  }

  it('when the event cannot be written, no row is parked either (all or nothing)', async () => {
    const file = tempFile();
    const store = await openStore(file);
    await sendingRows(store, 2);
    const raw = await open({ filename: file, driver: sqlite3.Database });
    // Fail the second event only: the first row's update and event must roll back with it.
    await raw.exec(`CREATE TRIGGER fail_second BEFORE INSERT ON events WHEN NEW.type = 'send-uncertain' AND (SELECT COUNT(*) FROM events WHERE type = 'send-uncertain') = 1
                    BEGIN SELECT RAISE(ABORT, 'disk trouble'); END`);
    await raw.close();
    const err = await store.parkInterrupted(at(1)).then(() => null, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'STORE' });
    expect((err as Error).message).toContain(file);
    expect(await store.outboxSummary()).toEqual({ sending: 2 });
    expect((await store.getCaseDetail('IT-1'))!.events.filter((e) => e.type === 'send-uncertain')).toEqual([]);
  });
});

