// Kept statements on a real SQLite connection: prepared once per SQL text, bounded in number, run to
// completion (the connection's writes are not held up by a half-read statement), and finalized on close.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sqlite3 from 'sqlite3';
import { open, type Database } from 'sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { KeptStatements, one } from '../../../../src/adapters/sqlite/statements.js';

let db: Database | null = null;
afterEach(async () => {
  await db?.close().catch(() => undefined);
  db = null;
});

async function setup() {
  db = await open({ filename: path.join(mkdtempSync(path.join(tmpdir(), 'sportello-kept-')), 's.db'), driver: sqlite3.Database });
  await db.exec('PRAGMA journal_mode = WAL; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
  const conn = db;
  let prepared = 0;
  const counting = new Proxy(conn, {
    get(target, prop, receiver) {
      if (prop === 'prepare') return (sql: string) => (prepared++, target.prepare(sql));
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return { kept: new KeptStatements(counting), prepared: () => prepared };
}

describe('KeptStatements', () => {
  it('prepares a statement once however often it runs, and gives the same rows as the connection', async () => {
    const { kept, prepared } = await setup();
    for (let i = 1; i <= 20; i++) await kept.run('INSERT INTO t (id, v) VALUES (?, ?)', i, `v${i}`);
    for (let i = 1; i <= 20; i++) expect(await one(kept, 'SELECT v FROM t WHERE id = ?', i)).toEqual({ v: `v${i}` });
    expect(await kept.all('SELECT id FROM t WHERE id > ? ORDER BY id', 18)).toEqual([{ id: 19 }, { id: 20 }]);
    expect(await one(kept, 'SELECT v FROM t WHERE id = ?', 99)).toBeUndefined();
    expect(prepared()).toBe(3);
    await kept.close();
  });

  it('keeps at most 256 statements: the least recently used is finalized and prepared again when needed', async () => {
    const { kept, prepared } = await setup();
    await kept.run('INSERT INTO t (id, v) VALUES (1, ?)', 'one');
    for (let i = 0; i < 300; i++) expect(await one(kept, `SELECT v, ${i} AS n FROM t WHERE id = ?`, 1)).toEqual({ v: 'one', n: i });
    expect(prepared()).toBe(301);
    expect(await one(kept, 'SELECT v, 299 AS n FROM t WHERE id = ?', 1)).toEqual({ v: 'one', n: 299 });
    expect(prepared()).toBe(301);
    expect(await one(kept, 'SELECT v, 0 AS n FROM t WHERE id = ?', 1)).toEqual({ v: 'one', n: 0 });
    expect(prepared()).toBe(302);
    await kept.close();
  });

  it('leaves no statement half-read: a write transaction commits and the WAL checkpoints completely after reads', async () => {
    const { kept } = await setup();
    for (let i = 1; i <= 5; i++) await kept.run('INSERT INTO t (id, v) VALUES (?, ?)', i, 'x');
    // Several rows match; read through the kept statement, then check no reader pins the WAL.
    expect(await kept.all('SELECT id FROM t ORDER BY id')).toHaveLength(5);
    expect(await one(kept, 'SELECT id FROM t ORDER BY id LIMIT 1')).toEqual({ id: 1 });
    await kept.exec('BEGIN IMMEDIATE');
    await kept.run('UPDATE t SET v = ? WHERE id = ?', 'y', 1);
    await kept.exec('COMMIT');
    expect(await db!.get('PRAGMA wal_checkpoint(TRUNCATE)')).toMatchObject({ busy: 0 });
    await kept.close();
  });

  it('finalizes every statement on close, so the connection then closes cleanly', async () => {
    const { kept } = await setup();
    await kept.run('INSERT INTO t (id, v) VALUES (?, ?)', 1, 'x');
    await one(kept, 'SELECT v FROM t WHERE id = ?', 1);
    await kept.close();
    await expect(db!.close()).resolves.toBeUndefined();
    db = null;
  });
});
