// One mailbox pass over a fake IMAP session fed with our own sample mail, the real pipeline, the real MIME
// parser and the real SQLite store: checkpoint resume, UIDVALIDITY change, oversize and unparseable mail
// set aside, a failed flag that must not undo the commit, and a store failure that stops the pass.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../../src/adapters/sqlite-store.js';
import { parseMail } from '../../../src/adapters/mime-parser.js';
import { ingestMailbox, type IngestDeps } from '../../../src/shell/ingest.js';
import { PIPELINE } from '../../../src/pipeline/stages.js';
import { SportelloError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/log.js';
import type { CaseStore } from '../../../src/ports.js';
import { deskRuntime, fixtureMail, echoRenderer, fakeMailbox, manualClock, sequentialIds, testConfig } from '../../support/fakes.js';

const config = testConfig();
const desk = config.desks.find((d) => d.id === 'IT')!;
const runtime = deskRuntime(config, desk);

/** People writing to the desk (one without Message-ID), from test/fixtures/mail. */
const HUMAN = ['es-acentos.eml', 'it-accenti.eml', 'en-no-message-id.eml', 'en-access-request.eml'];
const VACATION = 'es-vacaciones-auto-reply.eml';
/** Abuse complaints: a Hotmail-style one with no header sign, and an ARF report wrapped by a gateway. */
const COMPLAINTS = ['feedback-hotmail-style.eml', 'feedback-nested-report.eml'];
/** Over 1000 MIME parts: the parser refuses it with MAIL_PARSE. */
const UNPARSEABLE = Buffer.from(`Content-Type: multipart/mixed; boundary=b\r\n\r\n${'--b\r\nContent-Type: text/plain\r\n\r\nx\r\n'.repeat(1100)}--b--\r\n`);

let stores: CaseStore[] = [];
afterEach(async () => {
  for (const s of stores) await s.close();
  stores = [];
});

async function setup(over: Partial<IngestDeps> = {}) {
  const store = await openSqliteStore(path.join(mkdtempSync(path.join(tmpdir(), 'sportello-ingest-')), 's.db'));
  stores.push(store);
  const clock = manualClock();
  const deps: IngestDeps = {
    store,
    clock,
    log: silentLogger(),
    parse: (raw, maxBytes) => parseMail(raw, { maxBytes }),
    compose: { renderer: echoRenderer(), instance: config.instance, newId: sequentialIds('r') },
    steps: PIPELINE,
    maxMessageBytes: 1_000_000,
    fetchBatch: 2,
    ...over,
  };
  const box = fakeMailbox(1000);
  const pass = async (d: IngestDeps = deps) => ingestMailbox(d, runtime, await box.open());
  return { store, clock, deps, box, pass };
}

const raw = (from: string, subject: string, id: string, extra = '') =>
  `From: ${from}\r\nTo: it@example.test\r\nSubject: ${subject}\r\nMessage-ID: <${id}>\r\nDate: Mon, 02 Mar 2026 08:00:00 +0000\r\n${extra}\r\nBody of ${id}\r\n`;

describe('ingestMailbox', () => {
  it('opens a case per new mail, answers the humans only, flags each mail and moves the checkpoint', async () => {
    const { store, box, pass } = await setup();
    for (const f of [...HUMAN, VACATION]) box.add(fixtureMail(f));
    expect(await pass()).toEqual({ seen: 5, created: 5, appended: 0, duplicates: 0, quarantined: 0 });
    expect(box.marked).toEqual([1, 2, 3, 4, 5]);
    expect(await store.checkpoint('IT', 'INBOX')).toEqual({ uidValidity: 1000, lastUid: 5 });
    const cases = await store.listCases({});
    expect(cases.map((c) => c.id)).toEqual(['IT-1', 'IT-2', 'IT-3', 'IT-4', 'IT-5']);
    expect(await store.outboxSummary()).toEqual({ pending: 4 });
    const vacation = (await store.getCaseDetail('IT-5'))!;
    expect(vacation.messages.map((m) => m.kind)).toEqual(['automatic']);
    expect(vacation.events.map((e) => e.type)).toContain('auto-reply-withheld');
  });

  it('records abuse complaints as machine mail: a case each, no auto-reply, nobody notified', async () => {
    const { store, box, pass } = await setup();
    for (const f of COMPLAINTS) box.add(fixtureMail(f));
    expect(await pass()).toEqual({ seen: 2, created: 2, appended: 0, duplicates: 0, quarantined: 0 });
    expect(box.marked).toEqual([1, 2]);
    expect(await store.outboxSummary()).toEqual({});
    for (const id of ['IT-1', 'IT-2']) {
      const c = (await store.getCaseDetail(id))!;
      expect(c.messages.map((m) => [m.direction, m.kind])).toEqual([['in', 'automatic']]);
      expect(c.events.find((e) => e.type === 'auto-reply-withheld')?.data).toMatchObject({ reason: expect.stringMatching(/feedback/) });
    }
  });

  it('resumes from the checkpoint: a second pass fetches only new UIDs', async () => {
    const { box, pass } = await setup();
    box.add(fixtureMail(HUMAN[0]!));
    box.add(fixtureMail(HUMAN[1]!));
    await pass();
    expect(await pass()).toEqual({ seen: 0, created: 0, appended: 0, duplicates: 0, quarantined: 0 });
    box.add(fixtureMail(HUMAN[2]!));
    expect(await pass()).toMatchObject({ seen: 1, created: 1 });
    expect(box.fetched).toEqual([1, 2, 3]);
  });

  it('after a UIDVALIDITY change rescans the folder and finds every mail already recorded (even without Message-ID)', async () => {
    const { store, box, pass } = await setup();
    for (const f of HUMAN) box.add(fixtureMail(f));
    await pass();
    box.uidValidity = 2000;
    expect(await pass()).toEqual({ seen: 4, created: 0, appended: 0, duplicates: 4, quarantined: 0 });
    expect(await store.checkpoint('IT', 'INBOX')).toEqual({ uidValidity: 2000, lastUid: 4 });
    expect(await store.listCases({})).toHaveLength(4);
    expect(await store.outboxSummary()).toEqual({ pending: 4 });
  });

  it('quarantines an oversized mail without downloading it, and goes on', async () => {
    const { store, box, pass, deps } = await setup();
    box.add(fixtureMail(HUMAN[0]!));
    box.add(Buffer.alloc(2_000, 'x'));
    box.add(fixtureMail(HUMAN[1]!));
    expect(await pass({ ...deps, maxMessageBytes: 1_900 })).toMatchObject({ seen: 3, created: 2, quarantined: 1 });
    const [q] = await store.listQuarantine(10);
    expect(q).toMatchObject({ code: 'MAIL_TOO_LARGE', raw: null, stage: 'parse', position: { uid: 2 } });
    expect(q!.reason).toMatch(/2000 bytes exceeds limits\.maxMessageBytes \(1900\)/);
  });

  it('quarantines a mail the parser rejects, raw kept, and still processes the next one', async () => {
    const { store, box, pass } = await setup();
    box.add(UNPARSEABLE);
    box.add(fixtureMail(HUMAN[0]!));
    expect(await pass()).toEqual({ seen: 2, created: 1, appended: 0, duplicates: 0, quarantined: 1 });
    const [q] = await store.listQuarantine(10);
    expect(q).toMatchObject({ code: 'MAIL_PARSE', stage: 'parse', position: { uid: 1 } });
    expect(q!.raw!.length).toBe(UNPARSEABLE.length);
    expect(box.marked).toEqual([1, 2]);
    expect(await store.checkpoint('IT', 'INBOX')).toMatchObject({ lastUid: 2 });
  });

  it('a failure to flag the batch on the server does not undo its commit', async () => {
    const { store, box, pass } = await setup();
    box.add(fixtureMail(HUMAN[0]!));
    box.add(fixtureMail(HUMAN[1]!));
    box.failMarkFor.add(1);
    expect(await pass()).toMatchObject({ seen: 2, created: 2 });
    // One STORE for the batch of two, refused: neither is flagged (the next session's reconcile mends both).
    expect(box.marked).toEqual([]);
    expect(await store.listCases({})).toHaveLength(2);
    expect(await store.checkpoint('IT', 'INBOX')).toMatchObject({ lastUid: 2 });
    expect(await pass()).toMatchObject({ seen: 0 });
  });

  it('a store failure mid-pass stops the pass without advancing the checkpoint; the next pass picks up', async () => {
    const { store, box, pass, deps } = await setup();
    for (const f of HUMAN.slice(0, 3)) box.add(fixtureMail(f));
    let transactions = 0;
    const flaky: CaseStore = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'transaction') {
          return (work: Parameters<CaseStore['transaction']>[0]) =>
            ++transactions === 2 ? Promise.reject(new SportelloError('STORE', 'disk I/O error')) : target.transaction(work);
        }
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    // Batches of two: the first commits and is flagged, the second's transaction fails and nothing of it stays.
    await expect(pass({ ...deps, store: flaky })).rejects.toMatchObject({ code: 'STORE' });
    expect(box.marked).toEqual([1, 2]);
    expect(box.fetched).toEqual([1, 2, 3]);
    expect(await store.checkpoint('IT', 'INBOX')).toMatchObject({ lastUid: 2 });
    expect(await store.listCases({})).toHaveLength(2);

    expect(await pass()).toMatchObject({ seen: 1, created: 1 });
    expect((await store.listCases({})).map((c) => c.id)).toEqual(['IT-1', 'IT-2', 'IT-3']);
  });

  it('commits a batch in one transaction; a mail that cannot be recorded is quarantined alone, the others stand', async () => {
    const { store, box, deps } = await setup();
    const boom = echoRenderer();
    const renderer = { render: (t: string, l: 'en' | 'es' | 'it', v: Readonly<Record<string, unknown>>) => (String(v.subject).includes('BOOM') ? (() => { throw new Error('template exploded'); })() : boom.render(t, l, v)) };
    let transactions = 0;
    const counting: CaseStore = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'transaction') return (work: Parameters<CaseStore['transaction']>[0]) => (transactions++, target.transaction(work));
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    box.add(raw('Alice <alice@example.test>', 'Printer jammed', 'b1@client.example'));
    box.add(raw('Carlo <carlo@example.test>', 'BOOM the VPN', 'b2@client.example'));
    box.add(raw('Dora <dora@example.test>', 'Screen flickers', 'b3@client.example'));
    const d = { ...deps, store: counting, fetchBatch: 10, compose: { ...deps.compose, renderer } };
    expect(await ingestMailbox(d, runtime, await box.open())).toEqual({ seen: 3, created: 2, appended: 0, duplicates: 0, quarantined: 1 });
    expect(transactions).toBe(1);
    expect(box.marked).toEqual([1, 2, 3]);
    expect((await store.listCases({})).map((c) => [c.id, c.subject])).toEqual([['IT-1', 'Printer jammed'], ['IT-2', 'Screen flickers']]);
    const [q] = await store.listQuarantine(10);
    expect(q).toMatchObject({ code: 'COMMIT_FAILED', stage: 'commit', position: { uid: 2 }, messageId: 'b2@client.example' });
    expect(q!.reason).toMatch(/template exploded/);
    expect(await store.outboxSummary()).toEqual({ pending: 2 });
    expect(await store.checkpoint('IT', 'INBOX')).toMatchObject({ lastUid: 3 });
  });

  it('within one batch a later mail sees the earlier one: the same Message-ID twice is one case, a reply to it a follow-up', async () => {
    const { store, box, deps } = await setup();
    box.add(raw('Alice <alice@example.test>', 'Printer jammed', 'c1@client.example'));
    box.add(raw('Alice <alice@example.test>', 'Printer jammed', 'c1@client.example'));
    box.add(raw('Alice <alice@example.test>', 'Re: Printer jammed', 'c2@client.example', 'In-Reply-To: <c1@client.example>\r\n'));
    expect(await ingestMailbox({ ...deps, fetchBatch: 10 }, runtime, await box.open())).toEqual({ seen: 3, created: 1, appended: 1, duplicates: 1, quarantined: 0 });
    expect((await store.getCaseDetail('IT-1'))!.messages.filter((m) => m.direction === 'in').map((m) => m.messageId)).toEqual(['c1@client.example', 'c2@client.example']);
  });

  it('stops between the mails of a batch when asked: what was committed is flagged, the rest waits for the next pass', async () => {
    const { store, box, deps } = await setup();
    for (const n of [1, 2, 3]) box.add(raw(`P${n} <p${n}@example.test>`, `Request ${n}`, `s${n}@client.example`));
    let asked = 0;
    expect(await ingestMailbox({ ...deps, fetchBatch: 10 }, runtime, await box.open(), { shouldStop: () => ++asked > 2 })).toMatchObject({ seen: 1, created: 1 });
    expect(box.marked).toEqual([1]);
    expect(await store.checkpoint('IT', 'INBOX')).toMatchObject({ lastUid: 1 });
    expect(await ingestMailbox({ ...deps, fetchBatch: 10 }, runtime, await box.open())).toMatchObject({ seen: 2, created: 2 });
    expect(box.marked).toEqual([1, 2, 3]);
  });

  it('reads the next batch ahead while one commits; nothing of it is recorded or flagged before its own commit, and a stop discards it', async () => {
    const { store, box, deps } = await setup();
    for (const n of [1, 2, 3, 4, 5]) box.add(raw(`P${n} <p${n}@example.test>`, `Request ${n}`, `a${n}@client.example`));
    const seenAtCommit: { fetched: number[]; marked: number[]; cases: number }[] = [];
    const watching: CaseStore = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'transaction') {
          return async (work: Parameters<CaseStore['transaction']>[0]) => {
            seenAtCommit.push({ fetched: [...box.fetched], marked: [...box.marked], cases: (await target.listCases({})).length });
            return target.transaction(work);
          };
        }
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    // Batches of two; stop once the second batch has begun: its third mail's read-ahead is never recorded.
    let asked = 0;
    expect(await ingestMailbox({ ...deps, store: watching }, runtime, await box.open(), { shouldStop: () => ++asked > 5 })).toMatchObject({ seen: 3, created: 3 });
    // While batch [1, 2] commits, [3, 4] is already being read; while [3, 4] commits, [5] is.
    expect(seenAtCommit[0]).toMatchObject({ marked: [], cases: 0 });
    expect(seenAtCommit[0]!.fetched).toEqual([1, 2, 3, 4]);
    expect(seenAtCommit[1]).toMatchObject({ marked: [1, 2], cases: 2 });
    expect(seenAtCommit[1]!.fetched).toEqual([1, 2, 3, 4, 5]);
    expect(box.marked).toEqual([1, 2, 3]);
    expect(await store.checkpoint('IT', 'INBOX')).toMatchObject({ lastUid: 3 });
    expect(await ingestMailbox(deps, runtime, await box.open())).toMatchObject({ seen: 2, created: 2 });
    expect(box.marked).toEqual([1, 2, 3, 4, 5]);
  });

  it('a fetch that fails while the next UIDs are listed fails the pass with its cause, never as an unhandled rejection', async () => {
    const { store, box, deps } = await setup();
    for (const n of [1, 2, 3]) box.add(raw(`P${n} <p${n}@example.test>`, `Request ${n}`, `f${n}@client.example`));
    const session = await box.open();
    // Listing goes over the network (a turn of the event loop), the fetch has failed meanwhile.
    const listNewUids: typeof session.listNewUids = async (...args) => (await new Promise((r) => setImmediate(r)), session.listNewUids(...args));
    const failing = { ...session, listNewUids, fetch: () => Promise.reject(new Error('IMAP connection lost')) } as typeof session;
    await expect(ingestMailbox(deps, runtime, failing)).rejects.toThrow('IMAP connection lost');
    expect(box.marked).toEqual([]);
    expect(await store.listCases({})).toHaveLength(0);
  });

  it('threads a reply to our auto-reply into the case, ignores our auto-reply coming back, and keeps a stranger with the tag out', async () => {
    const { store, box, pass } = await setup();
    box.add(raw('Alice <alice@example.test>', 'Printer jammed', 'a1@client.example'));
    await pass();
    const [ack] = await store.dueOutbox(new Date('2030-01-01T00:00:00Z'), 10);
    expect(ack!.mail.messageId).toBe('sportello.IT-1.r1@example.test');

    box.add(raw('Alice <alice@example.test>', `Re: ${ack!.mail.subject}`, 'a2@client.example', `In-Reply-To: <${ack!.mail.messageId}>\r\n`));
    box.add(raw('IT Service Desk <it@example.test>', ack!.mail.subject, ack!.mail.messageId, 'Auto-Submitted: auto-replied\r\nX-Sportello-Loop: sportello-test\r\n'));
    box.add(raw('Mallory <mallory@evil.example>', 'Re: [IT-1] Printer jammed', 'm1@evil.example'));
    expect(await pass()).toEqual({ seen: 3, created: 1, appended: 1, duplicates: 1, quarantined: 0 });
    const it1 = (await store.getCaseDetail('IT-1'))!;
    expect(it1.messages.map((m) => [m.direction, m.messageId])).toEqual([
      ['in', 'a1@client.example'],
      ['out', 'sportello.IT-1.r1@example.test'],
      ['in', 'a2@client.example'],
    ]);
    expect((await store.listCases({})).map((c) => [c.id, c.requester.address])).toEqual([
      ['IT-1', 'alice@example.test'],
      ['IT-2', 'mallory@evil.example'],
    ]);
  });

  it('stops answering one address after the hourly limit', async () => {
    const { store, box, pass } = await setup();
    for (let i = 1; i <= 7; i++) box.add(raw('carol@example.test', `Question ${i}`, `c${i}@client.example`));
    expect(await pass()).toMatchObject({ created: 7 });
    expect(await store.outboxSummary()).toEqual({ pending: config.limits.autoRepliesPerAddressPerHour });
  });

  // BUG (src/shell/ingest.ts:104 + src/adapters/sqlite-store.ts enqueue): lookupFacts counts outbox rows whose
  // recipient equals baseAddress(from) ("carol@…"), but the auto-reply is queued to the full From address
  // ("carol+desk@…"), so a plus-addressed sender is never counted and the hourly loop brake never engages.
  it('stops answering a plus-addressed sender after the hourly limit too', async () => {
    const { store, box, pass } = await setup();
    for (let i = 1; i <= 7; i++) box.add(raw('carol+desk@example.test', `Question ${i}`, `p${i}@client.example`));
    expect(await pass()).toMatchObject({ created: 7 });
    expect(await store.outboxSummary()).toEqual({ pending: config.limits.autoRepliesPerAddressPerHour });
  });
});
