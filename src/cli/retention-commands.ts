// `sportello purge` and `sportello forget`: retention on demand (the daemon also runs it once a day) and
// one person's erasure (GDPR art. 17). Both print counts per table and accept --dry-run, which counts
// inside a transaction that is rolled back. Output never repeats an erased address beyond the argument.

import type { Command } from 'commander';
import type { Config } from '../config/schema.js';
import { SportelloError } from '../errors.js';
import { cliActor } from './args.js';
import type { AuditEntry, CaseStore, ForgetCounts, PurgeCounts } from '../ports.js';
import { erasedPlaceholder, erasureTarget, isAddress, retentionConfigured, retentionCutoffs } from '../housekeeping/retention.js';
import { baseAddress } from '../mail/address.js';
import { table } from './present.js';

interface Tools {
  config: (cmd: Command) => Promise<Config>;
  print: (s: string) => void;
  /** The store from the composition root (these commands write: purge, forget). */
  openStore: (config: Config, mode: 'write') => Promise<CaseStore>;
}


const PURGE_ROWS: readonly [keyof PurgeCounts, string][] = [
  ['rawSources', 'raw sources dropped from stored mail'],
  ['quarantineRaw', 'raw sources dropped from released quarantine (held mail keeps its own)'],
  ['outboxBodies', 'bodies dropped from replies sent long ago'],
  ['cases', 'closed cases deleted (anonymous tombstones kept for statistics)'],
  ['messages', 'their messages'],
  ['events', 'their events'],
  ['outbox', 'their outbox rows'],
  ['links', 'links to or from them'],
  ['escalations', 'their escalation records'],
];

const FORGET_ROWS: readonly [Exclude<keyof ForgetCounts, 'previousErasures'>, string][] = [
  ['cases', 'cases they asked for: requester, subject and texts erased'],
  ['assigned', 'cases assigned to them: assignee replaced'],
  ['messages', 'messages from, to or cc them, or on their cases'],
  ['rawSources', 'raw sources of those messages dropped'],
  ['events', 'events naming them'],
  ['outbox', 'outbox rows to or about them'],
  ['outboxCancelled', 'of which unsent: cancelled, never sent'],
  ['quarantine', 'quarantined mail naming them: raw source dropped'],
];

const countsTable = <K extends string>(rows: readonly [K, string][], counts: Readonly<Record<K, number>>) =>
  table(['TABLE', 'ROWS', 'WHAT'], rows.map(([k, what]) => [k, String(counts[k]), what]), 80);

function history(entries: readonly AuditEntry[]): string {
  if (!entries.length) return 'Audit log: no purge or forget run yet.';
  return `Audit log (newest first):\n${table(
    ['#', 'AT (UTC)', 'ACTION', 'BY', 'COUNTS'],
    entries.map((e) => [String(e.id), e.at.slice(0, 16).replace('T', ' '), e.action, e.actor, Object.entries(e.counts).filter(([, n]) => n).map(([k, n]) => `${k} ${n}`).join(', ') || 'nothing']),
    90,
  )}`;
}

async function withStore<T>(tools: Tools, config: Config, work: (store: CaseStore) => Promise<T>): Promise<T> {
  const store = await tools.openStore(config, 'write');
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

export function addRetentionCommands(prog: Command, tools: Tools): void {
  prog
    .command('purge')
    .description('apply retention now: drop raw sources after retention.rawMailDays, closed cases after retention.closedCaseDays')
    .option('--dry-run', 'count what would go; change nothing')
    .option('--json', 'print JSON')
    .option('--history <n>', 'how many audit-log entries to list', '10')
    .action(async (o: { dryRun?: boolean; json?: boolean; history: string }, cmd: Command) => {
      const config = await tools.config(cmd);
      const limit = Number(o.history);
      if (!Number.isInteger(limit) || limit < 0) throw new SportelloError('USAGE', `--history "${o.history}" is not a whole number`, { hint: 'e.g. --history 10' });
      const now = new Date();
      const cutoffs = retentionCutoffs(config.retention, now);
      await withStore(tools, config, async (store) => {
        const counts = retentionConfigured(cutoffs) ? await store.purge(cutoffs, now, { dryRun: !!o.dryRun, actor: cliActor() }) : null;
        const log = await store.auditLog(limit);
        if (o.json) return tools.print(JSON.stringify({ dryRun: !!o.dryRun, cutoffs, counts, audit: log }, null, 2));
        if (!counts) {
          tools.print('Retention is not configured (retention.rawMailDays, retention.closedCaseDays): everything is kept.');
        } else {
          tools.print(`${o.dryRun ? 'Dry run, nothing changed. Would drop' : 'Dropped'}: raw sources before ${cutoffs.rawBefore ?? 'never'}, closed cases closed before ${cutoffs.closedBefore ?? 'never'}`);
          tools.print(countsTable(PURGE_ROWS, counts));
        }
        tools.print('');
        tools.print(history(log));
      });
    });

  prog
    .command('forget')
    .description("erase one person's data (GDPR art. 17): cases, messages, raw sources, events, outbox, quarantine")
    .argument('<address>', 'their e-mail address (any +tag and letter case match too)')
    .option('--dry-run', 'count what would change; change nothing')
    .option('--json', 'print JSON')
    .action(async (address: string, o: { dryRun?: boolean; json?: boolean }, cmd: Command) => {
      if (!isAddress(address)) throw new SportelloError('USAGE', `"${address}" is not an e-mail address`, { hint: 'e.g. sportello forget alice@example.com --dry-run' });
      const config = await tools.config(cmd);
      if (config.desks.some((d) => baseAddress(d.address) === baseAddress(address))) {
        throw new SportelloError('USAGE', `${address} is a desk address, not a person`, { hint: 'forget takes the address of a requester or an agent' });
      }
      await withStore(tools, config, async (store) => {
        const hash = await store.erasureHash(address);
        const placeholder = erasedPlaceholder(hash);
        const counts = await store.forget(erasureTarget(address, placeholder), hash, new Date(), { dryRun: !!o.dryRun, actor: cliActor() });
        if (o.json) return tools.print(JSON.stringify({ dryRun: !!o.dryRun, placeholder, subjectHash: hash, counts }, null, 2));
        const total = FORGET_ROWS.reduce((n, [k]) => n + counts[k], 0);
        tools.print(`${o.dryRun ? 'Dry run, nothing changed. Would replace' : 'Replaced'} ${address} with ${placeholder}:`);
        tools.print(countsTable(FORGET_ROWS, counts));
        for (const e of counts.previousErasures) tools.print(`Already erased before: audit #${e.id} at ${e.at} (same salted hash).`);
        if (!total) tools.print('Nothing in the store names this address.');
        if (!o.dryRun) tools.print(`Recorded in the audit log with counts and the salted hash ${hash.slice(0, 16)}… (never the address).`);
        tools.print('Not touched: mail in the desk mailboxes on the IMAP server, agents\' own mailboxes, and backups; see README "Retention and erasure".');
      });
    });
}
