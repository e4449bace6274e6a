// Lifecycle timers: closes resolved cases once their desk's quiet period has passed (after that a
// requester's reply opens a new, linked case), and reopens waiting cases whose #wait ran out. Runs from
// the daemon's timer and from `once`; each change is its own transaction with its event. What an imported
// case did before the desk's first start is applied without mailing anyone.

import type { CaseStore, Clock } from '../ports.js';
import { runtimeOf, type DeskRuntime } from './desk-runtime.js';
import type { Logger } from '../log.js';
import { isAutoCloseDue } from '../agents/lifecycle.js';
import { updateCase } from './update-case.js';
import type { ComposeDeps } from './compose.js';

const DAY_MS = 86_400_000;

export interface AutoCloseDeps {
  readonly store: CaseStore;
  readonly clock: Clock;
  readonly log: Logger;
  readonly compose: ComposeDeps;
  readonly desks: readonly DeskRuntime[];
}

export async function autoClose(deps: AutoCloseDeps): Promise<number> {
  const now = deps.clock.now();
  const shortest = Math.min(...deps.desks.map((d) => d.view.lifecycle.autoCloseDays));
  let closed = 0;
  for (const kase of await deps.store.resolvedBefore(new Date(now.getTime() - shortest * DAY_MS))) {
    const desk = runtimeOf(deps.desks, kase.desk);
    const days = desk?.view.lifecycle.autoCloseDays;
    if (!desk || days === undefined || !kase.resolvedAt || !isAutoCloseDue(new Date(kase.resolvedAt), now, days)) continue;
    const done = await deps.store.transaction(async (tx) => {
      // Re-read inside the transaction: a reopen or a new reply may have landed since the list was made.
      const fresh = await tx.getCase(kase.id);
      if (!fresh || fresh.status !== 'resolved' || !fresh.resolvedAt || !isAutoCloseDue(new Date(fresh.resolvedAt), now, days)) return false;
      await updateCase(tx, desk, { compose: deps.compose, kase: fresh, changes: { status: 'closed' }, now, actor: 'sportello', silent: fresh.imported != null && fresh.resolvedAt < fresh.imported });
      await tx.setCaseFields(fresh.id, { closedAt: now.toISOString() }, now);
      await tx.addEvents(fresh.id, [{ type: 'auto-closed', actor: 'sportello', data: { resolvedAt: fresh.resolvedAt, afterDays: days } }], now);
      return true;
    });
    if (!done) continue;
    deps.log.info({ caseId: kase.id }, 'resolved case closed automatically');
    closed++;
  }
  // #wait ran out without an answer from the requester: the case is the desk's again.
  for (const kase of await deps.store.waitExpired(now)) {
    const desk = runtimeOf(deps.desks, kase.desk);
    if (!desk) continue;
    const done = await deps.store.transaction(async (tx) => {
      const fresh = await tx.getCase(kase.id);
      if (!fresh || fresh.status !== 'waiting' || !fresh.waitUntil || fresh.waitUntil > now.toISOString()) return false;
      // An imported case whose #wait ran out before the desk's first start reopens without telling anyone.
      const silent = fresh.imported != null && fresh.waitUntil < fresh.imported;
      await updateCase(tx, desk, { compose: deps.compose, kase: fresh, changes: { status: 'open' }, now, actor: 'sportello', silent });
      await tx.setCaseFields(fresh.id, { waitUntil: null }, now);
      await tx.addEvents(fresh.id, [{ type: 'wait-expired', actor: 'sportello', data: { waitUntil: fresh.waitUntil } }], now);
      return true;
    });
    if (done) deps.log.info({ caseId: kase.id }, 'wait expired without an answer; case open again');
  }
  return closed;
}
