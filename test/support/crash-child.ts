// A `sportello once` that SIGKILLs itself at a chosen point of the batched ingest, for the crash tests:
// `after-commit` when the batch's flags are about to be set (its transaction committed), `mid-batch`
// inside the group transaction once two mails are in it. Real adapters; only the clock is fixed.
// Usage: node --import tsx test/support/crash-child.ts CONFIG_FILE after-commit|mid-batch

import { loadConfig } from '../../src/config/load.js';
import { buildApp } from '../../src/app.js';
import { createImapSource } from '../../src/adapters/imap-source.js';
import { openSqliteStore } from '../../src/adapters/sqlite-store.js';
import { silentLogger } from '../../src/log.js';
import type { CaseStore, StoreTx } from '../../src/ports.js';

const [file, point] = process.argv.slice(2);
if (!file || (point !== 'after-commit' && point !== 'mid-batch')) {
  process.stderr.write('usage: crash-child.ts CONFIG_FILE after-commit|mid-batch\n');
  process.exit(2);
}
const die = (): never => {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
};
const config = await loadConfig(file);
const real = await openSqliteStore(config.database);
let savepoints = 0;
const store: CaseStore = new Proxy(real, {
  get(target, prop, receiver) {
    if (prop === 'transaction' && point === 'mid-batch') {
      return <T>(work: (tx: StoreTx) => Promise<T>) =>
        target.transaction((tx) =>
          work(new Proxy(tx, {
            get(t, p, r) {
              // The third mail's savepoint opens after two mails are written, uncommitted, in the transaction.
              if (p === 'savepoint') return (w: (sp: StoreTx) => Promise<unknown>) => (++savepoints === 3 ? die() : t.savepoint(w));
              const v = Reflect.get(t, p, r) as unknown;
              return typeof v === 'function' ? v.bind(t) : v;
            },
          })),
        );
    }
    const v = Reflect.get(target, prop, receiver) as unknown;
    return typeof v === 'function' ? v.bind(target) : v;
  },
});
const app = await buildApp(config, {
  log: silentLogger(),
  clock: { now: () => new Date('2026-03-02T09:00:00Z') },
  store,
  sourceFor: (desk) => {
    const source = createImapSource(desk, silentLogger(), config.processed.flag, config.processed.moveTo, { idleRestartMs: 300_000 });
    return {
      async open() {
        const session = await source.open();
        return point === 'after-commit' ? { ...session, markProcessed: async () => die() } : session;
      },
    };
  },
});
await app.once();
process.stderr.write(`crash point ${point} was never reached\n`);
process.exit(3);
