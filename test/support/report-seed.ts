// Fills a real SQLite store, through the store's own API, with twelve weeks of a plausible IT desk:
// requests at office hours (more on Monday mornings), first answers, resolutions (a slow category),
// promises with forecasts, a few reopened cases, ratings and an open backlog of mixed ages. Deterministic
// (seeded generator, fixed instants); for the report and stats tests. Never depends on the real clock.
import { openSqliteStore } from '../../src/adapters/sqlite-store.js';
import type { CasePromise } from '../../src/forecast/promise.js';
import { seededRandom } from '../../src/classify/linear-model.js';
import { routing } from './fakes.js';

/** The instant the seeded history ends (a Friday afternoon); report "now" in tests. */
export const SEED_NOW = new Date('2026-11-27T16:00:00.000Z');

const CATEGORIES = [
  { id: 'hardware', weight: 4, hours: 14 },
  { id: 'network', weight: 3, hours: 5 },
  { id: 'access', weight: 3, hours: 2 },
  { id: 'software', weight: 2, hours: 9 },
] as const;
const HOUR = 3_600_000;

export async function seedReportHistory(dbFile: string, count = 180): Promise<{ cases: number; open: number }> {
  const rnd = seededRandom(42);
  const pick = () => {
    let r = rnd() * CATEGORIES.reduce((n, c) => n + c.weight, 0);
    for (const c of CATEGORIES) if ((r -= c.weight) < 0) return c;
    return CATEGORIES[0];
  };
  const store = await openSqliteStore(dbFile);
  let open = 0;
  try {
    await store.transaction(async (tx) => {
      for (let i = 0; i < count; i++) {
        // Weekdays over 12 weeks, mornings busier, Mondays busiest.
        const daysBack = Math.floor(rnd() * 84);
        const day = new Date(SEED_NOW.getTime() - daysBack * 24 * HOUR);
        const weekday = day.getUTCDay();
        if (weekday === 0 || weekday === 6) continue;
        if (weekday !== 1 && rnd() < 0.25) continue;
        const hour = 7 + Math.floor(rnd() < 0.6 ? rnd() * 4 : 4 + rnd() * 5);
        const created = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), hour, Math.floor(rnd() * 60)));
        if (created >= SEED_NOW) continue;
        const category = pick();
        const priority = rnd() < 0.15 ? 'high' : 'normal';
        const expected = category.hours * HOUR;
        const promise: CasePromise = {
          seq: 1, at: new Date(created.getTime() + expected * 1.6).toISOString(), start: created.toISOString(), source: 'forecast', slaDueAt: new Date(created.getTime() + 16 * HOUR).toISOString(),
          forecast: { dueAt: new Date(created.getTime() + expected * 1.6).toISOString(), minutes: category.hours * 96, quantile: 0.8, quantileMinutes: category.hours * 96, comparable: 30, scope: 'category', ahead: 0, usualAhead: 0, loadMinutes: 0 },
          firstAt: new Date(created.getTime() + expected * 1.6).toISOString(),
        };
        const kase = await tx.createCase(
          {
            desk: 'IT', prefix: 'IT', subject: `Request ${i} about ${category.id}`, requester: { address: `user${i % 37}@example.test`, name: `User ${i % 37}` },
            routing: routing({ category: category.id, priority }),
            sla: { policy: 'standard', firstResponseMinutes: 240, resolutionMinutes: 960, firstResponseDueAt: new Date(created.getTime() + 4 * HOUR).toISOString(), dueAt: promise.slaDueAt, timezone: 'Europe/Madrid', open: true, opensAt: null, onCall: null, promise },
          },
          created,
        );
        await tx.addMessage({ caseId: kase.id, desk: 'IT', direction: 'in', kind: 'requester', messageId: `<seed-${i}@example.test>`, mail: { from: kase.requester, to: [{ address: 'it@example.test', name: '' }], cc: [], subject: kase.subject, date: created.toISOString(), text: 'help', inReplyTo: [], references: [] }, raw: null }, created);
        const firstResponse = new Date(created.getTime() + (0.2 + rnd() * 5) * HOUR);
        const resolved = new Date(created.getTime() + expected * (0.3 + rnd() * 2.2));
        if (firstResponse < SEED_NOW) await tx.setCaseFields(kase.id, { firstResponseAt: firstResponse.toISOString() }, firstResponse);
        if (resolved < SEED_NOW && rnd() < 0.93) {
          await tx.setStatus(kase.id, 'resolved', resolved);
          const rating = rnd() < 0.45 ? { score: Math.min(5, Math.max(1, Math.round(3.9 + (rnd() - 0.5) * 3))), comment: null, at: resolved.toISOString() } : undefined;
          await tx.setCaseFields(kase.id, { resolvedAt: resolved.toISOString(), ...(rating ? { rating } : {}) }, resolved);
          if (rnd() < 0.08) await tx.addEvents(kase.id, [{ type: 'reopened', actor: kase.requester.address, data: { by: 'requester' } }], resolved);
        } else {
          await tx.setStatus(kase.id, rnd() < 0.2 ? 'waiting' : 'open', created);
          open++;
        }
      }
    });
    return { cases: (await store.listCases({ limit: 10_000 })).length, open };
  } finally {
    await store.close();
  }
}
