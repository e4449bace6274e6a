// The two schemas stay in step: every SQLite migration has its PostgreSQL twin of the same name, in
// the same order (the column-by-column comparison against a real server is test/postgres/).

import { describe, expect, it } from 'vitest';
import { PG_MIGRATIONS } from '../../../../src/adapters/postgres/migrations.js';
import { MIGRATIONS } from '../../../../src/adapters/sqlite/migrations.js';

describe('PG_MIGRATIONS', () => {
  it('has one migration per SQLite migration, with the same names in the same order', () => {
    expect(PG_MIGRATIONS.map((m) => m.name)).toEqual(MIGRATIONS.map((m) => m.name));
  });

  it('never uses SQLite-only syntax', () => {
    const sqliteOnly = /\bAUTOINCREMENT\b|\bBLOB\b|randomblob|\bINSERT OR\b|\bPRAGMA\b|json_each|json_group_array|\bWITHOUT ROWID\b/i;
    const code = (sql: string) => sql.replace(/--.*$/gm, ''); // comments may name the SQLite original
    expect(PG_MIGRATIONS.filter((m) => sqliteOnly.test(code(m.sql))).map((m) => m.name)).toEqual([]);
  });
});
