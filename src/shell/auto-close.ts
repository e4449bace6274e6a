// Lifecycle timers: closes resolved cases once their desk's quiet period has passed (after that a
// requester's reply opens a new, linked case), and reopens waiting cases whose #wait ran out. Runs from
// the daemon's timer and from `once`; each change is its own transaction with its event.

import type { CaseStore, Clock } from '../ports.js';
import type { DeskConfig } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { RuleSet } from '../rules/index.js';
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
    await deps.store.transaction(async (tx) => {
      const rules = ruleSet && Object.hasOwn(ruleSet.desks, desk.id) ? ruleSet.desks[desk.id] : undefined;
      await updateCase(tx, deps.compose, desk, rules, kase, { status: 'closed' }, now, 'sportello');
      await tx.setCaseFields(kase.id, { closedAt: now.toISOString() }, now);
      await tx.addEvents(kase.id, [{ type: 'auto-closed', actor: 'sportello', data: { resolvedAt: kase.resolvedAt, afterDays: desk.lifecycle.autoCloseDays } }], now);
    });
    deps.log.info({ caseId: kase.id }, 'resolved case closed automatically');
    closed++;
  }
  // #wait ran out without an answer from the requester: the case is the desk's again.
  for (const kase of await deps.store.waitExpired(now)) {
    const desk = deps.desks.find((d) => d.id === kase.desk);
    if (!desk) continue;
    await deps.store.transaction(async (tx) => {
      const rules = ruleSet && Object.hasOwn(ruleSet.desks, desk.id) ? ruleSet.desks[desk.id] : undefined;
      await updateCase(tx, deps.compose, desk, rules, kase, { status: 'open' }, now, 'sportello');
      await tx.setCaseFields(kase.id, { waitUntil: null }, now);
      await tx.addEvents(kase.id, [{ type: 'wait-expired', actor: 'sportello', data: { waitUntil: kase.waitUntil } }], now);
    });
    deps.log.info({ caseId: kase.id }, 'wait expired without an answer; case open again');
  }
  return closed;
}
