// `sportello migrate-store` against the real PostgreSQL: a SQLite install with every kind of row (cases
// with ratings and links, messages with raw sources, events, every outbox state, checkpoints and first
// contacts, quarantine in every state, escalations, tombstones and audit rows of a purge, daily claims,
// the daemon's report) reads back the same through the PostgreSQL store; counts match per table; a
// non-empty target and a file a daemon still holds are refused without writing anything.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/adapters/sqlite-store.js';
import { openPostgresStore } from '../../src/adapters/postgres-store.js';
import { migrateStore } from '../../src/app.js';
import type { CaseStore } from '../../src/ports.js';
import { retentionCutoffs } from '../../src/housekeeping/retention.js';
import { perTest } from '../support/pgstack.js';
import { runCli } from '../support/cli.js';
import { T0, at, inbound, newCase, outgoing, seedCase } from '../support/store-contract.js';

const { database, closing } = perTest('migrate');
async function sqliteInstall(): Promise<string> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'sportello-migrate-')), 'sportello.db');
  const store = await openSqliteStore(file);
  try {
    await store.startFolder('IT', 'INBOX', { uidValidity: 7, firstStart: T0.toISOString(), takeFrom: null, backlogUid: 3, lastUid: 3 }, T0);
    const old = await seedCase(store, async (tx, id) => {
      await tx.setCaseFields(id, { closedAt: at(-600_000).toISOString(), rating: { score: 2, comment: 'slow «very»', at: at(-600_000).toISOString() } }, at(-600_000));
      await tx.setStatus(id, 'closed', at(-600_000));
    });
    await seedCase(store, async (tx, id) => {
      await tx.addMessage({ ...inbound(id, 'bin@client.example'), raw: Buffer.from([0, 1, 2, 200, 255]) }, at(1));
      await tx.addEvents(id, [{ type: 'created', actor: 'alice@example.test', data: { nested: { a: [1, 'two'] } } }], at(1));
      await tx.setCaseFields(id, { assignee: 'bob@example.test', firstResponseAt: at(2).toISOString(), rating: { score: 5, comment: 'great', at: at(3).toISOString() } }, at(3));
      await tx.recordEscalation(id, 'warning', at(4), at(4));
      await tx.markPosition({ desk: 'IT', folder: 'INBOX', uidValidity: 7, uid: 4 }, 'bin@client.example', 'appended', id, at(1));
      for (let i = 0; i < 5; i++) await tx.enqueue({ caseId: id, kind: 'auto-reply', envelopeFrom: '', mail: outgoing(`r${i}@example.test`) }, null, at(i));
      await tx.quarantine({ position: { desk: 'IT', folder: 'INBOX', uidValidity: 7, uid: 5 }, messageId: 'q@x', code: 'UNPARSEABLE', reason: 'r', stage: 'parse', raw: Buffer.from('raw\u0000bytes') }, at(5));
      await tx.quarantine({ position: null, messageId: null, code: 'TOO_LARGE', reason: 'big', stage: null, raw: null }, at(6));
      await tx.claimDaily('uncertain-notice:IT', '2026-03-02', at(6));
      await tx.putWriterLease('store', { token: 't', host: 'old-host', pid: 1, command: 'run', startedAt: T0.toISOString(), heartbeatAt: T0.toISOString(), leaseUntil: at(1).toISOString() });
    });
    await seedCase(store, async (tx, id) => tx.link('IT-2', id, 'same requester', at(7)), 'HR');
    // An incident created after its first member (copied members-last all the same), a promise and its notice.
    await store.transaction(async (tx) => {
      const inc = await tx.createCase({ ...newCase('IT', 'IT', 'it@example.test'), kind: 'incident' }, at(8));
      await tx.setIncident('IT-2', inc.id, at(8));
      await tx.setPromise('IT-2', { seq: 1, at: at(300).toISOString(), start: T0.toISOString(), source: 'sla', slaDueAt: null, forecast: null }, at(8));
      await tx.claimPromiseNotice('IT-2', 1, 'pre-breach', at(9));
    });
    await store.markSending([1], at(10));
    await store.markSent([1], at(10));
    await store.markSending([2], at(10));
    await store.markFailed(2, 'SMTP_PERMANENT: 550', at(11));
    await store.markSending([3], at(10));
    await store.parkInterrupted(at(12));
    await store.markSending([4], at(10));
    await store.markRetry(4, 'SMTP_TRANSIENT', at(30));
    await store.dropQuarantine(2, 'junk', 'cli:admin', at(13));
    await store.saveDaemonStatus({ host: 'old-host', pid: 1, startedAt: T0.toISOString() }, '{"desks":[]}', at(14), T0);
    await store.saveDaemonStatus({ host: 'old-host', pid: 2, startedAt: at(1).toISOString() }, '{"desks":[],"stoppedAt":"x"}', at(15), T0);
    await store.purge(retentionCutoffs({ closedCaseDays: 30 }, at(0)), at(0), { dryRun: false, actor: 'test' });
    expect((await store.listCases({})).map((c) => c.id)).not.toContain(old);
  } finally {
    await store.close();
  }
  return file;
}

/** Everything a store hands back about an install, through the CaseStore API only. */
async function everything(store: CaseStore) {
  const cases = await store.listCases({});
  return {
    cases,
    details: await Promise.all(cases.map((c) => store.getCaseDetail(c.id))),
    stats: await store.statsData(new Date(0)),
    outbox: await store.outboxProblems(100),
    summary: await store.outboxSummary(),
    uncertain: await store.uncertainOutbox(),
    quarantine: await store.listQuarantine(100, { all: true }),
    checkpoint: await store.checkpoint('IT', 'INBOX'),
    folder: await store.folderStart('IT', 'INBOX'),
    processed: await store.recentlyProcessed('IT', 'INBOX', 7, 10),
    sla: await store.slaCases(),
    promises: await store.promiseCases(),
    history: await store.promiseHistory('IT', { since: new Date(0), cases: 1_000_000 }),
    incidents: await store.incidentCandidates('IT', new Date(0)),
    audit: await store.auditLog(10),
    hash: await store.erasureHash('alice@example.test'),
    daemons: await store.daemonStatuses(),
    lease: await store.transaction((tx) => tx.writerLease('store')),
    claimed: await store.transaction((tx) => tx.claimDaily('uncertain-notice:IT', '2026-03-02', at(99))),
    facts: await store.lookupFacts('IT', null, 'first-IT-1@client.example', null, { messageIds: [], tags: [] }, T0),
  };
}

describe('sportello migrate-store', () => {
  it('copies every table; the PostgreSQL store then reads back exactly what the SQLite store does, and new rows continue the ids', async () => {
    const file = await sqliteInstall();
    const db = await database();
    const report = await migrateStore(file, db.url);
    expect(report.tables.every((t) => t.source === t.target)).toBe(true);
    const counts = Object.fromEntries(report.tables.map((t) => [t.table, t.target]));
    expect(counts).toEqual({
      desk_counters: 2, cases: 3, promise_notices: 1, messages: 3, events: 3, outbox: 5, quarantine: 2, case_tombstones: 1, purged_message_keys: 1, audit_log: 1,
      daily_claims: 1, store_meta: 1, writer_lease: 1, fleet_leases: 0, daemon_status: 0, daemon_reports: 2, escalations: 1, case_links: 2, mailbox_state: 1, processed: 1,
    });

    const lite = closing(await openSqliteStore(file));
    const pgs = closing(await openPostgresStore(db.url));
    const [fromLite, fromPg] = [await everything(lite), await everything(pgs)];
    expect(fromPg).toEqual(fromLite);
    expect(fromPg.cases.map((c) => c.id)).toEqual(['HR-1', 'IT-2', 'IT-3']);
    expect(fromPg.details[2]!.members!.map((m) => m.id)).toEqual(['IT-2']);
    expect(fromPg.details[1]!.promise).toMatchObject({ seq: 1, source: 'sla' });
    expect(fromPg.details[1]!.messages[1]!.messageId).toBe('bin@client.example');
    expect(fromPg.quarantine.find((q) => q.id === 1)!.raw).toEqual(Buffer.from('raw\u0000bytes'));

    // New rows go on from the copied numbers and ids on both stores alike.
    const next = async (store: CaseStore) =>
      store.transaction(async (tx) => {
        const c = await tx.createCase(newCase('IT', 'IT'), at(20));
        return [c.id, await tx.addMessage(inbound(c.id, 'new@client.example'), at(20)), await tx.enqueue({ caseId: c.id, kind: 'auto-reply', envelopeFrom: '', mail: outgoing('n@example.test') }, null, at(20)),
          await tx.quarantine({ position: null, messageId: null, code: 'X', reason: 'x', stage: null, raw: null }, at(20))];
      });
    const [fromPgNext, fromLiteNext] = [await next(pgs), await next(lite)];
    expect(fromPgNext).toEqual(fromLiteNext);
    expect(fromPgNext).toEqual(['IT-4', 5, 6, 3]);
  });

  it('from the command line: prints every table with both counts; a second run refuses the now non-empty target and changes nothing', async () => {
    const file = await sqliteInstall();
    const db = await database();
    const first = await runCli(['migrate-store', '--from', file, '--to', db.url]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^TABLE\s+SQLITE\s+POSTGRESQL/m);
    expect(first.stdout).toMatch(/^messages\s+3\s+3$/m);
    expect(first.stdout).toMatch(/^quarantine\s+2\s+2$/m);
    expect(first.stdout).toContain('every count matches');
    expect(first.stdout).not.toContain(':secret@');

    const again = await runCli(['migrate-store', '--from', file, '--to', db.url]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/already holds data: .*\bcases \(3\), .*desk_counters \(2\)/);
    expect(again.stderr).not.toContain(':secret@');
    const pgs = closing(await openPostgresStore(db.url, { mode: 'read' }));
    expect(await pgs.listCases({})).toHaveLength(3);
  });

  it('refuses a file a daemon still holds, and a target URL that is not PostgreSQL, writing nothing', async () => {
    const file = await sqliteInstall();
    const store = await openSqliteStore(file);
    const until = new Date(Date.now() + 3_600_000).toISOString();
    await store.transaction((tx) => tx.putWriterLease('store', { token: 'live', host: 'h1', pid: 99, command: 'run', startedAt: T0.toISOString(), heartbeatAt: T0.toISOString(), leaseUntil: until }));
    await store.close();
    const db = await database();
    await expect(migrateStore(file, db.url)).rejects.toMatchObject({ code: 'STORE_LOCKED', message: expect.stringContaining('sportello run on host h1, pid 99') });
    const pgs = closing(await openPostgresStore(db.url));
    expect(await pgs.listCases({})).toEqual([]);
    const wrong = await runCli(['migrate-store', '--from', file, '--to', '/tmp/other.db']);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('--to must be a postgres:// or postgresql:// URL');
  });

  it('copies more rows than one page and one INSERT hold, raw bytes intact', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'sportello-migrate-')), 'big.db');
    const lite = closing(await openSqliteStore(file));
    const N = 1_234;
    await lite.transaction(async (tx) => {
      const c = await tx.createCase(newCase('IT', 'IT'), T0);
      for (let i = 0; i < N; i++) await tx.addMessage({ ...inbound(c.id, `m${i}@client.example`), raw: Buffer.alloc(1_000 + i, i % 256) }, at(i));
    });
    const db = await database();
    const report = await migrateStore(file, db.url);
    expect(report.tables.find((t) => t.table === 'messages')).toEqual({ table: 'messages', source: N, target: N });
    const c = await db.connect();
    const { rows } = await c.query<{ n: number; bytes: number; last: Buffer }>(
      `SELECT COUNT(*) AS n, SUM(length(raw)) AS bytes, (SELECT raw FROM messages WHERE message_id = 'm${N - 1}@client.example') AS last FROM messages`,
    );
    expect(rows[0]!.n).toBe(N);
    expect(Number(rows[0]!.bytes)).toBe(N * 1_000 + (N * (N - 1)) / 2);
    expect(rows[0]!.last).toEqual(Buffer.alloc(1_000 + N - 1, (N - 1) % 256));
  });
});
