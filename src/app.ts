// The composition root: builds every adapter from the frozen config, wires them into the shell, and
// hands back the operations the CLI offers. Nothing else constructs adapters; tests pass overrides
// (clock, sender, sources, router, ids) instead of patching modules.

import { randomBytes } from 'node:crypto';
import type { Config, DeskConfig } from './config/schema.js';
import type { CaseStore, Clock, MailSender, MailSource, ReplyRenderer } from './ports.js';
import { PIPELINE } from './pipeline/stages.js';
import { openSqliteStore } from './adapters/sqlite-store.js';
import { createSmtpSender } from './adapters/smtp-sender.js';
import { createImapSource } from './adapters/imap-source.js';
import { loadTemplates } from './adapters/templates.js';
import { extractAttachments, parseMail } from './adapters/mime-parser.js';
import { ingestMailbox, type DeskContext, type IngestDeps, type PassResult } from './shell/ingest.js';
import { drainOutbox, type DrainResult } from './shell/outbox.js';
import { runDeskLoop } from './shell/daemon.js';
import { singleFlight, sleep } from './shell/sleep.js';
import { watchDir } from './adapters/watch-dir.js';
import { createLogger, type Logger } from './log.js';
import { SportelloError, describeError } from './errors.js';
import { assignCase, updateCase, type UpdateResult } from './shell/update-case.js';
import { resolveAgent } from './agents/commands.js';
import type { CaseChanges } from './routing/reschedule.js';
import { buildRouting, modelCacheDir, type Router, type RoutingEngine } from './routing/router.js';
import { deskRulesOf, formatProblem, loadRulesOrThrow, watchRules, type RuleSet } from './rules/index.js';
import { rulesContext } from './routing/rules-context.js';
import { runEscalations, type EscalationPass } from './shell/escalate.js';
import { autoClose } from './shell/auto-close.js';

export type { Router };

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
}

export interface OnceSummary {
  readonly desks: Readonly<Record<string, PassResult | { error: string }>>;
  readonly escalations: number;
  /** Resolved cases closed because their quiet period passed. */
  readonly closed: number;
  readonly outbox: DrainResult;
}

export interface App {
  readonly config: Config;
  readonly store: CaseStore;
  readonly log: Logger;
  /** Processes everything pending in every mailbox, then sends every due reply. */
  once(): Promise<OnceSummary>;
  /** Changes a case's category, priority, status or assignee; reschedules its SLA, tells the requester if the due time moved and a new assignee that they are. */
  updateCase(id: string, changes: CaseChanges, actor: string): Promise<UpdateResult & { id: string; assignee: string | null }>;
  /** Runs until the signal aborts: every mailbox watched, replies sent as they are queued and retried. */
  run(signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

export async function buildApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  const log = overrides.log ?? createLogger();
  const clock = overrides.clock ?? { now: () => new Date() };
  const random = overrides.random ?? Math.random;
  const newId = overrides.newId ?? (() => randomBytes(9).toString('base64url'));
  // Templates are swapped whole on a valid edit; a broken edit is logged and the last good set stays.
  const loadedTemplates = overrides.renderer ? null : await loadTemplates(config.templatesDir, config.desks[0]?.language);
  let templates: ReplyRenderer = overrides.renderer ?? loadedTemplates!;
  // What rules are checked against (desks, agents, template names); without our own templates, no template check.
  let rulesCheck = rulesContext(config, loadedTemplates?.names() ?? null);
  const renderer: ReplyRenderer = { render: (name, language, vars) => templates.render(name, language, vars) };
  const store = overrides.store ?? (await openSqliteStore(config.database));
  const sender = overrides.sender ?? createSmtpSender(config.smtp);
  // Rules are loaded once here; an invalid rules directory at start-up is fatal (there is nothing
  // previous to keep). Later changes are validated by the watcher in run() and swapped in whole.
  let engine: Pick<RoutingEngine, 'router' | 'sla' | 'articles'> & { ruleSet: RuleSet | null } = overrides.router
    ? { router: overrides.router, sla: () => null, articles: () => [], ruleSet: null }
    : await buildRouting(await loadRulesOrThrow(config.rulesDir, rulesCheck), modelCacheDir(config), log);
  const sourceFor =
    overrides.sourceFor ??
    ((desk: DeskConfig) =>
      createImapSource(desk, log.child({ desk: desk.id, component: 'imap' }), config.processed.flag, config.processed.moveTo, {
        idleRestartMs: config.limits.idleRestartSeconds * 1000,
      }));

  const parked = await store.parkInterrupted(clock.now());
  if (parked > 0) log.warn({ parked }, 'replies interrupted mid-send by a previous crash were set aside as uncertain (not resent)');

  /** The current rules of a desk (they change on reload), or undefined when no rules cover it. */
  const rulesOf = (id: string) => deskRulesOf(engine.ruleSet, id);
  const ownAddresses = config.desks.map((d) => d.address);
  const ownDomains = [...new Set(ownAddresses.map((a) => a.split('@')[1]!))];
  const contextFor = (desk: DeskConfig): DeskContext => ({
    desk: {
      id: desk.id,
      prefix: desk.prefix,
      address: desk.address,
      language: desk.language,
      name: desk.name ?? `${desk.id} desk`,
      agents: desk.agents.map((a) => a.address),
      agentRefs: desk.agents,
      notify: desk.notify,
      lifecycle: desk.lifecycle,
      trust: { trustAuthResults: desk.trust.authResults, trustedRelays: desk.trust.relays, authservId: desk.trust.authservId },
      get timezone() {
        return rulesOf(desk.id)?.calendar?.timezone ?? config.timezone;
      },
      get categories() {
        return rulesOf(desk.id)?.categories.map((c) => c.id) ?? [];
      },
    },
    ownAddresses,
    ownDomains,
    instance: config.instance,
    autoRepliesPerAddressPerHour: config.limits.autoRepliesPerAddressPerHour,
    // Read through `engine` at call time so a rules reload takes effect with the next mail.
    route: (mail) => engine.router(desk, mail),
    sla: (routing, now) => engine.sla(desk, routing, now),
    articles: (mail, routing) => engine.articles(desk, mail, routing),
  });
  const ingestDeps: IngestDeps = {
    store,
    clock,
    log,
    parse: (raw, maxBytes) => parseMail(raw, { maxBytes }),
    attachments: (raw) => extractAttachments(raw, config.limits.maxMessageBytes),
    compose: { renderer, instance: config.instance, newId, rulesFor: rulesOf },
    steps: PIPELINE,
    maxMessageBytes: config.limits.maxMessageBytes,
    fetchBatch: config.limits.fetchBatch,
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
  };
  const compose = ingestDeps.compose;
  let rulesGeneration = 0;
  const escalate = singleFlight(
    async (): Promise<EscalationPass> =>
      engine.ruleSet ? runEscalations({ store, clock, log: log.child({ component: 'sla' }), compose, desks: config.desks }, engine.ruleSet) : { sent: 0, next: null },
  );
  // One drain at a time: two concurrent drains could both pick the same pending row.
  let stopSending = () => false;
  const drain = singleFlight(() => drainOutbox(outboxDeps, stopSending));

  return {
    config,
    store,
    log,

    async once() {
      const desks: Record<string, PassResult | { error: string }> = {};
      for (const desk of config.desks) {
        const session = await sourceFor(desk).open().catch((err: unknown) => err as Error);
        if (session instanceof Error) {
          desks[desk.id] = { error: describeError(session) };
          log.error({ desk: desk.id, err: describeError(session) }, 'mailbox skipped');
          continue;
        }
        try {
          desks[desk.id] = await ingestMailbox(ingestDeps, desk, contextFor(desk), session);
        } catch (err) {
          desks[desk.id] = { error: describeError(err) };
          log.error({ desk: desk.id, err: describeError(err) }, 'mailbox pass failed; unprocessed mail stays on the server');
        } finally {
          await session.close();
        }
      }
      const escalations = (await escalate()).sent;
      const closed = await autoClose({ store, clock, log, compose, desks: config.desks }, engine.ruleSet);
      return { desks, escalations, closed, outbox: await drain() };
    },

    async updateCase(id, changes, actor) {
      const now = clock.now();
      const result = await store.transaction(async (tx) => {
        const kase = await tx.getCase(id.toUpperCase());
        if (!kase) throw new SportelloError('CASE_NOT_FOUND', `no case ${id}`, { hint: 'list cases with "sportello cases list"' });
        const desk = config.desks.find((d) => d.id === kase.desk);
        if (!desk) throw new SportelloError('CONFIG_INVALID', `case ${kase.id} belongs to desk ${kase.desk}, which is not in the configuration`);
        // Resolved before anything is written: a wrong name changes nothing.
        const assignee = changes.assignee === undefined ? undefined : deskAgent(desk, changes.assignee);
        const updated = await updateCase(tx, compose, desk, compose.rulesFor?.(desk.id), kase, changes, now, actor);
        const told = assignee === undefined ? 0 : await assignCase(tx, compose, desk, kase, assignee, now, actor);
        return { id: kase.id, ...updated, queued: updated.queued + told, assignee: assignee === undefined ? kase.assignee : assignee };
      });
      await drain();
      return result;
    },

    async run(signal) {
      stopSending = () => signal.aborted;
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
                  log.info({ files: ruleSet.files }, 'rules reloaded');
                })
                .catch((err: unknown) => log.error({ err: describeError(err) }, 'rules changed but the classifier could not be rebuilt; previous rules stay in force'));
            },
            onInvalid: (problems) => {
              for (const p of problems) log.error({ problem: formatProblem(p) }, 'invalid rules change ignored; previous rules stay in force');
            },
          }, { context: () => rulesCheck });
      const loops = config.desks.map((desk) =>
        runDeskLoop(
          {
            source: sourceFor(desk),
            log: log.child({ desk: desk.id }),
            pollMs: config.limits.pollSeconds * 1000,
            random,
            pass: async (session, shouldStop) => {
              await ingestMailbox(ingestDeps, desk, contextFor(desk), session, shouldStop);
              await drain();
            },
          },
          signal,
        ),
      );
      // Retries of failed sends come due on their own schedule, independent of new mail.
      const retries = (async () => {
        while (!signal.aborted) {
          await sleep(Math.min(config.limits.sendRetryBaseSeconds, 30) * 1000, signal);
          if (!signal.aborted) await drain().catch((err: unknown) => log.warn({ err: describeError(err) }, 'outbox pass failed'));
        }
      })();
      // SLA thresholds come due with time, not with mail: wake when the next one is due (at most a minute).
      const escalations = (async () => {
        while (!signal.aborted) {
          const pass = await escalate().catch((err: unknown) => {
            log.warn({ err: describeError(err) }, 'escalation pass failed');
            return { sent: 0, next: null };
          });
          await autoClose({ store, clock, log, compose, desks: config.desks }, engine.ruleSet).catch((err: unknown) =>
            log.warn({ err: describeError(err) }, 'auto-close pass failed'),
          );
          if (pass.sent > 0) await drain().catch(() => undefined);
          const wait = pass.next ? Math.max(1_000, pass.next.getTime() - clock.now().getTime()) : 60_000;
          await sleep(Math.min(wait, 60_000), signal);
        }
      })();
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
              log.info({ dir: config.templatesDir }, 'templates reloaded');
            },
            {
              accept: (f) => f.endsWith('.liquid'),
              onError: (err) => log.error({ err: describeError(err) }, 'invalid template change ignored; the last good templates stay in use'),
            },
          );
      void watcher?.ready.then(() => log.info({ dir: config.rulesDir }, 'watching rules for changes'));
      void templateWatcher?.ready.then(() => log.info({ dir: config.templatesDir }, 'watching templates for changes'));
      await Promise.all([...loops, retries, escalations]);
      await watcher?.close();
      await templateWatcher?.close();
      // Flush what can still be sent, bounded so a dead SMTP server cannot hold shutdown hostage.
      stopSending = () => false;
      const flushed = await Promise.race([drain(), sleep(10_000).then(() => null)]);
      if (flushed) log.info({ ...flushed }, 'outbox flushed on shutdown');
    },

    async close() {
      sender.close();
      await store.close();
    },
  };
}

/** Template names the rules' `template` actions use. */
function ruleTemplates(ruleSet: RuleSet | null): string[] {
  const names = Object.values(ruleSet?.desks ?? {}).flatMap((d) => d.rules.flatMap((r) => (r.then.template ? [r.then.template] : [])));
  return [...new Set(names)];
}

/** The agent `cases update --assignee` names (address, local part or name, as #assign takes), or null for "none". */
function deskAgent(desk: DeskConfig, value: string | null): string | null {
  if (value === null || value.trim().toLowerCase() === 'none') return null;
  const found = resolveAgent(value, desk.agents);
  if ('agent' in found) return found.agent;
  const agents = desk.agents.map((a) => a.address).join(', ') || 'none configured';
  if ('ambiguous' in found) throw new SportelloError('USAGE', `"${value}" matches several agents of desk ${desk.id}: ${found.ambiguous.join(', ')}`, { hint: 'give the full address' });
  const meant = found.suggestion === null ? '' : ` (did you mean "${found.suggestion}"?)`;
  throw new SportelloError('USAGE', `"${value}" is not an agent of desk ${desk.id}${meant}`, { hint: `agents of ${desk.id}: ${agents}; or --assignee none` });
}
