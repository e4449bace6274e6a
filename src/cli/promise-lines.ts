// The desk history `classify` and `preview` forecast a promise from (present.ts promiseLine explains it).
// Reads the store only, read-only; a missing database means no history (the SLA decides), never an error.
import type { Config } from '../config/schema.js';
import { openExistingStore } from '../app.js';
import type { HistoryCase } from '../forecast/index.js';
import type { DeskRules } from '../rules/index.js';
import { historyWindow } from '../routing/promise-plan.js';

/** The desk's history for forecasting, or null when there is no database yet (the SLA decides then). */
export async function deskHistory(config: Config, desk: string, rules: DeskRules | undefined, now: Date): Promise<HistoryCase[] | null> {
  const store = await openExistingStore(config);
  if (!store) return null;
  try {
    return await store.promiseHistory(desk, historyWindow(rules, now));
  } finally {
    await store.close();
  }
}
