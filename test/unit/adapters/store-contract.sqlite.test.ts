// The store contract (test/support/store-contract.ts) against SQLite: a temp file per test, and a
// second connection on the same file playing another process.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openSqliteStore } from '../../../src/adapters/sqlite-store.js';
import { storeContract } from '../../support/store-contract.js';

storeContract('SQLite', {
  async fresh() {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'sportello-contract-')), 'sportello.db');
    return { store: await openSqliteStore(file), another: () => openSqliteStore(file) };
  },
});
