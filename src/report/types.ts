// The figures one report shows, per desk: what src/shell/report-data.ts gathers and src/report/html.ts
// draws (and `sportello stats --json` prints). Plain data, no behaviour.
import type { DeskStats } from '../stats/report.js';
import type { Bucket, CategoryStats, WeekPromises } from '../stats/promises.js';

export interface DeskReport {
  readonly desk: string;
  readonly name: string;
  readonly stats: DeskStats;
  /** The desk row ("*") first, then one per category. */
  readonly categories: readonly CategoryStats[];
  readonly weeks: readonly WeekPromises[];
  /** Business time (wall-clock without a calendar). */
  readonly firstResponse: readonly Bucket[];
  readonly resolution: readonly Bucket[];
  readonly backlogAges: readonly Bucket[];
  /** Ratings 1 to 5: how many of each. */
  readonly ratings: readonly number[];
}

export interface ReportData {
  readonly generatedAt: string;
  readonly sinceDays: number;
  readonly desks: readonly DeskReport[];
}
