// `sportello quarantine …`: what an admin can do with mail set aside instead of becoming a case —
// list, show (parsed headers and text), export the raw bytes unchanged, release through today's
// pipeline, or drop with a reason. Every change is recorded with who made it; nothing is deleted silently.

import { Option, type Command } from 'commander';
import type { App } from '../app.js';
import type { Config } from '../config/schema.js';
import type { CaseStore, QuarantineRecord } from '../ports.js';
import { SportelloError, describeError } from '../errors.js';
import { cliActor, positiveInt } from './args.js';
import { parseMail } from '../adapters/mime-on-demand.js';
import { heldRow } from '../shell/release.js';
import { RAW_HEAD_BYTES, quarantineDetailJson, quarantineDetailText, quarantineJson, quarantineTable, releaseLine, type ParsedView } from './quarantine-present.js';

export interface QuarantineCommandDeps {
  readonly print: (s: string) => void;
  readonly withStore: <T>(cmd: Command, work: (store: CaseStore, cfg: Config) => Promise<T>, mode?: 'read' | 'write') => Promise<T>;
  readonly withApp: <T>(cmd: Command, work: (app: App) => Promise<T>) => Promise<T>;
}

const EXIT_RUNTIME = 1;

function rowNumber(value: string): number {
  const n = Number(value.replace(/^#/, ''));
  if (!Number.isInteger(n) || n < 1) throw new SportelloError('USAGE', `"${value}" is not a quarantine number`, { hint: 'use the # column of "sportello quarantine list"' });
  return n;
}

async function rowOrThrow(store: CaseStore, id: number): Promise<QuarantineRecord> {
  const row = await store.getQuarantine(id);
  if (!row) throw new SportelloError('QUARANTINE_NOT_FOUND', `no quarantine row #${id}`, { hint: 'list every row with "sportello quarantine list --all"' });
  return row;
}

async function parsedView(raw: Buffer | null): Promise<ParsedView> {
  if (!raw) return null;
  try {
    // No size limit here: the admin asked to look at this very mail.
    return { mail: await parseMail(raw, { maxBytes: Number.MAX_SAFE_INTEGER }) };
  } catch (err) {
    return { error: describeError(err), rawHead: raw.subarray(0, RAW_HEAD_BYTES).toString('utf8') };
  }
}

/** Resolves once the bytes are handed to the OS, so the process may exit without truncating a pipe. */
function writeStdout(data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => process.stdout.write(data, (err) => (err ? reject(err) : resolve())));
}

export function addQuarantineCommands(prog: Command, deps: QuarantineCommandDeps): void {
  const { print, withStore, withApp } = deps;
  const quarantine = prog.command('quarantine').description('mail set aside instead of becoming a case: list, show, export, release, drop');

  quarantine
    .command('list', { isDefault: true })
    .description('held mail with its reason (unparseable, own mail, rule quarantine, commit failure)')
    .option('--json', 'print JSON')
    .option('--all', 'also released and dropped rows')
    .option('--limit <n>', 'at most this many', positiveInt, 100)
    .action(async (o: { json?: boolean; all?: boolean; limit: number }, cmd: Command) => {
      await withStore(cmd, async (store) => {
        const rows = await store.listQuarantine(o.limit, { all: o.all });
        print(o.json ? JSON.stringify(rows.map(quarantineJson), null, 2) : quarantineTable(rows, Boolean(o.all)));
      });
    });

  quarantine
    .command('show')
    .description('one quarantined mail: reason, code, stage, desk/folder/UID, headers and text')
    .argument('<id>', 'quarantine number (the # column)', rowNumber)
    .option('--json', 'print JSON')
    .action(async (id: number, o: { json?: boolean }, cmd: Command) => {
      await withStore(cmd, async (store) => {
        const row = await rowOrThrow(store, id);
        const view = await parsedView(row.raw);
        print(o.json ? JSON.stringify(quarantineDetailJson(row, view), null, 2) : quarantineDetailText(row, view));
      });
    });

  quarantine
    .command('export')
    .description('write the raw mail, byte for byte, to stdout: sportello quarantine export 3 > mail.eml')
    .argument('<id>', 'quarantine number (the # column)', rowNumber)
    .action(async (id: number, _o, cmd: Command) => {
      await withStore(cmd, async (store) => {
        const row = await rowOrThrow(store, id);
        if (!row.raw) {
          const where = row.position ? ` It is still on the server at ${row.position.desk}/${row.position.folder}/${row.position.uid}.` : '';
          throw new SportelloError('QUARANTINE_NOT_RELEASABLE', `quarantine #${id} has no stored copy (${row.state === 'dropped' ? 'dropped' : row.code}).${where}`, {
            hint: row.state === 'dropped' ? 'a dropped mail is gone from the store' : 'fetch it from the mailbox with your mail client',
          });
        }
        await writeStdout(row.raw);
      });
    });

  quarantine
    .command('release')
    .description("run held mail through today's pipeline again (after fixing the rules, a template, a bug): one case, at most one auto-reply")
    .argument('[ids...]', 'quarantine numbers')
    .option('--code <code>', 'every held mail with this code, e.g. COMMIT_FAILED')
    .option('--all', 'every held mail')
    .option('--json', 'print JSON')
    .action(async (rawIds: string[], o: { code?: string; all?: boolean; json?: boolean }, cmd: Command) => {
      const chosen = [rawIds.length > 0, Boolean(o.code), Boolean(o.all)].filter(Boolean).length;
      if (chosen !== 1) throw new SportelloError('USAGE', 'say which mail to release', { hint: 'pass quarantine numbers, or --code CODE, or --all (one of them)' });
      const ids = rawIds.map(rowNumber);
      const reports = await withApp(cmd, async (app) => {
        const targets = ids.length ? ids : await app.store.heldQuarantineIds(o.code?.toUpperCase());
        return app.releaseQuarantine(targets, cliActor());
      });
      if (o.json) print(JSON.stringify(reports, null, 2));
      else if (!reports.length) print('Nothing to release.');
      else for (const r of reports) print(releaseLine(r));
      if (reports.some((r) => !r.ok || r.outcome === 'quarantined')) process.exitCode = EXIT_RUNTIME;
    });

  quarantine
    .command('drop')
    .description('delete a held mail from the store for good; the row stays with the reason and who dropped it')
    .argument('<id>', 'quarantine number (the # column)', rowNumber)
    .addOption(new Option('--reason <text>', 'why it is dropped (recorded)').makeOptionMandatory())
    .action(async (id: number, o: { reason: string }, cmd: Command) => {
      if (!o.reason.trim()) throw new SportelloError('USAGE', '--reason is empty', { hint: 'say why the mail is dropped, e.g. --reason "spam"' });
      await withStore(cmd, async (store) => {
        const row = heldRow(await store.getQuarantine(id), id);
        if (!(await store.dropQuarantine(id, o.reason.trim(), cliActor(), new Date()))) heldRow(await store.getQuarantine(id), id);
        const server = row.position && !row.raw ? ` It is still on the server at ${row.position.desk}/${row.position.folder}/${row.position.uid}.` : '';
        print(`#${id} dropped: ${o.reason.trim()}. The stored mail is deleted; the record stays (sportello quarantine show ${id}).${server}`);
      }, 'write');
    });
}
