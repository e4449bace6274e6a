// Gathers what `sportello stats`, `sportello report` and the listener's /report show: the store's
// statistics data for a period, each desk's calendar and zone from the rules, then the pure figures
// (src/stats). Reads only; one place so the command line and the listener never disagree.
import { deskName } from './desk-runtime.js';
import type { CaseStore } from '../ports.js';
import type { DeskConfig } from '../config/schema.js';
import type { DeskRules } from '../rules/index.js';
import { deskStats } from '../stats/report.js';
import { AGE_BUCKETS, categoryStats, DURATION_BUCKETS, histogram, promisesPerWeek, type PromiseStatsCase } from '../stats/promises.js';
import type { ReportData } from '../report/types.js';
import { businessMinutesBetween } from '../sla/index.js';

export async function gatherReport(
  store: Pick<CaseStore, 'statsData'>,
  desks: readonly DeskConfig[],
  rulesFor: (desk: string) => DeskRules | undefined,
  timezone: string,
  sinceDays: number,
  now: Date,
): Promise<ReportData> {
  const data = await store.statsData(new Date(now.getTime() - sinceDays * 86_400_000));
  const reopened = data.reopened ?? {};
  const cases: PromiseStatsCase[] = data.cases.map((c) => ({ ...c, rating: c.rating?.score ?? null, promise: c.promise ?? null, reopened: reopened[c.id] ?? 0, kind: c.kind ?? 'case', incident: c.incident ?? null }));
  return {
    generatedAt: now.toISOString(),
    sinceDays,
    desks: desks.map((d) => {
      const calendar = rulesFor(d.id)?.calendar ?? null;
      const mine = cases.filter((c) => c.desk === d.id);
      const minutes = (a: string, b: string) => (calendar ? businessMinutesBetween(calendar, new Date(a), new Date(b)) : (Date.parse(b) - Date.parse(a)) / 60_000);
      const mails = data.requesterMails.filter((m) => m.desk === d.id).map((m) => m.at);
      return {
        desk: d.id,
        name: deskName(d),
        stats: deskStats(d.id, mine, mails, calendar, calendar?.timezone ?? timezone),
        categories: categoryStats(d.id, mine, calendar, now),
        weeks: promisesPerWeek(d.id, mine),
        firstResponse: histogram(mine.filter((c) => c.firstResponseAt).map((c) => minutes(c.createdAt, c.firstResponseAt!)), DURATION_BUCKETS),
        resolution: histogram(mine.filter((c) => c.resolvedAt).map((c) => minutes(c.createdAt, c.resolvedAt!)), DURATION_BUCKETS),
        backlogAges: histogram(mine.filter((c) => ['new', 'open', 'waiting'].includes(c.status)).map((c) => (now.getTime() - Date.parse(c.createdAt)) / 60_000), AGE_BUCKETS),
        ratings: [1, 2, 3, 4, 5].map((score) => mine.filter((c) => c.rating === score).length),
      };
    }),
  };
}
