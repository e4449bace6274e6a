// How cases look on the command line: the stable JSON shape scripts rely on (addresses as plain
// strings, ISO 8601 times) and a readable fixed-width table for people. Presentation only.

import type { CaseDetail, CaseRecord } from '../ports.js';
import { explainPromise, type CasePromise } from '../forecast/index.js';
import { csv } from '../stats/promises.js';

export function caseJson(c: CaseRecord) {
  return {
    id: c.id,
    desk: c.desk,
    status: c.status,
    category: c.category,
    priority: c.priority,
    language: c.language,
    requester: c.requester.address,
    requesterName: c.requester.name,
    subject: c.subject,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    dueAt: c.dueAt,
    firstResponseDueAt: c.firstResponseDueAt,
    slaPolicy: c.slaPolicy,
    assignee: c.assignee,
    firstResponseAt: c.firstResponseAt,
    resolvedAt: c.resolvedAt,
    closedAt: c.closedAt,
    waitUntil: c.waitUntil,
    rating: c.rating,
    routing: c.routing,
    imported: c.imported ?? null,
    kind: c.kind ?? 'case',
    incident: c.incident ?? null,
  };
}

export function caseDetailJson(c: CaseDetail) {
  return {
    ...caseJson(c),
    messages: c.messages.map((m) => ({
      direction: m.direction,
      kind: m.kind,
      from: m.from?.address ?? null,
      to: m.to.map((a) => a.address),
      cc: m.cc.map((a) => a.address),
      subject: m.subject,
      messageId: m.messageId,
      date: m.date,
      recordedAt: m.createdAt,
      text: m.text,
    })),
    events: c.events.map((e) => ({ at: e.at, type: e.type, actor: e.actor, data: e.data })),
    links: c.links.map((l) => ({ id: l.caseId, reason: l.reason, at: l.at })),
    ...(c.members ? { members: c.members.map((m) => ({ id: m.id, status: m.status, requester: m.requester.address, subject: m.subject, createdAt: m.createdAt })) } : {}),
  };
}

export function table(headers: readonly string[], rows: readonly (readonly string[])[], maxWidth = 48): string {
  const clip = (s: string) => (s.length > maxWidth ? `${s.slice(0, maxWidth - 1)}…` : s);
  const cells = [headers, ...rows].map((r) => r.map((c) => clip(c.replace(/\s+/g, ' '))));
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i]?.length ?? 0)));
  const line = (r: readonly string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(cells[0]!), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n');
}

/** "2026-11-24 10:00" in the configured time zone (sv-SE gives ISO-like digits). */
export function shortTime(iso: string | null, timeZone = 'UTC'): string {
  if (!iso) return '-';
  if (timeZone === 'UTC') return iso.replace('T', ' ').slice(0, 16);
  return new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}

/** Times are shown in `timeZone` (the config's), named in the header. */
export function casesTable(cases: readonly CaseRecord[], timeZone = 'UTC'): string {
  if (cases.length === 0) return 'No cases.';
  return table(
    ['ID', 'STATUS', 'CATEGORY', 'PRIORITY', 'ASSIGNEE', 'REQUESTER', `CREATED (${timeZone})`, `DUE (${timeZone})`, 'SUBJECT'],
    cases.map((c) => [c.id, c.status, c.category ?? '-', c.priority, c.assignee ?? '-', c.requester.address, shortTime(c.createdAt, timeZone), shortTime(c.dueAt, timeZone), c.subject]),
  );
}

const CSV_COLUMNS = ['id', 'desk', 'status', 'category', 'priority', 'assignee', 'requester', 'requesterName', 'subject', 'createdAt', 'dueAt'] as const;

/** RFC 4180: CRLF line ends; a field with a comma, quote, CR or LF is quoted, its quotes doubled. Times in ISO 8601 UTC. */
export function casesCsv(cases: readonly CaseRecord[]): string {
  return csv([[...CSV_COLUMNS], ...cases.map((c) => CSV_COLUMNS.map((k) => caseJson(c)[k]))]);
}

export function caseText(c: CaseDetail, timeZone = 'UTC'): string {
  const t = (iso: string | null) => shortTime(iso, timeZone);
  const head = [
    `${c.id}  ${c.kind === 'incident' ? 'INCIDENT · ' : ''}${c.subject}`,
    `  desk ${c.desk} · status ${c.status} · category ${c.category ?? '-'} · priority ${c.priority} · language ${c.language ?? '-'}`,
    `  requester ${c.requester.name ? `${c.requester.name} <${c.requester.address}>` : c.requester.address}`,
    `  created ${t(c.createdAt)} ${timeZone} · due ${t(c.dueAt)}${c.slaPolicy ? ` (${c.slaPolicy})` : ''} · assignee ${c.assignee ?? '-'}`,
    `  first response ${t(c.firstResponseAt)} · resolved ${t(c.resolvedAt)} · rating ${c.rating ? `${c.rating.score}/5${c.rating.comment ? ` “${c.rating.comment}”` : ''}` : '-'}`,
    ...(c.links.length ? [`  linked ${c.links.map((l) => `${l.caseId} (${l.reason})`).join(', ')}`] : []),
    ...(promiseLine(c.promise, timeZone) ? [`  ${promiseLine(c.promise, timeZone)}`] : []),
    ...(c.incident ? [`  member of incident ${c.incident}`] : []),
    ...(c.members ? [`  members (${c.members.length}, ${new Set(c.members.map((m) => m.requester.address)).size} requesters):`, ...c.members.map((m) => `    ${m.id.padEnd(8)} ${m.status.padEnd(9)} ${t(m.createdAt)}  ${m.requester.address}  “${m.subject}”`)] : []),
    ...(c.imported ? [`  imported: received before the desk's first start (${t(c.imported)}); nothing was mailed for it`] : []),
  ];
  const messages = c.messages.map(
    (m) => `  ${m.direction === 'in' ? '→' : '←'} ${t(m.date ?? m.createdAt)}  ${m.kind.padEnd(10)} ${m.from?.address ?? '?'} → ${m.to.map((a) => a.address).join(', ')}  “${m.subject}”`,
  );
  const events = c.events.map((e) => `  ${t(e.at)}  ${e.type.padEnd(20)} ${e.actor}  ${JSON.stringify(e.data)}`);
  return [...head, '', 'Messages:', ...messages, '', 'Events:', ...events].join('\n');
}

/** "promised Tue 2026-11-24 18:00 (forecast from history: 80 % of 43 comparable cases …)". */
export function promiseLine(promise: CasePromise | null | undefined, timeZone: string): string | null {
  if (!promise) return null;
  const sla = promise.slaDueAt && promise.slaDueAt !== promise.at ? `; SLA due ${shortTime(promise.slaDueAt, timeZone)}` : '';
  return `promised ${shortTime(promise.at, timeZone)} ${timeZone} (${explainPromise(promise)}${sla})`;
}
