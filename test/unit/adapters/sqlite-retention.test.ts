// Retention and erasure (test/support/retention-contract.ts) on a real SQLite file, its tables read
// through a second connection.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sqlite3 from 'sqlite3';
import { open } from 'sqlite';
import { afterEach } from 'vitest';
import { openSqliteStore } from '../../../src/adapters/sqlite-store.js';
import type { CaseStore } from '../../../src/ports.js';
import { retentionContract } from '../../support/retention-contract.js';

let stores: CaseStore[] = [];
afterEach(async () => {
  for (const s of stores) await s.close().catch(() => undefined);
  stores = [];
});

async function withDb<T>(file: string, work: (db: Awaited<ReturnType<typeof open>>) => Promise<T>): Promise<T> {
  const db = await open({ filename: file, driver: sqlite3.Database });
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

retentionContract('SQLite', {
  async fresh() {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'sportello-retention-')), 'sportello.db');
    const store = await openSqliteStore(file);
    stores.push(store);
    return {
      store,
      dump: () =>
        withDb(file, async (db) => {
          const tables = await db.all<{ name: string }[]>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`);
          const out: Record<string, unknown[]> = {};
          for (const { name } of tables) {
            const rows = await db.all<Record<string, unknown>[]>(`SELECT * FROM "${name}" ORDER BY rowid`);
            out[name] = rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Buffer.isBuffer(v) ? v.toString('latin1') : v])));
          }
          return out;
        }),
      releaseQuarantine: (id, at) => withDb(file, async (db) => void (await db.run('UPDATE quarantine SET released_at = ? WHERE id = ?', at.toISOString(), id))),
    };
  },
});
