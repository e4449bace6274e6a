// Decides what `sportello status` makes of the reports every daemon saved (several share a PostgreSQL
// store): which are fresh, which daemon speaks for each desk, which problems show, and how long a report
// is kept. Pure: trusts the reports' times and the given `now`; must never read a store or a mailbox.

import type { DeskHealth, DeskState, HealthSnapshot, SavedDaemonStatus } from './snapshot.js';

/** A daemon's saved report, `at` being when the store saved it. */
export type SavedReport = SavedDaemonStatus & { readonly at: string };

/** A report saved longer ago than this is deleted by the next save of any daemon: it stopped or went silent long ago. */
export const REPORT_KEPT_MS = 24 * 60 * 60 * 1000;

/** Reports saved before this instant are forgotten. */
export const forgetReportsBefore = (now: Date): Date => new Date(now.getTime() - REPORT_KEPT_MS);

export interface MergedReports {
  /** running: a fresh report; stopped: the newest report says it stopped cleanly; silent: it went stale; unknown: none. */
  readonly state: 'running' | 'stopped' | 'silent' | 'unknown';
  /** The report that speaks for the daemons: the newest fresh one, else the newest one; null when none. */
  readonly summary: SavedReport | null;
  /** Desks and problems from the fresh reports; null when none is fresh (the command looks for itself). */
  readonly fresh: Pick<HealthSnapshot, 'desks' | 'store' | 'smtp' | 'rules' | 'templates'> | null;
  /** Per desk, its last completed pass in any report, fresh or not: what a look of our own cannot know. */
  readonly lastPassAt: ReadonlyMap<string, string>;
}

/**
 * Which entry speaks for a desk when several fresh reports name it. A daemon working the mailbox
 * (connected or down) beats one still starting (a daemon just started reports every desk starting until
 * its first heartbeat tells it which it owns), which beats one saying another daemon owns it.
 */
const WORKS: Readonly<Record<DeskState, number>> = { connected: 2, down: 2, starting: 1, elsewhere: 0 };

const time = (iso: string) => Date.parse(iso);

export function mergeReports(reports: readonly SavedReport[], now: Date, staleAfterMs: number): MergedReports {
  // Newest first; the sort is stable, so equal times keep the store's order.
  const newest = [...reports].sort((a, b) => time(b.at) - time(a.at));
  const fresh = newest.filter((r) => r.stoppedAt === null && now.getTime() - time(r.at) <= staleAfterMs);
  const summary = fresh[0] ?? newest[0] ?? null;
  const state = fresh.length ? 'running' : !summary ? 'unknown' : summary.stoppedAt ? 'stopped' : 'silent';
  return { state, summary, fresh: fresh.length ? mergeFresh(fresh) : null, lastPassAt: lastPasses(newest) };
}

/** `fresh` newest first: each desk from the report that works it, each problem from any report that has one. */
function mergeFresh(fresh: readonly SavedReport[]): NonNullable<MergedReports['fresh']> {
  const desks = new Map<string, DeskHealth>();
  for (const report of fresh) {
    for (const desk of report.desks) {
      const chosen = desks.get(desk.id);
      if (!chosen || WORKS[desk.state] > WORKS[chosen.state]) desks.set(desk.id, desk);
    }
  }
  // A problem anywhere is shown: the newest report that has one.
  const first = <T>(of: (r: SavedReport) => T | null): T | null => fresh.map(of).find((p) => p !== null) ?? null;
  return { desks: [...desks.values()], store: first((r) => r.store), smtp: first((r) => r.smtp), rules: first((r) => r.rules), templates: first((r) => r.templates) };
}

function lastPasses(reports: readonly SavedReport[]): Map<string, string> {
  const last = new Map<string, string>();
  for (const desk of reports.flatMap((r) => r.desks)) {
    const seen = last.get(desk.id);
    if (desk.lastPassAt && (!seen || time(desk.lastPassAt) > time(seen))) last.set(desk.id, desk.lastPassAt);
  }
  return last;
}
