#!/usr/bin/env -S node --max-semi-space-size=2
// The sportello command line: parses flags, loads the config once, builds the app through the
// composition root and maps outcomes to exit codes (0 ok, 1 runtime failure, 2 bad config or usage).
// Command output goes to stdout; logs go to stderr.
// The shebang's flag: young-generation semi-spaces of 2 MB instead of 16 keep the daemon's peak RSS about
// 15 MB lower at no measured cost (README, Speed); deploy/sportello.service and bench:ingest pass it too.

import { Command, Option } from 'commander';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { buildApp, migrateStore, openStore, surveyMailboxes, type App } from '../app.js';
import { dryRunText } from './once-dry-run.js';
import { createLogger } from '../log.js';
import { SportelloError, describeError, isSportelloError } from '../errors.js';
import { table } from './present.js';
import { addRoutingCommands } from './routing-commands.js';
import type { StoreMode } from '../adapters/sqlite-store.js';
import type { CaseStore } from '../ports.js';
import { readFileSync } from 'node:fs';
import { addTemplateCommands } from './template-commands.js';
import { addStatsCommand } from './stats-command.js';
import { addReportCommand } from './report-command.js';
import { addQuarantineCommands } from './quarantine-commands.js';
import { addBackupCommand } from './backup-command.js';
import { addMigrateStoreCommand } from './migrate-store-command.js';
import { addRetentionCommands } from './retention-commands.js';
import { addStatusCommand } from './status-command.js';
import { exitWhenFlushed, tolerateClosedReader } from './exit.js';
import { addCaseCommands } from './case-commands.js';
import { cliActor, positiveInt } from './args.js';

interface GlobalOpts {
  config: string;
  db?: string;
  logLevel?: string;
}

const EXIT_RUNTIME = 1;
const EXIT_CONFIG = 2;

function globals(cmd: Command): GlobalOpts {
  return cmd.optsWithGlobals<GlobalOpts>();
}

/**
 * Offline commands (rules, classify, preview, templates check, reading the store) never reach a mail
 * server, so an unset ${VAR} (typically a password) does not stop them; run, once and cases update do.
 */
async function config(cmd: Command, offline = false): Promise<Config> {
  const o = globals(cmd);
  return loadConfig(o.config, { db: o.db, offline });
}

async function withApp<T>(cmd: Command, work: (app: App) => Promise<T>): Promise<T> {
  const cfg = await config(cmd);
  const app = await buildApp(cfg, { log: createLogger({ level: globals(cmd).logLevel }) });
  try {
    return await work(app);
  } finally {
    await app.close();
  }
}

/**
 * Commands that need only the case store: no rules, no classifier, no mail servers. 'read' (the
 * default) opens the file read-only and never creates it (STORE_NOT_FOUND); 'write' is for short admin
 * edits, allowed beside a running daemon (they never send; see src/shell/writer-lease.ts).
 */
async function withStore<T>(cmd: Command, work: (store: CaseStore, cfg: Config) => Promise<T>, mode: StoreMode = 'read'): Promise<T> {
  const cfg = await config(cmd, true);
  const store = await openStore(cfg, mode);
  try {
    return await work(store, cfg);
  } finally {
    await store.close();
  }
}


const print = (s: string) => process.stdout.write(`${s}\n`);

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function program(): Command {
  const prog = new Command('sportello')
    .description('Email-driven service desk: IMAP in, tracked cases, auto-replies with honest expected resolution times.')
    .addOption(new Option('-c, --config <file>', 'configuration file').default('sportello.yml').env('SPORTELLO_CONFIG'))
    .addOption(new Option('--db <file>', 'SQLite database file or postgres:// URL (overrides "database" in the config)').env('SPORTELLO_DB'))
    .addOption(new Option('--log-level <level>', 'log level').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']))
    .version(version(), '-V, --version', 'print the version')
    .showHelpAfterError()
    .configureOutput({ outputError: (str, write) => write(str) })
    .exitOverride((err) => {
      throw err.exitCode === 0 ? err : new SportelloError('USAGE', err.message.replace(/^error: /, ''), { hint: 'see --help' });
    });

  prog
    .command('run')
    .description('run the daemon: watch every desk mailbox (IDLE or polling) until SIGTERM/SIGINT')
    .action(async (_o, cmd: Command) => {
      await withApp(cmd, async (app) => {
        const stop = new AbortController();
        let signals = 0;
        const onSignal = (sig: NodeJS.Signals) => {
          signals++;
          if (signals > 1) {
            app.log.warn({ sig }, 'second signal: exiting now');
            process.exit(EXIT_RUNTIME);
          }
          app.log.info({ sig }, 'shutting down: finishing the message in hand and flushing replies');
          stop.abort();
        };
        process.on('SIGTERM', onSignal);
        process.on('SIGINT', onSignal);
        await app.run(stop.signal);
        app.log.info({}, 'stopped cleanly');
      });
    });

  prog
    .command('once')
    .description('process everything pending in every mailbox, send every queued reply, then exit')
    .option('--json', 'print the summary as JSON')
    .option('--dry-run', 'only report what would be taken, imported (no replies) or left untouched; change nothing')
    .action(async (o: { json?: boolean; dryRun?: boolean }, cmd: Command) => {
      if (o.dryRun) {
        const rows = await surveyMailboxes(await config(cmd), { log: createLogger({ level: globals(cmd).logLevel }) });
        print(o.json ? JSON.stringify(rows, null, 2) : dryRunText(rows));
        if (rows.some((r) => 'error' in r)) process.exitCode = EXIT_RUNTIME;
        return;
      }
      const failed = await withApp(cmd, async (app) => {
        const summary = await app.once();
        if (o.json) print(JSON.stringify(summary, null, 2));
        else {
          for (const [desk, r] of Object.entries(summary.desks)) {
            print('error' in r ? `${desk}: FAILED — ${r.error}` : `${desk}: ${r.seen} new mail(s): ${r.created} case(s) opened, ${r.appended} follow-up(s), ${r.duplicates} duplicate(s), ${r.quarantined} quarantined${r.imported ? `, ${r.imported} imported without replies` : ''}`);
          }
          if (summary.escalations) print(`escalations: ${summary.escalations} queued`);
          if (summary.housekeeping.purged) print(`retention: ${summary.housekeeping.purged.cases} closed case(s) deleted, ${summary.housekeeping.purged.rawSources} raw source(s) dropped`);
          if (summary.housekeeping.notices) print(`uncertain replies: ${summary.housekeeping.notices} daily notice(s) queued`);
          if (summary.promises.updates) print(`promises: ${summary.promises.updates} requester(s) told before the promised date`);
          if (summary.promises.digests) print(`promises: ${summary.promises.digests} forecast digest(s) queued`);
          print(`replies: ${summary.outbox.sent} sent, ${summary.outbox.retrying} to retry, ${summary.outbox.failed} failed`);
          if (summary.outbox.paused) print(`replies: PAUSED — ${summary.outbox.paused}`);
          if (summary.failed.length) print(`failed (see the log): ${summary.failed.join(', ')}`);
        }
        return Object.values(summary.desks).some((r) => 'error' in r) || summary.outbox.paused !== undefined || summary.failed.length > 0;
      });
      if (failed) process.exitCode = EXIT_RUNTIME;
    });

  addCaseCommands(prog, { withStore, withApp, print });

  const outbox = prog.command('outbox').description('replies that did not go out normally');
  outbox
    .command('list', { isDefault: true })
    .description('failed, uncertain (interrupted mid-send, never resent automatically) and pending replies')
    .option('--json', 'print JSON')
    .option('--limit <n>', 'at most this many', positiveInt, 100)
    .action(async (o: { json?: boolean; limit: number }, cmd: Command) => {
      await withStore(cmd, async (store) => {
        const rows = await store.outboxProblems(o.limit);
        const summary = await store.outboxSummary();
        if (o.json) print(JSON.stringify({ summary, problems: rows }, null, 2));
        else {
          print(`Outbox: ${Object.entries(summary).map(([k, n]) => `${n} ${k}`).join(', ') || 'empty'}`);
          if (rows.length) {
            print(table(['#', 'STATUS', 'CASE', 'KIND', 'TO', 'ATTEMPTS', 'QUEUED (UTC)', 'LAST ERROR'], rows.map((r) => [String(r.id), r.status, r.caseId ?? '-', r.kind, r.recipient, String(r.attempts), r.createdAt.slice(0, 16).replace('T', ' '), r.lastError ?? '-'])));
            if (rows.some((r) => r.status === 'uncertain' || r.status === 'failed')) print('\nCheck with the recipient, then resend one with: sportello outbox retry ID');
          }
        }
      });
    });
  outbox
    .command('retry')
    .description('put a failed or uncertain reply back in the queue; the daemon (or the next `once`) sends it')
    .argument('<id>', 'outbox row number from "sportello outbox"', positiveInt)
    .action(async (id: number, _o, cmd: Command) => {
      await withStore(cmd, async (store) => {
        if (!(await store.requeue(id, new Date(), cliActor()))) {
          throw new SportelloError('USAGE', `outbox row ${id} is not failed or uncertain`, { hint: 'see "sportello outbox"' });
        }
        print(`Reply #${id} queued again.`);
      }, 'write');
    });

  const tools = { config: (cmd: Command) => config(cmd, true), logger: (cmd: Command) => createLogger({ level: globals(cmd).logLevel ?? 'warn' }), print, openStore };
  addRoutingCommands(prog, tools);
  addTemplateCommands(prog, tools);
  addStatsCommand(prog, tools);
  addReportCommand(prog, tools);
  addQuarantineCommands(prog, { print, withStore, withApp });
  addBackupCommand(prog, { print, withStore });
  addMigrateStoreCommand(prog, { print, migrateStore });
  addRetentionCommands(prog, tools);
  addStatusCommand(prog, tools);

  return prog;
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    await program().parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if ((err as { code?: string }).code === 'commander.helpDisplayed' || (err as { code?: string }).code === 'commander.version') return 0;
    const configProblem = isSportelloError(err) && ['CONFIG_INVALID', 'CONFIG_NOT_FOUND', 'USAGE', 'RULES_INVALID', 'TEMPLATE_INVALID'].includes(String(err.code));
    process.stderr.write(`sportello: ${describeError(err)}\n`);
    return configProblem ? EXIT_CONFIG : EXIT_RUNTIME;
  }
}

// Run when executed directly (bin or `node dist/cli/main.js`), not when imported by tests.
const invoked = process.argv[1] ?? '';
if (/(?:^|[\\/])(?:sportello|main\.[jt]s)$/.test(invoked)) {
  tolerateClosedReader();
  main(process.argv.slice(2)).then(exitWhenFlushed);
}
