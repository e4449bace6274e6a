// Retention inside one store transaction: drops raw sources older than the raw-mail cutoff and deletes
// closed cases older than the closed-case cutoff, leaving per case an anonymous tombstone (numbers and
// times statistics need) and hashed Message-IDs (so the same mail fetched again stays a duplicate).
// Must never touch held quarantine rows (pending admin action) or let a case number be reused.

import { createHash } from 'node:crypto';
import type { SqlDb } from './statements.js';
import type { PurgeCounts } from '../../ports.js';
import type { PurgeCutoffs } from '../../domain/retention.js';
import type { Row } from './rows.js';

/** Hash of a Message-ID as stored in purged_message_keys. */
export const messageKeyHash = (messageId: string): string => createHash('sha256').update(messageId).digest('hex');

const changes = (r: { changes?: number }) => r.changes ?? 0;

export async function purgeIn(db: SqlDb, cutoffs: PurgeCutoffs, now: Date): Promise<PurgeCounts> {
  const counts = { rawSources: 0, quarantineRaw: 0, outboxBodies: 0, cases: 0, messages: 0, events: 0, outbox: 0, links: 0, escalations: 0 };
  if (cutoffs.closedBefore) {
    await db.exec('CREATE TEMP TABLE IF NOT EXISTS purge_ids (id TEXT PRIMARY KEY)');
    await db.exec('DELETE FROM purge_ids');
    // A case closed by hand (`cases update --status closed`) may lack closed_at: its last change counts.
    await db.run(`INSERT INTO purge_ids SELECT id FROM cases WHERE status = 'closed' AND COALESCE(closed_at, updated_at) < ?`, cutoffs.closedBefore);
    const inSet = 'IN (SELECT id FROM purge_ids)';
    await db.run(
      `INSERT OR REPLACE INTO case_tombstones (id, desk, number, category, priority, sla_policy, created_at, due_at, first_response_due_at,
                                    first_response_at, resolved_at, closed_at, rating, requester_mail_times_json, purged_at)
       SELECT c.id, c.desk, c.number, c.category, c.priority, c.sla_policy, c.created_at, c.due_at, c.first_response_due_at,
              c.first_response_at, c.resolved_at, COALESCE(c.closed_at, c.updated_at), c.rating,
              (SELECT json_group_array(COALESCE(m.date, m.created_at)) FROM messages m
                 WHERE m.case_id = c.id AND m.direction = 'in' AND m.kind = 'requester'),
              ?
       FROM cases c WHERE c.id ${inSet}`,
      now.toISOString(),
    );
    const keys = await db.all<Row[]>(`SELECT DISTINCT desk, message_id FROM messages WHERE case_id ${inSet} AND direction = 'in'`);
    for (const k of keys) {
      await db.run('INSERT OR IGNORE INTO purged_message_keys (desk, key_hash) VALUES (?, ?)', k.desk, messageKeyHash(String(k.message_id)));
    }
    counts.outbox = changes(await db.run(`DELETE FROM outbox WHERE case_id ${inSet} OR message_row IN (SELECT id FROM messages WHERE case_id ${inSet})`));
    counts.escalations = changes(await db.run(`DELETE FROM escalations WHERE case_id ${inSet}`));
    await db.run(`DELETE FROM promise_notices WHERE case_id ${inSet}`);
    // Links are stored both ways; a link from a kept case to a deleted one goes too (it would point nowhere).
    counts.links = changes(await db.run(`DELETE FROM case_links WHERE case_id ${inSet} OR linked_id ${inSet}`));
    counts.events = changes(await db.run(`DELETE FROM events WHERE case_id ${inSet}`));
    counts.messages = changes(await db.run(`DELETE FROM messages WHERE case_id ${inSet}`));
    counts.cases = changes(await db.run(`DELETE FROM cases WHERE id ${inSet}`));
    await db.exec('DELETE FROM purge_ids');
  }
  if (cutoffs.rawBefore) {
    counts.rawSources = changes(await db.run('UPDATE messages SET raw = NULL WHERE raw IS NOT NULL AND created_at < ?', cutoffs.rawBefore));
    counts.quarantineRaw = changes(
      await db.run('UPDATE quarantine SET raw = NULL WHERE raw IS NOT NULL AND released_at IS NOT NULL AND at < ?', cutoffs.rawBefore),
    );
    // A sent reply's body is the requester's data too; the case keeps its text in messages, so the
    // delivery record keeps only envelope, recipients and subject. Unsent rows keep theirs (they may go out).
    counts.outboxBodies = changes(
      await db.run(
        `UPDATE outbox SET mail_json = json_remove(json_set(mail_json, '$.text', '', '$.html', json('null'), '$.bodyDropped', ?), '$.attachments')
         WHERE status = 'sent' AND sent_at < ? AND json_extract(mail_json, '$.bodyDropped') IS NULL`,
        now.toISOString(), cutoffs.rawBefore,
      ),
    );
  }
  return counts;
}
