// The only module that talks to SQLite (sqlite3, deprecated upstream, kept behind this file so a
// switch to node:sqlite touches nothing else). One connection, WAL, and a queue so that transactions
// never interleave. Must never bind a BigInt (sqlite3 stores it as NULL) or leak a driver type.

import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import sqlite3 from 'sqlite3';
import { open, type Database } from 'sqlite';
import { SportelloError } from '../errors.js';
import type { CaseEvent, HistoryCase, HistoryWindow } from '../domain/case.js';
import { baseAddress } from '../mail/address.js';
import type { MailboxPosition } from '../domain/plan.js';
import type { Facts, ThreadKeys } from '../domain/facts.js';
import type { AuditEntry, CaseDetail, CaseFilter, CaseRecord, CaseStore, Checkpoint, StatsData, FolderStart, ForgetCounts, IncidentCandidate, LiveCase, OutboxEntry, OutboxProblem, PurgeCounts, QuarantineRecord, StoreTx, UncertainReply } from '../ports.js';
import type { ErasureTarget, PurgeCutoffs } from '../domain/retention.js';

import { MIGRATIONS } from './sqlite/migrations.js';
import { iso, json, toCase, toOutbox, toQuarantine, toTombstoneCase, toOutboxProblem, toAuditEntry, toUncertainReply, toHistoryCase, toCaseDetail, toFleetLease, toDaemonStatus, interner, type Row } from './sqlite/rows.js';
import type { FleetLease } from '../domain/fleet.js';
import { SqliteTx } from './sqlite/tx.js';
import { groupCandidatesIn, incidentCandidatesIn, lookupFactsIn } from './sqlite/facts.js';
import { KeptStatements } from './sqlite/statements.js';
import { driverError, storeError } from './sqlite/driver-errors.js';
import { purgeIn } from './sqlite/retention.js';
import { forgetIn } from './sqlite/erasure.js';
import { createHmac } from 'node:crypto';
import type { DaemonStatusRecord } from '../ports.js';
import type { DaemonIdentity } from '../health/snapshot.js';


/**
 * read: an existing database, opened SQLITE_OPEN_READONLY — never creates a file or directory, never
 * migrates (read commands: cases list/show, outbox, stats, quarantine). write: creates and migrates
 * (the default; `run`, `once` and admin edits). Neither takes the writer lease: see src/shell/writer-lease.ts.
 */
export type StoreMode = 'read' | 'write';

export async function openSqliteStore(file: string, opts: { readonly mode?: StoreMode } = {}): Promise<CaseStore> {
  if (opts.mode === 'read' && file !== ':memory:') return openForReading(file);
  let db: Database;
  try {
    if (file !== ':memory:') await mkdir(path.dirname(file), { recursive: true });
    db = await open({ filename: file, driver: sqlite3.Database });
    await db.exec('PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;');
    await migrate(db);
  } catch (cause) {
    if (!driverError(cause) && (cause as { code?: string })?.code) {
      // mkdir failed (EACCES, ENOTDIR…): the same advice as an unwritable database.
      throw new SportelloError('STORE', `cannot create the directory of the database ${file}: ${(cause as Error).message}`, {
      cause,
        hint: 'check that the directory is writable by the user running sportello (or pass --db FILE)',
    });
  }
    throw storeError(file, cause, 'cannot open the database');
  }
  return new SqliteStore(db, file);
}

async function openForReading(file: string): Promise<CaseStore> {
  try {
    await stat(file);
  } catch (cause) {
    if ((cause as { code?: string }).code !== 'ENOENT') throw storeError(file, cause, 'cannot open the database');
    throw new SportelloError('STORE_NOT_FOUND', `the database ${file} does not exist`, {
      cause,
      hint: 'check --db or "database" in the config (a relative path is relative to the config file); sportello run or once creates it on first start',
    });
  }
  let db: Database | null = null;
  try {
    db = await open({ filename: file, driver: sqlite3.Database, mode: sqlite3.OPEN_READONLY });
    await db.exec('PRAGMA busy_timeout = 5000;');
    const applied = await db.all<{ name: string }[]>('SELECT name FROM schema_migrations').catch((cause: unknown) => {
      throw new SportelloError('STORE', `${file} is not a Sportello database (no schema_migrations table)`, {
        cause,
        hint: 'check --db or "database" in the config',
      });
    });
    const missing = MIGRATIONS.map((m) => m.name).filter((n) => !applied.some((a) => a.name === n));
    if (missing.length) {
      throw new SportelloError('STORE', `the database ${file} has not been upgraded to this version (missing ${missing.join(', ')})`, {
        hint: 'start sportello run (or once) of this version once to upgrade it; read commands never change the database',
      });
    }
  } catch (cause) {
    await db?.close().catch(() => undefined);
    if (cause instanceof SportelloError) throw cause;
    throw storeError(file, cause, 'cannot open the database');
  }
  return new SqliteStore(db, file);
}

async function migrate(db: Database): Promise<void> {
  await db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
  const executed = async () => (await db.all<{ name: string }[]>('SELECT name FROM schema_migrations ORDER BY name')).map((r) => r.name);
  const applied = new Set(await executed());
  // Most starts have nothing to apply: umzug (and the CLI toolkit it loads, ~150 modules) is loaded only to migrate.
  if (MIGRATIONS.every((m) => applied.has(m.name))) return;
  const { Umzug } = await import('umzug');
  const umzug = new Umzug({
    migrations: MIGRATIONS.map((m) => ({
      name: m.name,
      up: async () => {
        await db.exec('BEGIN');
        try {
          await db.exec(m.sql);
          await db.run('INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)', m.name, new Date().toISOString());
          await db.exec('COMMIT');
        } catch (err) {
          await db.exec('ROLLBACK');
          throw err;
        }
      },
    })),
    storage: {
      // Logged inside the migration's own transaction above, so a crash cannot half-apply one.
      executed,
      logMigration: async () => {},
      unlogMigration: async ({ name }) => {
        await db.run('DELETE FROM schema_migrations WHERE name = ?', name);
      },
    },
    logger: undefined,
  });
  await umzug.up();
}

/** What a database file holds: PRAGMA integrity_check's verdict and the row counts people ask about. */
export interface DatabaseReport {
  readonly ok: boolean;
  /** "ok", or every problem integrity_check listed. */
  readonly integrity: readonly string[];
  readonly counts: { readonly cases: number; readonly messages: number; readonly outbox: number; readonly quarantine: number };
}

/** Opens a database file read-only (a backup, never the live one for writing) and checks it. */
export async function inspectDatabase(file: string): Promise<DatabaseReport> {
  let db: Database | null = null;
  try {
    db = await open({ filename: file, driver: sqlite3.Database, mode: sqlite3.OPEN_READONLY });
    const integrity = (await db.all<Row[]>('PRAGMA integrity_check')).map((r) => String(Object.values(r)[0]));
    const count = async (table: string) => Number((await db!.get<Row>(`SELECT COUNT(*) AS n FROM ${table}`))?.n ?? 0);
    const counts = { cases: await count('cases'), messages: await count('messages'), outbox: await count('outbox'), quarantine: await count('quarantine') };
    return { ok: integrity.length === 1 && integrity[0] === 'ok', integrity, counts };
  } catch (cause) {
    throw new SportelloError('STORE', `cannot read the database ${file}`, { cause, context: { file }, hint: 'is it a Sportello SQLite database?' });
  } finally {
    await db?.close();
  }
}

class SqliteStore implements CaseStore {
  private queue: Promise<unknown> = Promise.resolve();
  /** Every statement goes through the kept statements of the one connection. */
  private readonly db: KeptStatements;

  constructor(
    private readonly connection: Database,
    private readonly file: string,
  ) {
    this.db = new KeptStatements(connection);
  }

  /** Serialises every use of the one connection; a transaction holds the queue until it ends. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run.catch((cause: unknown) => {
      // Only the database's own failures become STORE (transient: the pass stops and is retried);
      // anything else thrown inside a transaction is the caller's and keeps its identity.
      if (!driverError(cause) || cause instanceof SportelloError) throw cause;
      throw storeError(this.file, cause);
    });
  }

  /** One BEGIN IMMEDIATE transaction (the write lock taken up front, so no upgrade deadlock): all or nothing. */
  private immediate<T>(work: () => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      await this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await work();
        await this.db.exec('COMMIT');
        return result;
      } catch (err) {
        await this.db.exec('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
  }

  transaction<T>(work: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.immediate(() => work(new SqliteTx(this.db, this.file)));
  }

  /** Inside immediate(): the outbox's own events (send-failed…) go through the one event writer, StoreTx.addEvents. */
  private addEvent(caseId: string, event: CaseEvent, now: Date): Promise<void> {
    return new SqliteTx(this.db, this.file).addEvents(caseId, [event], now);
  }

  lookupFacts(desk: string, position: MailboxPosition | null, messageKey: string, sender: string | null, keys: ThreadKeys, since: Date, exceptQuarantine?: number): Promise<Facts> {
    return this.exclusive(() => lookupFactsIn(this.db, desk, position, messageKey, sender, keys, since, exceptQuarantine));
  }

  groupCandidates(desk: string, since: Date): Promise<LiveCase[]> {
    return this.exclusive(() => groupCandidatesIn(this.db, desk, since));
  }

  incidentCandidates(desk: string, since: Date): Promise<IncidentCandidate[]> {
    return this.exclusive(() => incidentCandidatesIn(this.db, desk, since));
  }

  checkpoint(desk: string, folder: string): Promise<Checkpoint | null> {
    return this.exclusive(async () => {
      const r = await this.db.get<Row>('SELECT uid_validity, last_uid FROM mailbox_state WHERE desk = ? AND folder = ?', desk, folder);
      return r ? { uidValidity: Number(r.uid_validity), lastUid: Number(r.last_uid) } : null;
    });
  }

  resetCheckpoint(desk: string, folder: string, uidValidity: number, now: Date): Promise<void> {
    return this.exclusive(async () => {
      await this.db.run(
        `INSERT INTO mailbox_state (desk, folder, uid_validity, last_uid, updated_at) VALUES (?, ?, ?, 0, ?)
         ON CONFLICT (desk, folder) DO UPDATE SET uid_validity = excluded.uid_validity, last_uid = 0, updated_at = excluded.updated_at`,
        desk, folder, uidValidity, iso(now),
      );
    });
  }

  dueOutbox(now: Date, limit: number): Promise<OutboxEntry[]> {
    return this.exclusive(async () => {
      const rows = await this.db.all<Row[]>(
        `SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT ?`,
        iso(now), limit,
      );
      return rows.map(toOutbox);
    });
  }

  markSending(ids: readonly number[], now: Date): Promise<number[]> {
    if (!ids.length) return Promise.resolve([]);
    // A claim, not a blind update: only a row still pending is taken, so two processes sharing the
    // database (a cron `once` next to the daemon) can never both send it. One statement, one commit.
    return this.immediate(async () => {
      const rows = await this.db.all<Row[]>(
        `UPDATE outbox SET status = 'sending', attempts = attempts + 1, next_attempt_at = ?
          WHERE id IN (${ids.map(() => '?').join(', ')}) AND status = 'pending' RETURNING id`,
        iso(now), ...ids,
      );
      return rows.map((r) => Number(r.id)).sort((a, b) => a - b);
    });
  }

  markSent(ids: readonly number[], now: Date): Promise<void> {
    if (!ids.length) return Promise.resolve();
    return this.immediate(async () => {
      await this.db.run(`UPDATE outbox SET status = 'sent', sent_at = ?, last_error = NULL WHERE id IN (${ids.map(() => '?').join(', ')})`, iso(now), ...ids);
    });
  }

  markRetry(id: number, error: string, nextAttemptAt: Date): Promise<void> {
    return this.run(`UPDATE outbox SET status = 'pending', last_error = ?, next_attempt_at = ? WHERE id = ?`, error, iso(nextAttemptAt), id);
  }

  markFailed(id: number, error: string, now: Date): Promise<void> {
    return this.immediate(async () => {
      await this.db.run(`UPDATE outbox SET status = 'failed', last_error = ? WHERE id = ?`, error, id);
      const r = await this.db.get<Row>('SELECT case_id, recipient, kind FROM outbox WHERE id = ?', id);
      if (r?.case_id) {
        await this.addEvent(String(r.case_id), { type: 'send-failed', actor: 'sportello', data: { outbox: id, to: r.recipient, kind: r.kind, error } }, now);
      }
    });
  }

  parkInterrupted(now: Date, claimedBefore?: Date): Promise<number> {
    // One transaction, row by row: a row is parked and its event written together, and only for a row
    // this call actually moved from "sending" (never an event for a reply that went out meanwhile).
    return this.immediate(async () => {
      // A sending row's next_attempt_at is the time it was claimed (markSending).
      const rows = await this.db.all<Row[]>(
        `SELECT id, case_id, recipient, kind FROM outbox WHERE status = 'sending' AND (? IS NULL OR next_attempt_at <= ?) ORDER BY id`,
        claimedBefore ? iso(claimedBefore) : null, claimedBefore ? iso(claimedBefore) : null,
      );
      let parked = 0;
      for (const r of rows) {
        const res = await this.db.run(
          `UPDATE outbox SET status = 'uncertain', last_error = ? WHERE id = ? AND status = 'sending'`,
          `interrupted while sending (${iso(now)}); not resent automatically to avoid a duplicate reply`, r.id,
        );
        if ((res.changes ?? 0) === 0) continue;
        parked++;
        if (!r.case_id) continue;
        await this.addEvent(String(r.case_id), {
          type: 'send-uncertain',
          actor: 'sportello',
          data: { outbox: Number(r.id), to: r.recipient, kind: r.kind, note: 'interrupted mid-send; not resent automatically, check with the recipient' },
        }, now);
      }
      return parked;
    });
  }

  listCases(filter: CaseFilter): Promise<CaseRecord[]> {
    return this.exclusive(async () => {
      const where: string[] = [];
      const args: unknown[] = [];
      if (filter.desk) {
        where.push('desk = ?');
        args.push(filter.desk);
      }
      if (filter.status?.length) {
        where.push(`status IN (${filter.status.map(() => '?').join(',')})`);
        args.push(...filter.status);
      }
      if (filter.assignee === null) where.push('assignee IS NULL');
      else if (filter.assignee !== undefined) {
        where.push('assignee = ? COLLATE NOCASE');
        args.push(filter.assignee);
      }
      if (filter.category !== undefined) {
        where.push('category = ?');
        args.push(filter.category);
      }
      if (filter.requester !== undefined) {
        where.push('requester_address = ? COLLATE NOCASE');
        args.push(filter.requester);
      }
      if (filter.since !== undefined) {
        where.push('created_at >= ?');
        args.push(iso(filter.since));
      }
      const order = filter.newestFirst ? 'created_at DESC, desk, number DESC' : 'created_at, desk, number';
      const rows = await this.db.all<Row[]>(
        `SELECT * FROM cases ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ? OFFSET ?`,
        ...args, filter.limit ?? 1000, filter.offset ?? 0,
      );
      return rows.map(toCase);
    });
  }

  statsData(since: Date): Promise<StatsData> {
    return this.exclusive(async () => {
      const cases = await this.db.all<Row[]>('SELECT * FROM cases WHERE created_at >= ? ORDER BY created_at, desk, number', iso(since));
      const mails = await this.db.all<Row[]>(
        `SELECT desk, COALESCE(date, created_at) AS at FROM messages WHERE direction = 'in' AND kind = 'requester' AND created_at >= ? ORDER BY id`,
        iso(since),
      );
      // Cases deleted by retention still count: their tombstones carry the numbers and times, no person.
      const tombstones = await this.db.all<Row[]>('SELECT * FROM case_tombstones WHERE created_at >= ? ORDER BY created_at, desk, number', iso(since));
      const pastMails = tombstones.flatMap((t) =>
        (JSON.parse(String(t.requester_mail_times_json)) as string[]).filter((at) => at >= iso(since)).map((at) => ({ desk: String(t.desk), at })),
      );
      const reopens = await this.db.all<Row[]>(
        `SELECT e.case_id, COUNT(*) AS n FROM events e JOIN cases c ON c.id = e.case_id WHERE e.type = 'reopened' AND c.created_at >= ? GROUP BY e.case_id`,
        iso(since),
      );
      return {
        cases: [...tombstones.map(toTombstoneCase), ...cases.map(toCase)].sort((a, b) => a.createdAt.localeCompare(b.createdAt)),
        requesterMails: [...pastMails, ...mails.map((m) => ({ desk: String(m.desk), at: String(m.at) }))],
        reopened: Object.fromEntries(reopens.map((r) => [String(r.case_id), Number(r.n)])),
      };
    });
  }

  promiseHistory(desk: string, window: HistoryWindow): Promise<HistoryCase[]> {
    const since = iso(window.since);
    return this.exclusive(async () => {
      // The most recently resolved (bounded), and every live case (a reopened one among them, whenever resolved).
      const rows = await this.db.all<Row[]>(
        `SELECT category, priority, status, created_at, resolved_at, sla_clock_json FROM (
           SELECT category, priority, status, created_at, resolved_at, sla_clock_json FROM cases
            WHERE desk = ? AND resolved_at IS NOT NULL AND resolved_at >= ? AND status NOT IN ('new', 'open', 'waiting')
            UNION ALL
           SELECT category, priority, 'closed', created_at, resolved_at, NULL FROM case_tombstones
            WHERE desk = ? AND resolved_at IS NOT NULL AND resolved_at >= ?
            ORDER BY resolved_at DESC LIMIT ?)
          UNION ALL
         SELECT category, priority, status, created_at, resolved_at, sla_clock_json FROM cases
          WHERE desk = ? AND status IN ('new', 'open', 'waiting')
          ORDER BY created_at, category, priority, status, resolved_at`,
        desk, since, desk, since, window.cases, desk,
      );
      const intern = interner();
      return rows.map((r) => toHistoryCase(r, intern));
    });
  }

  promiseCases(): Promise<{ record: CaseRecord; lastAgentAt: string | null; updated: number[] }[]> {
    return this.exclusive(async () => {
      const rows = await this.db.all<Row[]>(
        `SELECT c.*, (SELECT MAX(m.created_at) FROM messages m WHERE m.case_id = c.id AND m.kind IN ('agent', 'relay')) AS last_agent_at
           FROM cases c WHERE c.status IN ('new', 'open') AND c.promise_json IS NOT NULL ORDER BY c.created_at, c.desk, c.number`,
      );
      const sent = await this.db.all<Row[]>(
        `SELECT p.case_id, p.seq FROM promise_notices p JOIN cases c ON c.id = p.case_id WHERE c.status IN ('new', 'open') AND p.kind = 'pre-breach' ORDER BY p.case_id, p.seq`,
      );
      const byCase = new Map<string, number[]>();
      for (const r of sent) byCase.set(String(r.case_id), [...(byCase.get(String(r.case_id)) ?? []), Number(r.seq)]);
      return rows.map((r) => ({ record: toCase(r), lastAgentAt: (r.last_agent_at as string | null) ?? null, updated: byCase.get(String(r.id)) ?? [] }));
    });
  }

  waitExpired(now: Date): Promise<CaseRecord[]> {
    return this.exclusive(async () => {
      const rows = await this.db.all<Row[]>(`SELECT * FROM cases WHERE status = 'waiting' AND wait_until IS NOT NULL AND wait_until <= ? ORDER BY created_at, desk, number`, iso(now));
      return rows.map(toCase);
    });
  }

  resolvedBefore(before: Date): Promise<CaseRecord[]> {
    return this.exclusive(async () => {
      const rows = await this.db.all<Row[]>(`SELECT * FROM cases WHERE status = 'resolved' AND resolved_at IS NOT NULL AND resolved_at <= ? ORDER BY created_at, desk, number`, iso(before));
      return rows.map(toCase);
    });
  }

  slaCases(): Promise<{ record: CaseRecord; notified: string[] }[]> {
    return this.exclusive(async () => {
      const rows = await this.db.all<Row[]>(
        `SELECT * FROM cases WHERE status IN ('new','open','waiting') AND sla_clock_json IS NOT NULL ORDER BY created_at, desk, number`,
      );
      const sent = await this.db.all<Row[]>(
        `SELECT e.case_id, e.threshold FROM escalations e JOIN cases c ON c.id = e.case_id WHERE c.status IN ('new','open','waiting') ORDER BY e.case_id, e.threshold`,
      );
      const byCase = new Map<string, string[]>();
      for (const r of sent) byCase.set(String(r.case_id), [...(byCase.get(String(r.case_id)) ?? []), String(r.threshold)]);
      return rows.map((r) => ({ record: toCase(r), notified: byCase.get(String(r.id)) ?? [] }));
    });
  }

  getCaseDetail(id: string): Promise<CaseDetail | null> {
    return this.exclusive(async () => {
      const c = await this.db.get<Row>('SELECT * FROM cases WHERE id = ?', id.toUpperCase());
      if (!c) return null;
      const messages = await this.db.all<Row[]>('SELECT * FROM messages WHERE case_id = ? ORDER BY id', c.id);
      const events = await this.db.all<Row[]>('SELECT * FROM events WHERE case_id = ? ORDER BY id', c.id);
      const links = await this.db.all<Row[]>('SELECT linked_id, reason, at FROM case_links WHERE case_id = ? ORDER BY at, linked_id', c.id);
      const members = c.kind === 'incident' ? await this.db.all<Row[]>('SELECT * FROM cases WHERE incident = ? ORDER BY created_at, number', c.id) : [];
      return toCaseDetail(c, { messages, events, links, members });
    });
  }

  listQuarantine(limit: number, opts: { readonly all?: boolean } = {}): Promise<QuarantineRecord[]> {
    return this.exclusive(async () => {
      const rows = await this.db.all<Row[]>(`SELECT * FROM quarantine ${opts.all ? '' : `WHERE state = 'held'`} ORDER BY id DESC LIMIT ?`, limit);
      return rows.map(toQuarantine);
    });
  }

  outboxProblems(limit: number): Promise<OutboxProblem[]> {
    return this.exclusive(async () => {
      const rows = await this.db.all<Row[]>(`SELECT * FROM outbox WHERE status <> 'sent' ORDER BY id DESC LIMIT ?`, limit);
      return rows.map(toOutboxProblem);
    });
  }

  requeue(id: number, now: Date, actor: string): Promise<boolean> {
    return this.immediate(async () => {
      const res = await this.db.run(
        `UPDATE outbox SET status = 'pending', next_attempt_at = ?, last_error = NULL WHERE id = ? AND status IN ('failed', 'uncertain')`,
        iso(now), id,
      );
      if ((res.changes ?? 0) === 0) return false;
      const r = await this.db.get<Row>('SELECT case_id, recipient, kind FROM outbox WHERE id = ?', id);
      if (r?.case_id) {
        await this.addEvent(String(r.case_id), { type: 'send-requeued', actor, data: { outbox: id, to: r.recipient, kind: r.kind } }, now);
      }
      return true;
    });
  }

  outboxSummary(): Promise<Record<string, number>> {
    return this.exclusive(async () => {
      const rows = await this.db.all<Row[]>('SELECT status, COUNT(*) AS n FROM outbox GROUP BY status ORDER BY status');
      return Object.fromEntries(rows.map((r) => [String(r.status), Number(r.n)]));
    });
  }

  close(): Promise<void> {
    return this.exclusive(async () => {
      await this.db.close();
      await this.connection.close();
    });
  }

  folderStart(desk: string, folder: string): Promise<FolderStart | null> {
    return this.exclusive(async () => {
      const r = await this.db.get<Row>('SELECT uid_validity, first_start, take_from, backlog_uid FROM mailbox_state WHERE desk = ? AND folder = ?', desk, folder);
      return r
        ? { uidValidity: Number(r.uid_validity), firstStart: (r.first_start as string | null) ?? null, takeFrom: (r.take_from as string | null) ?? null, backlogUid: Number(r.backlog_uid) }
        : null;
    });
  }

  startFolder(desk: string, folder: string, start: FolderStart & { readonly lastUid: number }, now: Date): Promise<void> {
    // The first start is set once: a rescan after a UIDVALIDITY change keeps it (and what it skipped).
    return this.run(
      `INSERT INTO mailbox_state (desk, folder, uid_validity, last_uid, updated_at, first_start, take_from, backlog_uid) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (desk, folder) DO UPDATE SET uid_validity = excluded.uid_validity, last_uid = excluded.last_uid, updated_at = excluded.updated_at,
         backlog_uid = excluded.backlog_uid,
         take_from = CASE WHEN mailbox_state.first_start IS NULL THEN excluded.take_from ELSE mailbox_state.take_from END,
         first_start = COALESCE(mailbox_state.first_start, excluded.first_start)`,
      desk, folder, start.uidValidity, start.lastUid, iso(now), start.firstStart, start.takeFrom, start.backlogUid,
    );
  }

  skipTo(desk: string, folder: string, uidValidity: number, uid: number, now: Date): Promise<void> {
    return this.run(
      'UPDATE mailbox_state SET last_uid = MAX(last_uid, ?), updated_at = ? WHERE desk = ? AND folder = ? AND uid_validity = ?',
      uid, iso(now), desk, folder, uidValidity,
    );
  }

  recentlyProcessed(desk: string, folder: string, uidValidity: number, limit: number): Promise<number[]> {
    return this.exclusive(async () => {
      const rows = await this.db.all<Row[]>(
        'SELECT uid FROM processed WHERE desk = ? AND folder = ? AND uid_validity = ? ORDER BY uid DESC LIMIT ?',
        desk, folder, uidValidity, limit,
      );
      return rows.map((r) => Number(r.uid));
    });
  }

  getQuarantine(id: number): Promise<QuarantineRecord | null> {
    return this.exclusive(async () => {
      const r = await this.db.get<Row>('SELECT * FROM quarantine WHERE id = ?', id);
      return r ? toQuarantine(r) : null;
    });
  }

  heldQuarantineIds(code?: string): Promise<number[]> {
    return this.exclusive(async () => {
      const rows = await this.db.all<Row[]>(
        `SELECT id FROM quarantine WHERE state = 'held' ${code ? 'AND code = ?' : ''} ORDER BY id`,
        ...(code ? [code] : []),
      );
      return rows.map((r) => Number(r.id));
    });
  }

  dropQuarantine(id: number, reason: string, actor: string, now: Date): Promise<boolean> {
    return this.exclusive(async () => {
      const res = await this.db.run(
        `UPDATE quarantine SET state = 'dropped', raw = NULL, dropped_at = ?, dropped_by = ?, drop_reason = ? WHERE id = ? AND state = 'held'`,
        iso(now), actor, reason, id,
      );
      return (res.changes ?? 0) === 1;
    });
  }

  backup(file: string): Promise<void> {
    // VACUUM INTO reads one snapshot inside a read transaction: under WAL the daemon keeps writing
    // meanwhile, and the copy holds exactly what was committed when it started.
    return this.run('VACUUM INTO ?', file);
  }

  purge(cutoffs: PurgeCutoffs, now: Date, options: { dryRun: boolean; actor: string; claimDay?: string }): Promise<PurgeCounts | null> {
    return this.changeOrRollBack(options.dryRun, async () => {
      if (options.claimDay && !(await new SqliteTx(this.db, this.file).claimDaily('purge', options.claimDay, now))) return null;
      const counts = await purgeIn(this.db, cutoffs, now);
      await this.audit('purge', options.actor, counts, null, now);
      return counts;
    });
  }

  erasureHash(address: string): Promise<string> {
    return this.exclusive(async () => {
      const salt = await this.db.get<Row>(`SELECT value FROM store_meta WHERE key = 'erasure-salt'`);
      return createHmac('sha256', String(salt?.value ?? '')).update(baseAddress(address.trim())).digest('hex');
    });
  }

  forget(target: ErasureTarget, subjectHash: string, now: Date, options: { dryRun: boolean; actor: string }): Promise<ForgetCounts> {
    return this.changeOrRollBack(options.dryRun, async () => {
      const earlier = await this.db.all<Row[]>(`SELECT id, at FROM audit_log WHERE action = 'forget' AND subject_hash = ? ORDER BY id`, subjectHash);
      const counts = await forgetIn(this.db, target);
      await this.audit('forget', options.actor, counts, subjectHash, now);
      return { ...counts, previousErasures: earlier.map((e) => ({ id: Number(e.id), at: String(e.at) })) };
    });
  }

  auditLog(limit: number): Promise<AuditEntry[]> {
    return this.exclusive(async () => {
      const rows = await this.db.all<Row[]>('SELECT * FROM audit_log ORDER BY id DESC LIMIT ?', limit);
      return rows.map(toAuditEntry);
    });
  }

  uncertainOutbox(): Promise<UncertainReply[]> {
    return this.exclusive(async () => {
      const rows = await this.db.all<Row[]>(
        `SELECT o.id, o.case_id, c.desk, json_extract(o.mail_json, '$.from.address') AS from_address, o.kind, o.recipient, o.created_at
         FROM outbox o LEFT JOIN cases c ON c.id = o.case_id WHERE o.status = 'uncertain' ORDER BY o.id`,
      );
      return rows.map(toUncertainReply);
    });
  }

  /** One transaction that commits, or, for a dry run, rolls back after counting: the counts are exact either way. */
  private changeOrRollBack<T>(dryRun: boolean, work: () => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      await this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await work();
        await this.db.exec(dryRun ? 'ROLLBACK' : 'COMMIT');
        return result;
      } catch (err) {
        await this.db.exec('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
  }

  /** Called inside a transaction: counts only, and for `forget` the salted hash, never the address. */
  private async audit(action: AuditEntry['action'], actor: string, counts: object, subjectHash: string | null, now: Date): Promise<void> {
    const numbers = Object.fromEntries(Object.entries(counts).filter(([, v]) => typeof v === 'number'));
    await this.db.run('INSERT INTO audit_log (at, action, actor, counts_json, subject_hash) VALUES (?, ?, ?, ?, ?)', iso(now), action, actor, json(numbers), subjectHash);
  }

  unclaim(id: number, error: string, nextAttemptAt: Date): Promise<void> {
    return this.run(
      `UPDATE outbox SET status = 'pending', attempts = MAX(attempts - 1, 0), last_error = ?, next_attempt_at = ? WHERE id = ? AND status = 'sending'`,
      error, iso(nextAttemptAt), id,
    );
  }

  quarantineCount(): Promise<number> {
    return this.exclusive(async () => Number((await this.db.get<Row>("SELECT COUNT(*) AS n FROM quarantine WHERE state = 'held'"))?.n ?? 0));
  }

  fleetLeases(): Promise<FleetLease[]> {
    return this.exclusive(async () => (await this.db.all<Row[]>('SELECT * FROM fleet_leases ORDER BY name')).map(toFleetLease));
  }

  saveDaemonStatus(daemon: DaemonIdentity, json: string, now: Date, forgetBefore: Date): Promise<void> {
    return this.immediate(async () => {
      await this.db.run('DELETE FROM daemon_reports WHERE at < ?', iso(forgetBefore));
      await this.db.run(
        'INSERT INTO daemon_reports (host, pid, started_at, json, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (host, pid, started_at) DO UPDATE SET json = excluded.json, at = excluded.at',
        daemon.host, daemon.pid, daemon.startedAt, json, iso(now),
      );
    });
  }

  daemonStatuses(): Promise<DaemonStatusRecord[]> {
    return this.exclusive(async () => (await this.db.all<Row[]>('SELECT * FROM daemon_reports ORDER BY at, host, pid, started_at')).map(toDaemonStatus));
  }

  private run(sql: string, ...args: unknown[]): Promise<void> {
    return this.exclusive(async () => {
      await this.db.run(sql, ...args);
    });
  }
}
