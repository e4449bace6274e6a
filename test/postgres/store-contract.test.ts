// The store contract (test/support/store-contract.ts) against the private PostgreSQL: a fresh database
// per test, and a second pool on it playing another process.
import { afterEach } from 'vitest';
import { openPostgresStore } from '../../src/adapters/postgres-store.js';
import { freshDatabase, type FreshDatabase } from '../support/pgstack.js';
import { storeContract } from '../support/store-contract.js';

let databases: FreshDatabase[] = [];
afterEach(async () => {
  // After the contract's own afterEach has closed the stores.
  for (const d of databases) await d.drop();
  databases = [];
});

storeContract('PostgreSQL', {
  async fresh() {
    const db = await freshDatabase('contract');
    databases.push(db);
    return { store: await openPostgresStore(db.url, { max: 4 }), another: () => openPostgresStore(db.url, { max: 4 }) };
  },
});
