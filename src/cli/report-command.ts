// `sportello report --out report.html [--since 90] [--desk IT]`: the service report as one
// self-contained HTML file (charts inline, light and dark, no network needed to view it). Reads the
// store and the rules' calendars; writes only the file it is told to.
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Config } from '../config/schema.js';
import { SportelloError } from '../errors.js';
import type { CaseStore } from '../ports.js';
import { deskRulesOf, loadRules } from '../rules/index.js';
import { gatherReport } from '../shell/report-data.js';
import { renderReport } from '../report/html.js';
import { knownDesk } from './stats-command.js';

export function addReportCommand(prog: Command, deps: { config: (cmd: Command) => Promise<Config>; print: (s: string) => void; openStore: (config: Config, mode: 'read') => Promise<CaseStore> }): void {
  prog
    .command('report')
    .description('write the service report (peak hours, response and resolution times, promises kept, calibration, satisfaction, backlog) as one HTML file')
    .requiredOption('--out <file>', 'HTML file to write, e.g. report.html')
    .option('--since <days>', 'look back this many days', '90')
    .option('--desk <id>', 'only this desk')
    .option('--at <iso>', 'the report as of this instant (ISO 8601) instead of now')
    .action(async (o: { out: string; since: string; desk?: string; at?: string }, cmd: Command) => {
      const now = o.at ? new Date(o.at) : new Date();
      if (Number.isNaN(now.getTime())) throw new SportelloError('USAGE', `--at "${o.at}" is not an ISO 8601 instant`, { hint: 'e.g. --at 2026-11-27T16:00:00Z' });
      const days = Number(o.since);
      if (!Number.isInteger(days) || days <= 0) throw new SportelloError('USAGE', `--since "${o.since}" is not a whole number of days`, { hint: 'e.g. --since 90' });
      const config = await deps.config(cmd);
      const desks = o.desk ? [knownDesk(config, o.desk)] : config.desks;
      const loaded = await loadRules(config.rulesDir);
      const store = await deps.openStore(config, 'read');
      try {
        const data = await gatherReport(store, desks, (id) => deskRulesOf(loaded.ruleSet, id), config.timezone, days, now);
        const html = renderReport(data);
        await writeFile(o.out, html).catch((cause: unknown) => {
          throw new SportelloError('USAGE', `cannot write ${o.out}: ${(cause as Error).message}`, { cause, hint: 'choose a writable path for --out' });
        });
        deps.print(`wrote ${o.out} (${desks.map((d) => d.id).join(', ')}, last ${days} days, ${Math.round(html.length / 1024)} KiB)`);
      } finally {
        await store.close();
      }
    });
}
