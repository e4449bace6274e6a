// Owns the daemon's time: one loop per desk mailbox, the outbox retry timer, the SLA timer that runs the
// housekeeping pass, the daily wake-up, the status report, the file watchers and the shutdown flush. The
// housekeeping pass (escalate → promise watch → auto-close → daily jobs → send) is the same for `once` and `run`: a failing
// step is logged with its cause and never stops the others. Timers are injected; nothing here reads the real clock.

import type { DeskConfig } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { Clock, MailboxSession, MailSource, Metrics } from '../ports.js';
import { SportelloError, describeError } from '../errors.js';
import { runDeskLoop, type FailureKind } from './daemon.js';
import type { DrainResult } from './outbox.js';
import type { PassOptions, PassResult } from './ingest.js';
import type { EscalationPass } from './escalate.js';
import type { HousekeepingPass } from './housekeeping.js';
import type { PromisePass } from './promise-watch.js';
import { sleep as realSleep } from './sleep.js';

/** How the scheduler waits; the real one resolves early when the signal aborts. Tests pass their own. */
export interface Timers {
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const REAL_TIMERS: Timers = { sleep: realSleep };

/** The steps of one housekeeping pass, in the order they run. */
export interface HousekeepingSteps {
  /** SLA thresholds come due with time: mail the escalation addresses. */
  escalate(): Promise<EscalationPass>;
  /** Promises about to be missed: one honest update per case and promise; the forecast digest once a day. */
  promises(): Promise<PromisePass>;
  /** Close resolved cases whose quiet period passed, reopen waits that ran out. */
  autoClose(): Promise<number>;
  /** Retention and the uncertain-replies notice, each at most once a day (the store's claim). */
  daily(): Promise<HousekeepingPass>;
  /** Send what is due. */
  drain(): Promise<DrainResult>;
}

export interface HousekeepingSummary {
  readonly escalations: EscalationPass;
  readonly promises: PromisePass;
  readonly closed: number;
  readonly housekeeping: HousekeepingPass;
  /** Null when sending failed (logged). */
  readonly outbox: DrainResult | null;
}

/** What a failed step reports: which step, and the error with its cause. */
export type StepFailed = (step: string, err: unknown) => void;

/**
 * One housekeeping pass. `daily: false` skips the daily jobs (the daemon wakes them hourly; `once` always
 * runs them). A failing step is reported through `failed` and counts as having done nothing.
 */
export async function housekeepingPass(steps: HousekeepingSteps, failed: StepFailed, opts: { readonly daily?: boolean } = {}): Promise<HousekeepingSummary> {
  const step = async <T>(name: string, work: () => Promise<T>, nothing: T): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      failed(name, err);
      return nothing;
    }
  };
  const escalations = await step('escalation pass', () => steps.escalate(), { sent: 0, next: null });
  // Every pass, not once a day: an update before a miss must go out while the promise still holds.
  const promises = await step('promise watch', () => steps.promises(), { updates: 0, digests: 0 });
  const closed = await step('auto-close pass', () => steps.autoClose(), 0);
  const housekeeping = opts.daily === false ? { purged: null, notices: 0 } : await step('daily housekeeping', () => steps.daily(), { purged: null, notices: 0 });
  const outbox = await step<DrainResult | null>('outbox pass', () => steps.drain(), null);
  return { escalations, promises, closed, housekeeping, outbox };
}

/** Health and metrics the desk loops report to. */
export interface DeskLoopReports {
  connected(desk: string): void;
  passed(desk: string): void;
  failed(desk: string, kind: FailureKind, err: unknown): void;
}

/** A file watcher the daemon keeps while it runs (rules, templates). */
export interface Watcher {
  close(): Promise<void>;
}

export interface SchedulerDeps {
  readonly log: Logger;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly desks: readonly DeskConfig[];
  readonly sourceFor: (desk: DeskConfig) => MailSource;
  readonly random: () => number;
  /** Mends flags a crash left unset, once per session. */
  readonly reconcile: (desk: DeskConfig, session: MailboxSession) => Promise<unknown>;
  /** One pass over a desk mailbox. */
  readonly deskPass: (desk: DeskConfig, session: MailboxSession, options?: PassOptions) => Promise<PassResult>;
  readonly steps: HousekeepingSteps;
  /** Stores the daemon's self-report (`stoppedAt` set on the way out). */
  readonly saveStatus: (stoppedAt: string | null) => Promise<void>;
  /** A status report was written: the store works. */
  readonly statusSaved: () => void;
  readonly reports: DeskLoopReports;
  readonly metrics: Pick<Metrics, 'imapReconnect'>;
  /** Errors of the background loops (store outages go to one outage line). */
  readonly backgroundFailed: (what: string) => (err: unknown) => void;
  /** Starts the file watchers; closed at shutdown. */
  readonly watchers: () => readonly Watcher[];
  /** While false, the outbox stops between mails (set for the daemon's run; cleared for the shutdown flush). */
  readonly sending: (stop: () => boolean) => void;
  readonly intervals: SchedulerIntervals;
  /** Several daemons on one PostgreSQL store: desk loops follow the mailbox leases (absent: every desk). */
  readonly fleet?: FleetControl;
}

/** What the scheduler needs of the fleet (src/shell/fleet.ts): heartbeats, giving back, leaving. */
export interface FleetControl {
  readonly heartbeatMs: number;
  /** Renews and decides: the mailboxes to work now (with epochs) and the ones to give back. Throws when the store fails. */
  heartbeat(): Promise<{ readonly held: ReadonlyMap<string, number>; readonly giveBack: readonly string[] }>;
  giveBack(desk: string, epoch: number): Promise<void>;
  /** Whether the last heartbeat left the housekeeping lease with us. */
  housekeeping(): boolean;
  /** A desk's mailbox is worked by another instance now (health shows it as elsewhere, not down). */
  elsewhere(desk: string): void;
  leave(): Promise<void>;
}

export interface SchedulerIntervals {
  readonly pollMs: number;
  /** Outbox retries come due on their own schedule, independent of new mail. */
  readonly retryMs: number;
  /** The status report (also a write probe of the store). */
  readonly statusMs: number;
  /** The daily jobs' wake-up; the store's per-day claim keeps each to once a day. */
  readonly dailyMs: number;
  /** Longest wait of the SLA timer. */
  readonly slaMaxMs: number;
  /** Bound of the shutdown flush, so a dead SMTP server cannot hold shutdown hostage. */
  readonly flushMs: number;
}

/**
 * Runs the daemon until `leaseSignal` aborts. Every desk rejecting our login at start is a configuration
 * error, not an outage: the daemon stops and rejects with IMAP_AUTH. `leaseLost` says whether the writer
 * lease went to another process (then the outbox is theirs and nothing is flushed).
 */
export async function runScheduler(deps: SchedulerDeps, leaseSignal: AbortSignal, leaseLost: () => boolean): Promise<void> {
  const { log, timers, intervals } = deps;
  log.info({ desks: deps.desks.map((d) => d.address) }, 'sportello running');
  const fatal = new AbortController();
  const signal = AbortSignal.any([leaseSignal, fatal.signal]);
  let fatalError: SportelloError | null = null;
  deps.sending(() => signal.aborted);
  const watchers = deps.watchers();

  const firstOutcome = new Map<string, FailureKind | 'ok'>();
  const noteFirst = (desk: DeskConfig, outcome: FailureKind | 'ok', err?: unknown) => {
    if (firstOutcome.has(desk.id)) return;
    firstOutcome.set(desk.id, outcome);
    if (firstOutcome.size < deps.desks.length || [...firstOutcome.values()].some((o) => o !== 'auth')) return;
    fatalError = new SportelloError('IMAP_AUTH', `every desk was refused at login: ${deps.desks.map((d) => `${d.id} (${d.imap.user} on ${d.imap.host}:${d.imap.port}; check desks[${d.id}].imap.user and desks[${d.id}].imap.password)`).join(', ')}`, {
      cause: err,
      hint: 'fix the credentials in the configuration (or the ${VAR}s they come from) and start again',
    });
    fatal.abort();
  };
  const deskLoop = (desk: DeskConfig, stop: AbortSignal) => {
    // Once per session (each reconnect): mend flags a crash left unset before the first pass.
    let reconciled: MailboxSession | null = null;
    return runDeskLoop(
      {
        source: deps.sourceFor(desk),
        log: log.child({ desk: desk.id }),
        pollMs: intervals.pollMs,
        random: deps.random,
        sleep: (ms, s) => timers.sleep(ms, s),
        pass: async (session, shouldStop) => {
          if (reconciled !== session) {
            reconciled = session;
            await deps.reconcile(desk, session);
          }
          // Replies start going out as soon as a batch is committed, while the next batch is taken.
          await deps.deskPass(desk, session, { shouldStop, committed: () => void deps.steps.drain().catch(deps.backgroundFailed('outbox pass')) });
          await deps.steps.drain();
        },
        events: {
          connected: () => {
            noteFirst(desk, 'ok');
            deps.reports.connected(desk.id);
          },
          passed: () => deps.reports.passed(desk.id),
          failed: (kind, err) => {
            deps.metrics.imapReconnect(desk.id, kind);
            deps.reports.failed(desk.id, kind, err);
            noteFirst(desk, kind, err);
          },
        },
      },
      stop,
    );
  };
  // One store (SQLite, or `once`): every desk from the start. A fleet: only the mailboxes whose lease we hold.
  const fleet = deps.fleet;
  const loops = fleet ? [runFleetLoops(fleet, deps, signal, deskLoop)] : deps.desks.map((desk) => deskLoop(desk, signal));
  const every = (ms: () => number, work: () => Promise<unknown>) =>
    (async () => {
      while (!signal.aborted) {
        await work();
        await timers.sleep(ms(), signal);
      }
    })();
  // Retries of failed sends come due on their own schedule, independent of new mail.
  const retries = (async () => {
    while (!signal.aborted) {
      await timers.sleep(intervals.retryMs, signal);
      if (!signal.aborted) await deps.steps.drain().catch(deps.backgroundFailed('outbox pass'));
    }
  })();
  // SLA thresholds come due with time, not with mail: the housekeeping pass wakes when the next one is due
  // (at most slaMaxMs); the daily jobs ride along once per dailyMs.
  let dailyDue = 0;
  let nextWake = intervals.slaMaxMs;
  const housekeeping = every(
    () => nextWake,
    async () => {
      const now = deps.clock.now().getTime();
      const daily = now >= dailyDue;
      if (daily) dailyDue = now + intervals.dailyMs;
      // In a fleet only the holder of the housekeeping lease escalates, closes and runs the daily jobs.
      if (fleet && !fleet.housekeeping()) {
        nextWake = Math.min(intervals.slaMaxMs, fleet.heartbeatMs);
        return;
      }
      const pass = await housekeepingPass(deps.steps, (step, err) => deps.backgroundFailed(step)(err), { daily });
      const next = pass.escalations.next;
      const wait = next ? Math.max(1_000, next.getTime() - deps.clock.now().getTime()) : intervals.slaMaxMs;
      nextWake = Math.min(wait, intervals.slaMaxMs, Math.max(1_000, dailyDue - deps.clock.now().getTime()));
    },
  );
  // The self-report for `sportello status`; writing it is also how an unwritable store is noticed when no mail arrives.
  const reports = every(
    () => intervals.statusMs,
    () => deps.saveStatus(null).then(deps.statusSaved, deps.backgroundFailed('status report')),
  );
  await Promise.all([...loops, retries, housekeeping, reports]);
  for (const w of watchers) await w.close();
  if (fatalError) throw fatalError;
  // Flush what can still be sent, bounded; never after losing the lease: the outbox belongs to the new holder then.
  if (leaseLost()) return;
  deps.sending(() => false);
  // A broken store must not turn a clean stop into a crash: the outage was already reported.
  const flushed = await Promise.race([
    deps.steps.drain().catch((err: unknown) => (deps.backgroundFailed('outbox flush')(err), null)),
    timers.sleep(intervals.flushMs).then(() => null),
  ]);
  if (flushed) log.info({ ...flushed }, 'outbox flushed on shutdown');
  await deps.saveStatus(deps.clock.now().toISOString()).catch(() => undefined);
}

/**
 * The desk loops of a fleet member: after every heartbeat, a loop runs for each mailbox we hold; a loop
 * whose lease is gone is told to stop at once; a mailbox over our share is given back once its loop has
 * ended. A heartbeat that fails stops every loop (we cannot know the leases are still ours); the next good
 * one starts them again. Stopping never delays the next heartbeat: a mailbox's loop is started again only
 * after its previous one ended. On the way out every loop ends before the leases are released.
 */
async function runFleetLoops(fleet: FleetControl, deps: SchedulerDeps, signal: AbortSignal, deskLoop: (desk: DeskConfig, stop: AbortSignal) => Promise<void>): Promise<void> {
  const running = new Map<string, AbortController>();
  /** Loops told to stop (or running): a desk's next loop waits until its previous one ended. */
  const ending = new Map<string, Promise<void>>();
  const givingBack = new Set<string>();
  const chores = new Set<Promise<void>>();
  const halt = (id: string): Promise<void> => {
    running.get(id)?.abort();
    running.delete(id);
    return ending.get(id) ?? Promise.resolve();
  };
  const chore = (work: Promise<void>) => {
    const p = work.finally(() => chores.delete(p));
    chores.add(p);
  };
  while (!signal.aborted) {
    const plan = await fleet.heartbeat().catch((err: unknown) => {
      deps.backgroundFailed('mailbox lease heartbeat')(err);
      return null;
    });
    if (!plan) {
      for (const id of [...running.keys()]) void halt(id);
    } else {
      for (const id of [...running.keys()]) if (!plan.held.has(id)) void halt(id);
      for (const id of plan.giveBack) {
        if (givingBack.has(id)) continue;
        givingBack.add(id);
        const epoch = plan.held.get(id)!;
        chore(halt(id).then(() => fleet.giveBack(id, epoch).catch(deps.backgroundFailed('giving a mailbox back'))).finally(() => givingBack.delete(id)));
      }
      for (const desk of deps.desks) {
        const id = desk.id;
        if (!plan.held.has(id) || plan.giveBack.includes(id)) {
          fleet.elsewhere(id);
          continue;
        }
        if (running.has(id) || ending.has(id)) continue;
        const ctrl = new AbortController();
        running.set(id, ctrl);
        const done: Promise<void> = deskLoop(desk, AbortSignal.any([signal, ctrl.signal])).finally(() => {
          if (ending.get(id) === done) ending.delete(id);
          if (running.get(id) === ctrl) running.delete(id);
        });
        ending.set(id, done);
      }
    }
    await deps.timers.sleep(fleet.heartbeatMs, signal);
  }
  for (const id of [...running.keys()]) void halt(id);
  await Promise.all([...ending.values(), ...chores]);
  await fleet.leave().catch(deps.backgroundFailed('leaving the fleet'));
}

export interface OnceSummary {
  readonly desks: Readonly<Record<string, PassResult | { error: string }>>;
  readonly escalations: number;
  /** Requesters told before a promise was missed, and forecast digests queued. */
  readonly promises: PromisePass;
  /** Resolved cases closed because their quiet period passed. */
  readonly closed: number;
  readonly outbox: DrainResult;
  /** Today's retention run and uncertain-replies notices (each at most once a day). */
  readonly housekeeping: HousekeepingPass;
  /** Housekeeping steps that failed (each logged with its cause); the others ran. */
  readonly failed: readonly string[];
}

/**
 * `sportello once`: every mailbox once (a desk that cannot be opened or fails is reported and skipped),
 * then the same housekeeping pass the daemon runs, daily jobs included.
 */
export async function runOnce(deps: Pick<SchedulerDeps, 'log' | 'desks' | 'sourceFor' | 'reconcile' | 'deskPass' | 'steps' | 'backgroundFailed'>): Promise<OnceSummary> {
  const { log } = deps;
  const desks: Record<string, PassResult | { error: string }> = {};
  // Replies start going out as soon as their batch is committed, while the next batch is taken; the
  // housekeeping pass's own drain then runs after these (one drain at a time) and sends the rest.
  const early = new Set<Promise<DrainResult | null>>();
  let earlyFailed = false;
  const committed = () =>
    void early.add(
      deps.steps.drain().catch((err: unknown) => {
        earlyFailed = true;
        deps.backgroundFailed('outbox pass')(err);
        return null;
      }),
    );
  for (const desk of deps.desks) {
    const session = await deps.sourceFor(desk).open().catch((err: unknown) => err as Error);
    if (session instanceof Error) {
      desks[desk.id] = { error: describeError(session) };
      log.error({ desk: desk.id, err: describeError(session) }, 'mailbox skipped');
      continue;
    }
    try {
      await deps.reconcile(desk, session);
      desks[desk.id] = await deps.deskPass(desk, session, { committed });
    } catch (err) {
      desks[desk.id] = { error: describeError(err) };
      log.error({ desk: desk.id, err: describeError(err) }, 'mailbox pass failed; unprocessed mail stays on the server');
    } finally {
      await session.close();
    }
  }
  const failed: string[] = [];
  const pass = await housekeepingPass(deps.steps, (step, err) => {
    failed.push(step);
    deps.backgroundFailed(step)(err);
  });
  // Drains asked for while one ran share one result: each counted once.
  const drains = new Set([...(await Promise.all(early)), pass.outbox].filter((r): r is DrainResult => r !== null));
  const outbox = [...drains].reduce((sum, r) => ({ sent: sum.sent + r.sent, retrying: sum.retrying + r.retrying, failed: sum.failed + r.failed }), { sent: 0, retrying: 0, failed: 0 });
  if (earlyFailed && !failed.includes('outbox pass')) failed.push('outbox pass');
  return { desks, escalations: pass.escalations.sent, promises: pass.promises, closed: pass.closed, outbox, housekeeping: pass.housekeeping, failed };
}
