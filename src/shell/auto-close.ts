// Lifecycle timers: closes resolved cases once their desk's quiet period has passed (after that a
// requester's reply opens a new, linked case), and reopens waiting cases whose #wait ran out. Runs from
// the daemon's timer and from `once`; each change is its own transaction with its event. What an imported
// case did before the desk's first start is applied without mailing anyone.

import type { CaseStore, Clock } from '../ports.js';
import type { DeskConfig } from '../config/schema.js';
import type { Logger } from '../log.js';
import { deskRulesOf, type RuleSet } from '../rules/index.js';
import { isAutoCloseDue } from '../agents/lifecycle.js';
import { updateCase } from './update-case.js';
import type { ComposeDeps } from './compose.js';

const DAY_MS = 86_400_000;

export async function autoClose(deps: { store: CaseStore; clock: Clock; log: Logger; compose: ComposeDeps; desks: readonly DeskConfig[] }, ruleSet: RuleSet | null): Promise<number> {
  const now = deps.clock.now();
  const shortest = Math.min(...deps.desks.map((d) => d.lifecycle.autoCloseDays));
  let closed = 0;
  for (const kase of await deps.store.resolvedBefore(new Date(now.getTime() - shortest * DAY_MS))) {
    const desk = deps.desks.find((d) => d.id === kase.desk);
    if (!desk || !kase.resolvedAt || !isAutoCloseDue(new Date(kase.resolvedAt), now, desk.lifecycle.autoCloseDays)) continue;
    const done = await deps.store.transaction(async (tx) => {
      // Re-read inside the transaction: a reopen or a new reply may have landed since the list was made.
      const fresh = await tx.getCase(kase.id);
      if (!fresh || fresh.status !== 'resolved' || !fresh.resolvedAt || !isAutoCloseDue(new Date(fresh.resolvedAt), now, desk.lifecycle.autoCloseDays)) return false;
      const rules = deskRulesOf(ruleSet, desk.id);
      await updateCase(tx, deps.compose, desk, rules, fresh, { status: 'closed' }, now, 'sportello', { silent: fresh.imported != null && fresh.resolvedAt < fresh.imported });
      await tx.setCaseFields(fresh.id, { closedAt: now.toISOString() }, now);
      await tx.addEvents(fresh.id, [{ type: 'auto-closed', actor: 'sportello', data: { resolvedAt: fresh.resolvedAt, afterDays: desk.lifecycle.autoCloseDays } }], now);
      return true;
    });
    if (!done) continue;
    deps.log.info({ caseId: kase.id }, 'resolved case closed automatically');
    closed++;
  }
  // #wait ran out without an answer from the requester: the case is the desk's again.
  for (const kase of await deps.store.waitExpired(now)) {
    const desk = deps.desks.find((d) => d.id === kase.desk);
    if (!desk) continue;
    const done = await deps.store.transaction(async (tx) => {
      const fresh = await tx.getCase(kase.id);
      if (!fresh || fresh.status !== 'waiting' || !fresh.waitUntil || fresh.waitUntil > now.toISOString()) return false;
      const rules = deskRulesOf(ruleSet, desk.id);
      // An imported case whose #wait ran out before the desk's first start reopens without telling anyone.
      const silent = fresh.imported != null && fresh.waitUntil < fresh.imported;
      await updateCase(tx, deps.compose, desk, rules, fresh, { status: 'open' }, now, 'sportello', { silent });
      await tx.setCaseFields(fresh.id, { waitUntil: null }, now);
      await tx.addEvents(fresh.id, [{ type: 'wait-expired', actor: 'sportello', data: { waitUntil: fresh.waitUntil } }], now);
      return true;
    });
    if (done) deps.log.info({ caseId: kase.id }, 'wait expired without an answer; case open again');
  }
  return closed;
}
