// The housekeeping pass's promise work: the honest update a requester gets before a promise is missed
// (and the agents' note that it went out), and the daily digest of categories whose forecast exceeds
// their SLA. Each mail is claimed in the store in the transaction that queues it (per case and promise,
// per desk and day), so restarts, a second pass or `once` beside the daemon never send it twice.
// Decides nothing itself: src/forecast decides, this fetches the data and commits.

import type { Address } from '../domain/mail.js';
import type { Language } from '../domain/routing.js';
import { deskRef } from '../domain/desk.js';
import { forecastDigest, preBreach, type HistoryCase } from '../forecast/index.js';
import { digestVars, promiseUpdateVars } from '../forecast/notice-vars.js';
import { historyWindow } from '../routing/promise-plan.js';
import { slaPolicyFor } from '../rules/sla-policy.js';
import type { ComposeDeps } from './compose.js';
import type { CaseRecord, CaseStore, RenderedReply, StoreTx } from '../ports.js';
import type { Logger } from '../log.js';
import { runtimeOf, type DeskRuntime } from './desk-runtime.js';
import { NEW_CONVERSATION, outgoingMail, queueOutbound } from './outbound.js';

/** What the housekeeping pass hands over (a subset of its own deps). */
export interface PromiseWatchDeps {
  readonly store: CaseStore;
  readonly log: Logger;
  readonly compose: ComposeDeps;
  readonly desks: readonly DeskRuntime[];
}

export interface PromisePass {
  /** Requesters told before a promise was missed. */
  readonly updates: number;
  /** Daily forecast digests queued (at most one per desk per day). */
  readonly digests: number;
}

/** `digest: false` skips the daily digest (already tried today by this process); updates are checked every time. */
export async function runPromiseWatch(deps: PromiseWatchDeps, now: Date, day: string, opts: { readonly digest?: boolean } = {}): Promise<PromisePass> {
  const histories = new Map<string, Promise<HistoryCase[]>>();
  const historyOf = (desk: string) => {
    if (!histories.has(desk)) histories.set(desk, deps.store.promiseHistory(desk, historyWindow(runtimeOf(deps.desks, desk)?.rules(), now)));
    return histories.get(desk)!;
  };
  let updates = 0;
  for (const { record, lastAgentAt, updated } of await deps.store.promiseCases()) {
    if (await updateBeforeMiss(deps, record, lastAgentAt, updated, now, historyOf)) updates++;
  }
  let digests = 0;
  if (opts.digest === false) return { updates, digests };
  for (const desk of deps.desks) if (await queueDigest(deps, desk, now, day, await historyOf(desk.view.id))) digests++;
  return { updates, digests };
}

async function updateBeforeMiss(
  deps: PromiseWatchDeps,
  record: CaseRecord,
  lastAgentAt: string | null,
  updated: readonly number[],
  now: Date,
  historyOf: (desk: string) => Promise<HistoryCase[]>,
): Promise<boolean> {
  const desk = runtimeOf(deps.desks, record.desk);
  const rules = desk?.rules();
  const promise = record.promise;
  if (!rules?.calendar || !desk || !promise) return false;
  const decision = preBreach({
    calendar: rules.calendar,
    settings: rules.forecast,
    promise,
    status: record.status,
    pauses: record.slaClock?.pauses ?? [],
    lastAgentAt,
    alreadySent: updated.includes(promise.seq),
    history: await historyOf(record.desk),
    category: record.category,
    priority: record.priority,
    openedAt: record.createdAt,
    now,
  });
  if (!decision.due) return false;
  const { next, reachedAt } = decision;
  const language: Language = record.language ?? desk.view.language;
  const common = { case: record, desk: deskRef(desk.view), timezone: rules.calendar.timezone, before: promise.at, after: next.at, share: rules.forecast.preBreachShare, now };
  // An imported case (mail from before the desk's first start) was never answered, so its requester never
  // heard this promise: recorded, never mailed — unless an agent's #eta told them a date since.
  const silent = record.imported ? promise.source !== 'eta' || reachedAt < new Date(record.imported) : false;
  return deps.store.transaction(async (tx) => {
    if (!(await tx.claimPromiseNotice(record.id, promise.seq, 'pre-breach', now))) return false;
    if (next.seq !== promise.seq) await tx.setPromise(record.id, next, now);
    await tx.addEvents(record.id, [{ type: 'promise-update', actor: 'sportello', data: { seq: promise.seq, from: promise.at, to: next.at, reachedAt: reachedAt.toISOString(), ...(silent ? { notMailed: 'imported: the requester was never told this promise', firstStart: record.imported } : {}) } }], now);
    if (silent) return false;
    const toRequester = deps.compose.renderer.render('promise-update', language, promiseUpdateVars({ ...common, language, audience: 'requester' }));
    await queueCaseMail(tx, deps, desk, record.id, 'promise-update', [record.requester], toRequester, now);
    const agents = agentsToTell(desk, record.assignee);
    if (agents.length) {
      const toAgents = deps.compose.renderer.render('promise-alert', desk.view.language, promiseUpdateVars({ ...common, language: desk.view.language, audience: 'agents' }));
      await queueCaseMail(tx, deps, desk, record.id, 'notification', agents, toAgents, now);
    }
    deps.log.info({ caseId: record.id, seq: promise.seq, to: next.at }, 'promise update queued before the promised time');
    return true;
  });
}

/** The assignee when there is one, else every agent of the desk. */
function agentsToTell(desk: DeskRuntime, assignee: string | null): Address[] {
  const agents = desk.view.agents.map((a) => ({ address: a.address, name: a.name ?? '' }));
  const mine = assignee ? agents.filter((a) => a.address.toLowerCase() === assignee.toLowerCase()) : [];
  return mine.length ? mine : agents;
}

async function queueCaseMail(tx: StoreTx, deps: PromiseWatchDeps, desk: DeskRuntime, caseId: string, kind: 'promise-update' | 'notification', to: Address[], rendered: RenderedReply, now: Date): Promise<void> {
  const mail = outgoingMail(deps.compose, { kind, desk: desk.view, caseId, to, content: rendered, thread: NEW_CONVERSATION });
  await queueOutbound(tx, { kind, desk: desk.view, caseId, mail, now });
}

async function queueDigest(deps: PromiseWatchDeps, runtime: DeskRuntime, now: Date, day: string, history: readonly HistoryCase[]): Promise<boolean> {
  const rules = runtime.rules();
  const desk = runtime.view;
  if (!rules?.calendar || !rules.escalation || !rules.sla) return false;
  const rows = forecastDigest(rules.calendar, rules.forecast, history, (category, priority) =>
    slaPolicyFor(rules, { category, priority: priority as never, slaPolicy: null }),
  );
  if (!rows.length) return false;
  const rendered = deps.compose.renderer.render('forecast-digest', rules.defaultLanguage, digestVars(rows, deskRef(desk), rules.defaultLanguage, rules.forecast.quantile));
  const mail = outgoingMail(deps.compose, { kind: 'forecast-digest', desk, caseId: null, to: [{ address: rules.escalation.address, name: '' }], content: rendered, thread: NEW_CONVERSATION });
  return deps.store.transaction(async (tx) => {
    if (!(await tx.claimDaily(`forecast-digest:${desk.id}`, day, now))) return false;
    await queueOutbound(tx, { kind: 'forecast-digest', desk, caseId: null, mail, now });
    deps.log.info({ desk: desk.id, categories: rows.length }, 'daily forecast digest queued');
    return true;
  });
}
