// Work inside one PostgreSQL store transaction (see postgres-store.ts, which opens and closes it):
// the PostgreSQL twin of ../sqlite/tx.ts. Where SQLite relied on its single writer, row locks do the
// same here: the desk counter row is locked by its upsert (case numbers unique and increasing in commit
// order), a case read by getCase and a quarantine row read by quarantineState until the transaction ends
// (read-modify-write, as the shell does), and // the writer lease by a transaction-scoped advisory lock taken before it is read.
// Must never be used outside the transaction that created it.

import type { CaseEvent, CaseRecord, CaseStatus } from '../../domain/case.js';
import { formatCaseId } from '../../domain/case.js';
import { baseAddress } from '../../mail/address.js';
import type { MailboxPosition } from '../../domain/plan.js';
import type { CaseFields, CaseUpdate, NewMessage, OutboxEntry, QuarantineEntry, QuarantineState, StoreTx } from '../../ports.js';
import type { WriterLeaseRecord } from '../../domain/writer-lease.js';
import type { CasePromise } from '../../forecast/promise.js';
import { caseFieldSets, iso, json, newCaseRow, toCase, toWriterLease, toFleetLease, fleetValues, FLEET_COLUMNS } from '../sqlite/rows.js';
import type { FleetLease } from '../../domain/fleet.js';
import { query, type Queryable, type Row } from './sql.js';
import { groupCandidatesIn, incidentCandidatesIn, lookupFactsIn } from './facts.js';
import type { Facts } from '../../domain/facts.js';
import type { IncidentCandidate, LiveCase } from '../../domain/incident.js';

export class PgTx implements StoreTx {
  private savepoints = 0;

  constructor(
    private readonly db: Queryable,
    private readonly where: string,
    /** A read-only store's transaction: no row locks (PostgreSQL refuses FOR UPDATE there). */
    private readonly readOnly = false,
  ) {}

  /**
   * SAVEPOINT … RELEASE, or ROLLBACK TO when `work` throws: one mail of a group commit undone alone (a
   * failed statement leaves the transaction usable again only after ROLLBACK TO). A failure of the
   * server becomes STORE through query(); anything `work` threw keeps its identity.
   */
  async savepoint<T>(work: (tx: StoreTx) => Promise<T>): Promise<T> {
    const name = `sp${++this.savepoints}`;
    await this.q(`SAVEPOINT ${name}`);
    let result: T;
    try {
      result = await work(this);
    } catch (err) {
      await this.q(`ROLLBACK TO SAVEPOINT ${name}`);
      await this.q(`RELEASE SAVEPOINT ${name}`);
      throw err;
    }
    await this.q(`RELEASE SAVEPOINT ${name}`);
    return result;
  }

  lookupFacts(...args: Parameters<StoreTx['lookupFacts']>): Promise<Facts> {
    return lookupFactsIn(this.db, this.where, ...args);
  }

  groupCandidates(desk: string, since: Date): Promise<LiveCase[]> {
    return groupCandidatesIn(this.db, this.where, desk, since);
  }

  incidentCandidates(desk: string, since: Date): Promise<IncidentCandidate[]> {
    return incidentCandidatesIn(this.db, this.where, desk, since);
  }

  private q(sql: string, ...args: unknown[]): Promise<{ rows: Row[]; rowCount: number }> {
    return query(this.db, this.where, sql, args);
  }

  async createCase(input: Parameters<StoreTx['createCase']>[0], now: Date): Promise<CaseRecord> {
    // The upsert locks the desk's counter row until this transaction ends: a second writer waits, then
    // reads the committed number (or the old one if this transaction rolls back): no gap, no reuse.
    const counter = await this.q(
      `INSERT INTO desk_counters (desk, last_number) VALUES ($1, 1)
       ON CONFLICT (desk) DO UPDATE SET last_number = desk_counters.last_number + 1 RETURNING last_number`,
      input.desk,
    );
    const n = Number(counter.rows[0]!.last_number);
    const id = formatCaseId(input.prefix, n);
    const row = newCaseRow(input, id, n, now);
    const res = await this.q(`INSERT INTO cases (${row.columns.join(', ')}) VALUES (${row.values.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING *`, ...row.values);
    return toCase(res.rows[0]!);
  }

  async setIncident(caseId: string, incident: string | null, now: Date): Promise<void> {
    await this.q('UPDATE cases SET incident = $1, updated_at = $2 WHERE id = $3', incident, iso(now), caseId);
  }

  async getCase(id: string): Promise<CaseRecord | null> {
    // Read to be changed ("re-read inside the transaction"): locked until the end, so a second writer
    // of the same case waits and then reads this one's result, as under SQLite's single writer. NO KEY:
    // rows that merely reference the case (messages, events, links: their foreign-key checks) do not wait.
    const r = (await this.q(`SELECT * FROM cases WHERE id = $1${this.readOnly ? '' : ' FOR NO KEY UPDATE'}`, id)).rows[0];
    return r ? toCase(r) : null;
  }

  async addMessage(m: NewMessage, now: Date): Promise<number> {
    const res = await this.q(
      `INSERT INTO messages (case_id, desk, direction, kind, message_id, in_reply_to, references_json, from_address,
                             from_name, to_json, cc_json, subject, date, text, raw, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id`,
      m.caseId, m.desk, m.direction, m.kind, m.messageId, m.mail.inReplyTo[0] ?? null, json(m.mail.references),
      m.mail.from?.address ?? null, m.mail.from?.name ?? null, json(m.mail.to), json(m.mail.cc), m.mail.subject,
      m.mail.date, m.mail.text, m.raw, iso(now),
    );
    if (m.caseId) await this.q('UPDATE cases SET updated_at = $1 WHERE id = $2', iso(now), m.caseId);
    return Number(res.rows[0]!.id);
  }

  async addEvents(caseId: string, events: readonly CaseEvent[], now: Date): Promise<void> {
    for (const e of events) {
      await this.q('INSERT INTO events (case_id, at, type, actor, data_json) VALUES ($1, $2, $3, $4, $5)', caseId, iso(now), e.type, e.actor, json(e.data));
    }
  }

  async setStatus(caseId: string, status: CaseStatus, now: Date): Promise<void> {
    await this.q('UPDATE cases SET status = $1, updated_at = $2 WHERE id = $3', status, iso(now), caseId);
  }

  async updateCase(caseId: string, p: CaseUpdate, now: Date): Promise<void> {
    await this.q(
      `UPDATE cases SET category = $1, priority = $2, status = $3, sla_policy = $4, due_at = $5, first_response_due_at = $6,
                        sla_clock_json = $7, routing_json = $8, updated_at = $9 WHERE id = $10`,
      p.category, p.priority, p.status, p.slaPolicy, p.dueAt, p.firstResponseDueAt, p.slaClock ? json(p.slaClock) : null,
      json(p.routing), iso(now), caseId,
    );
  }

  async enqueue(entry: Omit<OutboxEntry, 'id' | 'attempts'>, messageRow: number | null, now: Date): Promise<number> {
    const res = await this.q(
      `INSERT INTO outbox (case_id, message_row, kind, status, envelope_from, recipient, mail_json, next_attempt_at, created_at)
       VALUES ($1, $2, $3, 'pending', $4, $5, $6, $7, $8) RETURNING id`,
      entry.caseId, messageRow, entry.kind, entry.envelopeFrom, baseAddress(entry.mail.to[0]?.address ?? ''), json(entry.mail), iso(now), iso(now),
    );
    return Number(res.rows[0]!.id);
  }

  async quarantine(q: QuarantineEntry, now: Date): Promise<number> {
    const res = await this.q(
      `INSERT INTO quarantine (desk, folder, uid_validity, uid, message_id, code, reason, stage, raw, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
      q.position?.desk ?? null, q.position?.folder ?? null, q.position?.uidValidity ?? null, q.position?.uid ?? null,
      q.messageId, q.code, q.reason, q.stage, q.raw, iso(now),
    );
    return Number(res.rows[0]!.id);
  }

  async setCaseFields(caseId: string, f: CaseFields, now: Date): Promise<void> {
    const u = caseFieldSets(f, now, (n) => `$${n}`);
    if (u) await this.q(`UPDATE cases SET ${u.sets.join(', ')} WHERE id = $${u.args.length + 1}`, ...u.args, caseId);
  }

  async casesElsewhere(messageId: string, desk: string): Promise<string[]> {
    const res = await this.q(
      `SELECT DISTINCT case_id FROM messages WHERE message_id = $1 AND desk <> $2 AND direction = 'in' AND case_id IS NOT NULL ORDER BY case_id`,
      messageId, desk,
    );
    return res.rows.map((r) => String(r.case_id));
  }

  async link(a: string, b: string, reason: string, now: Date): Promise<void> {
    for (const [x, y] of [[a, b], [b, a]] as const) {
      await this.q('INSERT INTO case_links (case_id, linked_id, reason, at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', x, y, reason, iso(now));
    }
  }

  async setPromise(caseId: string, promise: CasePromise, now: Date): Promise<void> {
    await this.q('UPDATE cases SET promise_json = $1, updated_at = $2 WHERE id = $3', json(promise), iso(now), caseId);
  }

  async claimPromiseNotice(caseId: string, seq: number, kind: string, now: Date): Promise<boolean> {
    return (await this.q('INSERT INTO promise_notices (case_id, seq, kind, at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', caseId, seq, kind, iso(now))).rowCount > 0;
  }

  async recordEscalation(caseId: string, threshold: string, dueAt: Date, now: Date): Promise<boolean> {
    const res = await this.q(
      'INSERT INTO escalations (case_id, threshold, due_at, sent_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
      caseId, threshold, iso(dueAt), iso(now),
    );
    return res.rowCount > 0;
  }

  async markPosition(p: MailboxPosition, messageId: string | null, outcome: string, caseId: string | null, now: Date): Promise<void> {
    await this.q(
      `INSERT INTO processed (desk, folder, uid_validity, uid, message_id, outcome, case_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT DO NOTHING`,
      p.desk, p.folder, p.uidValidity, p.uid, messageId, outcome, caseId, iso(now),
    );
    await this.q(
      `INSERT INTO mailbox_state (desk, folder, uid_validity, last_uid, updated_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (desk, folder) DO UPDATE SET last_uid = GREATEST(mailbox_state.last_uid, excluded.last_uid), updated_at = excluded.updated_at
       WHERE mailbox_state.uid_validity = excluded.uid_validity`,
      p.desk, p.folder, p.uidValidity, p.uid, iso(now),
    );
  }

  async quarantineState(id: number): Promise<QuarantineState | null> {
    // Checked before a release commits its case: locked, so two releases of one row cannot both find it held.
    const r = (await this.q(`SELECT state FROM quarantine WHERE id = $1${this.readOnly ? '' : ' FOR NO KEY UPDATE'}`, id)).rows[0];
    return r ? (r.state as QuarantineState) : null;
  }

  async releaseQuarantine(id: number, caseId: string | null, actor: string, now: Date): Promise<void> {
    await this.q(
      `UPDATE quarantine SET state = 'released', released_at = $1, released_by = $2, released_case_id = $3 WHERE id = $4 AND state = 'held'`,
      iso(now), actor, caseId, id,
    );
    // The mailbox position was recorded as quarantined; it now tells where the mail went.
    await this.q(
      `UPDATE processed SET outcome = 'released', case_id = $1, at = $2
       WHERE (desk, folder, uid_validity, uid) = (SELECT desk, folder, uid_validity, uid FROM quarantine WHERE id = $3)`,
      caseId, iso(now), id,
    );
  }

  async requarantine(id: number, q: Pick<QuarantineEntry, 'messageId' | 'code' | 'reason' | 'stage'>, actor: string, now: Date): Promise<void> {
    await this.q(
      `UPDATE quarantine SET code = $1, reason = $2, stage = $3, message_id = COALESCE($4, message_id),
                             attempts = attempts + 1, last_attempt_at = $5, last_attempt_by = $6
       WHERE id = $7 AND state = 'held'`,
      q.code, q.reason, q.stage, q.messageId, iso(now), actor, id,
    );
  }

  async writerLease(name: string): Promise<WriterLeaseRecord | null> {
    // SQLite's BEGIN IMMEDIATE made read-decide-write one step; here a lock per lease name does, held
    // until this transaction ends, so two starters reading "free" at once cannot both write their row.
    await this.q(`SELECT pg_advisory_xact_lock(hashtextextended('sportello-writer-lease:' || $1, 0))`, name);
    const r = (await this.q('SELECT * FROM writer_lease WHERE name = $1', name)).rows[0];
    return r ? toWriterLease(r) : null;
  }

  async putWriterLease(name: string, l: WriterLeaseRecord): Promise<void> {
    await this.q(
      `INSERT INTO writer_lease (name, token, host, pid, command, started_at, heartbeat_at, lease_until) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (name) DO UPDATE SET token = excluded.token, host = excluded.host, pid = excluded.pid, command = excluded.command,
         started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at, lease_until = excluded.lease_until`,
      name, l.token, l.host, l.pid, l.command, l.startedAt, l.heartbeatAt, l.leaseUntil,
    );
  }

  async fleetLeases(): Promise<FleetLease[]> {
    // One heartbeat decides at a time (the rows it reads may not exist yet, so row locks cannot do it).
    // A mailbox commit's fence locks only its lease row and never this lock: no deadlock between them.
    await this.q(`SELECT pg_advisory_xact_lock(hashtextextended('sportello-fleet-leases', 0))`);
    return (await this.q('SELECT * FROM fleet_leases ORDER BY name')).rows.map(toFleetLease);
  }

  async putFleetLease(l: FleetLease): Promise<void> {
    await this.q(
      `INSERT INTO fleet_leases (${FLEET_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, host = excluded.host, pid = excluded.pid,
         heartbeat_at = excluded.heartbeat_at, lease_until = excluded.lease_until, epoch = excluded.epoch`,
      ...fleetValues(l),
    );
  }

  async dropFleetLease(name: string): Promise<void> {
    await this.q('DELETE FROM fleet_leases WHERE name = $1', name);
  }

  async holdsFleetLease(name: string, owner: string, epoch: number, now: Date): Promise<boolean> {
    // The row stays locked until this commit ends: a takeover (epoch + 1) waits for it, or this finds it.
    const res = await this.q('SELECT 1 FROM fleet_leases WHERE name = $1 AND owner = $2 AND epoch = $3 AND lease_until > $4 FOR UPDATE', name, owner, epoch, iso(now));
    return res.rowCount > 0;
  }

  async releaseWriterLease(name: string, token: string): Promise<boolean> {
    return (await this.q('DELETE FROM writer_lease WHERE name = $1 AND token = $2', name, token)).rowCount > 0;
  }

  async claimDaily(job: string, day: string, now: Date): Promise<boolean> {
    return (await this.q('INSERT INTO daily_claims (job, day, at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', job, day, iso(now))).rowCount > 0;
  }
}
