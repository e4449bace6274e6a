// Row mapping for the SQLite store: how stored columns become the records the rest of Sportello reads
// (ISO 8601 text times, JSON columns parsed). Part of the store modules (the PostgreSQL store reads the same
// values through its type parsers); nothing outside adapters/ imports it.

import type { Address } from '../../domain/mail.js';
import type { CaseEventType, CaseRecord, CaseStatus, HistoryCase, SlaClockRecord } from '../../domain/case.js';
import type { AuditEntry, CaseDetail, CaseFields, DaemonStatusRecord, IncidentCandidate, LiveCase, StoreTx, EventRecord, MessageRecord, OutboxEntry, OutboxProblem, OutgoingMail, QuarantineRecord, QuarantineState, UncertainReply } from '../../ports.js';
import type { WriterLeaseRecord } from '../../domain/writer-lease.js';
import type { FleetLease } from '../../domain/fleet.js';
import type { Facts } from '../../domain/facts.js';
import type { MailboxPosition } from '../../domain/plan.js';
import type { CasePromise } from '../../forecast/promise.js';

export type Row = Record<string, unknown>;

export const iso = (d: Date): string => d.toISOString();
export const json = (v: unknown): string => JSON.stringify(v);

export function toCase(r: Row): CaseRecord {
  return {
    id: String(r.id),
    desk: String(r.desk),
    number: Number(r.number),
    status: r.status as CaseStatus,
    category: (r.category as string | null) ?? null,
    priority: String(r.priority),
    language: (r.language as CaseRecord['language']) ?? null,
    requester: { address: String(r.requester_address), name: String(r.requester_name ?? '') },
    subject: String(r.subject),
    createdAt: String(r.created_at),
    updatedAt: String(r.updated_at),
    dueAt: (r.due_at as string | null) ?? null,
    firstResponseDueAt: (r.first_response_due_at as string | null) ?? null,
    slaPolicy: (r.sla_policy as string | null) ?? null,
    slaClock: r.sla_clock_json ? (JSON.parse(String(r.sla_clock_json)) as SlaClockRecord) : null,
    assignee: (r.assignee as string | null) ?? null,
    firstResponseAt: (r.first_response_at as string | null) ?? null,
    resolvedAt: (r.resolved_at as string | null) ?? null,
    closedAt: (r.closed_at as string | null) ?? null,
    waitUntil: (r.wait_until as string | null) ?? null,
    rating: r.rating === null || r.rating === undefined ? null : { score: Number(r.rating), comment: (r.rating_comment as string | null) ?? null, at: String(r.rated_at) },
    routing: r.routing_json ? JSON.parse(String(r.routing_json)) : null,
    imported: (r.imported as string | null | undefined) ?? null,
    promise: r.promise_json ? (JSON.parse(String(r.promise_json)) as CasePromise) : null,
    kind: r.kind === 'incident' ? 'incident' : 'case',
    incident: (r.incident as string | null | undefined) ?? null,
  };
}

export function toMessage(r: Row): MessageRecord {
  return {
    id: Number(r.id),
    caseId: (r.case_id as string | null) ?? null,
    direction: r.direction as MessageRecord['direction'],
    kind: r.kind as MessageRecord['kind'],
    messageId: String(r.message_id),
    from: r.from_address ? { address: String(r.from_address), name: String(r.from_name ?? '') } : null,
    to: JSON.parse(String(r.to_json)) as Address[],
    cc: JSON.parse(String(r.cc_json)) as Address[],
    subject: String(r.subject),
    date: (r.date as string | null) ?? null,
    text: String(r.text),
    createdAt: String(r.created_at),
  };
}

export function toEvent(r: Row): EventRecord {
  // Rows are only ever written from a CaseEvent (SqliteTx.addEvents), so the stored type is one of CaseEventType.
  return { at: String(r.at), type: String(r.type) as CaseEventType, actor: String(r.actor), data: JSON.parse(String(r.data_json)) as Record<string, unknown> };
}

export function toOutbox(r: Row): OutboxEntry {
  return {
    id: Number(r.id),
    caseId: (r.case_id as string | null) ?? null,
    kind: String(r.kind),
    envelopeFrom: String(r.envelope_from),
    mail: JSON.parse(String(r.mail_json)) as OutgoingMail,
    attempts: Number(r.attempts),
  };
}

export function toQuarantine(r: Row): QuarantineRecord {
  const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
  return {
    id: Number(r.id),
    at: String(r.at),
    position: r.desk && r.uid !== null ? { desk: String(r.desk), folder: String(r.folder), uidValidity: Number(r.uid_validity), uid: Number(r.uid) } : null,
    messageId: text(r.message_id),
    code: String(r.code),
    reason: String(r.reason),
    stage: text(r.stage),
    raw: (r.raw as Buffer | null) ?? null,
    state: (r.state as QuarantineState | undefined) ?? 'held',
    releasedAt: text(r.released_at),
    releasedBy: text(r.released_by),
    releasedCaseId: text(r.released_case_id),
    droppedAt: text(r.dropped_at),
    droppedBy: text(r.dropped_by),
    dropReason: text(r.drop_reason),
    attempts: Number(r.attempts ?? 0),
  };
}

export function toWriterLease(r: Row): WriterLeaseRecord {
  return {
    token: String(r.token),
    host: String(r.host),
    pid: Number(r.pid),
    command: String(r.command),
    startedAt: String(r.started_at),
    heartbeatAt: String(r.heartbeat_at),
    leaseUntil: String(r.lease_until),
  };
}

export function toFleetLease(r: Row): FleetLease {
  const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
  return { name: String(r.name), owner: text(r.owner), host: text(r.host), pid: r.pid === null || r.pid === undefined ? null : Number(r.pid), heartbeatAt: text(r.heartbeat_at), leaseUntil: text(r.lease_until), epoch: Number(r.epoch) };
}

export function toDaemonStatus(r: Row): DaemonStatusRecord {
  return { daemon: { host: String(r.host), pid: Number(r.pid), startedAt: String(r.started_at) }, json: String(r.json), at: String(r.at) };
}

/** The columns of a fleet lease row in insert order, and the row's values in that order. */
export const FLEET_COLUMNS = 'name, owner, host, pid, heartbeat_at, lease_until, epoch';
export const fleetValues = (l: FleetLease): unknown[] => [l.name, l.owner, l.host, l.pid, l.heartbeatAt, l.leaseUntil, l.epoch];

/** A case deleted by retention, as statistics read it: numbers and times, no requester, no subject. */
export function toTombstoneCase(r: Row): CaseRecord {
  return toCase({
    ...r,
    status: 'closed',
    language: null,
    requester_address: '',
    requester_name: '',
    subject: '',
    updated_at: r.purged_at,
    routing_json: null,
    sla_clock_json: null,
    rated_at: r.closed_at,
  });
}

export function toOutboxProblem(r: Row): OutboxProblem {
  return {
    id: Number(r.id),
    caseId: (r.case_id as string | null) ?? null,
    kind: String(r.kind),
    status: r.status as OutboxProblem['status'],
    recipient: String(r.recipient),
    subject: (JSON.parse(String(r.mail_json)) as { subject: string }).subject,
    attempts: Number(r.attempts),
    lastError: (r.last_error as string | null) ?? null,
    createdAt: String(r.created_at),
    nextAttemptAt: String(r.next_attempt_at),
  };
}

export function toAuditEntry(r: Row): AuditEntry {
  return {
    id: Number(r.id),
    at: String(r.at),
    action: r.action as AuditEntry['action'],
    actor: String(r.actor),
    counts: JSON.parse(String(r.counts_json)) as Record<string, number>,
    subjectHash: (r.subject_hash as string | null) ?? null,
  };
}

/** A row of outbox joined with its case's desk and the sender address taken out of the mail. */
export function toUncertainReply(r: Row): UncertainReply {
  return {
    id: Number(r.id),
    caseId: (r.case_id as string | null) ?? null,
    desk: (r.desk as string | null) ?? null,
    from: String(r.from_address ?? ''),
    kind: String(r.kind),
    recipient: String(r.recipient),
    createdAt: String(r.created_at),
  };
}

/**
 * The columns setCaseFields writes, in order; `keepFirst`: written only while still NULL (the first
 * response is recorded once; later replies never move it). Empty when there is nothing to write.
 */
export function caseFieldColumns(f: CaseFields): { readonly column: string; readonly value: unknown; readonly keepFirst?: true }[] {
  const out: { column: string; value: unknown; keepFirst?: true }[] = [];
  if (f.assignee !== undefined) out.push({ column: 'assignee', value: f.assignee });
  if (f.firstResponseAt !== undefined) out.push({ column: 'first_response_at', value: f.firstResponseAt, keepFirst: true });
  if (f.resolvedAt !== undefined) out.push({ column: 'resolved_at', value: f.resolvedAt });
  if (f.closedAt !== undefined) out.push({ column: 'closed_at', value: f.closedAt });
  if (f.waitUntil !== undefined) out.push({ column: 'wait_until', value: f.waitUntil });
  if (f.rating !== undefined) {
    out.push({ column: 'rating', value: f.rating.score }, { column: 'rating_comment', value: f.rating.comment }, { column: 'rated_at', value: f.rating.at });
  }
  return out;
}

/** `column = <param>` assignments for caseFieldColumns plus updated_at, the parameter spelled by `param(n)` (1-based). */
export function caseFieldSets(f: CaseFields, now: Date, param: (n: number) => string): { sets: string[]; args: unknown[] } | null {
  const columns = caseFieldColumns(f);
  if (!columns.length) return null;
  const all = [...columns, { column: 'updated_at', value: iso(now) }];
  return {
    sets: all.map((c, i) => `${c.column} = ${'keepFirst' in c && c.keepFirst ? `COALESCE(${c.column}, ${param(i + 1)})` : param(i + 1)}`),
    args: all.map((c) => c.value),
  };
}

/** The rows lookupFacts read, as Facts (rows only: what they mean is follow-up-match's). */
export function toFacts(
  messageKey: string,
  position: MailboxPosition | null,
  rows: { processed?: Row; message?: Row; quarantine?: Row; purged?: Row; autoReplies?: Row; elsewhere: readonly Row[] },
  cases: Pick<Facts, 'referencedCase' | 'taggedCases'>,
): Facts {
  const { processed: p, message: m, quarantine: q } = rows;
  return {
    messageKey,
    processedPosition: position && p ? { position, outcome: String(p.outcome) } : null,
    knownMessage: m ? { caseId: m.case_id ? String(m.case_id) : null, from: m.from_address ? String(m.from_address) : null } : null,
    quarantinedId: q ? Number(q.id) : null,
    purgedByRetention: rows.purged !== undefined,
    referencedCase: cases.referencedCase,
    taggedCases: cases.taggedCases,
    sameMailElsewhere: rows.elsewhere.map((r) => ({ caseId: String(r.case_id), desk: String(r.desk) })),
    autoRepliesToSenderLastHour: Number(rows.autoReplies?.n ?? 0),
  };
}

/** A case row with its first inbound text (first_text) and the requester's newest Message-ID, as incident grouping reads it. */
/** The case columns grouping and the incident plan read (see toLiveCase), with `c` the cases table. */
export const LIVE_CASE_COLUMNS = 'c.id, c.kind, c.status, c.category, c.requester_address, c.created_at, c.incident, c.language, c.subject, c.due_at, c.first_response_due_at';

/** A live case from LIVE_CASE_COLUMNS and its first text: what grouping compares, none of the JSON a whole case parses. */
export function toLiveCase(r: Row): LiveCase {
  const subject = String(r.subject);
  return {
    id: String(r.id), kind: r.kind === 'incident' ? 'incident' : 'case', status: r.status as CaseStatus, category: (r.category as string | null) ?? null,
    requester: String(r.requester_address), createdAt: String(r.created_at), incident: (r.incident as string | null | undefined) ?? null,
    language: (r.language as LiveCase['language']) ?? null, text: `${subject}\n${String(r.first_text ?? '')}`,
    subject, dueAt: (r.due_at as string | null) ?? null, firstResponseDueAt: (r.first_response_due_at as string | null) ?? null,
  };
}

export function toIncidentCandidate(r: Row): IncidentCandidate {
  const record = toCase(r);
  return {
    id: record.id, kind: record.kind ?? 'case', status: record.status, category: record.category, requester: record.requester.address,
    createdAt: record.createdAt, incident: record.incident ?? null, language: record.language,
    text: `${record.subject}\n${String(r.first_text ?? '')}`, record,
    lastRequesterMessageId: r.last_requester_message_id ? String(r.last_requester_message_id) : null,
  };
}

/** A case without pauses (most of a history): one shared empty list, not one per case. */
const NO_PAUSES: HistoryCase['pauses'] = Object.freeze([]);

/**
 * The same string for equal values within one read: a history holds every case of the window, and the
 * driver hands over a fresh copy of "closed", "normal" and the category in every row.
 */
export function interner(): (value: string) => string {
  const seen = new Map<string, string>();
  return (value) => {
    const known = seen.get(value);
    if (known !== undefined) return known;
    seen.set(value, value);
    return value;
  };
}

/** A case (or tombstone) as forecasting reads it: times and classification only. */
export function toHistoryCase(r: Row, intern: (value: string) => string = (v) => v): HistoryCase {
  const pauses = r.sla_clock_json ? (JSON.parse(String(r.sla_clock_json)) as SlaClockRecord).pauses : NO_PAUSES;
  return {
    category: r.category === null || r.category === undefined ? null : intern(String(r.category)),
    priority: intern(String(r.priority)),
    status: intern(String(r.status)) as HistoryCase['status'],
    createdAt: String(r.created_at),
    resolvedAt: (r.resolved_at as string | null) ?? null,
    pauses: pauses.length ? pauses : NO_PAUSES,
  };
}

/** The columns and values of a new case row (createCase), status 'new', in the order the schema lists them. */
export function newCaseRow(input: Parameters<StoreTx['createCase']>[0], id: string, n: number, now: Date): { columns: string[]; values: unknown[] } {
  const r = input.routing;
  const sla = input.sla;
  const row: [string, unknown][] = [
    ['id', id], ['desk', input.desk], ['number', n], ['status', 'new'], ['category', r.category], ['priority', r.priority], ['language', r.language],
    ['requester_address', input.requester.address], ['requester_name', input.requester.name], ['subject', input.subject],
    ['created_at', iso(now)], ['updated_at', iso(now)], ['due_at', sla?.dueAt ?? null], ['routing_json', json(r)], ['sla_policy', sla?.policy ?? null],
    ['first_response_due_at', sla?.firstResponseDueAt ?? null],
    ['sla_clock_json', sla ? json({ start: iso(now), firstResponseMinutes: sla.firstResponseMinutes, resolutionMinutes: sla.resolutionMinutes, pauses: [] }) : null],
    ['imported', input.imported ?? null], ['promise_json', sla?.promise ? json(sla.promise) : null], ['kind', input.kind ?? 'case'],
  ];
  return { columns: row.map(([c]) => c), values: row.map(([, v]) => v) };
}

/** A case with its messages, events and links (and an incident's members), as getCaseDetail returns it. */
export function toCaseDetail(c: Row, rows: { messages: readonly Row[]; events: readonly Row[]; links: readonly Row[]; members: readonly Row[] }): CaseDetail {
  return {
    ...toCase(c),
    ...(c.kind === 'incident' ? { members: rows.members.map(toCase) } : {}),
    messages: rows.messages.map(toMessage),
    events: rows.events.map(toEvent),
    links: rows.links.map((l) => ({ caseId: String(l.linked_id), reason: String(l.reason), at: String(l.at) })),
  };
}
