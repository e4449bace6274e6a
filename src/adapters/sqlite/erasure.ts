// `forget` inside one store transaction (GDPR art. 17): finds one person's address in cases, messages,
// raw sources, events, the outbox and quarantine, and replaces it with a stable placeholder; on the cases
// they asked for, every text (subject, bodies, comments) goes. Case numbers, counts, times and ratings stay.
// Must never send anything: unsent mail to or about them is cancelled, never rewritten and delivered.
// Shared by both stores: the SQL is common to SQLite and PostgreSQL but for the fragments of ErasureDialect.

import type { Address } from '../../domain/mail.js';
import type { ForgetCounts, OutgoingMail } from '../../ports.js';
import { ERASED_TEXT, scrubAddresses } from '../../housekeeping/retention.js';
import type { ErasureTarget } from '../../domain/retention.js';
import { json, type Row } from './rows.js';

// Event data keys that carry what a person wrote; on their own cases they are blanked, not scrubbed.
const TEXT_KEYS = new Set(['comment', 'block', 'text', 'subject', 'name', 'requesterName']);

function scrubValue(v: unknown, t: ErasureTarget, blankText: boolean, key = ''): unknown {
  if (typeof v === 'string') return blankText && TEXT_KEYS.has(key) ? ERASED_TEXT : t.scrub(v);
  if (Array.isArray(v)) return v.map((x) => scrubValue(x, t, blankText));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, scrubValue(x, t, blankText, k)]));
  return v;
}

/** What forgetIn needs of a connection: `?` placeholders, rows back, and nothing else. */
export interface ErasureDb {
  all(sql: string, ...args: unknown[]): Promise<Row[]>;
  run(sql: string, ...args: unknown[]): Promise<unknown>;
}

/** The SQL that differs between the dialects. */
export interface ErasureDialect {
  /** `column` is one of the ids bound as the next parameter (see `ids`). */
  inIds(column: string): string;
  ids(list: readonly string[]): unknown;
  /** The raw source holds the (lower-case) needle bound as the next parameter, ASCII letters compared case-insensitively. */
  readonly rawContains: string;
}

export const SQLITE_ERASURE: ErasureDialect = {
  inIds: (column) => `${column} IN (SELECT value FROM json_each(?))`,
  ids: (list) => json(list),
  rawContains: 'instr(lower(CAST(raw AS TEXT)), ?) > 0',
};

export async function forgetIn(db: ErasureDb, t: ErasureTarget, dialect: ErasureDialect = SQLITE_ERASURE): Promise<Omit<ForgetCounts, 'previousErasures'>> {
  const like = `%${t.domainNeedle}%`;
  const counts = { cases: 0, assigned: 0, messages: 0, rawSources: 0, events: 0, outbox: 0, outboxCancelled: 0, quarantine: 0 };

  // Cases they asked for: the requester becomes the placeholder and every text about them goes.
  const own = new Set(
    (await db.all('SELECT id, requester_address FROM cases WHERE lower(requester_address) LIKE ?', like))
      .filter((r) => t.matches(String(r.requester_address)))
      .map((r) => String(r.id)),
  );
  for (const id of own) {
    await db.run(
      `UPDATE cases SET requester_address = ?, requester_name = '', subject = ?, rating_comment = NULL WHERE id = ?`,
      t.placeholder, ERASED_TEXT, id,
    );
    counts.cases++;
  }
  const ownIds = () => dialect.ids([...own]);
  // An agent's address as assignee.
  for (const r of await db.all('SELECT id, assignee FROM cases WHERE lower(assignee) LIKE ?', like)) {
    if (!t.matches(String(r.assignee))) continue;
    await db.run('UPDATE cases SET assignee = ? WHERE id = ?', t.placeholder, r.id);
    counts.assigned++;
  }

  // Messages: all of their own cases, and any other they sent, received (To/Cc) or that names their address.
  const messages = await db.all(
    `SELECT id, case_id, from_address, to_json, cc_json, text, raw IS NOT NULL AS has_raw FROM messages
     WHERE ${dialect.inIds('case_id')} OR lower(from_address) LIKE ? OR lower(to_json) LIKE ? OR lower(cc_json) LIKE ? OR lower(text) LIKE ? ORDER BY id`,
    ownIds(), like, like, like, like,
  );
  for (const m of messages) {
    const to = scrubAddresses(JSON.parse(String(m.to_json)) as Address[], t);
    const cc = scrubAddresses(JSON.parse(String(m.cc_json)) as Address[], t);
    const sender = t.matches(m.from_address as string | null);
    const ofTheirCase = m.case_id !== null && own.has(String(m.case_id));
    const named = t.scrub(String(m.text)) !== String(m.text);
    if (!sender && !ofTheirCase && !to.changed && !cc.changed && !named) continue;
    // What they wrote, or anything on their case (replies and notifications quote them), loses its text.
    const blank = sender || ofTheirCase;
    await db.run(
      `UPDATE messages SET from_address = ?, from_name = CASE WHEN ? THEN '' ELSE from_name END, to_json = ?, cc_json = ?,
                           subject = CASE WHEN ? THEN ? ELSE subject END, text = ?, raw = NULL WHERE id = ?`,
      sender ? t.placeholder : m.from_address, sender, json(to.list), json(cc.list), blank, ERASED_TEXT,
      blank ? '' : t.scrub(String(m.text)), m.id,
    );
    counts.messages++;
    if (Number(m.has_raw)) counts.rawSources++;
  }

  // Events: the address as actor or inside the data; on their own cases, the texts they wrote too.
  const events = await db.all(
    `SELECT id, case_id, actor, data_json FROM events WHERE ${dialect.inIds('case_id')} OR lower(actor) LIKE ? OR lower(data_json) LIKE ? ORDER BY id`,
    ownIds(), like, like,
  );
  for (const e of events) {
    const data = json(scrubValue(JSON.parse(String(e.data_json)), t, own.has(String(e.case_id))));
    const actor = t.scrub(String(e.actor));
    if (data === e.data_json && actor === e.actor) continue;
    await db.run('UPDATE events SET actor = ?, data_json = ? WHERE id = ?', actor, data, e.id);
    counts.events++;
  }

  // Outbox: mail to them, about their cases, or naming them. Unsent rows are cancelled for good.
  const rows = await db.all(
    `SELECT id, case_id, status, recipient, mail_json FROM outbox WHERE ${dialect.inIds('case_id')} OR lower(recipient) LIKE ? OR lower(mail_json) LIKE ? ORDER BY id`,
    ownIds(), like, like,
  );
  for (const r of rows) {
    const mail = JSON.parse(String(r.mail_json)) as OutgoingMail & Record<string, unknown>;
    const toThem = t.matches(String(r.recipient));
    const ofTheirCase = r.case_id !== null && own.has(String(r.case_id));
    const scrubbed = scrubValue(mail, t, false) as OutgoingMail;
    if (!toThem && !ofTheirCase && json(scrubbed) === r.mail_json) continue;
    const blank = toThem || ofTheirCase;
    const { attachments: _dropped, ...rest } = scrubbed;
    const next = blank ? { ...rest, subject: ERASED_TEXT, text: '', html: null } : scrubbed;
    const cancel = r.status === 'pending' || r.status === 'failed' || r.status === 'uncertain';
    await db.run(
      `UPDATE outbox SET recipient = ?, mail_json = ?, status = CASE WHEN ? THEN 'failed' ELSE status END,
                         last_error = CASE WHEN ? THEN 'cancelled: a recipient or the case''s requester was erased (sportello forget)' ELSE last_error END
       WHERE id = ?`,
      toThem ? t.placeholder : r.recipient, json(next), cancel, cancel, r.id,
    );
    counts.outbox++;
    if (r.status === 'pending' || r.status === 'uncertain') counts.outboxCancelled++;
  }

  // Quarantined mail that names them (From, To, body): the raw source goes, the reason is scrubbed.
  const held = await db.all(
    `SELECT id, raw, reason FROM quarantine WHERE (raw IS NOT NULL AND ${dialect.rawContains}) OR lower(reason) LIKE ? ORDER BY id`,
    t.domainNeedle, like,
  );
  for (const q of held) {
    const raw = q.raw ? Buffer.from(q.raw as Buffer).toString('latin1') : '';
    const reason = t.scrub(String(q.reason));
    if (t.scrub(raw) === raw && reason === q.reason) continue;
    await db.run('UPDATE quarantine SET raw = NULL, reason = ? WHERE id = ?', reason, q.id);
    counts.quarantine++;
  }
  return counts;
}
