// `sportello stats`: the figures a desk lead looks at — requests, first response and resolution times
// (wall-clock and business time), promises kept, forecast calibration, reopen rate, backlog age and
// satisfaction per desk and category, and a weekday × hour heat-map of when people write; every table
// also as CSV. Reads the store and the rules' calendars; changes nothing.

import { Option, type Command } from 'commander';
import type { Config } from '../config/schema.js';
import { SportelloError } from '../errors.js';
import type { StoreMode } from '../adapters/sqlite-store.js';
import type { CaseStore } from '../ports.js';
import { deskRulesOf, loadRules, suggestion } from '../rules/index.js';
import type { DeskStats, Durations } from '../stats/report.js';
import { csv, type CategoryStats } from '../stats/promises.js';
import type { DeskReport, ReportData } from '../report/types.js';
import { gatherReport } from '../shell/report-data.js';
import { table } from './present.js';

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const SHADES = ' ░▒▓█';

export function addStatsCommand(prog: Command, deps: { config: (cmd: Command) => Promise<Config>; print: (s: string) => void; openStore: (config: Config, mode: StoreMode) => Promise<CaseStore> }): void {
  prog
    .command('stats')
    .description('first response, resolution time, promises kept, satisfaction and peak hours per desk')
    .option('--since <days>', 'look back this many days', '30')
    .option('--desk <id>', 'only this desk')
    .option('--json', 'print JSON')
    .addOption(new Option('--csv <table>', 'print one table as RFC 4180 CSV').choices([...CSV_TABLES]))
    .action(async (o: { since: string; desk?: string; json?: boolean; csv?: CsvTable }, cmd: Command) => {
      const days = Number(o.since);
      if (!Number.isFinite(days) || days <= 0) throw new SportelloError('USAGE', `--since "${o.since}" is not a number of days`, { hint: 'e.g. --since 30' });
      const config = await deps.config(cmd);
      if (o.desk) knownDesk(config, o.desk);
      const loaded = await loadRules(config.rulesDir);
      const store = await deps.openStore(config, 'read');
      try {
        const desks = config.desks.filter((d) => !o.desk || d.id.toUpperCase() === o.desk.toUpperCase());
        const data = await gatherReport(store, desks, (id) => deskRulesOf(loaded.ruleSet, id), config.timezone, days, new Date());
        if (o.csv) deps.print(statsCsv(data, o.csv).trimEnd());
        else deps.print(o.json ? JSON.stringify({ sinceDays: days, desks: data.desks.map((d) => ({ ...d.stats, categories: d.categories, weeks: d.weeks })) }, null, 2) : data.desks.map(render).join('\n\n'));
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

function render(d: DeskReport): string {
  return [renderDesk(d.stats), '', categoriesText(d.categories)].join('\n');
}

function categoriesText(rows: readonly CategoryStats[]): string {
  return table(
    ['CATEGORY', 'OPENED', 'RESOLVED', 'KEPT', 'CALIBRATION', '1ST RESP', 'RESOLUTION', 'REOPENED', 'OPEN', 'OLDEST', 'RATING'],
    rows.map((c) => [
      c.category === '*' ? '(all)' : c.category,
      String(c.opened),
      String(c.resolved),
      pct(c.promisesKept),
      c.forecasts ? `${pct(c.calibration)} / ${pct(c.quantileAsked)}` : '-',
      mins(c.medianFirstResponseBusinessMinutes),
      mins(c.medianResolutionBusinessMinutes),
      pct(c.reopenRate),
      String(c.backlog),
      mins(c.backlogOldestMinutes),
      c.satisfaction === null ? '-' : c.satisfaction.toFixed(1),
    ]),
  ).replace(/^/gm, '  ');
}

const CSV_TABLES = ['desks', 'categories', 'peak-hours', 'weeks', 'backlog'] as const;
type CsvTable = (typeof CSV_TABLES)[number];

/** One table of the report as CSV; durations in business minutes, shares as fractions, times ISO 8601. */
export function statsCsv(data: ReportData, which: CsvTable): string {
  const num = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 1000);
  switch (which) {
    case 'desks':
      return csv([
        ['desk', 'opened', 'resolved', 'backlog', 'firstResponseMedianMinutes', 'firstResponseMedianBusinessMinutes', 'resolutionMedianMinutes', 'resolutionMedianBusinessMinutes', 'resolvedOnTime', 'ratings', 'ratingAverage'],
        ...data.desks.map(({ stats: s }) => [s.desk, s.opened, s.resolved, s.backlog, num(s.firstResponse.medianMinutes), num(s.firstResponse.medianBusinessMinutes), num(s.resolution.medianMinutes), num(s.resolution.medianBusinessMinutes), num(s.resolvedOnTime), s.rating.count, num(s.rating.average)]),
      ]);
    case 'categories':
      return csv([
        ['desk', 'category', 'opened', 'resolved', 'promised', 'promisesKept', 'forecasts', 'calibration', 'quantileAsked', 'firstResponseMedianBusinessMinutes', 'resolutionMedianBusinessMinutes', 'reopenRate', 'backlog', 'backlogMedianAgeMinutes', 'backlogOldestMinutes', 'ratings', 'satisfaction'],
        ...data.desks.flatMap((d) => d.categories.map((c) => [c.desk, c.category, c.opened, c.resolved, c.promised, num(c.promisesKept), c.forecasts, num(c.calibration), c.quantileAsked, num(c.medianFirstResponseBusinessMinutes), num(c.medianResolutionBusinessMinutes), num(c.reopenRate), c.backlog, num(c.backlogMedianAgeMinutes), num(c.backlogOldestMinutes), c.ratings, num(c.satisfaction)])),
      ]);
    case 'peak-hours':
      return csv([['desk', 'timezone', 'weekday', ...Array.from({ length: 24 }, (_, h) => `h${String(h).padStart(2, '0')}`)], ...data.desks.flatMap((d) => d.stats.peakHours.map((row, i) => [d.desk, d.stats.timezone, DAYS[i]!, ...row])) ]);
    case 'weeks':
      return csv([['desk', 'week', 'kept', 'missed'], ...data.desks.flatMap((d) => d.weeks.map((w) => [d.desk, w.week, w.kept, w.missed]))]);
    case 'backlog':
      return csv([['desk', 'age', 'cases'], ...data.desks.flatMap((d) => d.backlogAges.map((b) => [d.desk, b.label, b.count]))]);
  }
}

function renderDesk(s: DeskStats): string {
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
