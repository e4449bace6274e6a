// `sportello status [--json]`: the daemon's health for a person — per desk connection, backlog and last
// pass, outbox, quarantine, oldest open case, rules and templates — from the running daemons' stored
// reports, or from a read-only look of its own when no daemon reports. Changes nothing.

import type { Command } from 'commander';
import type { Config } from '../config/schema.js';
import { statusReport } from '../app.js';
import type { StatusReport } from '../shell/status.js';
import { shortTime, table } from './present.js';

export function addStatusCommand(prog: Command, deps: { config: (cmd: Command) => Promise<Config>; print: (s: string) => void }): void {
  prog
    .command('status')
    .description('health for a person: desks, backlog, last pass, outbox, quarantine, oldest open case, rules, templates')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }, cmd: Command) => {
      const config = await deps.config(cmd);
      const report = await statusReport(config);
      deps.print(o.json ? JSON.stringify(report, null, 2) : statusText(report, config.timezone));
    });
}

const ago = (iso: string | null, now: string): string => {
  if (!iso) return '-';
  const s = Math.max(0, Math.round((Date.parse(now) - Date.parse(iso)) / 1000));
  return s < 120 ? `${s} s ago` : s < 7200 ? `${Math.round(s / 60)} min ago` : `${Math.round(s / 3600)} h ago`;
};

export function statusText(r: StatusReport, timeZone = 'UTC'): string {
  const t = (iso: string | null) => shortTime(iso, timeZone);
  const d = r.daemon;
  const who = d.host ? ` on host ${d.host} pid ${d.pid ?? '?'} since ${t(d.since)}` : '';
  const daemon = {
    running: `running${who} (last report ${ago(d.reportedAt, r.at)})`,
    stopped: `stopped cleanly at ${t(d.reportedAt)}${d.host ? ` (was on host ${d.host} pid ${d.pid ?? '?'})` : ''}`,
    silent: `not reporting since ${t(d.reportedAt)}${d.host ? ` (was on host ${d.host} pid ${d.pid ?? '?'})` : ''}: not running, or stuck`,
    unknown: 'never seen running with this database',
  }[d.state];
  const ok = (p: { code: string; message: string } | null) => (p ? `FAILING — ${p.code}: ${p.message}` : 'ok');
  const lines = [
    `Sportello ${r.ready ? 'READY' : 'NOT READY'} at ${t(r.at)} (${timeZone})`,
    `daemon      ${daemon}`,
    '',
    `desks (${r.desksFrom === 'daemon' ? "from the daemon's report" : 'checked now, read-only'}):`,
    table(
      ['DESK', 'STATE', 'BACKLOG', 'LAST PASS', 'PROBLEM'],
      r.desks.map((desk) => [desk.id, desk.state, desk.backlog === null ? '-' : String(desk.backlog), desk.lastPassAt ? `${t(desk.lastPassAt)} (${ago(desk.lastPassAt, r.at)})` : '-', desk.problem ? `${desk.problem.code}: ${desk.problem.message}` : '-']),
      120,
    ),
    '',
    `outbox      ${r.outbox.pending} pending, ${r.outbox.failed} failed, ${r.outbox.uncertain} uncertain${r.outbox.failed + r.outbox.uncertain > 0 ? ' (see: sportello outbox)' : ''}`,
    `quarantine  ${r.quarantine} mail(s)${r.quarantine > 0 ? ' (see: sportello quarantine)' : ''}`,
    `oldest open ${r.oldestOpenCase ? `${r.oldestOpenCase.id} (${r.oldestOpenCase.status}) since ${t(r.oldestOpenCase.createdAt)}: ${r.oldestOpenCase.subject}` : 'none'}`,
    `store       ${ok(r.store)}`,
    `smtp        ${r.smtp ? `PAUSED until ${t(r.smtp.pausedUntil)} — ${r.smtp.code}: ${r.smtp.message}` : r.desksFrom === 'daemon' ? 'ok' : '- (known only while the daemon runs)'}`,
    `rules       ${ok(r.rules)}`,
    `templates   ${ok(r.templates)}`,
  ];
  if (r.fleet) {
    const f = r.fleet;
    const who = (o: { host: string | null; pid: number | null }) => `${o.host ?? '?'} pid ${o.pid ?? '?'}`;
    lines.push(
      '',
      `fleet (several daemons; ${f.instances.length} live: ${f.instances.map(who).join(', ') || 'none'}; housekeeping ${f.housekeeping ? `on ${who(f.housekeeping)}` : 'held by nobody now'}):`,
      table(
        ['MAILBOX', 'OWNER', 'INSTANCE', 'EPOCH', 'LEASE UNTIL'],
        f.mailboxes.map((m) => [m.desk, m.owner ? who(m) : 'nobody (taken within one lease period)', m.owner ?? '-', String(m.epoch), m.leaseUntil ? t(m.leaseUntil) : '-']),
        120,
      ),
    );
  }
  if (r.problems.length) lines.push('', 'problems:', ...r.problems.map((p) => `  ${p.desk ?? p.component}: ${p.code}: ${p.message}`));
  return lines.join('\n');
}
