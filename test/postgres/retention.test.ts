// Retention and erasure (test/support/retention-contract.ts) on the private PostgreSQL: a fresh database
// per test, its tables read through a client of their own (times and numbers as the store reads them).
import { openPostgresStore } from '../../src/adapters/postgres-store.js';
import { perTest } from '../support/pgstack.js';
import { retentionContract } from '../support/retention-contract.js';

const { database, closing } = perTest('retention');

retentionContract('PostgreSQL', {
  async fresh() {
    const db = await database();
    const store = closing(await openPostgresStore(db.url, { max: 4 }));
    const client = await db.connect();
    return {
      store,
      async dump() {
        const tables = await client.query<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`);
        const out: Record<string, unknown[]> = {};
        for (const { name } of tables.rows) {
          const key = await client.query<{ col: string }>(
            `SELECT a.attname AS col FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
              WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)`,
            [name],
          );
          const order = key.rows.map((k) => `"${k.col}"`).join(', ') || '1';
          const rows = await client.query<Record<string, unknown>>(`SELECT * FROM "${name}" ORDER BY ${order}`);
          out[name] = rows.rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Buffer.isBuffer(v) ? v.toString('latin1') : v])));
        }
        return out;
      },
      async releaseQuarantine(id, at) {
        await client.query('UPDATE quarantine SET released_at = $1 WHERE id = $2', [at.toISOString(), id]);
      },
    };
  },
});
