// Row mapping for the SQLite store: how stored columns become the records the rest of Sportello reads
// (ISO 8601 text times, JSON columns parsed). Part of the store module; nothing outside adapters/ imports it.

import type { Address } from '../../domain/mail.js';
import type { CaseEventType, CaseRecord, CaseStatus, SlaClockRecord } from '../../domain/case.js';
import type { EventRecord, MessageRecord, OutboxEntry, OutgoingMail, QuarantineRecord, QuarantineState } from '../../ports.js';
import type { WriterLeaseRecord } from '../../domain/writer-lease.js';
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
