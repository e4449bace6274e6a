// First contact with a mailbox on a fake IMAP folder, the real pipeline, MIME parser and SQLite store:
// `now` touches nothing already there, a date takes only what the server received since (imported:
// original dates, no mail), `all` imports the whole backlog, a UIDVALIDITY rescan keeps the first start,
// and the dry-run survey counts the same without writing anything.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../../src/adapters/sqlite-store.js';
import { ingestMailbox } from '../../../src/shell/ingest.js';
import { planFirstContact, planRescan, surveyFolder } from '../../../src/shell/first-contact.js';
import type { CaseStore } from '../../../src/ports.js';
import type { DeskConfig } from '../../../src/config/schema.js';
import { deskRuntime, fakeMailbox, ingestDeps, manualClock, testConfig } from '../../support/fakes.js';

const config = testConfig();
const IT = config.desks.find((d) => d.id === 'IT')!;
const FIRST_START = '2026-03-02T09:00:00.000Z';

let stores: CaseStore[] = [];
afterEach(async () => {
  for (const s of stores) await s.close();
  stores = [];
});

async function firstContactSetup(startFrom: string) {
  const store = await openSqliteStore(path.join(mkdtempSync(path.join(tmpdir(), 'sportello-first-')), 's.db'));
  stores.push(store);
  const clock = manualClock(FIRST_START);
  const desk: DeskConfig = { ...IT, startFrom };
  const deps = ingestDeps(store, { clock, fetchBatch: 4, timezone: 'UTC' });
  const box = fakeMailbox(1000);
  const pass = async () => ingestMailbox(deps, deskRuntime(config, desk), await box.open());
  const survey = async () => surveyFolder({ store, clock, timezone: 'UTC' }, desk, await box.open());
  return { store, clock, box, pass, survey, desk };
}

const request = (n: number, at: Date) =>
  `From: person${n}@example.test\r\nTo: it@example.test\r\nSubject: Request ${n}\r\nMessage-ID: <req${n}@client.example>\r\nDate: ${at.toUTCString()}\r\n\r\nPlease help with ${n}.\r\n`;

/** Adds `count` requests received one hour apart from `fromIso`; returns their UIDs. */
function fill(box: ReturnType<typeof fakeMailbox>, count: number, fromIso: string, first = 1): number[] {
  return Array.from({ length: count }, (_, i) => {
    const at = new Date(Date.parse(fromIso) + i * 3_600_000);
    return box.add(request(first + i, at), at);
  });
}

describe('planFirstContact / planRescan', () => {
  const start = new Date('2026-03-02T09:00:00.750Z');
  it.each([
    ['now', { kind: 'now' } as const, { lastUid: 40, backlogUid: 40, takeFrom: FIRST_START }],
    ['all', { kind: 'all' } as const, { lastUid: 0, backlogUid: 40, takeFrom: null }],
    ['a date', { kind: 'date', at: new Date('2026-01-01T00:00:00Z') } as const, { lastUid: 0, backlogUid: 40, takeFrom: '2026-01-01T00:00:00.000Z' }],
  ])('%s', (_label, startFrom, expected) => {
    // The first start is cut to the second: INTERNALDATE has no fractions.
    expect(planFirstContact(startFrom, start, 7, 40)).toEqual({ uidValidity: 7, firstStart: FIRST_START, ...expected });
  });

  it('a rescan reads every UID again but keeps the original first start and take-from', () => {
    const known = { uidValidity: 7, firstStart: '2025-01-01T00:00:00.000Z', takeFrom: '2025-01-01T00:00:00.000Z', backlogUid: 40 };
    expect(planRescan(known, { kind: 'all' }, start, 8, 90)).toEqual({ uidValidity: 8, lastUid: 0, backlogUid: 90, firstStart: known.firstStart, takeFrom: known.takeFrom });
    // A folder read by a version that recorded no first start gets one now.
    expect(planRescan({ ...known, firstStart: null, takeFrom: null }, { kind: 'now' }, start, 8, 90)).toEqual({ uidValidity: 8, lastUid: 0, backlogUid: 90, firstStart: FIRST_START, takeFrom: FIRST_START });
  });
});

describe('first contact', () => {
  it('with now (the default) leaves 50 old mails untouched, then answers the next one', async () => {
    const { store, box, pass, survey } = await firstContactSetup('now');
    fill(box, 50, '2023-05-01T08:00:00Z');
    expect(await survey()).toMatchObject({ firstContact: true, examined: 50, imported: 0, live: 0, untouched: 50 });
    expect(await store.checkpoint('IT', 'INBOX')).toBeNull();

    expect(await pass()).toEqual({ seen: 0, created: 0, appended: 0, duplicates: 0, quarantined: 0 });
    expect(box.fetched).toEqual([]);
    expect(box.marked).toEqual([]);
    expect(await store.checkpoint('IT', 'INBOX')).toEqual({ uidValidity: 1000, lastUid: 50 });
    expect(await store.folderStart('IT', 'INBOX')).toEqual({ uidValidity: 1000, firstStart: FIRST_START, takeFrom: FIRST_START, backlogUid: 50 });
    expect(await store.listCases({})).toEqual([]);

    const [uid] = fill(box, 1, '2026-03-02T09:30:00Z', 51);
    expect(await survey()).toMatchObject({ firstContact: false, examined: 1, imported: 0, live: 1, untouched: 0 });
    expect(await pass()).toEqual({ seen: 1, created: 1, appended: 0, duplicates: 0, quarantined: 0 });
    expect(box.marked).toEqual([uid]);
    const [kase] = await store.listCases({});
    expect(kase).toMatchObject({ id: 'IT-1', imported: null });
    expect(await store.outboxSummary()).toEqual({ pending: 1 });
  });

  it('with a date takes only mail received since, imported with its original dates and no mail', async () => {
    const { store, box, pass, survey } = await firstContactSetup('2026-01-01');
    fill(box, 10, '2025-12-01T08:00:00Z');
    const later = fill(box, 5, '2026-02-10T08:00:00Z', 11);
    expect(await survey()).toMatchObject({ firstContact: true, examined: 15, imported: 5, live: 0, untouched: 10 });
    expect(await store.checkpoint('IT', 'INBOX')).toBeNull();

    expect(await pass()).toEqual({ seen: 5, created: 5, appended: 0, duplicates: 0, quarantined: 0, imported: 5 });
    expect(box.fetched).toEqual(later);
    expect(box.marked).toEqual(later);
    expect(await store.checkpoint('IT', 'INBOX')).toEqual({ uidValidity: 1000, lastUid: 15 });
    expect(await store.outboxSummary()).toEqual({});
    const cases = await store.listCases({});
    expect(cases.map((c) => [c.subject, c.createdAt, c.imported])).toEqual(
      [0, 1, 2, 3, 4].map((i) => [`Request ${11 + i}`, new Date(Date.parse('2026-02-10T08:00:00Z') + i * 3_600_000).toISOString(), FIRST_START]),
    );
    const detail = (await store.getCaseDetail(cases[0]!.id))!;
    expect(detail.events.map((e) => e.type)).toEqual(expect.arrayContaining(['created', 'routed', 'auto-reply-withheld', 'imported']));
    expect(detail.messages.map((m) => [m.direction, m.kind])).toEqual([['in', 'requester']]);

    // Mail after the first start is live again.
    fill(box, 1, '2026-03-02T10:00:00Z', 16);
    expect(await pass()).toMatchObject({ seen: 1, created: 1 });
    expect(await store.outboxSummary()).toEqual({ pending: 1 });
  });

  it('with all imports the whole backlog without a single mail', async () => {
    const { store, box, pass, survey } = await firstContactSetup('all');
    fill(box, 6, '2024-06-01T08:00:00Z');
    expect(await survey()).toMatchObject({ examined: 6, imported: 6, live: 0, untouched: 0 });
    expect(await pass()).toEqual({ seen: 6, created: 6, appended: 0, duplicates: 0, quarantined: 0, imported: 6 });
    expect(await store.outboxSummary()).toEqual({});
    expect((await store.listCases({})).every((c) => c.imported === FIRST_START)).toBe(true);
  });

  it('after a UIDVALIDITY change the rescan keeps the first start: old mail stays untouched, known mail is a duplicate', async () => {
    const { store, box, pass, survey, clock } = await firstContactSetup('now');
    fill(box, 3, '2025-06-01T08:00:00Z');
    await pass();
    fill(box, 1, '2026-03-02T09:30:00Z', 4);
    expect(await pass()).toMatchObject({ seen: 1, created: 1 });

    box.uidValidity = 2000;
    clock.advance(24 * 3_600_000); // the rescan happens a day later: the first start must not move with it
    expect(await survey()).toMatchObject({ firstContact: false, rescan: true, examined: 4, untouched: 3, live: 1, imported: 0 });
    expect(await pass()).toEqual({ seen: 1, created: 0, appended: 0, duplicates: 1, quarantined: 0 });
    expect(await store.folderStart('IT', 'INBOX')).toEqual({ uidValidity: 2000, firstStart: FIRST_START, takeFrom: FIRST_START, backlogUid: 4 });
    expect(await store.checkpoint('IT', 'INBOX')).toEqual({ uidValidity: 2000, lastUid: 4 });
    expect(await store.listCases({})).toHaveLength(1);
  });
});
