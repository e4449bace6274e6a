// The daily jobs: retention (drop raw sources and old closed cases), the notice about replies parked
// as uncertain, and the promise watch (src/shell/promise-watch.ts: updates before a promise is missed,
// checked every pass; the forecast digest, once a day). Each is claimed per calendar day in the store inside the transaction that does the work,
// so restarts, `once` from cron next to the daemon, or an hourly wake-up never run it twice a day.

import type { CaseStore, Clock, PurgeCounts } from '../ports.js';
import type { Config, DeskConfig } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { Language } from '../domain/routing.js';
import { dayKey, retentionConfigured, retentionCutoffs } from '../housekeeping/retention.js';
import { noticeVars, planUncertainNotices } from '../housekeeping/uncertain-notice.js';
import type { DeskRules } from '../rules/index.js';
import type { ComposeDeps } from './compose.js';
import { machineMail } from './machine-mail.js';
import { runPromiseWatch, type PromisePass } from './promise-watch.js';

export interface HousekeepingDeps {
  readonly store: CaseStore;
  readonly clock: Clock;
  readonly log: Logger;
  readonly compose: ComposeDeps;
  readonly desks: readonly DeskConfig[];
  readonly retention: Config['retention'];
  /** The time zone whose calendar day a "once a day" means. */
  readonly timezone: string;
  readonly rulesFor: (deskId: string) => DeskRules | undefined;
}

export interface HousekeepingPass {
  /** Counts of today's retention run; null when retention is off or already ran today. */
  readonly purged: PurgeCounts | null;
  /** Uncertain-replies notices queued (at most one per desk per day). */
  readonly notices: number;
  /** Requester updates before a promise is missed, and forecast digests, queued by this pass. */
  readonly promises?: PromisePass;
}

export async function runHousekeeping(deps: HousekeepingDeps): Promise<HousekeepingPass> {
  const now = deps.clock.now();
  const day = dayKey(now, deps.timezone);
  let purged: PurgeCounts | null = null;
  const cutoffs = retentionCutoffs(deps.retention, now);
  if (retentionConfigured(cutoffs)) {
    purged = await deps.store.purge(cutoffs, now, { dryRun: false, actor: 'sportello', claimDay: day });
    if (purged) deps.log.info({ ...purged, ...cutoffs }, 'retention applied');
  }
  const notices = await queueUncertainNotices(deps, now, day);
  return { purged, notices, promises: await runPromiseWatch(deps, now, day) };
}

async function queueUncertainNotices(deps: HousekeepingDeps, now: Date, day: string): Promise<number> {
  const rows = await deps.store.uncertainOutbox();
  if (!rows.length) return 0;
  const plan = planUncertainNotices(
    rows,
    deps.desks.map((d) => ({ id: d.id, address: d.address, agents: d.agents, escalation: deps.rulesFor(d.id)?.escalation?.address ?? null })),
  );
  for (const desk of plan.unaddressed) {
    deps.log.warn({ desk }, 'replies are parked as uncertain but the desk has neither an escalation address nor agents to tell; see "sportello outbox"');
  }
  let queued = 0;
  for (const notice of plan.notices) {
    const desk = deps.desks.find((d) => d.id === notice.desk)!;
    const language: Language = deps.rulesFor(desk.id)?.defaultLanguage ?? desk.language;
    const deskVars = { id: desk.id, name: desk.name ?? `${desk.id} desk`, address: desk.address };
    const rendered = deps.compose.renderer.render('uncertain-notice', language, noticeVars(notice, deskVars, language));
    const mail = machineMail(deps.compose, desk, notice.to, rendered, null);
    const claimed = await deps.store.transaction(async (tx) => {
      if (!(await tx.claimDaily(`uncertain-notice:${desk.id}`, day, now))) return false;
      // The null reverse-path: a bounce of this notice must not land in the desk mailbox (RFC 3834 §3.3).
      await tx.enqueue({ caseId: null, kind: 'uncertain-notice', envelopeFrom: '', mail }, null, now);
      return true;
    });
    if (!claimed) continue;
    queued++;
    deps.log.warn({ desk: desk.id, uncertain: notice.rows.length, to: notice.to.map((a) => a.address) }, 'replies parked as uncertain: daily notice queued');
  }
  return queued;
}
