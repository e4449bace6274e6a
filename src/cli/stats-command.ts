// `sportello stats`: the figures a desk lead looks at — requests, first response and resolution times
// (wall-clock and business time), promises kept, satisfaction, and a weekday × hour heat-map of when
// people write. Reads the store and the rules' calendars; changes nothing.

import type { Command } from 'commander';
import type { Config } from '../config/schema.js';
import { SportelloError } from '../errors.js';
import { openSqliteStore } from '../adapters/sqlite-store.js';
import { deskRulesOf, loadRules, suggestion } from '../rules/index.js';
import { deskStats, type DeskStats, type Durations } from '../stats/report.js';

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const SHADES = ' ░▒▓█';

export function addStatsCommand(prog: Command, deps: { config: (cmd: Command) => Promise<Config>; print: (s: string) => void }): void {
  prog
    .command('stats')
    .description('first response, resolution time, promises kept, satisfaction and peak hours per desk')
    .option('--since <days>', 'look back this many days', '30')
    .option('--desk <id>', 'only this desk')
    .option('--json', 'print JSON')
    .action(async (o: { since: string; desk?: string; json?: boolean }, cmd: Command) => {
      const days = Number(o.since);
      if (!Number.isFinite(days) || days <= 0) throw new SportelloError('USAGE', `--since "${o.since}" is not a number of days`, { hint: 'e.g. --since 30' });
      const config = await deps.config(cmd);
      if (o.desk) knownDesk(config, o.desk);
      const loaded = await loadRules(config.rulesDir);
      const store = await openSqliteStore(config.database, { mode: 'read' });
      try {
        const { cases, requesterMails } = await store.statsData(new Date(Date.now() - days * 86_400_000));
        const desks = config.desks.filter((d) => !o.desk || d.id.toUpperCase() === o.desk.toUpperCase());
        const report = desks.map((d) => {
          const rules = deskRulesOf(loaded.ruleSet, d.id);
          const calendar = rules?.calendar ?? null;
          const stats = cases.map((c) => ({ ...c, rating: c.rating?.score ?? null, kind: c.kind ?? 'case', incident: c.incident ?? null }));
          return deskStats(d.id, stats, requesterMails.filter((m) => m.desk === d.id).map((m) => m.at), calendar, calendar?.timezone ?? config.timezone);
        });
        deps.print(o.json ? JSON.stringify({ sinceDays: days, desks: report }, null, 2) : report.map(render).join('\n\n'));
      } finally {
        await store.close();
      }
    });
}

/** The configured desk `--desk` names (any case); an unknown one is a usage error, not an empty report. */
export function knownDesk(config: Config, id: string): Config['desks'][number] {
  const desk = config.desks.find((d) => d.id.toUpperCase() === id.toUpperCase());
  if (desk) return desk;
  const ids = config.desks.map((d) => d.id);
  throw new SportelloError('USAGE', `unknown desk "${id}"${suggestion(id, ids)}`, { hint: `desks: ${ids.join(', ')}` });
}

const mins = (m: number | null) => (m === null ? '-' : m < 60 ? `${Math.round(m)} min` : m < 2880 ? `${(m / 60).toFixed(1)} h` : `${(m / 1440).toFixed(1)} d`);
const pct = (x: number | null) => (x === null ? '-' : `${Math.round(x * 100)} %`);
const dur = (d: Durations) => `median ${mins(d.medianMinutes)}, p90 ${mins(d.p90Minutes)}${d.medianBusinessMinutes !== null ? `, median business time ${mins(d.medianBusinessMinutes)}` : ''} (${d.count} cases)`;

function render(s: DeskStats): string {
  const max = Math.max(1, ...s.peakHours.flat());
  const heat = s.peakHours.map((row, i) => `  ${DAYS[i]} ${row.map((n) => SHADES[Math.ceil((n / max) * (SHADES.length - 1))]).join('')}`);
  return [
    `${s.desk}: ${s.opened} opened, ${s.resolved} resolved, ${s.backlog} open now`,
    `  categories      ${Object.entries(s.byCategory).sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(', ') || '-'}`,
    `  first response  ${dur(s.firstResponse)}; on time ${pct(s.firstResponseOnTime)}`,
    `  resolution      ${dur(s.resolution)}; on time ${pct(s.resolvedOnTime)}`,
    `  satisfaction    ${s.rating.average === null ? '-' : `${s.rating.average.toFixed(1)} / 5`} (${s.rating.count} ratings)`,
    `  incidents       ${s.incidents.count}${s.incidents.count ? `: ${s.incidents.members} cases linked, median size ${s.incidents.medianSize}, largest ${s.incidents.largest}; resolved ${dur(s.incidents.resolution)}` : ''}`,
    `  peak hours (${s.timezone})${s.busiest ? `: busiest ${DAYS[s.busiest.weekday]} ${String(s.busiest.hour).padStart(2, '0')}:00 (${s.busiest.mails} mails)` : ''}`,
    '      0     6     12    18   23',
    ...heat,
  ].join('\n');
}
