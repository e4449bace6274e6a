// The reads the pipeline needs about one mail, on a given connection: inside a store transaction (group
// commit: a mail sees the mails committed before it in the same batch) or in a read-only snapshot of
// their own. The PostgreSQL twin of ../sqlite/facts.ts. Rows only, never verdicts; must never write.

import type { Address } from '../../domain/mail.js';
import type { CaseStatus } from '../../domain/case.js';
import type { MailboxPosition } from '../../domain/plan.js';
import type { Facts, TaggedCase, ThreadKeys } from '../../domain/facts.js';
import type { IncidentCandidate, LiveCase } from '../../domain/incident.js';
import { LIVE_CASE_COLUMNS, iso, toCase, toFacts, toIncidentCandidate, toLiveCase } from '../sqlite/rows.js';
import { messageKeyHash } from '../sqlite/retention.js';
import { query, type Queryable } from './sql.js';

/** Rows only: what they mean (duplicate, reused Message-ID, which tagged case) is follow-up-match's. */
export async function lookupFactsIn(
  db: Queryable, where: string,
  desk: string, position: MailboxPosition | null, messageKey: string, sender: string | null, keys: ThreadKeys, since: Date, exceptQuarantine?: number,
): Promise<Facts> {
  const one = async (sql: string, ...args: unknown[]) => (await query(db, where, sql, args)).rows[0];
  const all = async (sql: string, ...args: unknown[]) => (await query(db, where, sql, args)).rows;
  const p = position
    ? await one('SELECT outcome FROM processed WHERE desk = $1 AND folder = $2 AND uid_validity = $3 AND uid = $4', desk, position.folder, position.uidValidity, position.uid)
    : undefined;
  const m = await one('SELECT case_id, from_address FROM messages WHERE desk = $1 AND message_id = $2', desk, messageKey);
  const q = await one(
    'SELECT id FROM quarantine WHERE desk = $1 AND message_id = $2 AND released_at IS NULL AND id <> $3 ORDER BY id LIMIT 1',
    desk, messageKey, exceptQuarantine ?? -1,
  );
  const purged = await one('SELECT 1 FROM purged_message_keys WHERE desk = $1 AND key_hash = $2', desk, messageKeyHash(messageKey));

  let referencedCase: Facts['referencedCase'] = null;
  for (const id of keys.messageIds) {
    const r = await one('SELECT c.id FROM messages m JOIN cases c ON c.id = m.case_id WHERE m.desk = $1 AND m.message_id = $2', desk, id);
    if (r) {
      referencedCase = await caseFact(db, where, String(r.id));
      break;
    }
  }

  const taggedCases: TaggedCase[] = [];
  for (const tag of new Set(keys.tags)) {
    const c = await one('SELECT id, requester_address FROM cases WHERE id = $1 AND desk = $2', tag, desk);
    if (!c) continue;
    const rows = await all(`SELECT from_address, to_json, cc_json FROM messages WHERE case_id = $1 AND direction = 'in' AND kind = 'requester' ORDER BY id`, tag);
    const people = new Set<string>([String(c.requester_address)]);
    for (const r of rows) {
      if (r.from_address) people.add(String(r.from_address));
      for (const a of [...JSON.parse(String(r.to_json)), ...JSON.parse(String(r.cc_json))] as Address[]) people.add(a.address);
    }
    taggedCases.push({ ...(await caseFact(db, where, String(c.id))), participants: [...people] });
  }

  const n = sender
    ? await one(`SELECT COUNT(*) AS n FROM outbox WHERE recipient = $1 AND kind = 'auto-reply' AND created_at >= $2`, sender, iso(since))
    : undefined;
  const elsewhere = messageKey.startsWith('sha256:')
    ? []
    : await all(
        `SELECT DISTINCT m.case_id, m.desk FROM messages m WHERE m.message_id = $1 AND m.desk <> $2 AND m.direction = 'in' AND m.case_id IS NOT NULL ORDER BY m.desk, m.case_id`,
        messageKey, desk,
      );
  return toFacts(messageKey, position, { processed: p, message: m, quarantine: q, purged, autoReplies: n, elsewhere }, { referencedCase, taggedCases });
}

/** The case row plus the requester's newest Message-ID, for threading replies. */
async function caseFact(db: Queryable, where: string, id: string): Promise<NonNullable<Facts['referencedCase']>> {
  const c = (await query(db, where, 'SELECT * FROM cases WHERE id = $1', [id])).rows[0]!;
  const last = (
    await query(
      db, where,
      `SELECT message_id FROM messages WHERE case_id = $1 AND direction = 'in' AND kind = 'requester' AND message_id NOT LIKE 'sha256:%' ORDER BY id DESC LIMIT 1`,
      [id],
    )
  ).rows[0];
  return { caseId: id, status: c.status as CaseStatus, record: toCase(c), lastRequesterMessageId: last ? String(last.message_id) : null };
}

// The desk's live cases for incidents (at most 500): opened since the window, live incidents, and their
// live members of any age. Not correlated (i.desk = $1, not = c.desk): the live incidents are listed
// once, not once per live case.
const LIVE_CASES = `FROM cases c
      WHERE c.desk = $1 AND c.status IN ('new', 'open', 'waiting')
        AND (c.created_at >= $2 OR c.kind = 'incident'
             OR c.incident IN (SELECT i.id FROM cases i WHERE i.desk = $1 AND i.kind = 'incident' AND i.status IN ('new', 'open', 'waiting')))
      ORDER BY c.created_at, c.number
      LIMIT 500`;
const FIRST_TEXT = `(SELECT text FROM messages m WHERE m.case_id = c.id AND m.direction = 'in' ORDER BY m.id LIMIT 1) AS first_text`;

/** The live cases as grouping compares them: only the columns it reads (no JSON to parse). */
export async function groupCandidatesIn(db: Queryable, where: string, desk: string, since: Date): Promise<LiveCase[]> {
  const { rows } = await query(db, where, `SELECT ${LIVE_CASE_COLUMNS}, ${FIRST_TEXT} ${LIVE_CASES}`, [desk, iso(since)]);
  return rows.map(toLiveCase);
}

/** The live cases as whole cases, with the requester's newest Message-ID (an agent's mail on an incident). */
export async function incidentCandidatesIn(db: Queryable, where: string, desk: string, since: Date): Promise<IncidentCandidate[]> {
  const { rows } = await query(
    db, where,
    `SELECT c.*, ${FIRST_TEXT},
            (SELECT message_id FROM messages m WHERE m.case_id = c.id AND m.direction = 'in' AND m.kind = 'requester'
               AND m.message_id NOT LIKE 'sha256:%' ORDER BY m.id DESC LIMIT 1) AS last_requester_message_id
       ${LIVE_CASES}`,
    [desk, iso(since)],
  );
  return rows.map(toIncidentCandidate);
}
