// Who hears, once a day, about replies parked as uncertain (interrupted mid-send, never resent by
// themselves): per desk, its escalation address when the rules declare one, else its agents. Pure:
// the shell claims the day in the store and queues the mail; this only groups and addresses.

import type { Address } from '../domain/mail.js';
import type { UncertainReply } from '../ports.js';
import { baseAddress } from '../mail/address.js';

export interface NoticeDesk {
  readonly id: string;
  readonly address: string;
  readonly agents: readonly Address[];
  /** The rules' escalation address, or null when the desk declares none. */
  readonly escalation: string | null;
}

export interface UncertainNotice {
  readonly desk: string;
  readonly to: readonly Address[];
  readonly rows: readonly UncertainReply[];
}

export interface NoticePlan {
  readonly notices: readonly UncertainNotice[];
  /** Desks with waiting rows but nobody to tell (no escalation address, no agents): logged by the shell. */
  readonly unaddressed: readonly string[];
}

export function planUncertainNotices(rows: readonly UncertainReply[], desks: readonly NoticeDesk[]): NoticePlan {
  const byDesk = new Map<string, UncertainReply[]>();
  for (const r of rows) {
    // A row without a case (a desk-level notice) belongs to the desk it was sent from.
    const desk = desks.find((d) => d.id === r.desk) ?? desks.find((d) => r.from && baseAddress(d.address) === baseAddress(r.from));
    if (!desk) continue;
    byDesk.set(desk.id, [...(byDesk.get(desk.id) ?? []), r]);
  }
  const notices: UncertainNotice[] = [];
  const unaddressed: string[] = [];
  for (const desk of desks) {
    const mine = byDesk.get(desk.id);
    if (!mine?.length) continue;
    const to = desk.escalation ? [{ address: desk.escalation, name: '' }] : desk.agents.map((a) => ({ address: a.address, name: a.name }));
    if (!to.length) unaddressed.push(desk.id);
    else notices.push({ desk: desk.id, to, rows: mine });
  }
  return { notices, unaddressed };
}

/** Subject of the notice; templates render the body (templates/<lang>/uncertain-notice.*). */
export function noticeSubject(language: string, deskId: string, count: number): string {
  switch (language) {
    case 'es':
      return `[${deskId}] ${count} respuesta(s) en estado incierto esperan revisión`;
    case 'it':
      return `[${deskId}] ${count} risposta/e in stato incerto da verificare`;
    default:
      return `[${deskId}] ${count} uncertain repl${count === 1 ? 'y' : 'ies'} waiting for a check`;
  }
}

/** Template variables of one notice: the rows as people read them and the commands that act on them. */
export function noticeVars(notice: UncertainNotice, desk: { id: string; name: string; address: string }, language: string) {
  return {
    subject: noticeSubject(language, desk.id, notice.rows.length),
    desk,
    count: notice.rows.length,
    rows: notice.rows.map((r) => ({
      id: r.id,
      caseId: r.caseId ?? '-',
      kind: r.kind,
      recipient: r.recipient,
      queuedAt: `${r.createdAt.slice(0, 16).replace('T', ' ')} UTC`,
      retry: `sportello outbox retry ${r.id}`,
    })),
    listCommand: 'sportello outbox',
  };
}
