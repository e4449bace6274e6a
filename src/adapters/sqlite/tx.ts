// Work inside one store transaction (see sqlite-store.ts, which opens and closes it): creating cases
// with per-desk numbers, messages, events, outbox rows, links, escalation claims and checkpoints.
// Must never be used outside the transaction that created it.

import { one, type SqlDb } from './statements.js';
import type { CaseEvent, CaseRecord, CaseStatus } from '../../domain/case.js';
import { formatCaseId } from '../../domain/case.js';
import { baseAddress } from '../../mail/address.js';
import type { MailboxPosition } from '../../domain/plan.js';
import type { CaseFields, CaseUpdate, NewMessage, OutboxEntry, QuarantineEntry, QuarantineState, StoreTx } from '../../ports.js';
import type { WriterLeaseRecord } from '../../domain/writer-lease.js';
import type { CasePromise } from '../../forecast/promise.js';
import { caseFieldSets, iso, json, newCaseRow, toCase, toWriterLease, toFleetLease, fleetValues, FLEET_COLUMNS, type Row } from './rows.js';
import type { FleetLease } from '../../domain/fleet.js';
import type { Facts } from '../../domain/facts.js';
import type { IncidentCandidate, LiveCase } from '../../domain/incident.js';
import { SportelloError } from '../../errors.js';
import { driverError, storeError } from './driver-errors.js';
import { groupCandidatesIn, incidentCandidatesIn, lookupFactsIn } from './facts.js';

export class SqliteTx implements StoreTx {
  private savepoints = 0;
  /**
   * Cases whose updated_at this transaction has set, and to what: a new case's own messages then need no
   * second write of the same instant. Any other write to a case forgets it; a savepoint rolled back restores it.
   */
  private touched = new Map<string, string>();

  constructor(
    private readonly db: SqlDb,
    private readonly file: string,
  ) {}

  /**
   * SAVEPOINT … RELEASE, or ROLLBACK TO when `work` throws: one mail of a group commit undone alone.
   * A database failure inside becomes STORE here (the caller must stop the whole transaction, not
   * quarantine the mail); anything else keeps its identity.
   */
  async savepoint<T>(work: (tx: StoreTx) => Promise<T>): Promise<T> {
    const name = `sp${++this.savepoints}`;
    const touched = new Map(this.touched);
    try {
      await this.db.exec(`SAVEPOINT ${name}`);
      let result: T;
      try {
        result = await work(this);
      } catch (err) {
        this.touched = touched;
        await this.db.exec(`ROLLBACK TO ${name}`);
        await this.db.exec(`RELEASE ${name}`);
        throw err;
      }
      await this.db.exec(`RELEASE ${name}`);
      return result;
    } catch (cause) {
      if (!driverError(cause) || cause instanceof SportelloError) throw cause;
      throw storeError(this.file, cause);
    }
  }

  lookupFacts(...args: Parameters<StoreTx['lookupFacts']>): Promise<Facts> {
    return lookupFactsIn(this.db, ...args);
  }

  groupCandidates(desk: string, since: Date): Promise<LiveCase[]> {
    return groupCandidatesIn(this.db, desk, since);
  }

  incidentCandidates(desk: string, since: Date): Promise<IncidentCandidate[]> {
    return incidentCandidatesIn(this.db, desk, since);
  }

  async createCase(input: Parameters<StoreTx['createCase']>[0], now: Date): Promise<CaseRecord> {
    const counter = await one<Row>(
      this.db,
      `INSERT INTO desk_counters (desk, last_number) VALUES (?, 1)
       ON CONFLICT (desk) DO UPDATE SET last_number = last_number + 1 RETURNING last_number`,
      input.desk,
    );
    const n = Number(counter!.last_number);
    const id = formatCaseId(input.prefix, n);
    const row = newCaseRow(input, id, n, now);
    const created = await one<Row>(this.db, `INSERT INTO cases (${row.columns.join(', ')}) VALUES (${row.values.map(() => '?').join(', ')}) RETURNING *`, ...row.values);
    this.touched.set(id, iso(now));
    return toCase(created!);
  }

  async setIncident(caseId: string, incident: string | null, now: Date): Promise<void> {
    this.touched.delete(caseId);
    await this.db.run('UPDATE cases SET incident = ?, updated_at = ? WHERE id = ?', incident, iso(now), caseId);
  }

  async getCase(id: string): Promise<CaseRecord | null> {
    const r = await one<Row>(this.db, 'SELECT * FROM cases WHERE id = ?', id);
    return r ? toCase(r) : null;
  }

  async addMessage(m: NewMessage, now: Date): Promise<number> {
    const res = await this.db.run(
      `INSERT INTO messages (case_id, desk, direction, kind, message_id, in_reply_to, references_json, from_address,
                             from_name, to_json, cc_json, subject, date, text, raw, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      m.caseId, m.desk, m.direction, m.kind, m.messageId, m.mail.inReplyTo[0] ?? null, json(m.mail.references),
      m.mail.from?.address ?? null, m.mail.from?.name ?? null, json(m.mail.to), json(m.mail.cc), m.mail.subject,
      m.mail.date, m.mail.text, m.raw, iso(now),
    );
    if (m.caseId && this.touched.get(m.caseId) !== iso(now)) {
      await this.db.run('UPDATE cases SET updated_at = ? WHERE id = ?', iso(now), m.caseId);
      this.touched.set(m.caseId, iso(now));
    }
    return res.lastID!;
  }

  async addEvents(caseId: string, events: readonly CaseEvent[], now: Date): Promise<void> {
    // One statement per 500 (well under SQLite's bound-variable limit), rows in the given order (ids
    // ascending, as the case history reads them).
    for (let i = 0; i < events.length; i += 500) {
      const part = events.slice(i, i + 500);
      await this.db.run(
        `INSERT INTO events (case_id, at, type, actor, data_json) VALUES ${part.map(() => '(?, ?, ?, ?, ?)').join(', ')}`,
        ...part.flatMap((e) => [caseId, iso(now), e.type, e.actor, json(e.data)]),
      );
    }
  }

  async setStatus(caseId: string, status: CaseStatus, now: Date): Promise<void> {
    this.touched.delete(caseId);
    await this.db.run('UPDATE cases SET status = ?, updated_at = ? WHERE id = ?', status, iso(now), caseId);
  }

  async updateCase(caseId: string, p: CaseUpdate, now: Date): Promise<void> {
    this.touched.delete(caseId);
    await this.db.run(
      `UPDATE cases SET category = ?, priority = ?, status = ?, sla_policy = ?, due_at = ?, first_response_due_at = ?,
                        sla_clock_json = ?, routing_json = ?, updated_at = ? WHERE id = ?`,
      p.category, p.priority, p.status, p.slaPolicy, p.dueAt, p.firstResponseDueAt, p.slaClock ? json(p.slaClock) : null,
      json(p.routing), iso(now), caseId,
    );
  }

  async enqueue(entry: Omit<OutboxEntry, 'id' | 'attempts'>, messageRow: number | null, now: Date): Promise<number> {
    const res = await this.db.run(
      `INSERT INTO outbox (case_id, message_row, kind, status, envelope_from, recipient, mail_json, next_attempt_at, created_at)
       VALUES (?, ?, ?, 'pending', ?, ?, ?, ?, ?)`,
      entry.caseId, messageRow, entry.kind, entry.envelopeFrom, baseAddress(entry.mail.to[0]?.address ?? ''), json(entry.mail), iso(now), iso(now),
    );
    return res.lastID!;
  }

  async quarantine(q: QuarantineEntry, now: Date): Promise<number> {
    const res = await this.db.run(
      `INSERT INTO quarantine (desk, folder, uid_validity, uid, message_id, code, reason, stage, raw, at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      q.position?.desk ?? null, q.position?.folder ?? null, q.position?.uidValidity ?? null, q.position?.uid ?? null,
      q.messageId, q.code, q.reason, q.stage, q.raw, iso(now),
    );
    return res.lastID!;
  }

  async setCaseFields(caseId: string, f: CaseFields, now: Date): Promise<void> {
    this.touched.delete(caseId);
    const u = caseFieldSets(f, now, () => '?');
    if (u) await this.db.run(`UPDATE cases SET ${u.sets.join(', ')} WHERE id = ?`, ...u.args, caseId);
  }

  async casesElsewhere(messageId: string, desk: string): Promise<string[]> {
    const rows = await this.db.all<Row[]>(
      `SELECT DISTINCT case_id FROM messages WHERE message_id = ? AND desk <> ? AND direction = 'in' AND case_id IS NOT NULL ORDER BY case_id`,
      messageId, desk,
    );
    return rows.map((r) => String(r.case_id));
  }

  async link(a: string, b: string, reason: string, now: Date): Promise<void> {
    for (const [x, y] of [[a, b], [b, a]] as const) {
      await this.db.run('INSERT OR IGNORE INTO case_links (case_id, linked_id, reason, at) VALUES (?, ?, ?, ?)', x, y, reason, iso(now));
    }
  }

  async setPromise(caseId: string, promise: CasePromise, now: Date): Promise<void> {
    this.touched.delete(caseId);
    await this.db.run('UPDATE cases SET promise_json = ?, updated_at = ? WHERE id = ?', json(promise), iso(now), caseId);
  }

  async claimPromiseNotice(caseId: string, seq: number, kind: string, now: Date): Promise<boolean> {
    const res = await this.db.run('INSERT OR IGNORE INTO promise_notices (case_id, seq, kind, at) VALUES (?, ?, ?, ?)', caseId, seq, kind, iso(now));
    return (res.changes ?? 0) > 0;
  }

  async recordEscalation(caseId: string, threshold: string, dueAt: Date, now: Date): Promise<boolean> {
    const res = await this.db.run(
      'INSERT OR IGNORE INTO escalations (case_id, threshold, due_at, sent_at) VALUES (?, ?, ?, ?)',
      caseId, threshold, iso(dueAt), iso(now),
    );
    return (res.changes ?? 0) > 0;
  }

  async markPosition(p: MailboxPosition, messageId: string | null, outcome: string, caseId: string | null, now: Date): Promise<void> {
    await this.db.run(
      `INSERT OR IGNORE INTO processed (desk, folder, uid_validity, uid, message_id, outcome, case_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      p.desk, p.folder, p.uidValidity, p.uid, messageId, outcome, caseId, iso(now),
    );
    await this.db.run(
      `INSERT INTO mailbox_state (desk, folder, uid_validity, last_uid, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (desk, folder) DO UPDATE SET last_uid = MAX(last_uid, excluded.last_uid), updated_at = excluded.updated_at
       WHERE uid_validity = excluded.uid_validity`,
      p.desk, p.folder, p.uidValidity, p.uid, iso(now),
    );
  }

  async quarantineState(id: number): Promise<QuarantineState | null> {
    const r = await this.db.get<Row>('SELECT state FROM quarantine WHERE id = ?', id);
    return r ? (r.state as QuarantineState) : null;
  }

  async releaseQuarantine(id: number, caseId: string | null, actor: string, now: Date): Promise<void> {
    await this.db.run(
      `UPDATE quarantine SET state = 'released', released_at = ?, released_by = ?, released_case_id = ? WHERE id = ? AND state = 'held'`,
      iso(now), actor, caseId, id,
    );
    // The mailbox position was recorded as quarantined; it now tells where the mail went.
    await this.db.run(
      `UPDATE processed SET outcome = 'released', case_id = ?, at = ?
       WHERE (desk, folder, uid_validity, uid) = (SELECT desk, folder, uid_validity, uid FROM quarantine WHERE id = ?)`,
      caseId, iso(now), id,
    );
  }

  async requarantine(id: number, q: Pick<QuarantineEntry, 'messageId' | 'code' | 'reason' | 'stage'>, actor: string, now: Date): Promise<void> {
    await this.db.run(
      `UPDATE quarantine SET code = ?, reason = ?, stage = ?, message_id = COALESCE(?, message_id),
                             attempts = attempts + 1, last_attempt_at = ?, last_attempt_by = ?
       WHERE id = ? AND state = 'held'`,
      q.code, q.reason, q.stage, q.messageId, iso(now), actor, id,
    );
  }

  async writerLease(name: string): Promise<WriterLeaseRecord | null> {
    const r = await this.db.get<Row>('SELECT * FROM writer_lease WHERE name = ?', name);
    return r ? toWriterLease(r) : null;
  }

  async putWriterLease(name: string, l: WriterLeaseRecord): Promise<void> {
    await this.db.run(
      `INSERT INTO writer_lease (name, token, host, pid, command, started_at, heartbeat_at, lease_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET token = excluded.token, host = excluded.host, pid = excluded.pid, command = excluded.command,
         started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at, lease_until = excluded.lease_until`,
      name, l.token, l.host, l.pid, l.command, l.startedAt, l.heartbeatAt, l.leaseUntil,
    );
  }

  async fleetLeases(): Promise<FleetLease[]> {
    return (await this.db.all<Row[]>('SELECT * FROM fleet_leases ORDER BY name')).map(toFleetLease);
  }

  async putFleetLease(l: FleetLease): Promise<void> {
    await this.db.run(`INSERT OR REPLACE INTO fleet_leases (${FLEET_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`, ...fleetValues(l));
  }

  async dropFleetLease(name: string): Promise<void> {
    await this.db.run('DELETE FROM fleet_leases WHERE name = ?', name);
  }

  async holdsFleetLease(name: string, owner: string, epoch: number, now: Date): Promise<boolean> {
    // One writer per SQLite store: the write transaction already excludes every other writer.
    return (await this.db.get<Row>('SELECT 1 AS ok FROM fleet_leases WHERE name = ? AND owner = ? AND epoch = ? AND lease_until > ?', name, owner, epoch, iso(now))) !== undefined;
  }

  async releaseWriterLease(name: string, token: string): Promise<boolean> {
    const res = await this.db.run('DELETE FROM writer_lease WHERE name = ? AND token = ?', name, token);
    return (res.changes ?? 0) > 0;
  }

  async claimDaily(job: string, day: string, now: Date): Promise<boolean> {
    const res = await this.db.run('INSERT OR IGNORE INTO daily_claims (job, day, at) VALUES (?, ?, ?)', job, day, iso(now));
    return (res.changes ?? 0) > 0;
  }
}
