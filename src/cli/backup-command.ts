// `sportello backup FILE`: a consistent copy of the live database, safe while `run` is writing (SQLite's
// VACUUM INTO reads one snapshot; under WAL a plain `cp` can catch the file between checkpoints). Writes
// a temporary file, checks it with PRAGMA integrity_check, then renames; never overwrites without --force.

import { existsSync } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import type { Config } from '../config/schema.js';
import type { CaseStore } from '../ports.js';
import { SportelloError } from '../errors.js';
import { inspectDatabase } from '../adapters/sqlite-store.js';

export interface BackupCommandDeps {
  readonly print: (s: string) => void;
  readonly withStore: <T>(cmd: Command, work: (store: CaseStore, cfg: Config) => Promise<T>) => Promise<T>;
}

export function addBackupCommand(prog: Command, deps: BackupCommandDeps): void {
  prog
    .command('backup')
    .description('write a consistent copy of the database while the daemon runs; checked with PRAGMA integrity_check')
    .argument('<file>', 'where to write the copy (must not exist, unless --force)')
    .option('--force', 'replace an existing file')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, o: { force?: boolean; json?: boolean }, cmd: Command) => {
      const target = path.resolve(file);
      await deps.withStore(cmd, async (store, cfg) => {
        if (target === path.resolve(cfg.database)) {
          throw new SportelloError('USAGE', `${file} is the live database itself`, { hint: 'write the backup to another file' });
        }
        if (existsSync(target) && !o.force) {
          throw new SportelloError('USAGE', `${file} already exists`, { hint: 'choose a new file name, or pass --force to replace it' });
        }
        if (!existsSync(path.dirname(target))) {
          throw new SportelloError('USAGE', `the directory ${path.dirname(target)} does not exist`, { hint: 'create it first, or choose another place' });
        }
        // Same directory, so the final rename is atomic: the target is either the old file or the whole new copy.
        const partial = `${target}.partial-${process.pid}`;
        await rm(partial, { force: true });
        try {
          await store.backup(partial);
          const report = await inspectDatabase(partial);
          if (!report.ok) {
            throw new SportelloError('BACKUP_FAILED', `the copy failed PRAGMA integrity_check: ${report.integrity.slice(0, 5).join('; ')}`, {
              hint: 'the live database may be damaged: stop the daemon and run "sqlite3 DB \'PRAGMA integrity_check\'"',
            });
          }
          await rename(partial, target);
          const bytes = (await stat(target)).size;
          if (o.json) deps.print(JSON.stringify({ file: target, bytes, integrity: 'ok', counts: report.counts }, null, 2));
          else {
            const c = report.counts;
            deps.print(`Backup written to ${target} (${bytes} bytes), integrity ok: ${c.cases} cases, ${c.messages} messages, ${c.outbox} outbox rows, ${c.quarantine} quarantine rows.`);
          }
        } finally {
          await rm(partial, { force: true });
        }
      });
    });
}
