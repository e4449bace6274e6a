// Retention inside one PostgreSQL store transaction: the twin of ../sqlite/retention.ts (same cutoffs,
// same tombstones, same hashed Message-IDs, same counts). SQLite's JSON functions have no PostgreSQL
// equivalent that writes back the same text, so the outbox bodies are rewritten here in JavaScript.
// Must never touch held quarantine rows (pending admin action) or let a case number be reused.

import type { PurgeCounts } from '../../ports.js';
import type { PurgeCutoffs } from '../../domain/retention.js';
import { messageKeyHash } from '../sqlite/retention.js';
import { query, type Queryable } from './sql.js';

export async function purgeInPostgres(db: Queryable, where: string, cutoffs: PurgeCutoffs, now: Date): Promise<PurgeCounts> {
  const q = (sql: string, ...args: unknown[]) => query(db, where, sql, args);
  const counts = { rawSources: 0, quarantineRaw: 0, outboxBodies: 0, cases: 0, messages: 0, events: 0, outbox: 0, links: 0, escalations: 0 };
  if (cutoffs.closedBefore) {
    // A case closed by hand (`cases update --status closed`) may lack closed_at: its last change counts.
    const ids = (await q(`SELECT id FROM cases WHERE status = 'closed' AND COALESCE(closed_at, updated_at) < $1 ORDER BY id`, cutoffs.closedBefore)).rows.map((r) => String(r.id));
    if (ids.length) {
      await q(
        `INSERT INTO case_tombstones (id, desk, number, category, priority, sla_policy, created_at, due_at, first_response_due_at,
                                      first_response_at, resolved_at, closed_at, rating, requester_mail_times_json, purged_at)
         SELECT c.id, c.desk, c.number, c.category, c.priority, c.sla_policy, c.created_at, c.due_at, c.first_response_due_at,
                c.first_response_at, c.resolved_at, COALESCE(c.closed_at, c.updated_at), c.rating,
                -- json_group_array's text: ["…","…"] without spaces (ISO times need no escaping)
                COALESCE((SELECT '[' || string_agg('"' || sportello_iso(COALESCE(m.date, m.created_at)) || '"', ',' ORDER BY m.id) || ']'
                            FROM messages m WHERE m.case_id = c.id AND m.direction = 'in' AND m.kind = 'requester'), '[]'),
                $2::timestamptz
         FROM cases c WHERE c.id = ANY($1)
         ON CONFLICT (id) DO UPDATE SET desk = excluded.desk, number = excluded.number, category = excluded.category, priority = excluded.priority,
           sla_policy = excluded.sla_policy, created_at = excluded.created_at, due_at = excluded.due_at, first_response_due_at = excluded.first_response_due_at,
           first_response_at = excluded.first_response_at, resolved_at = excluded.resolved_at, closed_at = excluded.closed_at, rating = excluded.rating,
           requester_mail_times_json = excluded.requester_mail_times_json, purged_at = excluded.purged_at`,
        ids, now.toISOString(),
      );
      const keys = await q(`SELECT DISTINCT desk, message_id FROM messages WHERE case_id = ANY($1) AND direction = 'in'`, ids);
      for (const k of keys.rows) {
        await q('INSERT INTO purged_message_keys (desk, key_hash) VALUES ($1, $2) ON CONFLICT DO NOTHING', k.desk, messageKeyHash(String(k.message_id)));
      }
      const del = async (sql: string) => (await q(sql, ids)).rowCount;
      counts.outbox = await del(`DELETE FROM outbox WHERE case_id = ANY($1) OR message_row IN (SELECT id FROM messages WHERE case_id = ANY($1))`);
      counts.escalations = await del(`DELETE FROM escalations WHERE case_id = ANY($1)`);
      await del(`DELETE FROM promise_notices WHERE case_id = ANY($1)`);
      // Links are stored both ways; a link from a kept case to a deleted one goes too (it would point nowhere).
      counts.links = await del(`DELETE FROM case_links WHERE case_id = ANY($1) OR linked_id = ANY($1)`);
      counts.events = await del(`DELETE FROM events WHERE case_id = ANY($1)`);
      counts.messages = await del(`DELETE FROM messages WHERE case_id = ANY($1)`);
      counts.cases = await del(`DELETE FROM cases WHERE id = ANY($1)`);
    }
  }
  if (cutoffs.rawBefore) {
    counts.rawSources = (await q('UPDATE messages SET raw = NULL WHERE raw IS NOT NULL AND created_at < $1', cutoffs.rawBefore)).rowCount;
    counts.quarantineRaw = (await q('UPDATE quarantine SET raw = NULL WHERE raw IS NOT NULL AND released_at IS NOT NULL AND at < $1', cutoffs.rawBefore)).rowCount;
    // A sent reply's body is the requester's data too; the case keeps its text in messages, so the
    // delivery record keeps only envelope, recipients and subject. Unsent rows keep theirs (they may go out).
    const sent = await q(`SELECT id, mail_json FROM outbox WHERE status = 'sent' AND sent_at < $1 ORDER BY id`, cutoffs.rawBefore);
    for (const r of sent.rows) {
      const mail = JSON.parse(String(r.mail_json)) as Record<string, unknown>;
      if (mail.bodyDropped !== undefined && mail.bodyDropped !== null) continue;
      // Key order as json_set/json_remove leave it: text and html in place, bodyDropped last, attachments gone.
      mail.text = '';
      mail.html = null;
      mail.bodyDropped = now.toISOString();
      delete mail.attachments;
      await q('UPDATE outbox SET mail_json = $1 WHERE id = $2', JSON.stringify(mail), r.id);
      counts.outboxBodies++;
    }
  }
  return counts;
}
