// How quarantined mail is shown to an admin: the list table, one row in detail (why it was set aside,
// where it sits on the server, its headers and text as parsed, or the raw head when it cannot be
// parsed), and one line per release. Pure formatting; never parses, reads or changes anything itself.

import type { InboundMail } from '../domain/mail.js';
import type { QuarantineRecord } from '../ports.js';
import type { ReleaseReport } from '../app.js';
import { table } from './present.js';

/** Text longer than this is cut in `show`; `export` always gives the whole mail. */
export const SHOW_TEXT_CHARS = 8_000;
/** How much of an unparseable mail `show` prints. */
export const RAW_HEAD_BYTES = 4_096;

/** The parsed view of a row's raw mail: the mail, or why it cannot be parsed (with the raw head). */
export type ParsedView = { readonly mail: InboundMail } | { readonly error: string; readonly rawHead: string } | null;

const where = (r: QuarantineRecord) => (r.position ? `${r.position.desk}/${r.position.folder}/${r.position.uid}` : '-');
const minute = (iso: string) => iso.slice(0, 16).replace('T', ' ');

export function quarantineTable(rows: readonly QuarantineRecord[], withState: boolean): string {
  if (!rows.length) return 'Quarantine is empty.';
  const headers = ['#', 'AT (UTC)', 'MAILBOX', 'CODE', ...(withState ? ['STATE'] : []), 'REASON'];
  return table(headers, rows.map((r) => [String(r.id), minute(r.at), where(r), r.code, ...(withState ? [stateText(r)] : []), r.reason]), 90);
}

/** The list as JSON: every field but the raw bytes, which become their size. */
export function quarantineJson({ raw, ...r }: QuarantineRecord): Record<string, unknown> {
  return { ...r, bytes: raw?.length ?? null };
}

function stateText(r: QuarantineRecord): string {
  if (r.state === 'released') return `released${r.releasedCaseId ? ` → ${r.releasedCaseId}` : ''}`;
  return r.state;
}

export function quarantineDetailJson(r: QuarantineRecord, view: ParsedView): Record<string, unknown> {
  const base = quarantineJson(r);
  if (!view) return { ...base, headers: null, text: null };
  if ('mail' in view) return { ...base, size: view.mail.size, headers: view.mail.headers, subject: view.mail.subject, text: view.mail.text };
  return { ...base, headers: null, text: null, parseError: view.error, rawHead: view.rawHead };
}

export function quarantineDetailText(r: QuarantineRecord, view: ParsedView): string {
  const lines = [
    `Quarantine #${r.id}: ${r.state}`,
    `Code:       ${r.code}${r.stage ? ` (stage ${r.stage})` : ''}`,
    `Reason:     ${r.reason}`,
    `Mailbox:    ${r.position ? `${where(r)} (UIDVALIDITY ${r.position.uidValidity})` : '-'}`,
    `Message-ID: ${r.messageId ?? '-'}`,
    `Size:       ${r.raw ? `${r.raw.length} bytes` : 'not stored (the mail stays on the server)'}`,
    `Set aside:  ${r.at}`,
  ];
  if (r.attempts) lines.push(`Releases that failed again: ${r.attempts}`);
  if (r.state === 'released') lines.push(`Released:   ${r.releasedAt ?? '?'} by ${r.releasedBy ?? '?'}${r.releasedCaseId ? ` into ${r.releasedCaseId}` : ' (already recorded; no new case)'}`);
  if (r.state === 'dropped') lines.push(`Dropped:    ${r.droppedAt ?? '?'} by ${r.droppedBy ?? '?'}: ${r.dropReason ?? ''}`);
  if (!view) return lines.join('\n');
  if ('error' in view) {
    lines.push('', `The mail cannot be parsed (${view.error}). Its first bytes:`, '', view.rawHead);
    return lines.join('\n');
  }
  lines.push('', 'Headers:');
  for (const [name, values] of Object.entries(view.mail.headers)) for (const v of values) lines.push(`  ${name}: ${v}`);
  const text = view.mail.text;
  lines.push('', 'Text:', text.length > SHOW_TEXT_CHARS ? `${text.slice(0, SHOW_TEXT_CHARS)}\n… (${text.length - SHOW_TEXT_CHARS} more characters: "sportello quarantine export ${r.id} > mail.eml" gives the whole mail)` : text);
  return lines.join('\n');
}

export function releaseLine(r: ReleaseReport): string {
  if (!r.ok) return `#${r.id}: not released — ${r.error}`;
  const replies = r.queued ? ` (${r.queued} repl${r.queued === 1 ? 'y' : 'ies'} queued)` : '';
  switch (r.outcome) {
    case 'created':
      return `#${r.id}: released, opened ${r.caseId}${replies}`;
    case 'appended':
      return `#${r.id}: released, added to ${r.caseId}${replies}`;
    case 'duplicate':
      return `#${r.id}: released; the mail was already recorded, no new case`;
    case 'quarantined':
      return `#${r.id}: still quarantined — ${r.quarantinedAgain?.code ?? '?'}: ${r.quarantinedAgain?.reason ?? '?'}`;
  }
}
