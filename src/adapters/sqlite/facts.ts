// The reads the pipeline needs about one mail, on a given connection: inside a store transaction (group
// commit: a mail sees the mails committed before it in the same batch) or on their own. Rows only, never
// verdicts (src/pipeline/stages/follow-up-match.ts decides); must never write.

import { one, type SqlDb } from './statements.js';
import type { Address } from '../../domain/mail.js';
import type { CaseStatus } from '../../domain/case.js';
import type { MailboxPosition } from '../../domain/plan.js';
import type { Facts, TaggedCase, ThreadKeys } from '../../domain/facts.js';
import type { IncidentCandidate, LiveCase } from '../../domain/incident.js';
import { LIVE_CASE_COLUMNS, iso, toCase, toFacts, toIncidentCandidate, toLiveCase, type Row } from './rows.js';
import { messageKeyHash } from './retention.js';

/** Rows only: what they mean (duplicate, reused Message-ID, which tagged case) is follow-up-match's. */
export async function lookupFactsIn(db: SqlDb, desk: string, position: MailboxPosition | null, messageKey: string, sender: string | null, keys: ThreadKeys, since: Date, exceptQuarantine?: number): Promise<Facts> {
  // The single-row facts in one statement (each a round trip to the database thread otherwise): the
  // position's outcome, the known message, a held quarantine row, a purged key, the loop brake's count.
  const single = (await one<Row>(
    db,
    `SELECT p.outcome AS p_outcome, p.uid AS p_uid, m.id AS m_id, m.case_id AS m_case_id, m.from_address AS m_from,
            (SELECT id FROM quarantine WHERE desk = ? AND message_id = ? AND released_at IS NULL AND id <> ? ORDER BY id LIMIT 1) AS q_id,
            EXISTS (SELECT 1 FROM purged_message_keys WHERE desk = ? AND key_hash = ?) AS purged,
            CASE WHEN ? IS NULL THEN NULL
                 ELSE (SELECT COUNT(*) FROM outbox WHERE recipient = ? AND kind = 'auto-reply' AND created_at >= ?) END AS auto_replies
       FROM (SELECT 1)
       LEFT JOIN processed p ON p.desk = ? AND p.folder = ? AND p.uid_validity = ? AND p.uid = ?
       LEFT JOIN messages m ON m.id = (SELECT id FROM messages WHERE desk = ? AND message_id = ? LIMIT 1)`,
    desk, messageKey, exceptQuarantine ?? -1,
    desk, messageKeyHash(messageKey),
    sender, sender, iso(since),
    desk, position?.folder ?? null, position?.uidValidity ?? null, position?.uid ?? null,
    desk, messageKey,
  ))!;
  const p = position && single.p_uid !== null ? { outcome: single.p_outcome } : undefined;
  const m = single.m_id !== null ? { case_id: single.m_case_id, from_address: single.m_from } : undefined;
  const q = single.q_id !== null ? { id: single.q_id } : undefined;
  const purged = Number(single.purged) === 1 ? {} : undefined;
  const n = single.auto_replies !== null ? { n: single.auto_replies } : undefined;

  let referencedCase: Facts['referencedCase'] = null;
  for (const id of keys.messageIds) {
    const r = await db.get<Row>(
      `SELECT c.id FROM messages m JOIN cases c ON c.id = m.case_id WHERE m.desk = ? AND m.message_id = ?`,
      desk, id,
    );
    if (r) {
      referencedCase = await caseFact(db, String(r.id));
      break;
    }
  }

  const taggedCases: TaggedCase[] = [];
  for (const tag of new Set(keys.tags)) {
    const c = await db.get<Row>('SELECT id, requester_address FROM cases WHERE id = ? AND desk = ?', tag, desk);
    if (!c) continue;
    const rows = await db.all<Row[]>(
      `SELECT from_address, to_json, cc_json FROM messages WHERE case_id = ? AND direction = 'in' AND kind = 'requester' ORDER BY id`,
      tag,
    );
    const people = new Set<string>([String(c.requester_address)]);
    for (const r of rows) {
      if (r.from_address) people.add(String(r.from_address));
      for (const a of [...JSON.parse(String(r.to_json)), ...JSON.parse(String(r.cc_json))] as Address[]) people.add(a.address);
    }
    taggedCases.push({ ...(await caseFact(db, String(c.id))), participants: [...people] });
  }

  const elsewhere = messageKey.startsWith('sha256:')
    ? []
    : await db.all<Row[]>(
        `SELECT DISTINCT m.case_id, m.desk FROM messages m WHERE m.message_id = ? AND m.desk <> ? AND m.direction = 'in' AND m.case_id IS NOT NULL ORDER BY m.desk, m.case_id`,
        messageKey, desk,
      );
  return toFacts(messageKey, position, { processed: p, message: m, quarantine: q, purged, autoReplies: n, elsewhere }, { referencedCase, taggedCases });
}

/** The case row plus the requester's newest Message-ID, for threading replies. */
async function caseFact(db: SqlDb, id: string): Promise<NonNullable<Facts['referencedCase']>> {
  const c = (await one<Row>(db, 'SELECT * FROM cases WHERE id = ?', id))!;
  const last = await one<Row>(
    db,
    `SELECT message_id FROM messages WHERE case_id = ? AND direction = 'in' AND kind = 'requester' AND message_id NOT LIKE 'sha256:%' ORDER BY id DESC LIMIT 1`,
    id,
  );
  return { caseId: id, status: c.status as CaseStatus, record: toCase(c), lastRequesterMessageId: last ? String(last.message_id) : null };
}

// The desk's live cases for incidents (at most 500): opened since the window, live incidents, and their
// live members of any age. Not correlated (i.desk = ?, not = c.desk): the live incidents are listed once,
// not once per live case (427 ms → 1.5 ms a mail with 500 live cases among 10,000).
const LIVE_CASES = `FROM cases c
      WHERE c.desk = ? AND c.status IN ('new', 'open', 'waiting')
        AND (c.created_at >= ? OR c.kind = 'incident'
             OR c.incident IN (SELECT i.id FROM cases i WHERE i.desk = ? AND i.kind = 'incident' AND i.status IN ('new', 'open', 'waiting')))
      ORDER BY c.created_at, c.number
      LIMIT 500`;
const FIRST_TEXT = `(SELECT text FROM messages m WHERE m.case_id = c.id AND m.direction = 'in' ORDER BY m.id LIMIT 1) AS first_text`;

/** The live cases as grouping compares them: only the columns it reads (no JSON to parse). */
export async function groupCandidatesIn(db: SqlDb, desk: string, since: Date): Promise<LiveCase[]> {
  const rows = await db.all<Row[]>(`SELECT ${LIVE_CASE_COLUMNS}, ${FIRST_TEXT} ${LIVE_CASES}`, desk, iso(since), desk);
  return rows.map(toLiveCase);
}

/** The live cases as whole cases, with the requester's newest Message-ID (an agent's mail on an incident). */
export async function incidentCandidatesIn(db: SqlDb, desk: string, since: Date): Promise<IncidentCandidate[]> {
  const rows = await db.all<Row[]>(
    `SELECT c.*, ${FIRST_TEXT},
            (SELECT message_id FROM messages m WHERE m.case_id = c.id AND m.direction = 'in' AND m.kind = 'requester'
               AND m.message_id NOT LIKE 'sha256:%' ORDER BY m.id DESC LIMIT 1) AS last_requester_message_id
       ${LIVE_CASES}`,
    desk, iso(since), desk,
  );
  return rows.map(toIncidentCandidate);
}
