// The only module that talks to PostgreSQL (node-postgres, a Pool): the CaseStore of ../ports.ts with
// the behaviour of sqlite-store.ts, for installs that opt in with `database: postgres://…`. Transactions
// are READ COMMITTED with row locks where SQLite relied on its single writer (see postgres/tx.ts);
// a deadlock or serialization failure runs the whole transaction again. Must never leak a driver type,
// print a password, or hold a decision (it returns rows; the stages decide).

import pg from 'pg';
import { createHmac } from 'node:crypto';
import { SportelloError } from '../errors.js';
import type { CaseEvent, HistoryCase, HistoryWindow } from '../domain/case.js';
import { baseAddress } from '../mail/address.js';
import type { Facts } from '../domain/facts.js';
import type { ErasureTarget, PurgeCutoffs } from '../domain/retention.js';
import type {
  AuditEntry, CaseDetail, CaseFilter, CaseRecord, CaseStore, Checkpoint, DaemonStatusRecord, FolderStart, ForgetCounts, IncidentCandidate, LiveCase, OutboxEntry, OutboxProblem,
  PurgeCounts, QuarantineRecord, StatsData, StoreTx, UncertainReply,
} from '../ports.js';
import { iso, json, toCase, toOutbox, toQuarantine, toTombstoneCase, toOutboxProblem, toAuditEntry, toUncertainReply, toHistoryCase, toCaseDetail, toFleetLease, toDaemonStatus, interner } from './sqlite/rows.js';
import type { FleetLease } from '../domain/fleet.js';
import type { DaemonIdentity } from '../health/snapshot.js';
import { forgetIn, type ErasureDialect } from './sqlite/erasure.js';
import { PG_TYPES } from './postgres/types.js';
import { migratePostgres, schemaState } from './postgres/migrate.js';
import { PgTx } from './postgres/tx.js';
import { groupCandidatesIn, incidentCandidatesIn, lookupFactsIn } from './postgres/facts.js';
import { purgeInPostgres } from './postgres/retention.js';
import { RETRYABLE, pgCode, pgStoreError, query, type Queryable, type Row } from './postgres/sql.js';
import { redactDatabase } from '../config/database.js';
import type { StoreMode } from './sqlite-store.js';

/** How often a transaction that lost a serialization race or a deadlock is run again before STORE. */
const ATTEMPTS = 5;

const PG_ERASURE: ErasureDialect = {
  inIds: (column) => `${column} = ANY(?)`,
  ids: (list) => [...list],
  // encode(…, 'escape') keeps ASCII as is and writes other bytes as \ooo: lower() then folds ASCII
  // letters only, like SQLite's; the needle is escaped the same way, so its bytes match exactly.
  rawContains: `position(lower(encode(convert_to(?, 'UTF8'), 'escape')) in lower(encode(raw, 'escape'))) > 0`,
};

export interface PostgresStoreOptions {
  readonly mode?: StoreMode;
  /** Connections in the pool (default 10). */
  readonly max?: number;
}

/**
 * write (the default): connects and brings the schema up to date. read: every transaction is read-only
 * and a schema this version does not match is refused, never migrated (read commands).
 */
export async function openPostgresStore(url: string, opts: PostgresStoreOptions = {}): Promise<CaseStore & { readonly pool: pg.Pool }> {
  const pool = new pg.Pool({
    connectionString: url,
    types: PG_TYPES,
    max: opts.max ?? 10,
    connectionTimeoutMillis: 10_000,
    ...(opts.mode === 'read' ? { options: '-c default_transaction_read_only=on' } : {}),
  });
  // An idle client's error (server restart) would otherwise crash the process; the next query reports it.
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    try {
      if (opts.mode === 'read') await checkSchema(client, url);
      else await migratePostgres(client);
    } finally {
      client.release();
    }
  } catch (cause) {
    await pool.end().catch(() => undefined);
    if (cause instanceof SportelloError) throw cause;
    if (pgCode(cause) === '3D000') {
      throw new SportelloError('STORE_NOT_FOUND', `the database ${redactDatabase(url)} does not exist`, {
        cause,
        hint: 'create it (createdb) and start sportello run or once to set it up, or fix "database" in the config',
      });
    }
    throw pgStoreError(url, cause, 'cannot open the database');
  }
  return new PostgresStore(pool, url, opts.mode === 'read');
}

async function checkSchema(client: pg.PoolClient, url: string): Promise<void> {
  const state = await schemaState(client);
  if (!state.applied.length) {
    // Like a SQLite file that does not exist yet: nothing to read, and read commands never create it.
    throw new SportelloError('STORE_NOT_FOUND', `${redactDatabase(url)} is not a Sportello database yet (no schema_migrations table)`, {
      hint: 'check "database" in the config; sportello run or once sets up an empty database',
    });
  }
  if (state.pending.length) {
    throw new SportelloError('STORE', `the database ${redactDatabase(url)} has not been upgraded to this version (missing ${state.pending.join(', ')})`, {
      hint: 'start sportello run (or once) of this version once to upgrade it; read commands never change the database',
    });
  }
}

/** `?` placeholders (as the SQL shared with SQLite writes them) as $1, $2…, string literals left alone. */
export function positional(sql: string): string {
  let n = 0;
  return sql.replace(/'(?:[^']|'')*'|\?/g, (m) => (m === '?' ? `$${++n}` : m));
}

class PostgresStore implements CaseStore {
  constructor(
    readonly pool: pg.Pool,
    private readonly url: string,
    private readonly readOnly: boolean,
  ) {}

  private q(sql: string, ...args: unknown[]): Promise<{ rows: Row[]; rowCount: number }> {
    return query(this.pool, this.url, sql, args);
  }

  private async rows(sql: string, ...args: unknown[]): Promise<Row[]> {
    return (await this.q(sql, ...args)).rows;
  }

  /**
   * One transaction on one pooled connection: all or nothing. An error of the work itself comes back
   * unchanged (driver failures are already STORE); a deadlock or serialization failure runs it again.
   */
  private async inTransaction<T>(work: (db: Queryable) => Promise<T>, opts: { readonly isolation?: string; readonly rollback?: boolean } = {}): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let client: pg.PoolClient;
      try {
        client = await this.pool.connect();
      } catch (cause) {
        throw pgStoreError(this.url, cause, 'cannot connect to the database');
      }
      let broken: Error | undefined;
      try {
        await query(client, this.url, `BEGIN ISOLATION LEVEL ${opts.isolation ?? 'READ COMMITTED'}`);
        const result = await work(client);
        await query(client, this.url, opts.rollback ? 'ROLLBACK' : 'COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch((e: Error) => (broken = e));
        const code = pgCode(err);
        if (attempt < ATTEMPTS && code && RETRYABLE.has(code) && err instanceof SportelloError) continue;
        throw err;
      } finally {
        client.release(broken);
      }
    }
  }

  transaction<T>(work: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.inTransaction((db) => work(new PgTx(db, this.url, this.readOnly)));
  }

  /** Several reads that must agree with each other (one snapshot), as SQLite's one connection gave. */
  private snapshot<T>(work: (db: Queryable) => Promise<T>): Promise<T> {
    return this.inTransaction(work, { isolation: 'REPEATABLE READ READ ONLY' });
  }

  lookupFacts(...args: Parameters<CaseStore['lookupFacts']>): Promise<Facts> {
    return this.snapshot((db) => lookupFactsIn(db, this.url, ...args));
  }

  groupCandidates(desk: string, since: Date): Promise<LiveCase[]> {
    return groupCandidatesIn(this.pool, this.url, desk, since);
  }

  incidentCandidates(desk: string, since: Date): Promise<IncidentCandidate[]> {
    return incidentCandidatesIn(this.pool, this.url, desk, since);
  }

  async checkpoint(desk: string, folder: string): Promise<Checkpoint | null> {
    const [r] = await this.rows('SELECT uid_validity, last_uid FROM mailbox_state WHERE desk = $1 AND folder = $2', desk, folder);
    return r ? { uidValidity: Number(r.uid_validity), lastUid: Number(r.last_uid) } : null;
  }

  async resetCheckpoint(desk: string, folder: string, uidValidity: number, now: Date): Promise<void> {
    await this.q(
      `INSERT INTO mailbox_state (desk, folder, uid_validity, last_uid, updated_at) VALUES ($1, $2, $3, 0, $4)
       ON CONFLICT (desk, folder) DO UPDATE SET uid_validity = excluded.uid_validity, last_uid = 0, updated_at = excluded.updated_at`,
      desk, folder, uidValidity, iso(now),
    );
  }

  async dueOutbox(now: Date, limit: number): Promise<OutboxEntry[]> {
    const rows = await this.rows(`SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY id LIMIT $2`, iso(now), limit);
    return rows.map(toOutbox);
  }

  async markSending(ids: readonly number[], now: Date): Promise<number[]> {
    if (!ids.length) return [];
    // A claim, not a blind update: only rows still pending are taken, and rows another claimer has
    // locked right now are skipped (SKIP LOCKED) rather than waited for, so two senders never both get
    // one and neither blocks. The claim's time is kept in next_attempt_at, as SQLite keeps it.
    const res = await this.q(
      `UPDATE outbox SET status = 'sending', attempts = attempts + 1, next_attempt_at = $1
       WHERE id IN (SELECT id FROM outbox WHERE id = ANY($2::bigint[]) AND status = 'pending' FOR UPDATE SKIP LOCKED)
       RETURNING id`,
      iso(now), [...ids],
    );
    return res.rows.map((r) => Number(r.id)).sort((a, b) => a - b);
  }

  async markSent(ids: readonly number[], now: Date): Promise<void> {
    if (!ids.length) return;
    await this.q(`UPDATE outbox SET status = 'sent', sent_at = $1, last_error = NULL WHERE id = ANY($2::bigint[])`, iso(now), [...ids]);
  }

  async markRetry(id: number, error: string, nextAttemptAt: Date): Promise<void> {
    await this.q(`UPDATE outbox SET status = 'pending', last_error = $1, next_attempt_at = $2 WHERE id = $3`, error, iso(nextAttemptAt), id);
  }

  /** The outbox's own events (send-failed…) go through the one event writer, StoreTx.addEvents. */
  private addEvent(db: Queryable, caseId: string, event: CaseEvent, now: Date): Promise<void> {
    return new PgTx(db, this.url).addEvents(caseId, [event], now);
  }

  markFailed(id: number, error: string, now: Date): Promise<void> {
    return this.inTransaction(async (db) => {
      const r = (await query(db, this.url, `UPDATE outbox SET status = 'failed', last_error = $1 WHERE id = $2 RETURNING case_id, recipient, kind`, [error, id])).rows[0];
      if (r?.case_id) {
        await this.addEvent(db, String(r.case_id), { type: 'send-failed', actor: 'sportello', data: { outbox: id, to: r.recipient, kind: r.kind, error } }, now);
      }
    });
  }

  parkInterrupted(now: Date, claimedBefore?: Date): Promise<number> {
    // One transaction, row by row: a row is parked and its event written together, and only for a row
    // this call actually moved from "sending" (never an event for a reply that went out meanwhile).
    return this.inTransaction(async (db) => {
      // A sending row's next_attempt_at is the time it was claimed (markSending): the claim expires after it.
      const rows = (
        await query(
          db, this.url,
          `SELECT id, case_id, recipient, kind FROM outbox WHERE status = 'sending' AND ($1::timestamptz IS NULL OR next_attempt_at <= $1) ORDER BY id FOR UPDATE`,
          [claimedBefore ? iso(claimedBefore) : null],
        )
      ).rows;
      let parked = 0;
      for (const r of rows) {
        const res = await query(
          db, this.url,
          `UPDATE outbox SET status = 'uncertain', last_error = $1 WHERE id = $2 AND status = 'sending'`,
          [`interrupted while sending (${iso(now)}); not resent automatically to avoid a duplicate reply`, r.id],
        );
        if (res.rowCount === 0) continue;
        parked++;
        if (!r.case_id) continue;
        await this.addEvent(db, String(r.case_id), {
          type: 'send-uncertain',
          actor: 'sportello',
          data: { outbox: Number(r.id), to: r.recipient, kind: r.kind, note: 'interrupted mid-send; not resent automatically, check with the recipient' },
        }, now);
      }
      return parked;
    });
  }

  async listCases(filter: CaseFilter): Promise<CaseRecord[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (sql: (p: string) => string, value: unknown) => {
      args.push(value);
      where.push(sql(`$${args.length}`));
    };
    if (filter.desk) add((p) => `desk = ${p}`, filter.desk);
    if (filter.status?.length) add((p) => `status = ANY(${p})`, [...filter.status]);
    // SQLite's NOCASE folds ASCII letters only; lower() under COLLATE "C" does the same.
    if (filter.assignee === null) where.push('assignee IS NULL');
    else if (filter.assignee !== undefined) add((p) => `lower(assignee) = lower(${p} COLLATE "C")`, filter.assignee);
    if (filter.category !== undefined) add((p) => `category = ${p}`, filter.category);
    if (filter.requester !== undefined) add((p) => `lower(requester_address) = lower(${p} COLLATE "C")`, filter.requester);
    if (filter.since !== undefined) add((p) => `created_at >= ${p}`, iso(filter.since));
    const order = filter.newestFirst ? 'created_at DESC, desk, number DESC' : 'created_at, desk, number';
    const rows = await this.rows(
      `SELECT * FROM cases ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT $${args.length + 1} OFFSET $${args.length + 2}`,
      ...args, filter.limit ?? 1000, filter.offset ?? 0,
    );
    return rows.map(toCase);
  }

  statsData(since: Date): Promise<StatsData> {
    return this.snapshot(async (db) => {
      const all = async (sql: string) => (await query(db, this.url, sql, [iso(since)])).rows;
      const cases = await all('SELECT * FROM cases WHERE created_at >= $1 ORDER BY created_at, desk, number');
      const mails = await all(`SELECT desk, COALESCE(date, created_at) AS at FROM messages WHERE direction = 'in' AND kind = 'requester' AND created_at >= $1 ORDER BY id`);
      // Cases deleted by retention still count: their tombstones carry the numbers and times, no person.
      const tombstones = await all('SELECT * FROM case_tombstones WHERE created_at >= $1 ORDER BY created_at, desk, number');
      const pastMails = tombstones.flatMap((t) =>
        (JSON.parse(String(t.requester_mail_times_json)) as string[]).filter((at) => at >= iso(since)).map((at) => ({ desk: String(t.desk), at })),
      );
      const reopens = await all(
        `SELECT e.case_id, COUNT(*) AS n FROM events e JOIN cases c ON c.id = e.case_id WHERE e.type = 'reopened' AND c.created_at >= $1 GROUP BY e.case_id ORDER BY e.case_id`,
      );
      return {
        cases: [...tombstones.map(toTombstoneCase), ...cases.map(toCase)].sort((a, b) => a.createdAt.localeCompare(b.createdAt)),
        requesterMails: [...pastMails, ...mails.map((m) => ({ desk: String(m.desk), at: String(m.at) }))],
        reopened: Object.fromEntries(reopens.map((r) => [String(r.case_id), Number(r.n)])),
      };
    });
  }

  async promiseHistory(desk: string, window: HistoryWindow): Promise<HistoryCase[]> {
    // The most recently resolved (bounded), and every live case (a reopened one among them, whenever resolved).
    const rows = await this.rows(
      `SELECT category, priority, status, created_at, resolved_at, sla_clock_json FROM (
         (SELECT category, priority, status, created_at, resolved_at, sla_clock_json FROM cases
           WHERE desk = $1 AND resolved_at IS NOT NULL AND resolved_at >= $2 AND status NOT IN ('new', 'open', 'waiting')
           UNION ALL
          SELECT category, priority, 'closed', created_at, resolved_at, NULL FROM case_tombstones
           WHERE desk = $1 AND resolved_at IS NOT NULL AND resolved_at >= $2)
          ORDER BY resolved_at DESC LIMIT $3) recent
        UNION ALL
       SELECT category, priority, status, created_at, resolved_at, sla_clock_json FROM cases
        WHERE desk = $1 AND status IN ('new', 'open', 'waiting')
        ORDER BY created_at, category, priority, status, resolved_at`,
      desk, iso(window.since), window.cases,
    );
    const intern = interner();
    return rows.map((r) => toHistoryCase(r, intern));
  }

  promiseCases(): Promise<{ record: CaseRecord; lastAgentAt: string | null; updated: number[] }[]> {
    return this.snapshot(async (db) => {
      const rows = (
        await query(
          db, this.url,
          `SELECT c.*, (SELECT MAX(m.created_at) FROM messages m WHERE m.case_id = c.id AND m.kind IN ('agent', 'relay')) AS last_agent_at
             FROM cases c WHERE c.status IN ('new', 'open') AND c.promise_json IS NOT NULL ORDER BY c.created_at, c.desk, c.number`,
        )
      ).rows;
      const sent = (
        await query(db, this.url, `SELECT p.case_id, p.seq FROM promise_notices p JOIN cases c ON c.id = p.case_id WHERE c.status IN ('new', 'open') AND p.kind = 'pre-breach' ORDER BY p.case_id, p.seq`)
      ).rows;
      const byCase = new Map<string, number[]>();
      for (const r of sent) byCase.set(String(r.case_id), [...(byCase.get(String(r.case_id)) ?? []), Number(r.seq)]);
      return rows.map((r) => ({ record: toCase(r), lastAgentAt: (r.last_agent_at as string | null) ?? null, updated: byCase.get(String(r.id)) ?? [] }));
    });
  }

  async waitExpired(now: Date): Promise<CaseRecord[]> {
    return (await this.rows(`SELECT * FROM cases WHERE status = 'waiting' AND wait_until IS NOT NULL AND wait_until <= $1 ORDER BY created_at, desk, number`, iso(now))).map(toCase);
  }

  async resolvedBefore(before: Date): Promise<CaseRecord[]> {
    return (await this.rows(`SELECT * FROM cases WHERE status = 'resolved' AND resolved_at IS NOT NULL AND resolved_at <= $1 ORDER BY created_at, desk, number`, iso(before))).map(toCase);
  }

  slaCases(): Promise<{ record: CaseRecord; notified: string[] }[]> {
    return this.snapshot(async (db) => {
      const rows = (await query(db, this.url, `SELECT * FROM cases WHERE status IN ('new','open','waiting') AND sla_clock_json IS NOT NULL ORDER BY created_at, desk, number`)).rows;
      const sent = (
        await query(db, this.url, `SELECT e.case_id, e.threshold FROM escalations e JOIN cases c ON c.id = e.case_id WHERE c.status IN ('new','open','waiting') ORDER BY e.case_id, e.threshold`)
      ).rows;
      const byCase = new Map<string, string[]>();
      for (const r of sent) byCase.set(String(r.case_id), [...(byCase.get(String(r.case_id)) ?? []), String(r.threshold)]);
      return rows.map((r) => ({ record: toCase(r), notified: byCase.get(String(r.id)) ?? [] }));
    });
  }

  getCaseDetail(id: string): Promise<CaseDetail | null> {
    return this.snapshot(async (db) => {
      const all = async (sql: string, arg: unknown) => (await query(db, this.url, sql, [arg])).rows;
      const [c] = await all('SELECT * FROM cases WHERE id = $1', id.toUpperCase());
      if (!c) return null;
      const messages = await all('SELECT * FROM messages WHERE case_id = $1 ORDER BY id', c.id);
      const events = await all('SELECT * FROM events WHERE case_id = $1 ORDER BY id', c.id);
      const links = await all('SELECT linked_id, reason, at FROM case_links WHERE case_id = $1 ORDER BY at, linked_id', c.id);
      const members = c.kind === 'incident' ? await all('SELECT * FROM cases WHERE incident = $1 ORDER BY created_at, number', c.id) : [];
      return toCaseDetail(c, { messages, events, links, members });
    });
  }

  async listQuarantine(limit: number, opts: { readonly all?: boolean } = {}): Promise<QuarantineRecord[]> {
    return (await this.rows(`SELECT * FROM quarantine ${opts.all ? '' : `WHERE state = 'held'`} ORDER BY id DESC LIMIT $1`, limit)).map(toQuarantine);
  }

  async outboxProblems(limit: number): Promise<OutboxProblem[]> {
    const rows = await this.rows(`SELECT * FROM outbox WHERE status <> 'sent' ORDER BY id DESC LIMIT $1`, limit);
    return rows.map(toOutboxProblem);
  }

  requeue(id: number, now: Date, actor: string): Promise<boolean> {
    return this.inTransaction(async (db) => {
      const r = (
        await query(
          db, this.url,
          `UPDATE outbox SET status = 'pending', next_attempt_at = $1, last_error = NULL WHERE id = $2 AND status IN ('failed', 'uncertain') RETURNING case_id, recipient, kind`,
          [iso(now), id],
        )
      ).rows[0];
      if (!r) return false;
      if (r.case_id) await this.addEvent(db, String(r.case_id), { type: 'send-requeued', actor, data: { outbox: id, to: r.recipient, kind: r.kind } }, now);
      return true;
    });
  }

  async outboxSummary(): Promise<Record<string, number>> {
    const rows = await this.rows('SELECT status, COUNT(*) AS n FROM outbox GROUP BY status ORDER BY status');
    return Object.fromEntries(rows.map((r) => [String(r.status), Number(r.n)]));
  }

  private closed = false;

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  async folderStart(desk: string, folder: string): Promise<FolderStart | null> {
    const [r] = await this.rows('SELECT uid_validity, first_start, take_from, backlog_uid FROM mailbox_state WHERE desk = $1 AND folder = $2', desk, folder);
    return r
      ? { uidValidity: Number(r.uid_validity), firstStart: (r.first_start as string | null) ?? null, takeFrom: (r.take_from as string | null) ?? null, backlogUid: Number(r.backlog_uid) }
      : null;
  }

  async startFolder(desk: string, folder: string, start: FolderStart & { readonly lastUid: number }, now: Date): Promise<void> {
    // The first start is set once: a rescan after a UIDVALIDITY change keeps it (and what it skipped).
    await this.q(
      `INSERT INTO mailbox_state (desk, folder, uid_validity, last_uid, updated_at, first_start, take_from, backlog_uid) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (desk, folder) DO UPDATE SET uid_validity = excluded.uid_validity, last_uid = excluded.last_uid, updated_at = excluded.updated_at,
         backlog_uid = excluded.backlog_uid,
         take_from = CASE WHEN mailbox_state.first_start IS NULL THEN excluded.take_from ELSE mailbox_state.take_from END,
         first_start = COALESCE(mailbox_state.first_start, excluded.first_start)`,
      desk, folder, start.uidValidity, start.lastUid, iso(now), start.firstStart, start.takeFrom, start.backlogUid,
    );
  }

  async skipTo(desk: string, folder: string, uidValidity: number, uid: number, now: Date): Promise<void> {
    await this.q(
      'UPDATE mailbox_state SET last_uid = GREATEST(last_uid, $1), updated_at = $2 WHERE desk = $3 AND folder = $4 AND uid_validity = $5',
      uid, iso(now), desk, folder, uidValidity,
    );
  }

  async recentlyProcessed(desk: string, folder: string, uidValidity: number, limit: number): Promise<number[]> {
    const rows = await this.rows('SELECT uid FROM processed WHERE desk = $1 AND folder = $2 AND uid_validity = $3 ORDER BY uid DESC LIMIT $4', desk, folder, uidValidity, limit);
    return rows.map((r) => Number(r.uid));
  }

  async getQuarantine(id: number): Promise<QuarantineRecord | null> {
    const [r] = await this.rows('SELECT * FROM quarantine WHERE id = $1', id);
    return r ? toQuarantine(r) : null;
  }

  async heldQuarantineIds(code?: string): Promise<number[]> {
    const rows = code
      ? await this.rows(`SELECT id FROM quarantine WHERE state = 'held' AND code = $1 ORDER BY id`, code)
      : await this.rows(`SELECT id FROM quarantine WHERE state = 'held' ORDER BY id`);
    return rows.map((r) => Number(r.id));
  }

  async dropQuarantine(id: number, reason: string, actor: string, now: Date): Promise<boolean> {
    const res = await this.q(
      `UPDATE quarantine SET state = 'dropped', raw = NULL, dropped_at = $1, dropped_by = $2, drop_reason = $3 WHERE id = $4 AND state = 'held'`,
      iso(now), actor, reason, id,
    );
    return res.rowCount === 1;
  }

  backup(_file: string): Promise<void> {
    // A consistent copy of a PostgreSQL database is the server's business (pg_dump reads one snapshot).
    return Promise.reject(
      new SportelloError('USAGE', `sportello backup copies a SQLite database; ${redactDatabase(this.url)} is PostgreSQL`, {
        hint: 'use pg_dump (e.g. pg_dump --format=custom --file sportello.dump DATABASE_URL), or the server\'s own backups',
      }),
    );
  }

  purge(cutoffs: PurgeCutoffs, now: Date, options: { dryRun: boolean; actor: string; claimDay?: string }): Promise<PurgeCounts | null> {
    // SERIALIZABLE: the set of cases to delete must not change under it (a follow-up joining one).
    return this.inTransaction(async (db) => {
      if (options.claimDay && !(await new PgTx(db, this.url).claimDaily('purge', options.claimDay, now))) return null;
      const counts = await purgeInPostgres(db, this.url, cutoffs, now);
      await this.audit(db, 'purge', options.actor, counts, null, now);
      return counts;
    }, { isolation: 'SERIALIZABLE', rollback: options.dryRun });
  }

  async erasureHash(address: string): Promise<string> {
    const [salt] = await this.rows(`SELECT value FROM store_meta WHERE key = 'erasure-salt'`);
    return createHmac('sha256', String(salt?.value ?? '')).update(baseAddress(address.trim())).digest('hex');
  }

  forget(target: ErasureTarget, subjectHash: string, now: Date, options: { dryRun: boolean; actor: string }): Promise<ForgetCounts> {
    return this.inTransaction(async (db) => {
      const run = (sql: string, ...args: unknown[]) => query(db, this.url, positional(sql), args);
      const earlier = (await run(`SELECT id, at FROM audit_log WHERE action = 'forget' AND subject_hash = ? ORDER BY id`, subjectHash)).rows;
      const counts = await forgetIn({ all: async (sql, ...args) => (await run(sql, ...args)).rows, run }, target, PG_ERASURE);
      await this.audit(db, 'forget', options.actor, counts, subjectHash, now);
      return { ...counts, previousErasures: earlier.map((e) => ({ id: Number(e.id), at: String(e.at) })) };
    }, { isolation: 'SERIALIZABLE', rollback: options.dryRun });
  }

  async auditLog(limit: number): Promise<AuditEntry[]> {
    const rows = await this.rows('SELECT * FROM audit_log ORDER BY id DESC LIMIT $1', limit);
    return rows.map(toAuditEntry);
  }

  async uncertainOutbox(): Promise<UncertainReply[]> {
    const rows = await this.rows(
      `SELECT o.id, o.case_id, c.desk, (o.mail_json::json -> 'from' ->> 'address') AS from_address, o.kind, o.recipient, o.created_at
       FROM outbox o LEFT JOIN cases c ON c.id = o.case_id WHERE o.status = 'uncertain' ORDER BY o.id`,
    );
    return rows.map(toUncertainReply);
  }

  /** Inside a transaction: counts only, and for `forget` the salted hash, never the address. */
  private async audit(db: Queryable, action: AuditEntry['action'], actor: string, counts: object, subjectHash: string | null, now: Date): Promise<void> {
    const numbers = Object.fromEntries(Object.entries(counts).filter(([, v]) => typeof v === 'number'));
    await query(db, this.url, 'INSERT INTO audit_log (at, action, actor, counts_json, subject_hash) VALUES ($1, $2, $3, $4, $5)', [iso(now), action, actor, json(numbers), subjectHash]);
  }

  async unclaim(id: number, error: string, nextAttemptAt: Date): Promise<void> {
    await this.q(
      `UPDATE outbox SET status = 'pending', attempts = GREATEST(attempts - 1, 0), last_error = $1, next_attempt_at = $2 WHERE id = $3 AND status = 'sending'`,
      error, iso(nextAttemptAt), id,
    );
  }

  async quarantineCount(): Promise<number> {
    return Number((await this.rows("SELECT COUNT(*) AS n FROM quarantine WHERE state = 'held'"))[0]?.n ?? 0);
  }

  async fleetLeases(): Promise<FleetLease[]> {
    return (await this.rows('SELECT * FROM fleet_leases ORDER BY name')).map(toFleetLease);
  }

  async saveDaemonStatus(daemon: DaemonIdentity, statusJson: string, now: Date, forgetBefore: Date): Promise<void> {
    await this.inTransaction(async (db) => {
      await query(db, this.url, 'DELETE FROM daemon_reports WHERE at < $1', [iso(forgetBefore)]);
      await query(
        db, this.url,
        'INSERT INTO daemon_reports (host, pid, started_at, json, at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (host, pid, started_at) DO UPDATE SET json = excluded.json, at = excluded.at',
        [daemon.host, daemon.pid, daemon.startedAt, statusJson, iso(now)],
      );
    });
  }

  async daemonStatuses(): Promise<DaemonStatusRecord[]> {
    return (await this.rows('SELECT * FROM daemon_reports ORDER BY at, host, pid, started_at')).map(toDaemonStatus);
  }
}
