// The merge of every daemon's saved report for `sportello status`, table-driven: which reports are fresh,
// the daemon summary, each desk from the daemon that works it, a problem from any fresh report, the last
// pass per desk for a look of our own, and the bound after which a report is forgotten.

import { describe, expect, it } from 'vitest';
import { forgetReportsBefore, mergeReports, REPORT_KEPT_MS, type SavedReport } from '../../../src/health/daemon-reports.js';
import type { DeskHealth, DeskState } from '../../../src/health/snapshot.js';

const NOW = new Date('2026-03-02T09:00:00.000Z');
const STALE_MS = 50_000;
/** An ISO time `s` seconds before NOW. */
const ago = (s: number) => new Date(NOW.getTime() - s * 1000).toISOString();
const problem = (code: string) => ({ code, message: `${code} here`, since: ago(600) });

const desk = (id: string, state: DeskState, lastPassAt: string | null = null): DeskHealth => ({
  id, state, lastPassAt, backlog: state === 'connected' ? 0 : null,
  problem: state === 'down' ? problem('IMAP_AUTH') : null,
});

/** A report by host `host` (pid 1) saved `savedAgo` seconds ago; desks as given; stopped when `stopped`. */
const report = (host: string, savedAgo: number, desks: DeskHealth[], over: Partial<SavedReport> = {}): SavedReport => ({
  at: ago(savedAgo), pollSeconds: 60, daemon: { host, pid: 1, startedAt: ago(3600) }, desks,
  store: null, smtp: null, rules: null, templates: null, stoppedAt: null, ...over,
});

const merge = (...reports: SavedReport[]) => mergeReports(reports, NOW, STALE_MS);
const statesOf = (m: ReturnType<typeof merge>) => m.fresh?.desks.map((d) => `${d.id}:${d.state}@${d.lastPassAt === null ? '-' : (NOW.getTime() - Date.parse(d.lastPassAt)) / 1000}`) ?? null;

describe('mergeReports: the daemon summary', () => {
  it.each<[string, SavedReport[], string, string | null]>([
    ['no report', [], 'unknown', null],
    ['one fresh report', [report('a', 10, [])], 'running', 'a'],
    ['one report exactly staleAfterMs old', [report('a', 50, [])], 'running', 'a'],
    ['one report just past staleAfterMs', [report('a', 50.001, [])], 'silent', 'a'],
    ['one report stopped cleanly a moment ago', [report('a', 1, [], { stoppedAt: ago(1) })], 'stopped', 'a'],
    ['two fresh: the newest speaks', [report('a', 20, []), report('b', 5, [])], 'running', 'b'],
    ['a fresh one beats a newer stopped one', [report('a', 20, []), report('b', 5, [], { stoppedAt: ago(5) })], 'running', 'a'],
    ['none fresh, the newest stopped', [report('a', 900, []), report('b', 600, [], { stoppedAt: ago(600) })], 'stopped', 'b'],
    ['none fresh, the newest went silent', [report('a', 900, [], { stoppedAt: ago(900) }), report('b', 600, [])], 'silent', 'b'],
  ])('%s', (_what, reports, state, host) => {
    const m = merge(...reports);

    expect(m.state).toBe(state);
    expect(m.summary?.daemon?.host ?? null).toBe(host);
    expect(m.fresh === null).toBe(state !== 'running');
  });
});

describe('mergeReports: each desk from the daemon that works it', () => {
  it.each<[string, SavedReport[], string[]]>([
    ['one daemon: its desks as it reported them, in its order', [report('a', 5, [desk('IT', 'connected', ago(5)), desk('HR', 'down')])], ['IT:connected@5', 'HR:down@-']],
    [
      'two daemons each working one desk, the other desk elsewhere on each',
      [report('a', 5, [desk('IT', 'connected', ago(5)), desk('HR', 'elsewhere', ago(900))]), report('b', 10, [desk('IT', 'elsewhere'), desk('HR', 'down', ago(400))])],
      ['IT:connected@5', 'HR:down@400'],
    ],
    [
      'two daemons working one desk (a hand-over): the newest report',
      [report('a', 30, [desk('IT', 'connected', ago(30))]), report('b', 10, [desk('IT', 'down')])],
      ['IT:down@-'],
    ],
    [
      'a daemon just started (every desk starting) does not hide the one working the desk',
      [report('a', 20, [desk('IT', 'connected', ago(20))]), report('b', 1, [desk('IT', 'starting')])],
      ['IT:connected@20'],
    ],
    ['starting beats elsewhere', [report('a', 1, [desk('IT', 'elsewhere')]), report('b', 20, [desk('IT', 'starting')])], ['IT:starting@-']],
    [
      'worked by nobody now: the newest report saying elsewhere',
      [report('a', 20, [desk('IT', 'elsewhere', ago(300))]), report('b', 10, [desk('IT', 'elsewhere', ago(200))])],
      ['IT:elsewhere@200'],
    ],
    [
      'a stale or stopped report does not speak for a desk',
      [report('a', 5, [desk('IT', 'elsewhere')]), report('b', 60, [desk('IT', 'connected', ago(60))]), report('c', 2, [desk('IT', 'connected', ago(2))], { stoppedAt: ago(2) })],
      ['IT:elsewhere@-'],
    ],
    [
      'a desk only an older fresh report names comes after the newest report\'s desks',
      [report('a', 20, [desk('XX', 'connected', ago(20)), desk('IT', 'elsewhere')]), report('b', 5, [desk('IT', 'connected', ago(5))])],
      ['IT:connected@5', 'XX:connected@20'],
    ],
  ])('%s', (_what, reports, desks) => {
    expect(statesOf(merge(...reports))).toEqual(desks);
  });
});

describe('mergeReports: problems from any fresh report', () => {
  const smtp = { ...problem('SMTP_AUTH'), pausedUntil: ago(-60) };

  it.each<[string, SavedReport[], Record<string, string | null>]>([
    ['none anywhere', [report('a', 5, []), report('b', 10, [])], { store: null, smtp: null, rules: null, templates: null }],
    [
      'each from the report that has it',
      [report('a', 5, [], { store: problem('STORE') }), report('b', 10, [], { smtp, rules: problem('RULES_INVALID') }), report('c', 20, [], { templates: problem('TEMPLATE_INVALID') })],
      { store: 'STORE', smtp: 'SMTP_AUTH', rules: 'RULES_INVALID', templates: 'TEMPLATE_INVALID' },
    ],
    [
      'the newest report\'s when two have one',
      [report('a', 20, [], { store: problem('STORE_OLD') }), report('b', 5, [], { store: problem('STORE') })],
      { store: 'STORE', smtp: null, rules: null, templates: null },
    ],
    [
      'none from a stale or stopped report',
      [report('a', 5, []), report('b', 60, [], { store: problem('STORE') }), report('c', 1, [], { smtp, stoppedAt: ago(1) })],
      { store: null, smtp: null, rules: null, templates: null },
    ],
  ])('%s', (_what, reports, codes) => {
    const f = merge(...reports).fresh!;

    expect({ store: f.store?.code ?? null, smtp: f.smtp?.code ?? null, rules: f.rules?.code ?? null, templates: f.templates?.code ?? null }).toEqual(codes);
  });
});

describe('mergeReports: the last pass per desk, fresh or not', () => {
  it('is the latest lastPassAt any report gives, for the desks the command then checks itself', () => {
    const m = merge(
      report('a', 900, [desk('IT', 'connected', ago(950)), desk('HR', 'starting')]),
      report('b', 600, [desk('IT', 'elsewhere', ago(1200)), desk('HR', 'connected', ago(700))], { stoppedAt: ago(600) }),
    );

    expect(m.fresh).toBeNull();
    expect(Object.fromEntries(m.lastPassAt)).toEqual({ IT: ago(950), HR: ago(700) });
  });
});

describe('forgetReportsBefore', () => {
  it('keeps a day of reports', () => {
    expect(REPORT_KEPT_MS).toBe(24 * 60 * 60 * 1000);
    expect(forgetReportsBefore(NOW).toISOString()).toBe('2026-03-01T09:00:00.000Z');
  });
});
