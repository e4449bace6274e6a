// The daily jobs: retention (drop raw sources and old closed cases) and the notice about replies parked
// as uncertain. Each is claimed per calendar day in the store inside the transaction that does the work,
// so restarts, `once` from cron next to the daemon, or an hourly wake-up never run it twice a day.

import type { CaseStore, Clock, PurgeCounts } from '../ports.js';
import type { Config } from '../config/schema.js';
import { runtimeOf, type DeskRuntime } from './desk-runtime.js';
import { deskRef } from '../domain/desk.js';
import type { Logger } from '../log.js';
import type { Language } from '../domain/routing.js';
import { dayKey, retentionConfigured, retentionCutoffs } from '../housekeeping/retention.js';
import { noticeVars, planUncertainNotices } from '../housekeeping/uncertain-notice.js';
import type { ComposeDeps } from './compose.js';
import { NEW_CONVERSATION, outgoingMail, queueOutbound } from './outbound.js';

export interface HousekeepingDeps {
  readonly store: CaseStore;
  readonly clock: Clock;
  readonly log: Logger;
  readonly compose: ComposeDeps;
  readonly desks: readonly DeskRuntime[];
  readonly retention: Config['retention'];
  /** The time zone whose calendar day a "once a day" means. */
  readonly timezone: string;
}

export interface HousekeepingPass {
  /** Counts of today's retention run; null when retention is off or already ran today. */
  readonly purged: PurgeCounts | null;
  /** Uncertain-replies notices queued (at most one per desk per day). */
  readonly notices: number;
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
  return { purged, notices: await queueUncertainNotices(deps, now, day) };
}

async function queueUncertainNotices(deps: HousekeepingDeps, now: Date, day: string): Promise<number> {
  const rows = await deps.store.uncertainOutbox();
  if (!rows.length) return 0;
  const plan = planUncertainNotices(
    rows,
    deps.desks.map((d) => ({ id: d.view.id, address: d.view.address, agents: d.view.agents, escalation: d.rules()?.escalation?.address ?? null })),
  );
  for (const desk of plan.unaddressed) {
    deps.log.warn({ desk }, 'replies are parked as uncertain but the desk has neither an escalation address nor agents to tell; see "sportello outbox"');
  }
  let queued = 0;
  for (const notice of plan.notices) {
    const runtime = runtimeOf(deps.desks, notice.desk)!;
    const desk = runtime.view;
    const language: Language = runtime.rules()?.defaultLanguage ?? desk.language;
    const rendered = deps.compose.renderer.render('uncertain-notice', language, noticeVars(notice, deskRef(desk), language));
    const mail = outgoingMail(deps.compose, { kind: 'uncertain-notice', desk, caseId: null, to: notice.to, content: rendered, thread: NEW_CONVERSATION });
    const claimed = await deps.store.transaction(async (tx) => {
      if (!(await tx.claimDaily(`uncertain-notice:${desk.id}`, day, now))) return false;
      // The null reverse-path: a bounce of this notice must not land in the desk mailbox (RFC 3834 §3.3).
      await queueOutbound(tx, { kind: 'uncertain-notice', desk, caseId: null, mail, now });
      return true;
    });
    if (!claimed) continue;
    queued++;
    deps.log.warn({ desk: desk.id, uncertain: notice.rows.length, to: notice.to.map((a) => a.address) }, 'replies parked as uncertain: daily notice queued');
  }
  return queued;
}
