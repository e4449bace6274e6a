// The SQLite store on a real temp file: migrations, per-desk case numbers, all-or-nothing transactions,
// the facts lookup behind follow-up matching, the mailbox checkpoint, and the outbox state machine.

import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sqlite3 from 'sqlite3';
import { open } from 'sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../../src/adapters/sqlite-store.js';
import { MIGRATIONS } from '../../../src/adapters/sqlite/migrations.js';
import type { CaseStore, NewMessage, OutgoingMail, StoreTx } from '../../../src/ports.js';
import type { MailboxPosition } from '../../../src/domain/plan.js';
import { context, mail, routing } from '../../support/fakes.js';
import { knownMail } from '../../../src/pipeline/stages/known-mail.js';
import { followUpMatch } from '../../../src/pipeline/stages/follow-up-match.js';
import { INITIAL_ANNOTATIONS } from '../../../src/pipeline/types.js';
import type { Facts } from '../../../src/domain/facts.js';

const T0 = new Date('2026-03-02T09:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const keys = (messageIds: string[] = [], tags: string[] = []) => ({ messageIds, tags });
/** What follow-up-match makes of the store's rows: the duplicate reason, or null (the store itself never decides). */
const duplicateOf = (f: Facts, sender: string | null = null) => {
  const known = knownMail(f, sender);
  return known && 'duplicate' in known ? known.duplicate : null;
};

let open_: CaseStore[] = [];
afterEach(async () => {
  for (const s of open_) await s.close().catch(() => undefined);
  open_ = [];
});

function tempFile(): string {
  return path.join(mkdtempSync(path.join(tmpdir(), 'sportello-store-')), 'nested', 'sportello.db');
}
async function openStore(file = tempFile()): Promise<CaseStore> {
  const s = await openSqliteStore(file);
  open_.push(s);
  return s;
}

const newCase = (desk: string, prefix: string, requester = 'alice@example.test') => ({
  desk,
  prefix,
  subject: 'Printer jammed',
  requester: { address: requester, name: 'Alice' },
  routing: routing(),
  sla: null,
});

function inbound(caseId: string | null, messageId: string, over: Partial<NewMessage['mail']> = {}, desk = 'IT'): NewMessage {
  return { caseId, desk, direction: 'in', kind: 'requester', messageId, mail: { ...mail({ messageId }), ...over }, raw: Buffer.from('raw') };
}

const outgoing = (to: string): OutgoingMail => ({
  from: { address: 'it@example.test', name: 'IT' },
  to: [{ address: to, name: '' }],
  subject: '[IT-1] Printer jammed',
  messageId: 'sportello.IT-1.u1@example.test',
  inReplyTo: 'm1@client.example',
  references: ['m1@client.example'],
  headers: { 'Auto-Submitted': 'auto-replied' },
  text: 'ack',
  html: null,
});

const position = (uid: number, uidValidity = 7): MailboxPosition => ({ desk: 'IT', folder: 'INBOX', uidValidity, uid });

/** Creates a case with its first inbound message; returns the case id. */
async function seedCase(store: CaseStore, work?: (tx: StoreTx, id: string) => Promise<void>, desk = 'IT', requester?: string): Promise<string> {
  return store.transaction(async (tx) => {
    const c = await tx.createCase(newCase(desk, desk, requester), T0);
    await tx.addMessage(inbound(c.id, `first-${c.id}@client.example`, {}, desk), T0);
    await work?.(tx, c.id);
    return c.id;
  });
}

describe('opening and migrations', () => {
  it('creates the directory, migrates once, and reopens an existing file without re-running anything', async () => {
    const file = tempFile();
    const first = await openStore(file);
    await seedCase(first);
    await first.close();
    open_ = [];
    const again = await openStore(file);
    expect((await again.listCases({})).map((c) => c.id)).toEqual(['IT-1']);
    await again.close();
    open_ = [];
    const db = await open({ filename: file, driver: sqlite3.Database });
    const rows = await db.all<{ name: string }[]>('SELECT name FROM schema_migrations');
    await db.close();
    expect(rows.map((r) => r.name)).toEqual(MIGRATIONS.map((m) => m.name));
  });

  it('reports a file that is not a database as STORE', async () => {
    await expect(openSqliteStore(path.join(path.sep, 'proc', 'version'))).rejects.toMatchObject({ code: 'STORE' });
  });
});

describe('cases', () => {
  it('numbers cases per desk: IT-1, IT-2, HR-1', async () => {
    const store = await openStore();
    const ids = [await seedCase(store, undefined, 'IT'), await seedCase(store, undefined, 'IT'), await seedCase(store, undefined, 'HR')];
    expect(ids).toEqual(['IT-1', 'IT-2', 'HR-1']);
    const hr = await store.listCases({ desk: 'HR' });
    expect(hr.map((c) => [c.id, c.number, c.status, c.requester.address])).toEqual([['HR-1', 1, 'new', 'alice@example.test']]);
  });

  it('a rolled-back case creation also rolls the desk counter back (no gap in numbers)', async () => {
    const store = await openStore();
    await seedCase(store);
    await expect(store.transaction(async (tx) => {
      await tx.createCase(newCase('IT', 'IT'), T0);
      throw new Error('boom');
    })).rejects.toThrow('boom');
    expect(await seedCase(store)).toBe('IT-2');
  });

  it('a throw inside the work leaves nothing: no case, no message, no event, no outbox row, no checkpoint move', async () => {
    const store = await openStore();
    await store.resetCheckpoint('IT', 'INBOX', 7, T0);
    const err = new Error('render failed');
    await expect(
      store.transaction(async (tx) => {
        const c = await tx.createCase(newCase('IT', 'IT'), T0);
        await tx.addMessage(inbound(c.id, 'rolled-back@client.example'), T0);
        await tx.addEvents(c.id, [{ type: 'created', actor: 'alice@example.test', data: {} }], T0);
        await tx.enqueue({ caseId: c.id, kind: 'auto-reply', envelopeFrom: '', mail: outgoing('alice@example.test') }, null, T0);
        await tx.quarantine({ position: position(1), messageId: 'q@x', code: 'X', reason: 'r', stage: null, raw: null }, T0);
        await tx.markPosition(position(1), 'rolled-back@client.example', 'created', c.id, T0);
        throw err;
      }),
      // An error of the work itself comes back unchanged (only driver failures become STORE).
    ).rejects.toBe(err);
    expect(await store.listCases({})).toEqual([]);
    expect(await store.getCaseDetail('IT-1')).toBeNull();
    expect(await store.outboxSummary()).toEqual({});
    expect(await store.listQuarantine(10)).toEqual([]);
    expect(await store.checkpoint('IT', 'INBOX')).toEqual({ uidValidity: 7, lastUid: 0 });
    const f = await store.lookupFacts('IT', position(1), 'rolled-back@client.example', null, keys(), T0);
    expect(f).toMatchObject({ processedPosition: null, knownMessage: null, quarantinedId: null });
    expect(duplicateOf(f)).toBeNull();
  });

  it('a savepoint that throws undoes only its own writes (counter, case, checkpoint); the transaction goes on and commits the rest', async () => {
    const store = await openStore();
    const err = new Error('one mail failed');
    const ids = await store.transaction(async (tx) => {
      const a = await tx.savepoint(async (sp) => {
        const c = await sp.createCase(newCase('IT', 'IT'), T0);
        await sp.markPosition(position(1), 'a@x', 'created', c.id, T0);
        return c.id;
      });
      await expect(tx.savepoint(async (sp) => {
        const c = await sp.createCase(newCase('IT', 'IT'), T0);
        await sp.addMessage(inbound(c.id, 'b@x'), T0);
        await sp.markPosition(position(2), 'b@x', 'created', c.id, T0);
        throw err;
      })).rejects.toBe(err);
      // Reads inside the transaction see the first savepoint's writes and not the undone one's.
      expect((await tx.lookupFacts('IT', position(1), 'a@x', null, keys(), T0)).processedPosition).toMatchObject({ outcome: 'created' });
      expect((await tx.lookupFacts('IT', position(2), 'b@x', null, keys(), T0)).knownMessage).toBeNull();
      const c = await tx.savepoint((sp) => sp.createCase(newCase('IT', 'IT'), T0));
      await tx.markPosition(position(3), 'c@x', 'created', c.id, T0);
      return [a, c.id];
    });
    expect(ids).toEqual(['IT-1', 'IT-2']);
    expect((await store.listCases({})).map((c) => c.id)).toEqual(['IT-1', 'IT-2']);
    expect(await store.checkpoint('IT', 'INBOX')).toEqual({ uidValidity: 7, lastUid: 3 });
  });

  it('a database failure inside a savepoint comes out as STORE (the caller stops the batch, never quarantines for it)', async () => {
    const store = await openStore();
    await seedCase(store);
    await expect(store.transaction((tx) => tx.savepoint((sp) => sp.addMessage(inbound('IT-1', 'first-IT-1@client.example'), T0)))).rejects.toMatchObject({ code: 'STORE' });
    expect(await store.transaction((tx) => tx.savepoint(async () => 'still usable'))).toBe('still usable');
  });

  it('UNIQUE(desk, message_id): the same Message-ID twice in one desk fails as STORE, in another desk is fine', async () => {
    const store = await openStore();
    await seedCase(store);
    await expect(store.transaction((tx) => tx.addMessage(inbound('IT-1', 'first-IT-1@client.example'), T0))).rejects.toMatchObject({ code: 'STORE' });
    const hr = await seedCase(store, undefined, 'HR');
    await expect(store.transaction((tx) => tx.addMessage(inbound(hr, 'first-IT-1@client.example', {}, 'HR'), T0))).resolves.toBeGreaterThan(0);
  });

  it('getCaseDetail returns messages and events in order, case-insensitively by id', async () => {
    const store = await openStore();
    await seedCase(store, async (tx, id) => {
      await tx.addEvents(id, [{ type: 'created', actor: 'alice@example.test', data: { via: 'mail' } }, { type: 'routed', actor: 'sportello', data: {} }], T0);
      await tx.setStatus(id, 'waiting', at(1));
    });
    const d = await store.getCaseDetail('it-1');
    expect(d).toMatchObject({ id: 'IT-1', status: 'waiting', updatedAt: at(1).toISOString() });
    expect(d!.messages.map((m) => m.messageId)).toEqual(['first-IT-1@client.example']);
    expect(d!.events.map((e) => [e.type, e.data])).toEqual([['created', { via: 'mail' }], ['routed', {}]]);
  });
});

describe('lookupFacts', () => {
  it.each([
    ['by mailbox position', position(5), 'new@client.example', /mailbox position INBOX\/7\/5 already processed \(created\)/],
    ['by Message-ID', position(6), 'first-IT-1@client.example', /Message-ID first-IT-1@client\.example already recorded in IT-1/],
    ['by Message-ID with no position', null, 'first-IT-1@client.example', /already recorded/],
    ['a quarantined Message-ID', position(6), 'held@client.example', /already quarantined \(#1\)/],
    ['nothing known', position(6), 'new@client.example', null],
    ['the same UID under another UIDVALIDITY', position(5, 8), 'new@client.example', null],
  ] as const)('duplicate %s', async (_label, pos, key, expected) => {
    const store = await openStore();
    await seedCase(store, async (tx, id) => {
      await tx.markPosition(position(5), 'first-IT-1@client.example', 'created', id, T0);
      await tx.quarantine({ position: position(4), messageId: 'held@client.example', code: 'OWN_MAIL', reason: 'r', stage: 'reply-policy', raw: null }, T0);
    });
    const f = await store.lookupFacts('IT', pos, key, null, keys(), T0);
    if (expected === null) expect(duplicateOf(f)).toBeNull();
    else expect(duplicateOf(f)).toMatch(expected);
  });

  it('a duplicate is per desk', async () => {
    const store = await openStore();
    await seedCase(store);
    expect(duplicateOf(await store.lookupFacts('HR', null, 'first-IT-1@client.example', null, keys(), T0))).toBeNull();
  });

  it('finds the referenced case by the first known id, in the order given', async () => {
    const store = await openStore();
    await seedCase(store);
    await seedCase(store, async (tx, id) => tx.setStatus(id, 'waiting', T0));
    const f = await store.lookupFacts('IT', null, 'k', null, keys(['unknown@x', 'first-IT-2@client.example', 'first-IT-1@client.example']), T0);
    expect(f.referencedCase).toMatchObject({ caseId: 'IT-2', status: 'waiting', record: { id: 'IT-2' } });
    expect((await store.lookupFacts('HR', null, 'k', null, keys(['first-IT-1@client.example']), T0)).referencedCase).toBeNull();
  });

  it('finds our own outgoing Message-ID as a reference (a reply to our auto-reply)', async () => {
    const store = await openStore();
    await seedCase(store, async (tx, id) => {
      await tx.addMessage({ ...inbound(id, 'sportello.IT-1.u1@example.test'), direction: 'out', kind: 'auto-reply' }, T0);
    });
    const f = await store.lookupFacts('IT', null, 'k', null, keys(['sportello.IT-1.u1@example.test']), T0);
    expect(f.referencedCase).toMatchObject({ caseId: 'IT-1', status: 'new', record: { id: 'IT-1' } });
  });

  it('the tagged case lists the requester, later senders and everyone they copied', async () => {
    const store = await openStore();
    await seedCase(store, async (tx, id) => {
      await tx.addMessage(
        inbound(id, 'second@client.example', {
          from: { address: 'dave@example.test', name: '' },
          to: [{ address: 'it@example.test', name: '' }],
          cc: [{ address: 'carol@example.test', name: 'Carol' }],
        }),
        T0,
      );
      // Machine mail threaded into the case does not make its sender a participant.
      await tx.addMessage({ ...inbound(id, 'ooo@client.example', { from: { address: 'robot@example.test', name: '' } }), kind: 'automatic' }, T0);
    });
    const f = await store.lookupFacts('IT', null, 'k', null, keys([], ['IT-1']), T0);
    expect(f.taggedCases.map((c) => c.caseId)).toEqual(['IT-1']);
    expect([...(f.taggedCases[0]?.participants ?? [])].sort()).toEqual(['alice@example.test', 'carol@example.test', 'dave@example.test', 'it@example.test']);
    expect((await store.lookupFacts('IT', null, 'k', null, keys([], ['IT-9']), T0)).taggedCases).toEqual([]);
    expect((await store.lookupFacts('HR', null, 'k', null, keys([], ['IT-1']), T0)).taggedCases).toEqual([]);
  });

  it('with several tags, prefers the case the sender takes part in ("Re: [IT-1] [IT-2] …")', async () => {
    const store = await openStore();
    for (const who of ['carlo@example.test', 'alice@example.test']) {
      // IT-1 is carlo's, IT-2 alice's; each has only its requester's own mail.
      await store.transaction(async (tx) => {
        const c = await tx.createCase(newCase('IT', 'IT', who), T0);
        await tx.addMessage(inbound(c.id, `first-${c.id}@client.example`, { from: { address: who, name: '' }, to: [], cc: [] }), T0);
      });
    }
    // The store lists every tagged case with its participants, in tag order; follow-up-match picks.
    const f = await store.lookupFacts('IT', null, 'k', 'alice@example.test', keys([], ['IT-1', 'IT-2']), T0);
    expect(f.taggedCases.map((c) => [c.caseId, c.participants])).toEqual([['IT-1', ['carlo@example.test']], ['IT-2', ['alice@example.test']]]);
    const matchFor = (from: string) => followUpMatch.run(mail({ from: { address: from, name: '' } }), { ...INITIAL_ANNOTATIONS, facts: f }, context());
    expect(matchFor('alice@example.test')).toMatchObject({ next: { match: { caseId: 'IT-2', via: 'subject-tag' } } });
    expect(matchFor('mallory@evil.example')).toEqual({ next: {} }); // a stranger joins neither case
  });

  it('counts auto-replies to the sender since the given time', async () => {
    const store = await openStore();
    await seedCase(store, async (tx, id) => {
      await tx.enqueue({ caseId: id, kind: 'auto-reply', envelopeFrom: '', mail: outgoing('alice@example.test') }, null, at(-90));
      await tx.enqueue({ caseId: id, kind: 'auto-reply', envelopeFrom: '', mail: outgoing('alice@example.test') }, null, at(-30));
      await tx.enqueue({ caseId: id, kind: 'auto-reply', envelopeFrom: '', mail: outgoing('alice@example.test') }, null, at(-1));
      await tx.enqueue({ caseId: id, kind: 'auto-reply', envelopeFrom: '', mail: outgoing('bob@example.test') }, null, at(-1));
      await tx.enqueue({ caseId: id, kind: 'notification', envelopeFrom: '', mail: outgoing('alice@example.test') }, null, at(-1));
    });
    const since = at(-60);
    expect((await store.lookupFacts('IT', null, 'k', 'alice@example.test', keys(), since)).autoRepliesToSenderLastHour).toBe(2);
    expect((await store.lookupFacts('IT', null, 'k', 'bob@example.test', keys(), since)).autoRepliesToSenderLastHour).toBe(1);
    expect((await store.lookupFacts('IT', null, 'k', null, keys(), since)).autoRepliesToSenderLastHour).toBe(0);
  });
});

describe('checkpoint', () => {
  it('starts empty, resets to UID 0, and advances only for the same UIDVALIDITY, never backwards', async () => {
    const store = await openStore();
    expect(await store.checkpoint('IT', 'INBOX')).toBeNull();
    await store.resetCheckpoint('IT', 'INBOX', 7, T0);
    expect(await store.checkpoint('IT', 'INBOX')).toEqual({ uidValidity: 7, lastUid: 0 });
    const mark = (uid: number, uidValidity: number) => store.transaction((tx) => tx.markPosition(position(uid, uidValidity), null, 'quarantined', null, T0));
    await mark(3, 7);
    expect(await store.checkpoint('IT', 'INBOX')).toEqual({ uidValidity: 7, lastUid: 3 });
    await mark(2, 7);
    expect(await store.checkpoint('IT', 'INBOX')).toEqual({ uidValidity: 7, lastUid: 3 });
    await mark(9, 8);
    expect(await store.checkpoint('IT', 'INBOX')).toEqual({ uidValidity: 7, lastUid: 3 });
    await store.resetCheckpoint('IT', 'INBOX', 8, T0);
    expect(await store.checkpoint('IT', 'INBOX')).toEqual({ uidValidity: 8, lastUid: 0 });
    expect(await store.checkpoint('HR', 'INBOX')).toBeNull();
  });

  it('marking the same position twice is harmless', async () => {
    const store = await openStore();
    await store.resetCheckpoint('IT', 'INBOX', 7, T0);
    for (let i = 0; i < 2; i++) await store.transaction((tx) => tx.markPosition(position(1), 'a@x', 'created', null, T0));
    expect(await store.checkpoint('IT', 'INBOX')).toEqual({ uidValidity: 7, lastUid: 1 });
  });
});

describe('outbox', () => {
  async function queued(store: CaseStore): Promise<number> {
    let row = 0;
    await seedCase(store, async (tx, id) => {
      row = await tx.enqueue({ caseId: id, kind: 'auto-reply', envelopeFrom: '', mail: outgoing('alice@example.test') }, null, T0);
    });
    return row;
  }

  it('pending → sending → sent; a row being sent is not due', async () => {
    const store = await openStore();
    const id = await queued(store);
    const [due] = await store.dueOutbox(T0, 10);
    expect(due).toMatchObject({ id, caseId: 'IT-1', kind: 'auto-reply', envelopeFrom: '', attempts: 0, mail: outgoing('alice@example.test') });
    expect(await store.markSending([id], T0)).toEqual([id]);
    expect(await store.dueOutbox(at(60), 10)).toEqual([]);
    await store.markSent([id], at(1));
    expect(await store.outboxSummary()).toEqual({ sent: 1 });
    expect(await store.dueOutbox(at(60), 10)).toEqual([]);
  });

  it('a row can be claimed for sending only once, even by a second process on the same file', async () => {
    const file = tempFile();
    const store = await openStore(file);
    const other = await openStore(file);
    const id = await queued(store);
    const [a, b] = await Promise.all([store.markSending([id], T0), other.markSending([id], T0)]);
    expect([a, b].map((r) => r.length).sort()).toEqual([0, 1]);
  });

  it('lists replies that did not go out and lets an admin requeue an uncertain one, recorded on the case', async () => {
    const store = await openStore();
    const id = await queued(store);
    await store.markSending([id], T0);
    expect(await store.requeue(id, at(1), 'cli:admin')).toBe(false); // still sending: not ours to touch
    await store.parkInterrupted(at(2));
    expect(await store.outboxProblems(10)).toMatchObject([{ id, status: 'uncertain', caseId: 'IT-1', recipient: 'alice@example.test', attempts: 1 }]);
    expect(await store.requeue(id, at(3), 'cli:admin')).toBe(true);
    expect(await store.dueOutbox(at(3), 10)).toMatchObject([{ id }]);
    const events = (await store.getCaseDetail('IT-1'))!.events.map((e) => e.type);
    expect(events).toEqual(expect.arrayContaining(['send-uncertain', 'send-requeued']));
  });

  it('a retry counts the attempt and is due again only at its next attempt time', async () => {
    const store = await openStore();
    const id = await queued(store);
    await store.markSending([id], T0);
    await store.markRetry(id, 'SMTP_TRANSIENT: 451', at(5));
    expect(await store.dueOutbox(at(4), 10)).toEqual([]);
    expect(await store.dueOutbox(at(5), 10)).toMatchObject([{ id, attempts: 1 }]);
  });

  it('failed records a send-failed event on the case and is never due again', async () => {
    const store = await openStore();
    const id = await queued(store);
    await store.markSending([id], T0);
    await store.markFailed(id, 'SMTP_PERMANENT: 550 no such user', at(1));
    expect(await store.outboxSummary()).toEqual({ failed: 1 });
    expect(await store.dueOutbox(at(1000), 10)).toEqual([]);
    const events = (await store.getCaseDetail('IT-1'))!.events;
    expect(events.at(-1)).toEqual({
      at: at(1).toISOString(),
      type: 'send-failed',
      actor: 'sportello',
      data: { outbox: id, to: 'alice@example.test', kind: 'auto-reply', error: 'SMTP_PERMANENT: 550 no such user' },
    });
  });

  it('parkInterrupted moves rows left "sending" to "uncertain"; they are never due again', async () => {
    const store = await openStore();
    const a = await queued(store);
    const b = await queued(store);
    await store.markSending([a], T0);
    expect(await store.parkInterrupted(at(1))).toBe(1);
    expect(await store.outboxSummary()).toEqual({ uncertain: 1, pending: 1 });
    expect((await store.dueOutbox(at(1000), 10)).map((e) => e.id)).toEqual([b]);
    expect(await store.parkInterrupted(at(2))).toBe(0);
  });

  it('dueOutbox honours the limit and the order of queueing', async () => {
    const store = await openStore();
    const ids = [await queued(store), await queued(store), await queued(store)];
    expect((await store.dueOutbox(T0, 2)).map((e) => e.id)).toEqual(ids.slice(0, 2));
  });
});

describe('read-only opening (read commands)', () => {
  it('a missing file is STORE_NOT_FOUND naming it; nothing is created, not even the directory', async () => {
    const file = tempFile();
    const err = await openSqliteStore(file, { mode: 'read' }).then(() => null, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'STORE_NOT_FOUND', message: `the database ${file} does not exist` });
    expect((err as { hint: string }).hint).toContain('--db');
    expect(existsSync(path.dirname(file))).toBe(false);
  });

  it('reads what a writer stored, and a write through it fails as STORE naming the file with the permission hint', async () => {
    const file = tempFile();
    const writer = await openStore(file);
    const id = await seedCase(writer);
    await writer.close();
    open_ = [];
    const reader = await openSqliteStore(file, { mode: 'read' });
    open_.push(reader);
    expect((await reader.listCases({})).map((c) => c.id)).toEqual([id]);
    const err = await reader.resetCheckpoint('IT', 'INBOX', 1, T0).then(() => null, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'STORE' });
    expect((err as Error).message).toBe(`database operation failed on ${file}: SQLITE_READONLY: attempt to write a readonly database`);
    expect((err as { hint: string }).hint).toContain(`write permission on ${file}`);
  });

  it('reads beside an open writer (WAL)', async () => {
    const file = tempFile();
    const writer = await openStore(file);
    const reader = await openSqliteStore(file, { mode: 'read' });
    open_.push(reader);
    await seedCase(writer);
    expect(await reader.listCases({})).toHaveLength(1);
  });

  it('refuses a file that is not a Sportello database, or one not yet upgraded, without changing it', async () => {
    const other = path.join(mkdtempSync(path.join(tmpdir(), 'sportello-store-')), 'other.db');
    const raw = await open({ filename: other, driver: sqlite3.Database });
    await raw.exec('CREATE TABLE t (x)');
    await expect(openSqliteStore(other, { mode: 'read' })).rejects.toMatchObject({ code: 'STORE', message: `${other} is not a Sportello database (no schema_migrations table)` });
    await raw.exec(`CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL); INSERT INTO schema_migrations VALUES ('001-initial', 'x')`);
    const err = await openSqliteStore(other, { mode: 'read' }).then(() => null, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'STORE' });
    expect((err as Error).message).toContain('has not been upgraded to this version (missing 002-sla');
    expect(await raw.all('SELECT name FROM schema_migrations')).toHaveLength(1);
    await raw.close();
  });
});

describe('parking interrupted sends (atomic)', () => {
  async function sendingRows(store: CaseStore, n: number): Promise<number[]> {
    const ids: number[] = [];
    await seedCase(store, async (tx, caseId) => {
      for (let i = 0; i < n; i++) ids.push(await tx.enqueue({ caseId, kind: 'auto-reply', envelopeFrom: '', mail: outgoing(`p${i}@example.test`) }, null, T0));
    });
    for (const id of ids) await store.markSending([id], T0);
    return ids;
  }

  it('writes exactly one send-uncertain event per parked row, in the same transaction', async () => {
    const store = await openStore();
    const ids = await sendingRows(store, 2);
    expect(await store.parkInterrupted(at(1))).toBe(2);
    const events = (await store.getCaseDetail('IT-1'))!.events.filter((e) => e.type === 'send-uncertain');
    expect(events.map((e) => e.data.outbox)).toEqual(ids);
    expect(await store.outboxSummary()).toEqual({ uncertain: 2 });
  });

  it('when the event cannot be written, no row is parked either (all or nothing)', async () => {
    const file = tempFile();
    const store = await openStore(file);
    await sendingRows(store, 2);
    const raw = await open({ filename: file, driver: sqlite3.Database });
    // Fail the second event only: the first row's update and event must roll back with it.
    await raw.exec(`CREATE TRIGGER fail_second BEFORE INSERT ON events WHEN NEW.type = 'send-uncertain' AND (SELECT COUNT(*) FROM events WHERE type = 'send-uncertain') = 1
                    BEGIN SELECT RAISE(ABORT, 'disk trouble'); END`);
    await raw.close();
    const err = await store.parkInterrupted(at(1)).then(() => null, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'STORE' });
    expect((err as Error).message).toContain(file);
    expect(await store.outboxSummary()).toEqual({ sending: 2 });
    expect((await store.getCaseDetail('IT-1'))!.events.filter((e) => e.type === 'send-uncertain')).toEqual([]);
  });
});

describe('listCases for the command line', () => {
  /** Five cases an hour apart: IT-1…IT-3 and HR-1, HR-2, with assignees, categories and requesters. */
  async function seeded(): Promise<CaseStore> {
    const store = await openStore();
    const specs = [
      ['IT', 'alice@example.test', 'bob@example.test', 'network'],
      ['HR', 'carlo@example.test', null, 'payroll'],
      ['IT', 'Carlo@Example.test', 'maria@example.test', 'network'],
      ['IT', 'alice@example.test', null, 'hardware'],
      ['HR', 'alice@example.test', 'maria@example.test', 'leave'],
    ] as const;
    for (const [i, [desk, requester, assignee, category]] of specs.entries()) {
      const at = new Date(T0.getTime() + i * 3_600_000);
      await store.transaction(async (tx) => {
        const c = await tx.createCase({ ...newCase(desk, desk, requester), routing: routing({ category }) }, at);
        if (assignee) await tx.setCaseFields(c.id, { assignee }, at);
      });
    }
    return store;
  }

  it.each([
    ['newest first, paged', { newestFirst: true, limit: 2 }, ['HR-2', 'IT-3']],
    ['the next page', { newestFirst: true, limit: 2, offset: 2 }, ['IT-2', 'HR-1']],
    ['oldest first by default (the shell relies on it)', {}, ['IT-1', 'HR-1', 'IT-2', 'IT-3', 'HR-2']],
    ['by assignee, any case', { assignee: 'MARIA@example.test' }, ['IT-2', 'HR-2']],
    ['unassigned only', { assignee: null }, ['HR-1', 'IT-3']],
    ['by category', { category: 'network' }, ['IT-1', 'IT-2']],
    ['by requester, any case', { requester: 'carlo@example.test' }, ['HR-1', 'IT-2']],
    ['since an instant', { since: new Date(T0.getTime() + 3 * 3_600_000) }, ['IT-3', 'HR-2']],
    ['filters combine', { desk: 'IT', requester: 'alice@example.test', newestFirst: true }, ['IT-3', 'IT-1']],
  ] as const)('%s', async (_label, filter, ids) => {
    const store = await seeded();
    expect((await store.listCases(filter)).map((c) => c.id)).toEqual(ids);
  });
});
