// The whole app (writer lease, the real MIME parser, the pipeline, the commit, the outbox, housekeeping)
// run on the same mail twice, once on SQLite and once on PostgreSQL, with the same clock and ids: every
// summary and everything the store then holds must be the same. A fake mailbox and sender stand in for
// IMAP and SMTP (those run on the mail stack in test/integration).

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { openSqliteStore } from '../../src/adapters/sqlite-store.js';
import { openPostgresStore } from '../../src/adapters/postgres-store.js';
import { silentLogger } from '../../src/log.js';
import type { CaseStore } from '../../src/ports.js';
import { echoRenderer, fakeMailbox, fixtureMail, manualClock, recordingSender, routing, sequentialIds, testConfig } from '../support/fakes.js';
import { perTest } from '../support/pgstack.js';

const { database, closing } = perTest('app');

const raw = (from: string, subject: string, id: string, extra = '') =>
  `From: ${from}\r\nTo: it@example.test\r\nSubject: ${subject}\r\nMessage-ID: <${id}>\r\nDate: Mon, 02 Mar 2026 08:00:00 +0000\r\n${extra}\r\nBody of ${id}\r\n`;

/** Mail, a pass, follow-ups and a duplicate, a second pass, a UIDVALIDITY change and a third: what came out. */
async function scenario(store: CaseStore, db: string) {
  const clock = manualClock();
  const mailbox = fakeMailbox(1000);
  const hr = fakeMailbox(5);
  const sender = recordingSender();
  const app = closing(
    await buildApp(testConfig(db), {
      store, clock, log: silentLogger(), sender, sourceFor: (desk) => (desk.id === 'IT' ? mailbox : hr), router: () => routing(), renderer: echoRenderer(), newId: sequentialIds(),
      leaseIdentity: { host: 'h', pid: 1, isAlive: () => true },
    }),
  );
  for (const f of ['es-acentos.eml', 'it-accenti.eml', 'en-no-message-id.eml', 'en-access-request.eml', 'es-vacaciones-auto-reply.eml']) mailbox.add(fixtureMail(f));
  const first = await app.once();
  clock.advance(60_000);
  mailbox.add(raw('alice@example.test', 'Printer', 'p1@client.example'));
  mailbox.add(raw('alice@example.test', 'Re: [IT-6] Printer', 'p2@client.example', 'In-Reply-To: <p1@client.example>\r\n'));
  mailbox.add(raw('alice@example.test', 'Printer', 'p1@client.example'));
  const second = await app.once();
  clock.advance(60_000);
  mailbox.uidValidity = 2000;
  const third = await app.once();
  const cases = await store.listCases({});
  return {
    summaries: [first, second, third],
    sent: sender.sent.map((s) => [s.mail.to.map((a) => a.address), s.mail.subject, s.mail.inReplyTo]),
    cases,
    details: await Promise.all(cases.map((c) => store.getCaseDetail(c.id))),
    outbox: await store.outboxSummary(),
    problems: await store.outboxProblems(50),
    checkpoint: await store.checkpoint('IT', 'INBOX'),
    folder: await store.folderStart('IT', 'INBOX'),
    processed: await store.recentlyProcessed('IT', 'INBOX', 2000, 50),
    quarantine: await store.listQuarantine(50, { all: true }),
    lease: await store.transaction((tx) => tx.writerLease('store')),
  };
}

describe('the app on PostgreSQL', () => {
  it('does with the same mail exactly what it does on SQLite', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'sportello-pg-app-')), 's.db');
    const lite = await scenario(closing(await openSqliteStore(file)), file);
    const db = await database();
    const pg = await scenario(closing(await openPostgresStore(db.url)), db.url);
    expect(pg).toEqual(lite);
    // Not vacuous: cases were opened, a follow-up threaded, a duplicate recognised, replies sent.
    expect(pg.cases.map((c) => c.id)).toEqual(['IT-1', 'IT-2', 'IT-3', 'IT-4', 'IT-5', 'IT-6']);
    expect(pg.summaries[1]!.desks.IT).toMatchObject({ seen: 3, created: 1, appended: 1, duplicates: 1 });
    expect(pg.summaries[2]!.desks.IT).toMatchObject({ seen: 8, created: 0, duplicates: 8 });
    expect(pg.sent.length).toBeGreaterThanOrEqual(5);
    expect(pg.lease).toBeNull();
  });
});
