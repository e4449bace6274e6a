// The composition root: builds every adapter from the frozen config, the desk runtimes and what the
// scheduler runs, and hands back the operations the CLI offers. It only builds: timers live in
// shell/scheduler.ts, use cases in shell/. Tests pass overrides (clock, timers, sender, sources, ids).

import { randomBytes } from 'node:crypto';
import { availableParallelism, hostname } from 'node:os';
import type { Config, DeskConfig } from './config/schema.js';
import type { CaseStore, Clock, MailboxSession, MailSender, MailSource, Metrics, ReplyRenderer } from './ports.js';
import { PIPELINE } from './pipeline/stages.js';
import type { StoreMode } from './adapters/sqlite-store.js';
import type { CopyReport } from './adapters/postgres/copy-from-sqlite.js';
import { isPostgresUrl, redactDatabase } from './config/database.js';
import { createSmtpSender } from './adapters/smtp-sender.js';
import { createWorkerSmtpSender } from './adapters/smtp-worker-sender.js';
import { createImapSource } from './adapters/imap-source.js';
import { loadTemplates } from './adapters/templates.js';
import { extractAttachments, parseMail } from './adapters/mime-on-demand.js';
import { createParsePool } from './adapters/parse-pool.js';
import { ingestMailbox, type IngestDeps, type PassOptions, type PassResult } from './shell/ingest.js';
import { buildDeskRuntimes, runtimeOf, withHistory } from './shell/desk-runtime.js';
import { drainOutbox, smtpAuthPause } from './shell/outbox.js';
import { DESK_BACKOFF } from './shell/daemon.js';
import { REAL_TIMERS, runOnce, runScheduler, type OnceSummary, type SchedulerDeps, type Timers, type Watcher } from './shell/scheduler.js';
import { singleFlight } from './shell/sleep.js';
import { backoffMs } from './shell/backoff.js';
import { watchDir } from './adapters/watch-dir.js';
import { createLogger, type Logger } from './log.js';
import { SportelloError, describeError, isSportelloError } from './errors.js';
import { changeCase, type UpdateResult } from './shell/update-case.js';
import type { CaseChanges } from './routing/reschedule.js';
import { buildRouting, modelCacheDir, type Router, type RoutingEngine } from './routing/router.js';
import { deskRulesOf, formatProblem, loadRules, loadRulesOrThrow, type RuleSet } from './rules/index.js';
import { watchRules } from './shell/rules-watch.js';
import { rulesContext } from './routing/rules-context.js';
import { runEscalations, type EscalationPass } from './shell/escalate.js';
import { autoClose } from './shell/auto-close.js';
import { reconcileProcessed } from './shell/reconcile.js';
import { surveyFolder, type FolderSurvey } from './shell/first-contact.js';
import { existsSync } from 'node:fs';
import { releaseOne, type ReleaseResult } from './shell/release.js';
import { acquireWriterLease, localIdentity, tryAcquireWriterLease, type LeaseIdentity, type WriterLease, type WriterLeaseOptions } from './shell/writer-lease.js';
import { runHousekeeping, type HousekeepingPass } from './shell/housekeeping.js';
import { runPromiseWatch, type PromisePass } from './shell/promise-watch.js';
import { dayKey } from './housekeeping/retention.js';
import { historyWindow } from './routing/promise-plan.js';
import { gatherReport } from './shell/report-data.js';
import { renderReport } from './report/html.js';
import { createHealth } from './shell/health.js';
import { readiness } from './health/readiness.js';
import type { DaemonIdentity, HealthSnapshot, Readiness, SavedDaemonStatus } from './health/snapshot.js';
import { forgetReportsBefore } from './health/daemon-reports.js';
import { createPrometheusMetrics, type PrometheusMetrics } from './adapters/prometheus-metrics.js';
import { startHttpServer, type HttpListener } from './adapters/http-server.js';
import { gatherStatus, type StatusReport } from './shell/status.js';
import { createFleet, fencedStore } from './shell/fleet.js';
import { storeLockedError } from './domain/writer-lease.js';
import { mailboxOwners } from './domain/fleet.js';

export type { Router };

const HOUSEKEEPING_WAKE_MS = 3_600_000;

export interface AppOverrides {
  readonly clock?: Clock;
  readonly log?: Logger;
  readonly store?: CaseStore;
  readonly sender?: MailSender;
  readonly sourceFor?: (desk: DeskConfig) => MailSource;
  readonly router?: Router;
  readonly renderer?: ReplyRenderer;
  readonly newId?: () => string;
  readonly random?: () => number;
  /** How the scheduler waits (tests drive the daemon's timers themselves). */
  readonly timers?: Timers;
  /** Host, pid and liveness probe for the writer lease (tests play several processes in one). */
  readonly leaseIdentity?: LeaseIdentity;
  /** Several daemons sharing the mailboxes by lease (default: when the database is PostgreSQL). */
  readonly fleet?: boolean;
  /** Lease expiry and heartbeat (defaults 60 s and 15 s); tests shorten the heartbeat. */
  readonly leaseTiming?: Pick<WriterLeaseOptions, 'ttlMs' | 'heartbeatMs'>;
}

/** How often the daemon stores its self-report for `sportello status` (also a write probe of the store). */
export const STATUS_EVERY_MS = 15_000;

export type { OnceSummary };

export interface App {
  readonly config: Config;
  readonly store: CaseStore;
  readonly log: Logger;
  /** Processes everything pending in every mailbox, then sends every due reply. Holds the writer lease meanwhile (STORE_LOCKED if another process does). */
  once(): Promise<OnceSummary>;
  /** Changes a case's category, priority, status or assignee; reschedules its SLA, tells the requester if the due time moved and a new assignee that they are. */
  updateCase(id: string, changes: CaseChanges, actor: string): Promise<UpdateResult & { id: string; assignee: string | null }>;
  /** The once-a-day jobs (retention, uncertain-replies notice), each skipped when already done today. */
  /** The daily jobs and the promise watch, as the daemon's housekeeping pass runs them (no sending). */
  housekeeping(): Promise<HousekeepingPass & { readonly promises: PromisePass }>;
  /**
   * Runs until the signal aborts: every mailbox watched, replies sent as they are queued and retried.
   * Holds the writer lease throughout: refuses with STORE_LOCKED when another process holds it, and
   * stops (rejecting with STORE_LOCKED) if the lease is ever lost.
   */
  run(signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
  /** Runs held quarantined mail through today's pipeline again, one result per id, then sends what it queued. */
  releaseQuarantine(ids: readonly number[], actor: string): Promise<ReleaseReport[]>;
  /** What the daemon knows about its desks, store, SMTP, rules and templates right now. */
  health(): HealthSnapshot;
  readiness(): Readiness;
  /** The Prometheus text of every metric (what /metrics serves). */
  scrapeMetrics(): Promise<{ contentType: string; body: string }>;
  /** Resolves with the health listener's URL once run() has bound it; null when http.listen is not set. */
  listening(): Promise<string | null>;
}

export type ReleaseReport = ({ readonly ok: true } & ReleaseResult) | { readonly ok: false; readonly id: number; readonly error: string; readonly code: string };

export async function buildApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  const log = overrides.log ?? createLogger();
  const clock = overrides.clock ?? { now: () => new Date() };
  const random = overrides.random ?? Math.random;
  const timers = overrides.timers ?? REAL_TIMERS;
  const newId = overrides.newId ?? (() => randomBytes(9).toString('base64url'));
  // Templates are swapped whole on a valid edit; a broken edit is logged and the last good set stays.
  const loadedTemplates = overrides.renderer ? null : await loadTemplates(config.templatesDir, config.desks[0]?.language);
  let templates: ReplyRenderer = overrides.renderer ?? loadedTemplates!;
  // What rules are checked against (desks, agents, template names); without our own templates, no template check.
  let rulesCheck = rulesContext(config, loadedTemplates?.names() ?? null);
  const renderer: ReplyRenderer = { render: (name, language, vars) => templates.render(name, language, vars) };
  const store = overrides.store ?? (await openStore(config, 'write'));
  // The worker starts on the first reply sent; commands that never send never start one.
  const sendWorker = !overrides.sender && wantsSendWorker(config.limits.sendWorker, availableParallelism()) ? createWorkerSmtpSender(config.smtp, config.limits.sendConcurrency) : null;
  const sender = overrides.sender ?? sendWorker ?? createSmtpSender(config.smtp, config.limits.sendConcurrency);
  // Rules are loaded once here; an invalid rules directory at start-up is fatal (there is nothing
  // previous to keep). Later changes are validated by the watcher in run() and swapped in whole.
  let engine: Pick<RoutingEngine, 'router' | 'sla' | 'articles'> & { ruleSet: RuleSet | null } = overrides.router
    ? { router: overrides.router, sla: () => null, articles: () => [], ruleSet: null }
    : await buildRouting(await loadRulesOrThrow(config.rulesDir, rulesCheck), modelCacheDir(config), log);
  const sourceFor = overrides.sourceFor ?? imapSources(config, log);

  /** Who this daemon is in its health reports; also the key of its saved report beside other daemons'. */
  const reportAs: DaemonIdentity = { host: hostname(), pid: process.pid, startedAt: clock.now().toISOString() };
  const health = createHealth(clock, config.desks.map((d) => d.id), config.limits.pollSeconds, reportAs);
  const readyNow = () => readiness(health.snapshot(), clock.now());
  // A private registry per app (never prom-client's global one); the shell sees only the Metrics port.
  const prometheus: PrometheusMetrics = createPrometheusMetrics(
    config.desks.map((d) => d.id),
    async () => {
      const snap = health.snapshot();
      return {
        outbox: await store.outboxSummary().catch(() => null),
        quarantine: await store.quarantineCount().catch(() => null),
        backlog: Object.fromEntries(snap.desks.map((d) => [d.id, d.backlog])),
        deskUp: Object.fromEntries(snap.desks.map((d) => [d.id, d.state === 'connected'])),
        ready: readiness(snap, clock.now()).ready,
      };
    },
  );
  const metrics: Metrics = prometheus;
  const storeLog = log.child({ component: 'store' });
  /** The error for a health report: its code is reported beside it, so not repeated in the text. */
  const problemText = (err: unknown) => describeError(err).replace(/^[A-Z][A-Z_]*: /, '');
  /** A STORE error anywhere: the outage is logged once, whoever meets it first. */
  const storeFailed = (err: unknown) => {
    if (health.failed('store', 'STORE', problemText(err))) storeLog.error({ err: describeError(err) }, 'database unusable: mail stays on the server and is taken when it works again; retrying with backoff');
  };
  /** Something just wrote to the store; once no desk is still waiting on it, the outage is over. */
  const storeWorked = () => {
    if (health.snapshot().desks.some((d) => d.problem?.code === 'STORE')) return;
    if (health.recovered('store')) storeLog.info({}, 'database usable again');
  };
  /** Errors of the background loops: store trouble goes to the one outage line, anything else is logged. */
  const backgroundFailed = (what: string) => (err: unknown) => {
    if (isSportelloError(err, 'STORE')) storeFailed(err);
    else log.warn({ err: describeError(err), ...(err instanceof Error && err.cause !== undefined ? { cause: describeError(err.cause) } : {}) }, `${what} failed; tried again by the next pass`);
  };

  // Daemon work (ingest, sending, parking what a crash left mid-send) happens only under the writer
  // lease, taken by once() and run(), never at build time: building an app for `cases update` beside a
  // running daemon must not touch the daemon's in-flight replies.
  const identity = overrides.leaseIdentity ?? localIdentity();
  const leaseOptions = (command: string, extra: Partial<WriterLeaseOptions> = {}): WriterLeaseOptions => ({
    database: redactDatabase(config.database),
    command,
    clock,
    identity,
    log: log.child({ component: 'lease' }),
    ...overrides.leaseTiming,
    ...besideFleet,
    ...extra,
  });
  // On PostgreSQL several daemons share the mailboxes: one owner per mailbox by lease (src/shell/fleet.ts)
  // instead of one writer per store; SQLite keeps its one writer.
  const leaseMs = config.limits.leaseSeconds * 1000;
  const fleet = (overrides.fleet ?? isPostgresUrl(config.database))
    ? createFleet({ store, clock, log: log.child({ component: 'fleet' }), mailboxes: config.desks.map((d) => d.id), host: identity.host, pid: identity.pid, ttlMs: Math.round(leaseMs / 2) })
    : null;
  let fleetHousekeeping = false;
  /**
   * `once` holds the store's writer lease: never beside live fleet daemons. Read in the lease's own
   * transaction, under the fleet's lock, so a daemon's heartbeat and a `once` never both win.
   */
  const besideFleet: Partial<WriterLeaseOptions> = fleet
    ? {
        excludedBy: async (tx) => {
          const now = clock.now();
          const live = (await tx.fleetLeases()).find((l) => l.name.startsWith('instance:') && l.leaseUntil !== null && Date.parse(l.leaseUntil) > now.getTime());
          return live ? { token: live.owner ?? '', host: live.host ?? '?', pid: live.pid ?? 0, command: 'run', startedAt: live.heartbeatAt ?? '?', heartbeatAt: live.heartbeatAt ?? '?', leaseUntil: live.leaseUntil ?? '?' } : null;
        },
      }
    : {};
  /** The lease this app holds right now (during once() or run()); nested work reuses it. */
  let held: WriterLease | null = null;
  async function underLease<T>(command: string, work: () => Promise<T>, extra?: Partial<WriterLeaseOptions>): Promise<T> {
    if (held) return work();
    held = await acquireWriterLease(store, leaseOptions(command, extra));
    metrics.parkedUncertain(held.parked);
    try {
      return await work();
    } finally {
      const lease = held;
      held = null;
      // A store that fails now cannot drop the row: the lease then expires by itself (a dead pid at once).
      await lease.release().catch(backgroundFailed('writer lease release'));
    }
  }

  /** /healthz, /readyz and /metrics when http.listen is set (null otherwise); resolves listening() either way. */
  async function startHealthListener(): Promise<HttpListener | null> {
    let http: HttpListener | null = null;
    if (config.http.listen) {
      http = await startHttpServer(
        config.http.listen,
        {
          ready: async () => {
            const r = readyNow();
            // In a fleet: who owns which mailbox now (from the store's lease rows), and who we are.
            const mailboxes = fleet ? await store.fleetLeases().then((l) => mailboxOwners(l, config.desks.map((d) => d.id), clock.now()), () => null) : undefined;
            return { ready: r.ready, body: { ...r, desks: health.snapshot().desks, ...(fleet ? { fleet: { instance: fleet.me.token, housekeeping: fleetHousekeeping, mailboxes } } : {}) } };
          },
          metrics: () => prometheus.scrape(),
          report: (query) => reportPage(query),
        },
        log.child({ component: 'http' }),
      );
      log.info({ url: http.url, endpoints: ['/healthz', '/readyz', '/metrics', '/report'] }, 'health and metrics listening');
    }
    listening(http?.url ?? null);
    return http;
  }

  /** /report: the same page as `sportello report`, for ?since=DAYS (default 90) and ?desk=ID (default all). */
  async function reportPage(query: { since: string | null; desk: string | null }): Promise<{ status: number; body: string }> {
    const days = query.since === null ? 90 : Number(query.since);
    if (!Number.isInteger(days) || days <= 0) return { status: 400, body: `since=${query.since} is not a whole number of days; e.g. /report?since=90\n` };
    const desks = query.desk === null ? config.desks : config.desks.filter((d) => d.id.toUpperCase() === query.desk!.toUpperCase());
    if (!desks.length) return { status: 404, body: `no desk ${query.desk}; desks: ${config.desks.map((d) => d.id).join(', ')}\n` };
    return { status: 200, body: renderReport(await gatherReport(store, desks, rulesOf, config.timezone, days, clock.now())) };
  }

  /**
   * The daemon's lease: refused at once (STORE_LOCKED) while another process holds it, but a store that
   * cannot be written yet (full disk, read-only mount) is an outage like any other: logged once, retried
   * with backoff until it works or the daemon is stopped (then null).
   */
  async function leaseForDaemon(signal: AbortSignal, extra: Partial<WriterLeaseOptions>, whileWaiting: () => Promise<void>): Promise<WriterLease | null> {
    for (let failures = 1; !signal.aborted; failures++) {
      try {
        const lease = await acquireWriterLease(store, leaseOptions('run', extra));
        storeWorked();
        return lease;
      } catch (err) {
        if (!isSportelloError(err, 'STORE')) throw err;
        storeFailed(err);
        await whileWaiting();
        await timers.sleep(backoffMs(failures, DESK_BACKOFF.store, random), signal);
      }
    }
    return null;
  }

  /**
   * Sending is daemon work: an admin command sends what it queued only when no other process holds the
   * lease; otherwise the reply stays queued and the running daemon sends it with its next outbox pass.
   */
  async function sendIfNoDaemon(command: string): Promise<void> {
    // In a fleet any instance sends: outbox claims (FOR UPDATE SKIP LOCKED) keep each reply to one sender.
    if (held || fleet) {
      await drain();
      return;
    }
    const got = await tryAcquireWriterLease(store, leaseOptions(command));
    if (!('lease' in got)) {
      log.info({ holder: `${got.holder.command} pid ${got.holder.pid} on ${got.holder.host}` }, 'change saved; the running sportello sends any reply it queued');
      return;
    }
    try {
      await drain();
    } finally {
      await got.lease.release();
    }
  }

  /** The current rules of a desk (they change on reload), or undefined when no rules cover it. */
  const rulesOf = (id: string) => deskRulesOf(engine.ruleSet, id);
  // One runtime per desk, built once: the complete desk view and its pipeline context. Routing and rules
  // are read through `engine` at call time so a reload takes effect with the next mail.
  const desks = buildDeskRuntimes(config, { routing: () => engine, rulesOf });
  const runtime = (desk: DeskConfig) => runtimeOf(desks, desk.id)!;
  // Workers start on the first mail parsed; commands that never parse never start one.
  const parsePool = config.limits.parseWorkers > 0 ? createParsePool({ workers: config.limits.parseWorkers, timeoutMs: config.limits.parseTimeoutMs }) : null;
  const ingestDeps: IngestDeps = {
    store,
    clock,
    log,
    parse: parsePool ? (raw, maxBytes) => parsePool.parse(raw, maxBytes) : (raw, maxBytes) => parseMail(raw, { maxBytes }),
    attachments: (raw) => extractAttachments(raw, config.limits.maxMessageBytes),
    compose: { renderer, instance: config.instance, newId },
    steps: PIPELINE,
    maxMessageBytes: config.limits.maxMessageBytes,
    fetchBatch: config.limits.fetchBatch,
    timezone: config.timezone,
  };
  const outboxDeps = {
    store,
    sender,
    clock,
    log: log.child({ component: 'outbox' }),
    random,
    policy: {
      baseMs: config.limits.sendRetryBaseSeconds * 1000,
      maxMs: config.limits.sendRetryMaxSeconds * 1000,
      maxAttempts: config.limits.sendMaxAttempts,
    },
    authPause: smtpAuthPause(),
    metrics,
    concurrency: config.limits.sendConcurrency,
  };
  const compose = ingestDeps.compose;
  let rulesGeneration = 0;
  const escalate = singleFlight(
    async (): Promise<EscalationPass> =>
      engine.ruleSet ? runEscalations({ store, clock, log: log.child({ component: 'sla' }), compose, desks, metrics }) : { sent: 0, next: null },
  );
  // One drain at a time: two concurrent drains could both pick the same pending row.
  let stopSending = () => false;
  const drain = singleFlight(async () => {
    const result = await drainOutbox(outboxDeps, stopSending);
    // Replies whose send ended with no answer are set aside as uncertain now that nothing is under way; in a
    // fleet other instances may be sending, so the housekeeping lease parks them once their claim expires.
    if (result.uncertain && !fleetRunning) await store.parkInterrupted(clock.now());
    const pause = outboxDeps.authPause;
    if (pause.until && pause.error) health.smtpFailed('SMTP_AUTH', pause.error, pause.until);
    else health.smtpRecovered();
    return result;
  });

  // While run() works in a fleet, every commit of a desk's mail runs its mailbox lease's fence first, in its
  // own transaction; `once` holds the store's writer lease instead (refused beside live daemons), unfenced.
  let fleetRunning = false;
  const fencedIngest = new Map(config.desks.map((d) => [d.id, fleet ? { ...ingestDeps, store: fencedStore(store, fleet.fence(d.id)) } : ingestDeps]));
  /** One pass over a desk mailbox: backlog counted first (one SEARCH), then ingest, timed and counted. */
  const deskPass = async (desk: DeskConfig, session: MailboxSession, options: PassOptions = {}): Promise<PassResult> => {
    const done = metrics.passTimer(desk.id);
    try {
      const cp = await store.checkpoint(desk.id, desk.imap.folder);
      const backlog = await session.countAbove(cp && cp.uidValidity === session.uidValidity ? cp.lastUid : 0);
      health.deskBacklog(desk.id, backlog);
      // The desk's history, read once per pass and only when there is mail to take (an idle wake-up reads
      // nothing), lets the schedule promise a forecast date (else the SLA's).
      const forPass = backlog > 0 ? withHistory(runtime(desk), await store.promiseHistory(desk.id, historyWindow(rulesOf(desk.id), clock.now()))) : runtime(desk);
      const result = await ingestMailbox((fleetRunning && fencedIngest.get(desk.id)) || ingestDeps, forPass, session, options);
      for (const outcome of ['created', 'appended', 'duplicates', 'quarantined'] as const) metrics.mails(desk.id, outcome === 'duplicates' ? 'duplicate' : outcome, result[outcome]);
      health.deskBacklog(desk.id, Math.max(0, backlog - result.seen));
      return result;
    } finally {
      done();
    }
  };
  const dailyJobs = singleFlight(() =>
    runHousekeeping({ store, clock, log: log.child({ component: 'housekeeping' }), compose, desks, retention: config.retention, timezone: config.timezone }),
  );
  // The watch runs every housekeeping pass (at most a minute apart); the forecast digest reads every
  // desk's history, so it is tried once a day per process (the store's claim still decides across processes).
  let digestedDay: string | null = null;
  const promiseWatch = singleFlight(async () => {
    const now = clock.now();
    const day = dayKey(now, config.timezone);
    const pass = await runPromiseWatch({ store, log: log.child({ component: 'promises' }), compose, desks }, now, day, { digest: day !== digestedDay });
    digestedDay = day;
    return pass;
  });
  // The scheduler owns every timer; this is only what it runs.
  const scheduler: SchedulerDeps = {
    log,
    clock,
    timers,
    desks: config.desks,
    sourceFor,
    random,
    reconcile: (desk, session) => reconcileProcessed({ store, log }, desk, session),
    deskPass,
    steps: { escalate, promises: promiseWatch, autoClose: () => autoClose({ store, clock, log, compose, desks }), daily: dailyJobs, drain },
    saveStatus: async (stoppedAt) => {
      const saved: SavedDaemonStatus = { ...health.snapshot(), stoppedAt };
      const now = clock.now();
      await store.saveDaemonStatus(reportAs, JSON.stringify(saved), now, forgetReportsBefore(now));
    },
    statusSaved: storeWorked,
    reports: {
      connected: (desk) => health.deskConnected(desk),
      passed: (desk) => {
        health.deskPassed(desk);
        storeWorked();
      },
      failed: (desk, kind, err) => {
        health.deskFailed(desk, isSportelloError(err) ? String(err.code) : 'IMAP_CONNECT', problemText(err));
        if (kind === 'store') storeFailed(err);
      },
    },
    metrics,
    backgroundFailed,
    watchers: () => startWatchers(),
    sending: (stop) => {
      stopSending = stop;
    },
    intervals: {
      pollMs: config.limits.pollSeconds * 1000,
      retryMs: Math.min(config.limits.sendRetryBaseSeconds, 30) * 1000,
      statusMs: Math.min(STATUS_EVERY_MS, config.limits.pollSeconds * 1000),
      dailyMs: HOUSEKEEPING_WAKE_MS,
      slaMaxMs: 60_000,
      flushMs: 10_000,
    },
    ...(fleet
      ? {
          fleet: {
            heartbeatMs: Math.round(leaseMs / 4),
            heartbeat: async () => {
              const plan = await fleet.heartbeat();
              fleetHousekeeping = plan.housekeeping;
              for (const t of plan.takeovers) log.info({ component: 'fleet', ...t, to: fleet.me.token }, 'took over the mailbox of an instance that stopped renewing');
              return plan;
            },
            giveBack: (desk, epoch) => fleet.giveBack(desk, epoch),
            housekeeping: () => fleetHousekeeping,
            elsewhere: (desk) => health.deskElsewhere(desk),
            leave: () => fleet.leave(),
          },
        }
      : {}),
  };
  let listening: (url: string | null) => void = () => undefined;
  const listeningP = new Promise<string | null>((resolve) => (listening = resolve));

  return {
    config,
    store,
    log,

    once() {
      return underLease('once', () => runOnce(scheduler));
    },

    async updateCase(id, changes, actor) {
      const result = await changeCase({ store, compose, desks, clock }, id, changes, actor);
      await sendIfNoDaemon('cases update');
      return result;
    },

    async housekeeping() {
      const daily = await dailyJobs();
      return { ...daily, promises: await promiseWatch() };
    },

    async run(outer) {
      // Stops on the caller's signal, or at once when the writer lease is lost to another process.
      const leaseGone = new AbortController();
      const signal = AbortSignal.any([outer, leaseGone.signal]);
      let lost: SportelloError | null = null;
      const onLost = (err: SportelloError) => {
        lost = err;
        log.error({}, 'stopping all daemon work: another process holds the writer lease now');
        leaseGone.abort();
      };
      // A second daemon is refused (STORE_LOCKED) before it binds the health port; while the store cannot
      // be written yet, the listener is up so /readyz says why the daemon waits.
      let http: HttpListener | null = null;
      const listen = async () => {
        http ??= await startHealthListener();
      };
      try {
        if (fleet) {
          // One owner per mailbox instead of one writer per store: refused only beside a `once` holding the store.
          const holder = await store.transaction((tx) => tx.writerLease('store'));
          if (holder && Date.parse(holder.leaseUntil) > clock.now().getTime()) throw storeLockedError(redactDatabase(config.database), holder, identity.host);
          await listen();
          log.info({ instance: fleet.me.token, host: fleet.me.host, pid: fleet.me.pid, leaseSeconds: config.limits.leaseSeconds }, 'joining the fleet: mailboxes shared by lease with the other daemons on this database');
          fleetRunning = true;
          // Load the parse and send workers now, not when the first requester's mail arrives.
          void parsePool?.warm();
          sendWorker?.warm();
          try {
            await runScheduler(scheduler, signal, () => false);
          } finally {
            fleetRunning = false;
          }
          return;
        }
        const lease = await leaseForDaemon(signal, { onLost, onRenewError: backgroundFailed('writer lease renewal') }, listen);
        if (!lease) return;
        held = lease;
        metrics.parkedUncertain(lease.parked);
        try {
          await listen();
          void parsePool?.warm();
          sendWorker?.warm();
          await runScheduler(scheduler, signal, () => lost !== null);
        } finally {
          held = null;
          await lease.release().catch(backgroundFailed('writer lease release'));
        }
      } finally {
        listening(null); // no-op once the listener resolved it
        await (http as HttpListener | null)?.close();
      }
      if (lost) throw lost;
    },

    async close() {
      sender.close();
      await parsePool?.close();
      await store.close();
    },

    async releaseQuarantine(ids, actor) {
      const deps = { ingest: ingestDeps, desks, sourceFor };
      const reports: ReleaseReport[] = [];
      for (const id of ids) {
        try {
          reports.push({ ok: true, ...(await releaseOne(deps, id, actor)) });
        } catch (err) {
          // One row that cannot be released must not stop the others; each gets its own answer.
          reports.push({ ok: false, id, error: describeError(err), code: err instanceof SportelloError ? String(err.code) : 'ERROR' });
        }
      }
      if (reports.some((r) => r.ok && r.queued > 0)) await sendIfNoDaemon('quarantine release');
      return reports;
    },

    health: () => health.snapshot(),
    readiness: readyNow,
    scrapeMetrics: () => prometheus.scrape(),
    listening: () => listeningP,
  };

  /** The rules and templates watchers: a valid change is swapped in whole, a broken one logged and ignored. */
  function startWatchers(): Watcher[] {
    const watcher = overrides.router
      ? null
      : watchRules(config.rulesDir, {
          onValid: (ruleSet) => {
            // Rebuilds may overlap (a slow training after a quick edit): only the newest may win.
            const generation = ++rulesGeneration;
            buildRouting(ruleSet, modelCacheDir(config), log)
              .then((next) => {
                if (generation !== rulesGeneration) return;
                engine = next;
                  health.recovered('rules');
                log.info({ files: ruleSet.files }, 'rules reloaded');
              })
                .catch((err: unknown) => {
                  health.failed('rules', 'CLASSIFIER', `rules changed but the classifier could not be rebuilt: ${describeError(err)}`);
                  log.error({ err: describeError(err) }, 'rules changed but the classifier could not be rebuilt; previous rules stay in force');
                });
          },
          onInvalid: (problems) => {
              health.failed('rules', 'RULES_INVALID', `${problems.length} problem(s) in the rules; the previous rules stay in force: ${problems.slice(0, 3).map(formatProblem).join('; ')}`);
            for (const p of problems) log.error({ problem: formatProblem(p) }, 'invalid rules change ignored; previous rules stay in force');
          },
        }, { context: () => rulesCheck });
    const templateWatcher = overrides.renderer
      ? null
      : watchDir(
          config.templatesDir,
          async () => {
              const next = await loadTemplates(config.templatesDir, config.desks[0]?.language);
              // A template the rules in force name must not disappear: every such mail would be quarantined.
              const nextCheck = rulesContext(config, next.names());
              const missing = ruleTemplates(engine.ruleSet).filter((name) => !nextCheck.templates?.has(name));
              if (missing.length) {
                throw new SportelloError('TEMPLATE_INVALID', `the rules use template(s) ${missing.join(', ')}, missing from the changed ${config.templatesDir}`, {
                  hint: 'restore the template, or change the rules first',
                });
              }
              templates = next;
              rulesCheck = nextCheck;
            health.recovered('templates');
            log.info({ dir: config.templatesDir }, 'templates reloaded');
          },
          {
            accept: (f) => f.endsWith('.liquid'),
              onError: (err) => {
                health.failed('templates', isSportelloError(err) ? String(err.code) : 'TEMPLATE_INVALID', `${problemText(err).split('\n')[0]}; the last good templates stay in use`);
                log.error({ err: describeError(err) }, 'invalid template change ignored; the last good templates stay in use');
              },
          },
        );
    void watcher?.ready.then(() => log.info({ dir: config.rulesDir }, 'watching rules for changes'));
    void templateWatcher?.ready.then(() => log.info({ dir: config.templatesDir }, 'watching templates for changes'));
    return [watcher, templateWatcher].filter((w) => w !== null);
  }
}

/**
 * Whether replies go out from a worker thread (limits.sendWorker). auto wants a core to spare for it: the
 * daemon's main thread, its parse worker and the mail server already share two; on such a machine
 * bench:ingest measured the worker no faster and 20–30 MB larger at its peak.
 */
export function wantsSendWorker(setting: boolean | 'auto', cpus: number): boolean {
  return setting === 'auto' ? cpus >= 4 : setting;
}

/**
 * The case store a command works on, for commands that need nothing else: 'read' opens the file read-only
 * and never creates it (STORE_NOT_FOUND); 'write' is for short admin edits beside a running daemon.
 */
export async function openStore(config: Config, mode: StoreMode = 'read'): Promise<CaseStore> {
  // `database: postgres://…` opts in to PostgreSQL; anything else is a SQLite file (the default). Only the
  // driver in use is loaded: the other one's code would sit in memory for nothing (pg: ~5 MB).
  if (isPostgresUrl(config.database)) return (await import('./adapters/postgres-store.js')).openPostgresStore(config.database, { mode });
  return (await import('./adapters/sqlite-store.js')).openSqliteStore(config.database, { mode });
}

/** `sportello migrate-store`: the SQLite file `from` copied into the empty PostgreSQL database `to`. */
export async function migrateStore(from: string, to: string, clock: Clock = { now: () => new Date() }): Promise<CopyReport> {
  return (await import('./adapters/postgres/copy-from-sqlite.js')).copySqliteToPostgres(from, to, clock.now());
}

/** The store for reading when it already exists, or null (a first `classify` before any `run`): never creates one. */
export async function openExistingStore(config: Config): Promise<CaseStore | null> {
  if (!isPostgresUrl(config.database)) return existsSync(config.database) ? openStore(config, 'read') : null;
  // A PostgreSQL database not created or not set up yet is the missing file's twin.
  return openStore(config, 'read').catch((err: unknown) => {
    if (isSportelloError(err, 'STORE_NOT_FOUND')) return null;
    throw err;
  });
}

function imapSources(config: Config, log: Logger): (desk: DeskConfig) => MailSource {
  return (desk) =>
    createImapSource(desk, log.child({ desk: desk.id, component: 'imap' }), config.processed.flag, config.processed.moveTo, {
      idleRestartMs: config.limits.idleRestartSeconds * 1000,
    });
}

/**
 * `sportello once --dry-run`: per desk, what the next pass would do with the mail already there —
 * on first contact, how much startFrom imports and leaves untouched. Reads only: no case, no flag,
 * no mail; a database that does not exist yet is not created.
 */
export async function surveyMailboxes(config: Config, overrides: Pick<AppOverrides, 'clock' | 'log' | 'store' | 'sourceFor'> = {}): Promise<(FolderSurvey | { desk: string; error: string })[]> {
  const log = overrides.log ?? createLogger();
  const clock = overrides.clock ?? { now: () => new Date() };
  // PostgreSQL: read-only, and no store before its schema exists (a dry run sets nothing up).
  const store = overrides.store ?? (isPostgresUrl(config.database) ? await openExistingStore(config) : existsSync(config.database) ? await openStore(config, 'write') : null);
  const sourceFor = overrides.sourceFor ?? imapSources(config, log);
  const out: (FolderSurvey | { desk: string; error: string })[] = [];
  try {
    for (const desk of config.desks) {
      let session: MailboxSession | null = null;
      try {
        session = await sourceFor(desk).open();
        out.push(await surveyFolder({ store, clock, timezone: config.timezone }, desk, session));
      } catch (err) {
        out.push({ desk: desk.id, error: describeError(err) });
      } finally {
        await session?.close();
      }
    }
  } finally {
    if (!overrides.store) await store?.close();
  }
  return out;
}

/**
 * `sportello status`: composed here like the app, but light — no classifier training, no SMTP, mailboxes
 * opened read-only and only when no running daemon has reported recently.
 */
export async function statusReport(config: Config, overrides: Pick<AppOverrides, 'clock' | 'store' | 'sourceFor'> = {}): Promise<StatusReport> {
  const clock = overrides.clock ?? { now: () => new Date() };
  const store = overrides.store ?? (await openStore(config, 'read'));
  const quiet = createLogger({ level: 'silent' });
  try {
    return await gatherStatus({
      store,
      clock,
      desks: config.desks,
      pollSeconds: config.limits.pollSeconds,
      sourceFor:
        overrides.sourceFor ??
        ((desk) => createImapSource(desk, quiet, config.processed.flag, config.processed.moveTo, { idleRestartMs: config.limits.idleRestartSeconds * 1000, readOnly: true })),
      checkRules: async () => {
        const loaded = await loadRules(config.rulesDir);
        if (loaded.ruleSet) return null;
        return { code: 'RULES_INVALID', message: `${loaded.problems.length} problem(s): ${loaded.problems.slice(0, 3).map(formatProblem).join('; ')} (sportello rules check)` };
      },
      checkTemplates: async () =>
        loadTemplates(config.templatesDir, config.desks[0]?.language).then(
          () => null,
          (err: unknown) => ({ code: isSportelloError(err) ? String(err.code) : 'TEMPLATE_INVALID', message: `${(err as Error).message.split('\n')[0]} (sportello templates check)` }),
        ),
      // Three missed reports (or a slow poll) before the daemon counts as gone.
      staleAfterMs: 3 * Math.min(STATUS_EVERY_MS, config.limits.pollSeconds * 1000) + 5_000,
    });
  } finally {
    if (!overrides.store) await store.close();
  }
}

/** Template names the rules' `template` actions use. */
function ruleTemplates(ruleSet: RuleSet | null): string[] {
  const names = Object.values(ruleSet?.desks ?? {}).flatMap((d) => d.rules.flatMap((r) => (r.then.template ? [r.then.template] : [])));
  return [...new Set(names)];
}
