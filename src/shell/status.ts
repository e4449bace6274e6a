// Gathers `sportello status`: the daemons' self-reports merged (each desk from the daemon working it) while
// any is fresh, else a read-only look of our own at each mailbox (backlog above the checkpoint), plus the
// outbox, quarantine, oldest open case, rules and templates. Reads only; never takes or flags mail.

import type { CaseStore, Clock, MailSource } from '../ports.js';
import type { DeskConfig } from '../config/schema.js';
import { describeError, isSportelloError } from '../errors.js';
import { readiness } from '../health/readiness.js';
import { mergeReports, type SavedReport } from '../health/daemon-reports.js';
import type { ComponentProblem, DeskHealth, HealthSnapshot, ReadinessProblem, SavedDaemonStatus } from '../health/snapshot.js';
import { HOUSEKEEPING_LEASE, INSTANCE_PREFIX, mailboxOwners, type MailboxOwner } from '../domain/fleet.js';

/** Who holds the store's writer lease (host, pid, since), once the store offers one; null when free. */
export type LeaseHolder = { readonly host: string; readonly pid: number; readonly since: string } | null;

export interface StatusDeps {
  readonly store: CaseStore;
  readonly clock: Clock;
  readonly desks: readonly DeskConfig[];
  readonly pollSeconds: number;
  /** Opens a desk mailbox read-only (EXAMINE) for our own look. */
  readonly sourceFor: (desk: DeskConfig) => MailSource;
  /** Null when the rules load, else the problem. */
  readonly checkRules: () => Promise<Omit<ComponentProblem, 'since'> | null>;
  readonly checkTemplates: () => Promise<Omit<ComponentProblem, 'since'> | null>;
  /** A daemon report older than this counts as no daemon. */
  readonly staleAfterMs: number;
  /** Hook for the store's writer lease: when given, it names the running daemon. */
  readonly lease?: () => Promise<LeaseHolder>;
}

export interface StatusReport {
  readonly at: string;
  readonly daemon: {
    /** running: a fresh self-report; stopped: it said so on shutdown; silent: its report went stale; unknown: never seen. */
    readonly state: 'running' | 'stopped' | 'silent' | 'unknown';
    readonly host: string | null;
    readonly pid: number | null;
    readonly since: string | null;
    readonly reportedAt: string | null;
  };
  /** Where the desk states come from: the daemon's report, or a read-only check made by this command. */
  readonly desksFrom: 'daemon' | 'check';
  readonly desks: readonly DeskHealth[];
  readonly store: ComponentProblem | null;
  readonly smtp: HealthSnapshot['smtp'];
  readonly outbox: { readonly pending: number; readonly sending: number; readonly failed: number; readonly uncertain: number };
  readonly quarantine: number;
  readonly oldestOpenCase: { readonly id: string; readonly status: string; readonly createdAt: string; readonly subject: string } | null;
  readonly rules: ComponentProblem | null;
  readonly templates: ComponentProblem | null;
  readonly ready: boolean;
  readonly problems: readonly ReadinessProblem[];
  /**
   * Several daemons on one PostgreSQL store: which instance owns which mailbox (null owner: nobody now),
   * the live instances and the housekeeping holder. Null when no daemon ever joined a fleet (SQLite).
   */
  readonly fleet: {
    readonly instances: readonly { readonly instance: string; readonly host: string | null; readonly pid: number | null; readonly leaseUntil: string | null }[];
    readonly mailboxes: readonly MailboxOwner[];
    readonly housekeeping: { readonly instance: string; readonly host: string | null; readonly pid: number | null } | null;
  } | null;
}

export async function gatherStatus(deps: StatusDeps): Promise<StatusReport> {
  const now = deps.clock.now();
  const at = now.toISOString();
  const merged = mergeReports(await readReports(deps.store), now, deps.staleAfterMs);
  const { summary: newest, fresh } = merged;
  const holder = deps.lease ? await deps.lease() : null;
  const daemon: StatusReport['daemon'] = {
    state: holder ? 'running' : merged.state,
    host: holder?.host ?? newest?.daemon?.host ?? null,
    pid: holder?.pid ?? newest?.daemon?.pid ?? null,
    since: holder?.since ?? newest?.daemon?.startedAt ?? null,
    reportedAt: newest?.stoppedAt ?? newest?.at ?? null,
  };
  const desks = fresh ? fresh.desks : await Promise.all(deps.desks.map((d) => checkDesk(deps, d, merged.lastPassAt.get(d.id) ?? null, at)));
  const since = (p: Omit<ComponentProblem, 'since'> | null) => (p ? { ...p, since: at } : null);
  const rules = since(await deps.checkRules()) ?? fresh?.rules ?? null;
  const templates = since(await deps.checkTemplates()) ?? fresh?.templates ?? null;
  const summary = await deps.store.outboxSummary();
  const oldest = (await deps.store.listCases({ status: ['new', 'open', 'waiting'], limit: 1 }))[0];
  const snapshot: HealthSnapshot = {
    at,
    pollSeconds: deps.pollSeconds,
    daemon: newest?.daemon ?? null,
    desks,
    store: fresh?.store ?? null,
    smtp: fresh?.smtp ?? null,
    rules,
    templates,
  };
  const verdict = readiness(snapshot, now);
  return {
    at,
    daemon,
    desksFrom: fresh ? 'daemon' : 'check',
    desks,
    store: snapshot.store,
    smtp: snapshot.smtp,
    outbox: { pending: summary.pending ?? 0, sending: summary.sending ?? 0, failed: summary.failed ?? 0, uncertain: summary.uncertain ?? 0 },
    quarantine: await deps.store.quarantineCount(),
    oldestOpenCase: oldest ? { id: oldest.id, status: oldest.status, createdAt: oldest.createdAt, subject: oldest.subject } : null,
    rules,
    templates,
    ...verdict,
    fleet: fleetOf(await deps.store.fleetLeases(), deps.desks.map((d) => d.id), now),
  };
}

function fleetOf(leases: Awaited<ReturnType<CaseStore['fleetLeases']>>, desks: readonly string[], now: Date): StatusReport['fleet'] {
  if (!leases.length) return null;
  const live = (l: (typeof leases)[number]) => l.owner !== null && l.leaseUntil !== null && Date.parse(l.leaseUntil) > now.getTime();
  const hk = leases.find((l) => l.name === HOUSEKEEPING_LEASE && live(l));
  return {
    instances: leases.filter((l) => l.name.startsWith(INSTANCE_PREFIX) && live(l)).map((l) => ({ instance: l.owner!, host: l.host, pid: l.pid, leaseUntil: l.leaseUntil })),
    mailboxes: mailboxOwners(leases, desks, now),
    housekeeping: hk ? { instance: hk.owner!, host: hk.host, pid: hk.pid } : null,
  };
}

/** Every daemon's saved report; one we cannot read is no report. */
async function readReports(store: CaseStore): Promise<SavedReport[]> {
  return (await store.daemonStatuses()).flatMap((row) => {
    try {
      return [{ ...(JSON.parse(row.json) as SavedDaemonStatus), at: row.at }];
    } catch {
      return [];
    }
  });
}

/** Logs in read-only, counts the backlog above the checkpoint, logs out. */
async function checkDesk(deps: StatusDeps, desk: DeskConfig, lastPassAt: string | null, at: string): Promise<DeskHealth> {
  let session: Awaited<ReturnType<MailSource['open']>> | null = null;
  try {
    session = await deps.sourceFor(desk).open();
    const cp = await deps.store.checkpoint(desk.id, desk.imap.folder);
    const backlog = await session.countAbove(cp && cp.uidValidity === session.uidValidity ? cp.lastUid : 0);
    return { id: desk.id, state: 'connected', problem: null, lastPassAt, backlog };
  } catch (err) {
    const code = isSportelloError(err) ? String(err.code) : 'IMAP_CONNECT';
    return { id: desk.id, state: 'down', problem: { code, message: describeError(err).replace(`${code}: `, ''), since: at }, lastPassAt, backlog: null };
  } finally {
    await session?.close().catch(() => undefined);
  }
}
