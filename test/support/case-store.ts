// Builds a real SQLite case store with many cases quickly, through the store's own API (the same
// transaction the pipeline commits through), for tests that need volume: CLI output, listing limits.
// Must never write outside the temp directory it is given or depend on the clock.
import { openSqliteStore } from '../../src/adapters/sqlite-store.js';
import { routing } from './fakes.js';

const T0 = Date.parse('2026-03-02T09:00:00.000Z');

/** Creates `count` IT cases (IT-1…IT-count), one minute apart, with accented multi-language subjects. */
export async function seedCases(dbFile: string, count: number): Promise<void> {
  const store = await openSqliteStore(dbFile);
  try {
    await store.transaction(async (tx) => {
      for (let i = 1; i <= count; i++) {
        const at = new Date(T0 + i * 60_000);
        await tx.createCase(
          {
            desk: 'IT',
            prefix: 'IT',
            subject: `Petición ${i}: la impresora de la sala ${i % 7} no imprime — «urgente»`,
            requester: { address: `user${i}@example.test`, name: `Usuario ${i}` },
            routing: routing({ category: i % 2 ? 'hardware' : 'network' }),
            sla: null,
          },
          at,
        );
      }
    });
  } finally {
    await store.close();
  }
}
