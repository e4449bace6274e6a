// `sportello migrate-store --from FILE.db --to postgres://…`: moves an install from SQLite to PostgreSQL
// in one transaction and prints the row count of every table on both sides. Refuses a target that
// already holds data and a file a running daemon still writes to. Never prints the URL's password.

import type { Command } from 'commander';
import path from 'node:path';
import { SportelloError } from '../errors.js';
import { isPostgresUrl, redactDatabase } from '../config/database.js';
import type { CopyReport } from '../adapters/postgres/copy-from-sqlite.js';
import { table } from './present.js';

export interface MigrateStoreDeps {
  readonly print: (s: string) => void;
  /** From the composition root: copies the SQLite file into the empty PostgreSQL database. */
  readonly migrateStore: (from: string, to: string) => Promise<CopyReport>;
}

export function addMigrateStoreCommand(prog: Command, deps: MigrateStoreDeps): void {
  prog
    .command('migrate-store')
    .description('copy a SQLite database (cases, messages with raw sources, events, outbox, checkpoints, quarantine, ratings, everything) into an empty PostgreSQL database, checking the row counts of every table')
    .requiredOption('--from <file>', 'the SQLite database file of the install (stop sportello first)')
    .requiredOption('--to <url>', 'the empty PostgreSQL database: postgres://user:password@host:port/database')
    .option('--json', 'print the counts as JSON')
    .action(async (o: { from: string; to: string; json?: boolean }) => {
      if (!isPostgresUrl(o.to)) {
        throw new SportelloError('USAGE', `--to must be a postgres:// or postgresql:// URL, got ${redactDatabase(o.to)}`, { hint: 'e.g. --to postgres://sportello:secret@db.example:5432/sportello' });
      }
      const report = await deps.migrateStore(path.resolve(o.from), o.to);
      if (o.json) {
        deps.print(JSON.stringify({ from: path.resolve(o.from), to: redactDatabase(o.to), tables: report.tables }, null, 2));
        return;
      }
      deps.print(table(['TABLE', 'SQLITE', 'POSTGRESQL'], report.tables.map((t) => [t.table, String(t.source), String(t.target)])));
      const rows = report.tables.reduce((n, t) => n + t.target, 0);
      deps.print(`\nCopied ${rows} rows in ${report.tables.length} tables to ${redactDatabase(o.to)}; every count matches.`);
      deps.print(`Next: set database: to that URL in the config (a \${VAR} keeps the password out of it) and start sportello again.`);
    });
}
