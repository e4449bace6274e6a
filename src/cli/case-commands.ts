// `sportello cases list|show|update`: find cases (newest first, paged, filtered, as a table, JSON or
// CSV), read one, and change one as an agent would by mail. Times are shown in the configured zone;
// JSON and CSV keep ISO 8601 UTC. Only `update` writes, through the app (SLA recomputed, people told).

import { Option, type Command } from 'commander';
import { DateTime } from 'luxon';
import type { App } from '../app.js';
import type { Config } from '../config/schema.js';
import { CASE_STATUSES, type CaseStatus } from '../domain/case.js';
import { PRIORITIES, type Priority } from '../domain/routing.js';
import { SportelloError } from '../errors.js';
import { cliActor } from './args.js';
import type { CaseStore } from '../ports.js';
import { caseDetailJson, caseJson, caseText, casesCsv, casesTable, shortTime } from './present.js';
import { knownDesk } from './stats-command.js';

export interface CaseCommandDeps {
  readonly withStore: <T>(cmd: Command, work: (store: CaseStore, cfg: Config) => Promise<T>) => Promise<T>;
  readonly withApp: <T>(cmd: Command, work: (app: App) => Promise<T>) => Promise<T>;
  readonly print: (s: string) => void;
}

/** A terminal page: enough to see what is going on; scripts page with --offset or ask for more. */
export const DEFAULT_LIST_LIMIT = 50;

function count(what: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new SportelloError('USAGE', `${what} "${value}" is not a whole number of at least ${min}`, { hint: `e.g. ${what} 50` });
    return n;
  };
}

/**
 * `--since`: an ISO date or instant (a date alone is midnight in the configured zone) or a duration
 * back from now: "7d", "12h", "2w".
 */
export function parseSince(text: string, now: Date, timeZone: string): Date {
  const ago = /^(\d{1,5})\s*([hdw])$/i.exec(text.trim());
  if (ago) return new Date(now.getTime() - Number(ago[1]) * { h: 3_600_000, d: 86_400_000, w: 604_800_000 }[ago[2]!.toLowerCase() as 'h' | 'd' | 'w']);
  const at = DateTime.fromISO(text.trim(), { zone: timeZone });
  if (!at.isValid) throw new SportelloError('USAGE', `--since "${text}" is neither a date nor a duration`, { hint: 'e.g. --since 2026-11-01, --since 2026-11-01T09:00 or --since 7d' });
  return at.toJSDate();
}

interface ListOptions {
  json?: boolean;
  csv?: boolean;
  desk?: string;
  status?: string;
  limit: number;
  offset: number;
  assignee?: string;
  category?: string;
  requester?: string;
  since?: string;
}

export function addCaseCommands(prog: Command, deps: CaseCommandDeps): void {
  const cases = prog.command('cases').description('inspect and change cases');
  cases
    .command('list')
    .description(`list cases, newest first (${DEFAULT_LIST_LIMIT} at a time: page with --offset, or raise --limit)`)
    .option('--json', 'print JSON')
    .option('--csv', 'print CSV (RFC 4180, times in ISO 8601 UTC)')
    .option('--desk <id>', 'only this desk')
    .option('--status <list>', `comma-separated statuses (${CASE_STATUSES.join(', ')})`)
    .option('--assignee <address>', 'only cases assigned to this agent ("none": unassigned)')
    .option('--category <id>', 'only this category')
    .option('--requester <address>', 'only cases opened by this address')
    .option('--since <when>', 'only cases opened since a date (2026-11-01) or for a duration (7d, 12h, 2w)')
    .option('--limit <n>', 'at most this many', count('--limit', 1), DEFAULT_LIST_LIMIT)
    .option('--offset <n>', 'skip this many first (the newest)', count('--offset', 0), 0)
    .action(async (o: ListOptions, cmd: Command) => {
      if (o.json && o.csv) throw new SportelloError('USAGE', '--json and --csv exclude each other', { hint: 'pick one' });
      const status = o.status?.split(',').map((s) => s.trim()) as CaseStatus[] | undefined;
      const bad = status?.filter((s) => !CASE_STATUSES.includes(s));
      if (bad?.length) throw new SportelloError('USAGE', `unknown status ${bad.join(', ')}`, { hint: `use ${CASE_STATUSES.join(', ')}` });
      await deps.withStore(cmd, async (store, cfg) => {
        const desk = o.desk ? knownDesk(cfg, o.desk).id : undefined;
        const assignee = o.assignee === undefined ? undefined : o.assignee.trim().toLowerCase() === 'none' ? null : o.assignee.trim();
        const list = await store.listCases({
          desk, status, limit: o.limit, offset: o.offset, assignee, newestFirst: true,
          ...(o.category !== undefined ? { category: o.category.trim() } : {}),
          ...(o.requester !== undefined ? { requester: o.requester.trim() } : {}),
          ...(o.since !== undefined ? { since: parseSince(o.since, new Date(), cfg.timezone) } : {}),
        });
        if (o.csv) process.stdout.write(casesCsv(list));
        else deps.print(o.json ? JSON.stringify(list.map(caseJson), null, 2) : casesTable(list, cfg.timezone));
      });
    });

  cases
    .command('show')
    .description('show one case with its messages and events')
    .argument('<id>', 'case id, e.g. IT-12')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }, cmd: Command) => {
      await deps.withStore(cmd, async (store, cfg) => {
        const c = await store.getCaseDetail(id);
        if (!c) throw new SportelloError('CASE_NOT_FOUND', `no case ${id}`, { hint: 'list cases with "sportello cases list"' });
        deps.print(o.json ? JSON.stringify(caseDetailJson(c), null, 2) : caseText(c, cfg.timezone));
      });
    });

  cases
    .command('update')
    .description('change category, priority, status or assignee; the SLA is recomputed, the requester told if the due time moves, a new assignee told as by #assign')
    .argument('<id>', 'case id, e.g. IT-12')
    .option('--category <id>', 'new category')
    .addOption(new Option('--priority <p>', 'new priority').choices([...PRIORITIES]))
    .addOption(new Option('--status <s>', 'new status (waiting pauses the SLA clock)').choices([...CASE_STATUSES]))
    .option('--assignee <agent>', 'an agent of the case\'s desk (address, or name as #assign takes it), or "none"')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { category?: string; priority?: Priority; status?: CaseStatus; assignee?: string; json?: boolean }, cmd: Command) => {
      if (!o.category && !o.priority && !o.status && o.assignee === undefined) {
        throw new SportelloError('USAGE', 'nothing to change', { hint: 'pass --category, --priority, --status or --assignee' });
      }
      await deps.withApp(cmd, async (app) => {
        const changes = { category: o.category, priority: o.priority, status: o.status, ...(o.assignee !== undefined ? { assignee: o.assignee } : {}) };
        const r = await app.updateCase(id, changes, cliActor());
        const zone = app.config.timezone;
        deps.print(o.json ? JSON.stringify(r, null, 2) : `${r.id}: status ${r.status}, assignee ${r.assignee ?? '-'}, due ${shortTime(r.dueAt, zone)} ${zone}${r.dueMoved ? ' (moved; requester notified)' : ''}`);
      });
    });
}
