// The store contract (test/support/store-contract.ts) against the private PostgreSQL: a fresh database
// per test, and a second pool on it playing another process.
import { openPostgresStore } from '../../src/adapters/postgres-store.js';
import { perTest } from '../support/pgstack.js';
import { storeContract } from '../support/store-contract.js';

// Registered before the contract's own afterEach, so it runs after it: stores close, then databases drop.
const { database } = perTest('contract');

storeContract('PostgreSQL', {
  async fresh() {
    const db = await database();
    return { store: await openPostgresStore(db.url, { max: 4 }), another: () => openPostgresStore(db.url, { max: 4 }) };
  },
});
