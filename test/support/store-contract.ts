// The store contract: one list of tests every CaseStore must pass, run against SQLite (a temp file,
// test/unit/adapters/store-contract.sqlite.test.ts) and PostgreSQL (a fresh database per test,
// test/postgres/store-contract.test.ts). Every store operation, all-or-nothing transactions, and two
// writers at once (case numbers, outbox claims, the writer lease). Must never use a store's own SQL.

import { afterEach, describe, expect, it } from 'vitest';
import type { CaseStore, NewMessage, OutgoingMail, StoreTx } from '../../src/ports.js';
import type { MailboxPosition } from '../../src/domain/plan.js';
import type { Facts } from '../../src/domain/facts.js';
import { context, mail, routing } from './fakes.js';
import { knownMail } from '../../src/pipeline/stages/known-mail.js';
import { followUpMatch } from '../../src/pipeline/stages/follow-up-match.js';
import { INITIAL_ANNOTATIONS } from '../../src/pipeline/types.js';
import { tryAcquireWriterLease } from '../../src/shell/writer-lease.js';
import { erasedPlaceholder, erasureTarget, retentionCutoffs } from '../../src/housekeeping/retention.js';

/** A store implementation under test. */
export interface StoreHarness {
  /** An empty, migrated store on a database of its own (closed by the suite). */
  fresh(): Promise<StoreUnderTest>;
}

export interface StoreUnderTest {
  readonly store: CaseStore;
  /** A second store on the same database: another process sharing it. */
  another(): Promise<CaseStore>;
}

export const T0 = new Date('2026-03-02T09:00:00.000Z');
export const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const keys = (messageIds: string[] = [], tags: string[] = []) => ({ messageIds, tags });
/** What follow-up-match makes of the store's rows: the duplicate reason, or null (the store itself never decides). */
const duplicateOf = (f: Facts, sender: string | null = null) => {
  const known = knownMail(f, sender);
  return known && 'duplicate' in known ? known.duplicate : null;
};

export const newCase = (desk: string, prefix: string, requester = 'alice@example.test') => ({
  desk,
  prefix,
  subject: 'Printer jammed',
  requester: { address: requester, name: 'Alice' },
  routing: routing(),
  sla: null,
});

export function inbound(caseId: string | null, messageId: string, over: Partial<NewMessage['mail']> = {}, desk = 'IT'): NewMessage {
  return { caseId, desk, direction: 'in', kind: 'requester', messageId, mail: { ...mail({ messageId }), ...over }, raw: Buffer.from('raw') };
}

export const outgoing = (to: string): OutgoingMail => ({
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

const slaPlan = {
  policy: 'std', dueAt: at(240).toISOString(), firstResponseDueAt: at(60).toISOString(), firstResponseMinutes: 60, resolutionMinutes: 240,
  timezone: 'UTC', open: true, opensAt: null, onCall: null,
};

const position = (uid: number, uidValidity = 7): MailboxPosition => ({ desk: 'IT', folder: 'INBOX', uidValidity, uid });

/** Creates a case with its first inbound message; returns the case id. */
export async function seedCase(store: CaseStore, work?: (tx: StoreTx, id: string) => Promise<void>, desk = 'IT', requester?: string): Promise<string> {
  return store.transaction(async (tx) => {
    const c = await tx.createCase(newCase(desk, desk, requester), T0);
    await tx.addMessage(inbound(c.id, `first-${c.id}@client.example`, {}, desk), T0);
    await work?.(tx, c.id);
    return c.id;
  });
}

export function storeContract(name: string, harness: StoreHarness): void {
  let opened: CaseStore[] = [];
  afterEach(async () => {
    for (const s of opened.reverse()) await s.close().catch(() => undefined);
    opened = [];
  });
  /** A fresh store, closed after the test, with another() opening a second one on its database. */
  async function openStore(): Promise<CaseStore & { another(): Promise<CaseStore> }> {
    const t = await harness.fresh();
    opened.push(t.store);
    const store = t.store as CaseStore & { another(): Promise<CaseStore> };
    Object.defineProperty(store, 'another', {
      value: async () => {
        const s = await t.another();
        opened.push(s);
        return s;
      },
    });
    return store;
  }

  describe(`${name} store contract: cases`, () => {
    it('numbers cases per desk: IT-1, IT-2, HR-1', async () => {
      const store = await openStore();
      const ids = [await seedCase(store, undefined, 'IT'), await seedCase(store, undefined, 'IT'), await seedCase(store, undefined, 'HR')];
      expect(ids).toEqual(['IT-1', 'IT-2', 'HR-1']);
      const hr = await store.listCases({ desk: 'HR' });
      expect(hr.map((c) => [c.id, c.number, c.status, c.requester.address])).toEqual([['HR-1', 1, 'new', 'alice@example.test']]);
    });

    it('createCase returns the whole record as stored (SLA clock, routing, imported)', async () => {
      const store = await openStore();
      const c = await store.transaction((tx) =>
        tx.createCase(
          {
            ...newCase('IT', 'IT'),
            routing: routing({ category: 'network', priority: 'high' }),
            sla: { ...slaPlan, policy: 'gold' },
            imported: at(-10).toISOString(),
          },
          T0,
        ),
      );
      expect(c).toMatchObject({
        id: 'IT-1', desk: 'IT', number: 1, status: 'new', category: 'network', priority: 'high', subject: 'Printer jammed',
        requester: { address: 'alice@example.test', name: 'Alice' }, createdAt: T0.toISOString(), updatedAt: T0.toISOString(),
        dueAt: at(240).toISOString(), firstResponseDueAt: at(60).toISOString(), slaPolicy: 'gold',
        slaClock: { start: T0.toISOString(), firstResponseMinutes: 60, resolutionMinutes: 240, pauses: [] },
        assignee: null, firstResponseAt: null, resolvedAt: null, closedAt: null, waitUntil: null, rating: null, imported: at(-10).toISOString(),
      });
      expect(c.routing).toEqual(routing({ category: 'network', priority: 'high' }));
      expect(await store.transaction((tx) => tx.getCase('IT-1'))).toEqual(c);
      expect(await store.transaction((tx) => tx.getCase('IT-9'))).toBeNull();
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
          await tx.claimDaily('purge', '2026-03-02', T0);
          throw err;
        }),
        // An error of the work itself comes back unchanged (only driver failures become STORE).
      ).rejects.toBe(err);
      expect(await store.listCases({})).toEqual([]);
      expect(await store.getCaseDetail('IT-1')).toBeNull();
      expect(await store.outboxSummary()).toEqual({});
      expect(await store.listQuarantine(10)).toEqual([]);
      expect(await store.checkpoint('IT', 'INBOX')).toEqual({ uidValidity: 7, lastUid: 0 });
      expect(await store.transaction((tx) => tx.claimDaily('purge', '2026-03-02', T0))).toBe(true);
      const f = await store.lookupFacts('IT', position(1), 'rolled-back@client.example', null, keys(), T0);
      expect(f).toMatchObject({ processedPosition: null, knownMessage: null, quarantinedId: null });
      expect(duplicateOf(f)).toBeNull();
    });

    it('a database error inside the work is STORE and rolls back what came before it', async () => {
      const store = await openStore();
      await seedCase(store);
      const err = await store
        .transaction(async (tx) => {
          await tx.createCase(newCase('HR', 'HR'), T0);
          await tx.addMessage(inbound('IT-1', 'first-IT-1@client.example'), T0);
        })
        .then(() => null, (e: unknown) => e);
      expect(err).toMatchObject({ code: 'STORE' });
      expect((await store.listCases({})).map((c) => c.id)).toEqual(['IT-1']);
      // The store is still usable afterwards.
      expect(await seedCase(store, undefined, 'HR')).toBe('HR-1');
    });

    it('a savepoint that throws undoes only its own writes (counter, case, checkpoint); the transaction goes on and commits the rest', async () => {
      const store = await openStore();
      await store.resetCheckpoint('IT', 'INBOX', 7, T0);
      const err = new Error('one mail failed');
      const ids = await store.transaction(async (tx) => {
        const a = await tx.savepoint(async (sp) => {
          const c = await sp.createCase(newCase('IT', 'IT'), T0);
          await sp.markPosition(position(1), 'a@x', 'created', c.id, T0);
          return c.id;
        });
        await expect(
          tx.savepoint(async (sp) => {
            const c = await sp.createCase(newCase('IT', 'IT'), T0);
            await sp.addMessage(inbound(c.id, 'b@x'), T0);
            await sp.markPosition(position(2), 'b@x', 'created', c.id, T0);
            throw err;
          }),
        ).rejects.toBe(err);
        // Reads inside the transaction see the first savepoint's writes and not the undone one's.
        expect((await tx.lookupFacts('IT', position(1), 'a@x', null, keys(), T0)).processedPosition).toMatchObject({ outcome: 'created' });
        expect((await tx.lookupFacts('IT', position(2), 'b@x', null, keys(), T0)).knownMessage).toBeNull();
        const c = await tx.savepoint((sp) => sp.createCase(newCase('IT', 'IT'), T0));
        await tx.markPosition(position(3), 'c@x', 'created', c.id, T0);
        return [a, c.id];
      });
      expect(ids).toEqual(['IT-1', 'IT-2']);
      expect((await store.listCases({})).map((c) => c.id).sort()).toEqual(['IT-1', 'IT-2']);
      expect(await store.checkpoint('IT', 'INBOX')).toEqual({ uidValidity: 7, lastUid: 3 });
    });

    it("a message moves its case's updated_at, also after an undone savepoint wrote the same instant", async () => {
      const store = await openStore();
      const T1 = new Date(T0.getTime() + 60_000);
      const id = await store.transaction(async (tx) => {
        const c = await tx.createCase(newCase('IT', 'IT'), T0);
        await tx.addMessage(inbound(c.id, 'first@x'), T0);
        await expect(
          tx.savepoint(async (sp) => {
            await sp.addMessage(inbound(c.id, 'undone@x'), T1);
            throw new Error('this mail failed');
          }),
        ).rejects.toThrow('this mail failed');
        expect((await tx.getCase(c.id))!.updatedAt).toBe(T0.toISOString());
        await tx.addMessage(inbound(c.id, 'second@x'), T1);
        return c.id;
      });
      expect((await store.getCaseDetail(id))!.updatedAt).toBe(T1.toISOString());
    });

    it('a database failure inside a savepoint comes out as STORE (the caller stops the batch, never quarantines for it)', async () => {
      const store = await openStore();
      const id = await seedCase(store, async (tx, caseId) => void (await tx.addMessage(inbound(caseId, 'dup@client.example'), T0)));
      await expect(store.transaction((tx) => tx.savepoint((sp) => sp.addMessage(inbound(id, 'dup@client.example'), T0)))).rejects.toMatchObject({ code: 'STORE' });
      expect(await store.transaction((tx) => tx.savepoint(async () => 'still usable'))).toBe('still usable');
    });

    it('UNIQUE(desk, message_id): the same Message-ID twice in one desk fails as STORE, in another desk is fine', async () => {
      const store = await openStore();
      await seedCase(store);
      await expect(store.transaction((tx) => tx.addMessage(inbound('IT-1', 'first-IT-1@client.example'), T0))).rejects.toMatchObject({ code: 'STORE' });
      const hr = await seedCase(store, undefined, 'HR');
      await expect(store.transaction((tx) => tx.addMessage(inbound(hr, 'first-IT-1@client.example', {}, 'HR'), T0))).resolves.toBeGreaterThan(0);
    });

    it('getCaseDetail returns messages, events and links in order, case-insensitively by id', async () => {
      const store = await openStore();
      await seedCase(store, async (tx, id) => {
        await tx.addEvents(id, [{ type: 'created', actor: 'alice@example.test', data: { via: 'mail' } }, { type: 'routed', actor: 'sportello', data: {} }], T0);
        await tx.setStatus(id, 'waiting', at(1));
      });
      await seedCase(store, async (tx, id) => tx.link('IT-1', id, 'same requester', at(2)));
      const d = await store.getCaseDetail('it-1');
      expect(d).toMatchObject({ id: 'IT-1', status: 'waiting', updatedAt: at(1).toISOString() });
      expect(d!.messages.map((m) => [m.messageId, m.direction, m.kind, m.from, m.subject, m.createdAt])).toEqual([
        ['first-IT-1@client.example', 'in', 'requester', mail().from, mail().subject, T0.toISOString()],
      ]);
      expect(d!.events.map((e) => [e.type, e.data, e.at])).toEqual([['created', { via: 'mail' }, T0.toISOString()], ['routed', {}, T0.toISOString()]]);
      expect(d!.links).toEqual([{ caseId: 'IT-2', reason: 'same requester', at: at(2).toISOString() }]);
      expect((await store.getCaseDetail('IT-2'))!.links).toEqual([{ caseId: 'IT-1', reason: 'same requester', at: at(2).toISOString() }]);
      expect(await store.getCaseDetail('IT-3')).toBeNull();
    });

    it('a message keeps its text, addresses and date; U+0000 in parsed text never fails the store', async () => {
      const store = await openStore();
      await seedCase(store, async (tx, id) => {
        await tx.addMessage(
          inbound(id, 'second@client.example', {
            text: 'línea uno\nriga due — «ok»',
            cc: [{ address: 'carol@example.test', name: 'Carol' }],
            date: at(-5).toISOString(),
          }),
          at(1),
        );
        await tx.addMessage(inbound(id, 'nul@client.example', { text: 'a\u0000b', subject: 'x\u0000y' }), at(2));
      });
      const d = (await store.getCaseDetail('IT-1'))!;
      expect(d.messages[1]).toMatchObject({ messageId: 'second@client.example', text: 'línea uno\nriga due — «ok»', cc: [{ address: 'carol@example.test', name: 'Carol' }], date: at(-5).toISOString() });
      expect(d.messages[2]!.text.replace('\u0000', '')).toBe('ab');
      expect(d.updatedAt).toBe(at(2).toISOString());
    });

    it('updateCase writes the recomputed routing and SLA fields; setCaseFields only what it is given', async () => {
      const store = await openStore();
      const id = await seedCase(store);
      const clock = { start: T0.toISOString(), firstResponseMinutes: 30, resolutionMinutes: 120, pauses: [{ from: at(5).toISOString(), to: null }] };
      await store.transaction((tx) =>
        tx.updateCase(id, { category: 'network', priority: 'urgent', status: 'open', slaPolicy: 'p1', dueAt: at(120).toISOString(), firstResponseDueAt: at(30).toISOString(), slaClock: clock, routing: { any: 'thing' } }, at(3)),
      );
      await store.transaction(async (tx) => {
        await tx.setCaseFields(id, { assignee: 'bob@example.test', firstResponseAt: at(4).toISOString() }, at(4));
        await tx.setCaseFields(id, { firstResponseAt: at(9).toISOString(), waitUntil: at(60).toISOString() }, at(5));
        await tx.setCaseFields(id, {}, at(99));
        await tx.setCaseFields(id, { resolvedAt: at(6).toISOString(), closedAt: null, rating: { score: 5, comment: 'great', at: at(7).toISOString() } }, at(7));
      });
      const c = (await store.transaction((tx) => tx.getCase(id)))!;
      expect(c).toMatchObject({
        category: 'network', priority: 'urgent', status: 'open', slaPolicy: 'p1', dueAt: at(120).toISOString(), firstResponseDueAt: at(30).toISOString(),
        slaClock: clock, routing: { any: 'thing' }, assignee: 'bob@example.test', firstResponseAt: at(4).toISOString(), waitUntil: at(60).toISOString(),
        resolvedAt: at(6).toISOString(), closedAt: null, rating: { score: 5, comment: 'great', at: at(7).toISOString() }, updatedAt: at(7).toISOString(),
      });
      await store.transaction((tx) => tx.setCaseFields(id, { assignee: null, waitUntil: null }, at(8)));
      expect(await store.transaction((tx) => tx.getCase(id))).toMatchObject({ assignee: null, waitUntil: null });
    });

    it('casesElsewhere finds the same inbound mail in other desks only', async () => {
      const store = await openStore();
      await seedCase(store, async (tx, id) => {
        await tx.addMessage(inbound(id, 'both@client.example'), T0);
      });
      await seedCase(store, async (tx, id) => {
        await tx.addMessage(inbound(id, 'both@client.example', {}, 'HR'), T0);
      }, 'HR');
      expect(await store.transaction((tx) => tx.casesElsewhere('both@client.example', 'IT'))).toEqual(['HR-1']);
      expect(await store.transaction((tx) => tx.casesElsewhere('both@client.example', 'HR'))).toEqual(['IT-1']);
      expect(await store.transaction((tx) => tx.casesElsewhere('nowhere@client.example', 'IT'))).toEqual([]);
      const f = await store.lookupFacts('IT', null, 'both@client.example', null, keys(), T0);
      expect(f.sameMailElsewhere).toEqual([{ caseId: 'HR-1', desk: 'HR' }]);
      // Linking twice is harmless.
      await store.transaction((tx) => tx.link('IT-1', 'HR-1', 'same mail', T0));
      await store.transaction((tx) => tx.link('HR-1', 'IT-1', 'same mail', at(1)));
      expect((await store.getCaseDetail('IT-1'))!.links).toEqual([{ caseId: 'HR-1', reason: 'same mail', at: T0.toISOString() }]);
    });
  });

  describe(`${name} store contract: two writers at once`, () => {
    it('cases created by two stores on one desk at once get unique numbers, increasing in each writer', async () => {
      const store = await openStore();
      const other = await store.another();
      const N = 12;
      const writer = async (s: CaseStore, who: string) => {
        const got: number[] = [];
        for (let i = 0; i < N; i++) {
          got.push(await s.transaction(async (tx) => {
            const c = await tx.createCase(newCase('IT', 'IT', `${who}${i}@example.test`), T0);
            await tx.addMessage(inbound(c.id, `${who}-${i}@client.example`), T0);
            return c.number;
          }));
        }
        return got;
      };
      const [a, b] = await Promise.all([writer(store, 'a'), writer(other, 'b')]);
      expect([...a, ...b].sort((x, y) => x - y)).toEqual(Array.from({ length: 2 * N }, (_, i) => i + 1));
      for (const seq of [a, b]) expect([...seq].sort((x, y) => x - y)).toEqual(seq);
      const cases = await store.listCases({ desk: 'IT' });
      expect(new Set(cases.map((c) => c.id)).size).toBe(2 * N);
      expect(cases.every((c) => c.id === `IT-${c.number}`)).toBe(true);
    });

    it('concurrent transactions in one store also number without gaps or repeats', async () => {
      const store = await openStore();
      const numbers = await Promise.all(Array.from({ length: 10 }, (_, i) => store.transaction(async (tx) => (await tx.createCase(newCase('HR', 'HR', `p${i}@example.test`), T0)).number)));
      expect([...numbers].sort((x, y) => x - y)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    });

    it('read-modify-write of one case by two stores at once loses no update (a case read in a transaction stays its own)', async () => {
      const store = await openStore();
      const other = await store.another();
      const id = await seedCase(store);
      const bump = (s: CaseStore, i: number) =>
        s.transaction(async (tx) => {
          const fresh = (await tx.getCase(id))!;
          const n = Number((fresh.routing as { n?: number }).n ?? 0);
          await tx.addEvents(id, [{ type: 'routed', actor: `w${i}`, data: { n } }], T0);
          await tx.updateCase(id, { category: fresh.category, priority: fresh.priority, status: fresh.status, slaPolicy: null, dueAt: null, firstResponseDueAt: null, slaClock: null, routing: { n: n + 1 } }, T0);
        });
      const N = 8;
      await Promise.all([store, other].map(async (s, w) => {
        for (let i = 0; i < N; i++) await bump(s, w * 100 + i);
      }));
      expect((await store.transaction((tx) => tx.getCase(id)))!.routing).toEqual({ n: 2 * N });
      const seen = (await store.getCaseDetail(id))!.events.map((e) => e.data.n);
      expect(seen).toEqual(Array.from({ length: 2 * N }, (_, i) => i));
    });

    it('two releases of one quarantined mail at once: only one finds it held', async () => {
      const store = await openStore();
      const other = await store.another();
      const q = await store.transaction((tx) => tx.quarantine({ position: null, messageId: 'q@x', code: 'X', reason: 'r', stage: null, raw: null }, T0));
      const release = (s: CaseStore, who: string) =>
        s.transaction(async (tx) => {
          if ((await tx.quarantineState(q)) !== 'held') return null;
          const c = await tx.createCase(newCase('IT', 'IT', `${who}@example.test`), T0);
          await tx.releaseQuarantine(q, c.id, who, T0);
          return c.id;
        });
      const results = await Promise.all([release(store, 'a'), release(other, 'b')]);
      expect(results.filter((r) => r !== null)).toHaveLength(1);
      expect(await store.listCases({})).toHaveLength(1);
    });

    it('two claimers of the outbox at once: each row is claimed exactly once', async () => {
      const store = await openStore();
      const other = await store.another();
      const ids: number[] = [];
      await seedCase(store, async (tx, caseId) => {
        for (let i = 0; i < 20; i++) ids.push(await tx.enqueue({ caseId, kind: 'auto-reply', envelopeFrom: '', mail: outgoing(`r${i}@example.test`) }, null, T0));
      });
      const claimer = async (s: CaseStore) => {
        const mine: number[] = [];
        for (const e of await s.dueOutbox(T0, 100)) if ((await s.markSending([e.id], T0)).length) mine.push(e.id);
        return mine;
      };
      const [a, b] = await Promise.all([claimer(store), claimer(other)]);
      expect([...a, ...b].sort((x, y) => x - y)).toEqual(ids);
      expect(await store.outboxSummary()).toEqual({ sending: 20 });
    });

    it('two starters at once: exactly one takes the writer lease', async () => {
      const store = await openStore();
      const other = await store.another();
      const clock = { now: () => T0 };
      const opts = (pid: number) => ({
        database: 'db', command: 'run', clock, heartbeatMs: 0, identity: { host: 'h', pid, isAlive: () => true },
      });
      const results = await Promise.all([tryAcquireWriterLease(store, opts(1)), tryAcquireWriterLease(other, opts(2))]);
      const winners = results.filter((r) => 'lease' in r);
      expect(winners).toHaveLength(1);
      const loser = results.find((r) => 'holder' in r) as { holder: { pid: number } };
      const won = winners[0] as { lease: { record: { pid: number }; release(): Promise<void> } };
      expect(loser.holder.pid).toBe(won.lease.record.pid);
      await won.lease.release();
      expect(await store.transaction((tx) => tx.writerLease('store'))).toBeNull();
    });
  });

  describe(`${name} store contract: fenced commits`, () => {
    it('a commit fenced by an epoch another store has since replaced rolls back whole', async () => {
      const store = await openStore();
      const other = await store.another();
      const lease = { name: 'mailbox:IT', owner: 'A', host: 'h', pid: 1, heartbeatAt: T0.toISOString(), leaseUntil: at(1).toISOString(), epoch: 1 };
      await store.transaction((tx) => tx.putFleetLease(lease));
      const fencedCase = (s: CaseStore, epoch: number) =>
        s.transaction(async (tx) => {
          await tx.createCase(newCase('IT', 'IT'), T0);
          if (!(await tx.holdsFleetLease('mailbox:IT', 'A', epoch, T0))) throw new Error('lease lost');
        });
      await fencedCase(store, 1);
      // Another instance takes the mailbox over (new owner, epoch 2): A's next commit must not stand.
      await other.transaction((tx) => tx.putFleetLease({ ...lease, owner: 'B', epoch: 2 }));
      await expect(fencedCase(store, 1)).rejects.toThrow('lease lost');
      expect((await store.listCases({ desk: 'IT' })).map((c) => c.id)).toEqual(['IT-1']);
    });
  });

  describe(`${name} store contract: lookupFacts`, () => {
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

    it('a duplicate is per desk; the quarantine row being released is left out', async () => {
      const store = await openStore();
      await seedCase(store, async (tx) => {
        await tx.quarantine({ position: position(4), messageId: 'held@client.example', code: 'OWN_MAIL', reason: 'r', stage: null, raw: null }, T0);
      });
      expect(duplicateOf(await store.lookupFacts('HR', null, 'first-IT-1@client.example', null, keys(), T0))).toBeNull();
      expect((await store.lookupFacts('IT', null, 'held@client.example', null, keys(), T0)).quarantinedId).toBe(1);
      expect((await store.lookupFacts('IT', null, 'held@client.example', null, keys(), T0, 1)).quarantinedId).toBeNull();
    });

    it('finds the referenced case by the first known id, in the order given, with the requester\'s newest Message-ID', async () => {
      const store = await openStore();
      await seedCase(store);
      await seedCase(store, async (tx, id) => {
        await tx.setStatus(id, 'waiting', T0);
        await tx.addMessage(inbound(id, 'second-IT-2@client.example'), at(1));
        await tx.addMessage(inbound(id, 'sha256:abc'), at(2));
      });
      const f = await store.lookupFacts('IT', null, 'k', null, keys(['unknown@x', 'first-IT-2@client.example', 'first-IT-1@client.example']), T0);
      expect(f.referencedCase).toMatchObject({ caseId: 'IT-2', status: 'waiting', record: { id: 'IT-2' }, lastRequesterMessageId: 'second-IT-2@client.example' });
      expect((await store.lookupFacts('HR', null, 'k', null, keys(['first-IT-1@client.example']), T0)).referencedCase).toBeNull();
      expect(f.knownMessage).toBeNull();
      expect((await store.lookupFacts('IT', null, 'first-IT-1@client.example', null, keys(), T0)).knownMessage).toEqual({ caseId: 'IT-1', from: mail().from!.address });
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
        await store.transaction(async (tx) => {
          const c = await tx.createCase(newCase('IT', 'IT', who), T0);
          await tx.addMessage(inbound(c.id, `first-${c.id}@client.example`, { from: { address: who, name: '' }, to: [], cc: [] }), T0);
        });
      }
      const f = await store.lookupFacts('IT', null, 'k', 'alice@example.test', keys([], ['IT-1', 'IT-2']), T0);
      expect(f.taggedCases.map((c) => [c.caseId, c.participants])).toEqual([['IT-1', ['carlo@example.test']], ['IT-2', ['alice@example.test']]]);
      const matchFor = (from: string) => followUpMatch.run(mail({ from: { address: from, name: '' } }), { ...INITIAL_ANNOTATIONS, facts: f }, context());
      expect(matchFor('alice@example.test')).toMatchObject({ next: { match: { caseId: 'IT-2', via: 'subject-tag' } } });
      expect(matchFor('mallory@evil.example')).toEqual({ next: {} });
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

  describe(`${name} store contract: mailbox positions`, () => {
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

    it('marking the same position twice is harmless; recentlyProcessed lists newest first per UIDVALIDITY', async () => {
      const store = await openStore();
      await store.resetCheckpoint('IT', 'INBOX', 7, T0);
      for (let i = 0; i < 2; i++) await store.transaction((tx) => tx.markPosition(position(1), 'a@x', 'created', null, T0));
      expect(await store.checkpoint('IT', 'INBOX')).toEqual({ uidValidity: 7, lastUid: 1 });
      for (const uid of [4, 2, 3]) await store.transaction((tx) => tx.markPosition(position(uid), null, 'created', null, T0));
      await store.transaction((tx) => tx.markPosition(position(50, 8), null, 'created', null, T0));
      expect(await store.recentlyProcessed('IT', 'INBOX', 7, 3)).toEqual([4, 3, 2]);
      expect(await store.recentlyProcessed('IT', 'INBOX', 8, 10)).toEqual([50]);
    });

    it('a first contact keeps its first start and take-from across a rescan; skipTo moves only forward', async () => {
      const store = await openStore();
      expect(await store.folderStart('IT', 'INBOX')).toBeNull();
      await store.startFolder('IT', 'INBOX', { uidValidity: 7, firstStart: T0.toISOString(), takeFrom: at(-60).toISOString(), backlogUid: 40, lastUid: 10 }, T0);
      expect(await store.folderStart('IT', 'INBOX')).toEqual({ uidValidity: 7, firstStart: T0.toISOString(), takeFrom: at(-60).toISOString(), backlogUid: 40 });
      expect(await store.checkpoint('IT', 'INBOX')).toEqual({ uidValidity: 7, lastUid: 10 });
      await store.skipTo('IT', 'INBOX', 7, 30, at(1));
      await store.skipTo('IT', 'INBOX', 7, 20, at(1));
      await store.skipTo('IT', 'INBOX', 6, 99, at(1));
      expect(await store.checkpoint('IT', 'INBOX')).toEqual({ uidValidity: 7, lastUid: 30 });
      await store.startFolder('IT', 'INBOX', { uidValidity: 9, firstStart: at(100).toISOString(), takeFrom: null, backlogUid: 5, lastUid: 0 }, at(100));
      expect(await store.folderStart('IT', 'INBOX')).toEqual({ uidValidity: 9, firstStart: T0.toISOString(), takeFrom: at(-60).toISOString(), backlogUid: 5 });
      // A folder first read by an older version (no first start) takes the rescan's take-from.
      await store.resetCheckpoint('HR', 'INBOX', 3, T0);
      await store.startFolder('HR', 'INBOX', { uidValidity: 4, firstStart: at(1).toISOString(), takeFrom: at(-1).toISOString(), backlogUid: 2, lastUid: 0 }, at(1));
      expect(await store.folderStart('HR', 'INBOX')).toEqual({ uidValidity: 4, firstStart: at(1).toISOString(), takeFrom: at(-1).toISOString(), backlogUid: 2 });
    });
  });

  describe(`${name} store contract: outbox`, () => {
    async function queued(store: CaseStore, to = 'alice@example.test'): Promise<number> {
      let row = 0;
      await seedCase(store, async (tx, id) => {
        row = await tx.enqueue({ caseId: id, kind: 'auto-reply', envelopeFrom: '', mail: outgoing(to) }, null, T0);
      });
      return row;
    }

    it('pending → sending → sent; a row being sent is not due', async () => {
      const store = await openStore();
      const id = await queued(store);
      const [due] = await store.dueOutbox(T0, 10);
      expect(due).toEqual({ id, caseId: 'IT-1', kind: 'auto-reply', envelopeFrom: '', attempts: 0, mail: outgoing('alice@example.test') });
      expect(await store.markSending([id], T0)).toEqual([id]);
      expect(await store.markSending([id], T0)).toEqual([]);
      expect(await store.dueOutbox(at(60), 10)).toEqual([]);
      await store.markSent([id], at(1));
      expect(await store.outboxSummary()).toEqual({ sent: 1 });
      expect(await store.dueOutbox(at(60), 10)).toEqual([]);
      expect(await store.outboxProblems(10)).toEqual([]);
    });

    it('a row can be claimed for sending only once, even by a second process on the same database', async () => {
      const store = await openStore();
      const other = await store.another();
      const id = await queued(store);
      const [a, b] = (await Promise.all([store.markSending([id], T0), other.markSending([id], T0)])).map((claimed) => claimed.length === 1);
      expect([a, b].sort()).toEqual([false, true]);
    });

    it('lists replies that did not go out and lets an admin requeue an uncertain one, recorded on the case', async () => {
      const store = await openStore();
      const id = await queued(store);
      await store.markSending([id], T0);
      expect(await store.requeue(id, at(1), 'cli:admin')).toBe(false);
      await store.parkInterrupted(at(2));
      expect(await store.outboxProblems(10)).toEqual([
        {
          id, status: 'uncertain', caseId: 'IT-1', kind: 'auto-reply', recipient: 'alice@example.test', subject: '[IT-1] Printer jammed', attempts: 1,
          lastError: `interrupted while sending (${at(2).toISOString()}); not resent automatically to avoid a duplicate reply`,
          createdAt: T0.toISOString(), nextAttemptAt: T0.toISOString(),
        },
      ]);
      expect(await store.uncertainOutbox()).toEqual([{ id, caseId: 'IT-1', desk: 'IT', from: 'it@example.test', kind: 'auto-reply', recipient: 'alice@example.test', createdAt: T0.toISOString() }]);
      expect(await store.requeue(id, at(3), 'cli:admin')).toBe(true);
      expect(await store.dueOutbox(at(3), 10)).toMatchObject([{ id }]);
      expect(await store.uncertainOutbox()).toEqual([]);
      const events = (await store.getCaseDetail('IT-1'))!.events;
      expect(events.map((e) => [e.type, e.actor])).toEqual([['send-uncertain', 'sportello'], ['send-requeued', 'cli:admin']]);
      expect(events[1]!.data).toEqual({ outbox: id, to: 'alice@example.test', kind: 'auto-reply' });
    });

    it('a retry counts the attempt and is due again only at its next attempt time', async () => {
      const store = await openStore();
      const id = await queued(store);
      await store.markSending([id], T0);
      await store.markRetry(id, 'SMTP_TRANSIENT: 451', at(5));
      expect(await store.dueOutbox(at(4), 10)).toEqual([]);
      expect(await store.dueOutbox(at(5), 10)).toMatchObject([{ id, attempts: 1 }]);
      expect(await store.outboxProblems(10)).toMatchObject([{ id, status: 'pending', lastError: 'SMTP_TRANSIENT: 451', nextAttemptAt: at(5).toISOString() }]);
    });

    it('unclaim gives a claimed row back without counting the attempt; a row not sending is left alone', async () => {
      const store = await openStore();
      const id = await queued(store);
      await store.markSending([id], T0);
      await store.unclaim(id, 'SMTP_AUTH: 535', at(10));
      expect(await store.dueOutbox(at(10), 10)).toMatchObject([{ id, attempts: 0 }]);
      await store.unclaim(id, 'again', at(99));
      expect(await store.outboxProblems(10)).toMatchObject([{ id, status: 'pending', lastError: 'SMTP_AUTH: 535', nextAttemptAt: at(10).toISOString() }]);
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
      expect(await store.requeue(id, at(2), 'cli:admin')).toBe(true);
    });

    it('parkInterrupted moves rows left "sending" to "uncertain", one event each; they are never due again', async () => {
      const store = await openStore();
      const a = await queued(store);
      const b = await queued(store);
      const c = await store.transaction((tx) => tx.enqueue({ caseId: null, kind: 'notification', envelopeFrom: '', mail: outgoing('x@example.test') }, null, T0));
      await store.markSending([a], T0);
      await store.markSending([c], T0);
      expect(await store.parkInterrupted(at(1))).toBe(2);
      expect(await store.outboxSummary()).toEqual({ uncertain: 2, pending: 1 });
      expect((await store.dueOutbox(at(1000), 10)).map((e) => e.id)).toEqual([b]);
      expect(await store.parkInterrupted(at(2))).toBe(0);
      expect((await store.getCaseDetail('IT-1'))!.events.filter((e) => e.type === 'send-uncertain').map((e) => e.data.outbox)).toEqual([a]);
      expect((await store.uncertainOutbox()).map((u) => [u.id, u.desk])).toEqual([[a, 'IT'], [c, null]]);
    });

    it('writes exactly one send-uncertain event per parked row, in the same transaction', async () => {
      const store = await openStore();
      const ids: number[] = [];
      await seedCase(store, async (tx, caseId) => {
        for (let i = 0; i < 2; i++) ids.push(await tx.enqueue({ caseId, kind: 'auto-reply', envelopeFrom: '', mail: outgoing(`p${i}@example.test`) }, null, T0));
      });
      for (const id of ids) await store.markSending([id], T0);
      expect(await store.parkInterrupted(at(1))).toBe(2);
      const events = (await store.getCaseDetail('IT-1'))!.events.filter((e) => e.type === 'send-uncertain');
      expect(events.map((e) => e.data.outbox)).toEqual(ids);
      expect(await store.outboxSummary()).toEqual({ uncertain: 2 });
    });

    it('with a claim expiry, parkInterrupted parks only rows claimed before it (a live sender keeps its row)', async () => {
      const store = await openStore();
      const a = await queued(store);
      const b = await queued(store);
      await store.markSending([a], T0);
      await store.markSending([b], at(5));
      expect(await store.parkInterrupted(at(6), at(4))).toBe(1);
      expect(await store.outboxSummary()).toEqual({ uncertain: 1, sending: 1 });
      expect((await store.outboxProblems(10)).map((p) => [p.id, p.status])).toEqual([[b, 'sending'], [a, 'uncertain']]);
      expect(await store.parkInterrupted(at(7), at(5))).toBe(1);
      expect(await store.outboxSummary()).toEqual({ uncertain: 2 });
    });

    it('dueOutbox honours the limit and the order of queueing', async () => {
      const store = await openStore();
      const ids = [await queued(store), await queued(store), await queued(store)];
      expect((await store.dueOutbox(T0, 2)).map((e) => e.id)).toEqual(ids.slice(0, 2));
      expect((await store.outboxProblems(2)).map((e) => e.id)).toEqual([ids[2], ids[1]]);
    });
  });

  describe(`${name} store contract: quarantine`, () => {
    const entry = (uid: number, code = 'UNPARSEABLE') => ({ position: position(uid), messageId: `q${uid}@client`, code, reason: `reason ${uid}`, stage: 'parse', raw: Buffer.from([0, 1, 2, 255, 10]) });

    it('holds, lists, releases, re-quarantines and drops rows, recording who and when', async () => {
      const store = await openStore();
      const [a, b, c] = await store.transaction(async (tx) => {
        const ids = [await tx.quarantine(entry(1), T0), await tx.quarantine(entry(2, 'TOO_LARGE'), at(1)), await tx.quarantine({ ...entry(3), position: null, messageId: null }, at(2))];
        await tx.markPosition(position(1), 'q1@client', 'quarantined', null, T0);
        return ids;
      });
      expect(await store.quarantineCount()).toBe(3);
      expect((await store.listQuarantine(10)).map((q) => q.id)).toEqual([c, b, a]);
      expect(await store.heldQuarantineIds()).toEqual([a, b, c]);
      expect(await store.heldQuarantineIds('TOO_LARGE')).toEqual([b]);
      expect(await store.getQuarantine(a!)).toEqual({
        id: a, at: T0.toISOString(), position: position(1), messageId: 'q1@client', code: 'UNPARSEABLE', reason: 'reason 1', stage: 'parse',
        raw: Buffer.from([0, 1, 2, 255, 10]), state: 'held', releasedAt: null, releasedBy: null, releasedCaseId: null, droppedAt: null, droppedBy: null, dropReason: null, attempts: 0,
      });
      expect(await store.getQuarantine(c!)).toMatchObject({ position: null, messageId: null });
      expect(await store.getQuarantine(999)).toBeNull();

      const caseId = await seedCase(store);
      await store.transaction(async (tx) => {
        expect(await tx.quarantineState(a!)).toBe('held');
        await tx.releaseQuarantine(a!, caseId, 'cli:admin', at(5));
        await tx.requarantine(b!, { messageId: 'new-id@client', code: 'PIPELINE_STAGE', reason: 'still broken', stage: 'route' }, 'cli:admin', at(6));
        expect(await tx.quarantineState(999)).toBeNull();
      });
      expect(await store.getQuarantine(a!)).toMatchObject({ state: 'released', releasedAt: at(5).toISOString(), releasedBy: 'cli:admin', releasedCaseId: caseId });
      expect(await store.getQuarantine(b!)).toMatchObject({ state: 'held', code: 'PIPELINE_STAGE', reason: 'still broken', stage: 'route', messageId: 'new-id@client', attempts: 1 });
      const f = await store.lookupFacts('IT', position(1), 'other@client', null, keys(), T0);
      expect(f.processedPosition).toEqual({ position: position(1), outcome: 'released' });

      expect(await store.dropQuarantine(c!, 'spam', 'cli:admin', at(7))).toBe(true);
      expect(await store.dropQuarantine(c!, 'spam', 'cli:admin', at(7))).toBe(false);
      expect(await store.dropQuarantine(a!, 'x', 'cli:admin', at(7))).toBe(false);
      expect(await store.getQuarantine(c!)).toMatchObject({ state: 'dropped', raw: null, droppedAt: at(7).toISOString(), droppedBy: 'cli:admin', dropReason: 'spam' });
      expect(await store.quarantineCount()).toBe(1);
      expect((await store.listQuarantine(10)).map((q) => q.id)).toEqual([b]);
      expect((await store.listQuarantine(10, { all: true })).map((q) => q.state)).toEqual(['dropped', 'held', 'released']);
    });
  });

  describe(`${name} store contract: lifecycle queries`, () => {
    it('waitExpired, resolvedBefore and slaCases return the cases the shell acts on', async () => {
      const store = await openStore();
      const sla = slaPlan;
      await store.transaction(async (tx) => {
        const a = await tx.createCase({ ...newCase('IT', 'IT'), sla }, T0);
        await tx.setStatus(a.id, 'waiting', T0);
        await tx.setCaseFields(a.id, { waitUntil: at(30).toISOString() }, T0);
        const b = await tx.createCase(newCase('IT', 'IT'), T0);
        await tx.setStatus(b.id, 'resolved', at(1));
        await tx.setCaseFields(b.id, { resolvedAt: at(1).toISOString() }, at(1));
        const c = await tx.createCase({ ...newCase('IT', 'IT'), sla }, at(2));
        expect(await tx.recordEscalation(c.id, 'warning', at(50), at(50))).toBe(true);
        expect(await tx.recordEscalation(c.id, 'warning', at(50), at(51))).toBe(false);
        await tx.recordEscalation(c.id, 'breach', at(60), at(61));
        const d = await tx.createCase({ ...newCase('IT', 'IT'), sla }, at(3));
        await tx.setStatus(d.id, 'closed', at(3));
      });
      expect((await store.waitExpired(at(29))).map((c) => c.id)).toEqual([]);
      expect((await store.waitExpired(at(30))).map((c) => c.id)).toEqual(['IT-1']);
      expect((await store.resolvedBefore(T0)).map((c) => c.id)).toEqual([]);
      expect((await store.resolvedBefore(at(1))).map((c) => c.id)).toEqual(['IT-2']);
      const sc = await store.slaCases();
      expect(sc.map((s) => [s.record.id, [...s.notified].sort()])).toEqual([['IT-1', []], ['IT-3', ['breach', 'warning']]]);
    });

    it('claimDaily claims a job once per day', async () => {
      const store = await openStore();
      const claim = (job: string, day: string) => store.transaction((tx) => tx.claimDaily(job, day, T0));
      expect(await claim('purge', '2026-03-02')).toBe(true);
      expect(await claim('purge', '2026-03-02')).toBe(false);
      expect(await claim('purge', '2026-03-03')).toBe(true);
      expect(await claim('uncertain-notice:IT', '2026-03-02')).toBe(true);
    });

    it('the writer lease row: read, written, renewed and released only by its token', async () => {
      const store = await openStore();
      const lease = { token: 't1', host: 'h', pid: 42, command: 'run', startedAt: T0.toISOString(), heartbeatAt: T0.toISOString(), leaseUntil: at(1).toISOString() };
      expect(await store.transaction((tx) => tx.writerLease('store'))).toBeNull();
      await store.transaction((tx) => tx.putWriterLease('store', lease));
      expect(await store.transaction((tx) => tx.writerLease('store'))).toEqual(lease);
      await store.transaction((tx) => tx.putWriterLease('store', { ...lease, heartbeatAt: at(1).toISOString(), leaseUntil: at(2).toISOString() }));
      expect(await store.transaction((tx) => tx.writerLease('store'))).toMatchObject({ heartbeatAt: at(1).toISOString(), leaseUntil: at(2).toISOString() });
      expect(await store.transaction((tx) => tx.releaseWriterLease('store', 'other'))).toBe(false);
      expect(await store.transaction((tx) => tx.releaseWriterLease('store', 't1'))).toBe(true);
      expect(await store.transaction((tx) => tx.writerLease('store'))).toBeNull();
    });

    it('fleet lease rows: written, replaced, listed in name order, dropped; the fence matches owner, epoch and time only', async () => {
      const store = await openStore();
      const row = { name: 'mailbox:IT', owner: 'A', host: 'h', pid: 7, heartbeatAt: T0.toISOString(), leaseUntil: at(1).toISOString(), epoch: 3 };
      await store.transaction(async (tx) => {
        await tx.putFleetLease(row);
        await tx.putFleetLease({ ...row, name: 'instance:A', epoch: 0 });
      });
      expect(await store.fleetLeases()).toEqual([{ ...row, name: 'instance:A', epoch: 0 }, row]);
      await store.transaction((tx) => tx.putFleetLease({ ...row, owner: null, host: null, pid: null, leaseUntil: null }));
      expect(await store.transaction((tx) => tx.fleetLeases())).toContainEqual({ ...row, owner: null, host: null, pid: null, leaseUntil: null });
      await store.transaction((tx) => tx.putFleetLease({ ...row, owner: 'B', epoch: 4 }));
      const holds = (owner: string, epoch: number, now: Date) => store.transaction((tx) => tx.holdsFleetLease('mailbox:IT', owner, epoch, now));
      expect(await holds('B', 4, T0)).toBe(true);
      expect(await holds('A', 4, T0)).toBe(false);
      expect(await holds('B', 3, T0)).toBe(false);
      expect(await holds('B', 4, at(1))).toBe(false);
      await store.transaction((tx) => tx.dropFleetLease('instance:A'));
      expect((await store.fleetLeases()).map((l) => l.name)).toEqual(['mailbox:IT']);
    });

    it('keeps one self-report per daemon, each replaced by its own next save, listed oldest first', async () => {
      const store = await openStore();
      const a = { host: 'vm-a', pid: 11, startedAt: at(-60).toISOString() };
      const b = { host: 'vm-b', pid: 11, startedAt: at(-60).toISOString() };
      // The same host and pid started again (a restarted pid-1 container) is another daemon.
      const a2 = { ...a, startedAt: at(-1).toISOString() };
      const never = at(-1440);
      expect(await store.daemonStatuses()).toEqual([]);
      await store.saveDaemonStatus(a, '{"a":1}', T0, never);
      await store.saveDaemonStatus(b, '{"b":1}', at(1), never);
      await store.saveDaemonStatus(a, '{"a":2}', at(2), never);
      await store.saveDaemonStatus(a2, '{"a2":1}', at(2), never);
      expect(await store.daemonStatuses()).toEqual([
        { daemon: b, json: '{"b":1}', at: at(1).toISOString() },
        { daemon: a, json: '{"a":2}', at: at(2).toISOString() },
        { daemon: a2, json: '{"a2":1}', at: at(2).toISOString() },
      ]);
      // Another process reads every report too (`sportello status` beside the daemons).
      expect((await (await store.another()).daemonStatuses()).map((r) => r.json)).toEqual(['{"b":1}', '{"a":2}', '{"a2":1}']);
    });

    it('a save deletes the reports saved before its bound (daemons long stopped or silent), its own kept', async () => {
      const store = await openStore();
      const daemon = (host: string) => ({ host, pid: 1, startedAt: T0.toISOString() });
      await store.saveDaemonStatus(daemon('old'), '{}', T0, at(-1440));
      await store.saveDaemonStatus(daemon('edge'), '{}', at(10), at(-1440));
      await store.saveDaemonStatus(daemon('me'), '{}', at(5), at(-1440));
      await store.saveDaemonStatus(daemon('me'), '{}', at(1440 + 10), at(10));
      expect((await store.daemonStatuses()).map((r) => [r.daemon.host, r.at])).toEqual([
        ['edge', at(10).toISOString()],
        ['me', at(1440 + 10).toISOString()],
      ]);
    });

    it('statsData returns cases opened since an instant and when requesters wrote', async () => {
      const store = await openStore();
      await seedCase(store);
      await store.transaction(async (tx) => {
        const c = await tx.createCase(newCase('HR', 'HR'), at(60));
        await tx.addMessage(inbound(c.id, 'hr1@client', { date: at(55).toISOString() }, 'HR'), at(60));
        await tx.addMessage(inbound(c.id, 'hr2@client', { date: null }, 'HR'), at(61));
      });
      const s = await store.statsData(at(30));
      expect(s.cases.map((c) => c.id)).toEqual(['HR-1']);
      expect(s.requesterMails).toEqual([{ desk: 'HR', at: at(55).toISOString() }, { desk: 'HR', at: at(61).toISOString() }]);
    });
  });

  describe(`${name} store contract: promises and incidents`, () => {
    const promise = (seq: number, minutes: number, source: 'sla' | 'forecast' | 'eta' | 'update' = 'forecast') => ({
      seq, at: at(minutes).toISOString(), start: T0.toISOString(), source, slaDueAt: at(240).toISOString(),
      forecast: source === 'forecast' ? { dueAt: at(minutes).toISOString(), minutes, quantile: 0.8, quantileMinutes: minutes - 10, comparable: 12, scope: 'category' as const, ahead: 2, usualAhead: 1, loadMinutes: 10 } : null,
    });

    it('a case keeps the promise it was created with and each new one; promiseCases lists new and open ones with the notices claimed', async () => {
      const store = await openStore();
      const first = promise(1, 120);
      const created = await store.transaction(async (tx) => {
        const a = await tx.createCase({ ...newCase('IT', 'IT'), sla: { ...slaPlan, promise: first } }, T0);
        const b = await tx.createCase({ ...newCase('IT', 'IT'), sla: { ...slaPlan, promise: promise(1, 300, 'sla') } }, at(1));
        await tx.createCase({ ...newCase('IT', 'IT'), sla: slaPlan }, at(2));
        const d = await tx.createCase({ ...newCase('HR', 'HR'), sla: { ...slaPlan, promise: promise(1, 60) } }, at(3));
        await tx.setStatus(d.id, 'waiting', at(3));
        await tx.addMessage({ ...inbound(b.id, 'agent@x'), direction: 'out', kind: 'agent' }, at(9));
        await tx.addMessage({ ...inbound(b.id, 'relay@x'), direction: 'out', kind: 'relay' }, at(7));
        return [a, b];
      });
      expect(created[0]!.promise).toEqual(first);
      const second = { ...promise(2, 200, 'eta'), by: 'bob@example.test', firstAt: first.at };
      await store.transaction(async (tx) => {
        await tx.setPromise('IT-1', second, at(10));
        expect(await tx.claimPromiseNotice('IT-1', 2, 'pre-breach', at(10))).toBe(true);
        expect(await tx.claimPromiseNotice('IT-1', 2, 'pre-breach', at(11))).toBe(false);
        expect(await tx.claimPromiseNotice('IT-1', 2, 'eta-told', at(11))).toBe(true);
        expect(await tx.claimPromiseNotice('IT-1', 1, 'pre-breach', at(11))).toBe(true);
      });
      expect(await store.transaction((tx) => tx.getCase('IT-1'))).toMatchObject({ promise: second, updatedAt: at(10).toISOString() });
      const pc = await store.promiseCases();
      expect(pc.map((p) => [p.record.id, p.lastAgentAt, p.updated])).toEqual([['IT-1', null, [1, 2]], ['IT-2', at(9).toISOString(), []]]);
      expect(pc[0]!.record.promise).toEqual(second);
    });

    it('promiseHistory: a desk\'s cases resolved since a date and every live one, retention tombstones included', async () => {
      const store = await openStore();
      await store.transaction(async (tx) => {
        const a = await tx.createCase({ ...newCase('IT', 'IT'), routing: routing({ category: 'network', priority: 'high' }), sla: slaPlan }, at(-3000));
        await tx.updateCase(a.id, { category: 'network', priority: 'high', status: 'closed', slaPolicy: 'std', dueAt: null, firstResponseDueAt: null, routing: {}, slaClock: { start: at(-3000).toISOString(), firstResponseMinutes: 60, resolutionMinutes: 240, pauses: [{ from: at(-2990).toISOString(), to: at(-2980).toISOString() }] } }, at(-2000));
        await tx.setCaseFields(a.id, { resolvedAt: at(-2500).toISOString(), closedAt: at(-2000).toISOString() }, at(-2000));
        const b = await tx.createCase({ ...newCase('IT', 'IT'), routing: routing({ category: 'hardware' }) }, at(-100));
        await tx.setStatus(b.id, 'open', at(-90));
        const c = await tx.createCase(newCase('IT', 'IT'), at(-50_000));
        await tx.setStatus(c.id, 'resolved', at(-49_000));
        await tx.setCaseFields(c.id, { resolvedAt: at(-49_000).toISOString() }, at(-49_000));
        await tx.createCase(newCase('HR', 'HR'), at(-10));
      });
      await store.purge({ rawBefore: null, closedBefore: at(-1000).toISOString() }, T0, { dryRun: false, actor: 'test' });
      const h = await store.promiseHistory('IT', { since: at(-10_000), cases: 5000 });
      expect(h).toEqual([
        { category: 'network', priority: 'high', status: 'closed', createdAt: at(-3000).toISOString(), resolvedAt: at(-2500).toISOString(), pauses: [] },
        { category: 'hardware', priority: routing().priority, status: 'open', createdAt: at(-100).toISOString(), resolvedAt: null, pauses: [] },
      ]);
    });

    it('promiseHistory reads at most the N most recently resolved cases (tombstones too), and every live case whatever N', async () => {
      const store = await openStore();
      await store.transaction(async (tx) => {
        for (const n of [1, 2, 3, 4]) {
          const c = await tx.createCase(newCase('IT', 'IT'), at(-1000 * n));
          await tx.setStatus(c.id, 'resolved', at(-100 * n));
          await tx.setCaseFields(c.id, { resolvedAt: at(-100 * n).toISOString() }, at(-100 * n));
        }
        // Reopened after a resolution long ago: live, so always read, and once.
        const reopened = await tx.createCase(newCase('IT', 'IT'), at(-9000));
        await tx.setCaseFields(reopened.id, { resolvedAt: at(-8000).toISOString() }, at(-8000));
        await tx.setStatus(reopened.id, 'open', at(-7000));
        await tx.createCase(newCase('IT', 'IT'), at(-50));
      });
      const h = await store.promiseHistory('IT', { since: at(-10_000), cases: 2 });
      expect(h.map((c) => [c.createdAt, c.resolvedAt])).toEqual([
        [at(-9000).toISOString(), at(-8000).toISOString()],
        [at(-2000).toISOString(), at(-200).toISOString()],
        [at(-1000).toISOString(), at(-100).toISOString()],
        [at(-50).toISOString(), null],
      ]);
    });

    it('promiseHistory: a long history comes whole, once each, in its order', async () => {
      const store = await openStore();
      const n = 2_500;
      const expected: { createdAt: string; category: string }[] = [];
      await store.transaction(async (tx) => {
        for (let i = 0; i < n; i++) {
          // Creation times out of insertion order (7919 is prime to n): the order must come from the read.
          const createdAt = at(-1 - ((i * 7919) % n));
          const category = i % 3 === 0 ? 'network' : 'hardware';
          await tx.createCase({ ...newCase('IT', 'IT'), routing: routing({ category }) }, createdAt);
          expected.push({ createdAt: createdAt.toISOString(), category });
          if (i % 5 === 0) await tx.createCase(newCase('HR', 'HR'), createdAt);
        }
      });
      const h = await store.promiseHistory('IT', { since: at(-10_000), cases: 5000 });
      expect(h.map((c) => ({ createdAt: c.createdAt, category: c.category }))).toEqual(expected.sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1)));
      expect(new Set(h.map((c) => c.status))).toEqual(new Set(['new']));
    });

    it('incidents: created with their kind, members joined and left, candidates and members read back', async () => {
      const store = await openStore();
      await store.transaction(async (tx) => {
        const a = await tx.createCase(newCase('IT', 'IT', 'a@example.test'), at(-500));
        await tx.addMessage(inbound(a.id, 'a1@client', { text: 'VPN down' }), at(-500));
        await tx.addMessage(inbound(a.id, 'a2@client', { text: 'still down' }), at(-400));
        const b = await tx.createCase(newCase('IT', 'IT', 'b@example.test'), at(-5));
        await tx.addMessage(inbound(b.id, 'sha256:ff', { text: 'no vpn' }), at(-5));
        const inc = await tx.createCase({ ...newCase('IT', 'IT', 'it@example.test'), kind: 'incident' }, at(-4));
        expect(inc).toMatchObject({ kind: 'incident', incident: null });
        await tx.setIncident(a.id, inc.id, at(-3));
        await tx.setIncident(b.id, inc.id, at(-3));
        const old = await tx.createCase(newCase('IT', 'IT', 'c@example.test'), at(-600));
        await tx.setStatus(old.id, 'open', at(-600));
        const closed = await tx.createCase(newCase('IT', 'IT', 'd@example.test'), at(-2));
        await tx.setStatus(closed.id, 'closed', at(-1));
        await tx.createCase(newCase('HR', 'HR'), at(-1));
      });
      const cands = await store.incidentCandidates('IT', at(-60));
      expect(cands.map((c) => [c.id, c.kind, c.incident, c.requester, c.lastRequesterMessageId])).toEqual([
        ['IT-1', 'case', 'IT-3', 'a@example.test', 'a2@client'],
        ['IT-2', 'case', 'IT-3', 'b@example.test', null],
        ['IT-3', 'incident', null, 'it@example.test', null],
      ]);
      expect(cands[0]!.text).toBe('Printer jammed\nVPN down');
      expect(cands[0]!.record).toMatchObject({ id: 'IT-1', incident: 'IT-3' });
      // Grouping reads the same live cases, as columns only: each is its whole case cut down.
      const slim = await store.transaction((tx) => tx.groupCandidates('IT', at(-60)));
      expect(slim).toEqual(cands.map(({ record, lastRequesterMessageId: _, ...c }) => ({ ...c, subject: record.subject, dueAt: record.dueAt, firstResponseDueAt: record.firstResponseDueAt })));
      expect(await store.groupCandidates('IT', at(-60))).toEqual(slim);
      expect((await store.groupCandidates('HR', at(-60))).map((c) => c.id)).toEqual(['HR-1']);
      const d = (await store.getCaseDetail('IT-3'))!;
      expect(d.members!.map((m) => m.id)).toEqual(['IT-1', 'IT-2']);
      expect((await store.getCaseDetail('IT-1'))!.members).toBeUndefined();
      await store.transaction((tx) => tx.setIncident('IT-2', null, T0));
      expect((await store.getCaseDetail('IT-3'))!.members!.map((m) => m.id)).toEqual(['IT-1']);
      expect((await store.listCases({ desk: 'IT' })).map((c) => [c.id, c.kind ?? 'case'])).toContainEqual(['IT-3', 'incident']);
    });

    it('statsData counts how often each case was reopened', async () => {
      const store = await openStore();
      await seedCase(store, async (tx, id) => tx.addEvents(id, [{ type: 'reopened', actor: 'alice@example.test', data: {} }, { type: 'reopened', actor: 'alice@example.test', data: {} }], T0));
      await seedCase(store);
      expect((await store.statsData(at(-1))).reopened).toEqual({ 'IT-1': 2 });
    });
  });

  describe(`${name} store contract: listCases`, () => {
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
        const when = new Date(T0.getTime() + i * 3_600_000);
        await store.transaction(async (tx) => {
          const c = await tx.createCase({ ...newCase(desk, desk, requester), routing: routing({ category }) }, when);
          if (assignee) await tx.setCaseFields(c.id, { assignee }, when);
          if (i === 4) await tx.setStatus(c.id, 'open', when);
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
      ['by status', { status: ['open'] as const }, ['HR-2']],
      ['since an instant', { since: new Date(T0.getTime() + 3 * 3_600_000) }, ['IT-3', 'HR-2']],
      ['filters combine', { desk: 'IT', requester: 'alice@example.test', newestFirst: true }, ['IT-3', 'IT-1']],
    ] as const)('%s', async (_label, filter, ids) => {
      const store = await seeded();
      expect((await store.listCases(filter)).map((c) => c.id)).toEqual(ids);
    });
  });

  describe(`${name} store contract: retention and erasure`, () => {
    const DAY = 86_400_000;
    const NOW = new Date('2026-12-05T08:00:00.000Z');
    const ago = (days: number) => new Date(NOW.getTime() - days * DAY);
    const reply = (to: string, text = 'We are on it'): OutgoingMail => ({ ...outgoing(to), text, html: `<p>${text}</p>`, attachments: [{ filename: 'a.txt', contentType: 'text/plain', contentBase64: 'aGk=' }] });

    /** IT-1 closed 400 days ago (alice), IT-2 closed 10 days ago (carlo, alice in Cc), IT-3 open (alice). */
    async function seed(store: CaseStore): Promise<void> {
      await store.transaction(async (tx) => {
        const c1 = await tx.createCase({ ...newCase('IT', 'IT', 'Alice@Example.test'), routing: routing({ category: 'hardware' }) }, ago(420));
        await tx.addMessage(inbound(c1.id, 'a1@client', { from: { address: 'alice@example.test', name: 'Alice' }, date: ago(420).toISOString() }), ago(420));
        await tx.enqueue({ caseId: c1.id, kind: 'auto-reply', envelopeFrom: '', mail: reply('alice@example.test') }, null, ago(420));
        await tx.addEvents(c1.id, [{ type: 'rated', actor: 'alice@example.test', data: { score: 4, comment: 'Quick, thanks' } }], ago(410));
        await tx.setCaseFields(c1.id, { closedAt: ago(400).toISOString(), rating: { score: 4, comment: 'Quick, thanks', at: ago(410).toISOString() } }, ago(400));
        await tx.setStatus(c1.id, 'closed', ago(400));
        await tx.recordEscalation(c1.id, 'warning', ago(415), ago(415));
        const c2 = await tx.createCase(newCase('IT', 'IT', 'carlo@example.test'), ago(40));
        await tx.addMessage(inbound(c2.id, 'c1@client', { from: { address: 'carlo@example.test', name: 'Carlo' }, cc: [{ address: 'alice@example.test', name: 'Alice' }], text: 'VPN down; alice@example.test too' }), ago(40));
        await tx.setCaseFields(c2.id, { closedAt: ago(10).toISOString() }, ago(10));
        await tx.setStatus(c2.id, 'closed', ago(10));
        await tx.link(c1.id, c2.id, 'same requester', ago(40));
        await tx.enqueue({ caseId: c2.id, kind: 'relay', envelopeFrom: 'it@example.test', mail: reply('carlo@example.test', 'Fixed') }, null, ago(38));
        const c3 = await tx.createCase(newCase('IT', 'IT', 'alice@example.test'), ago(2));
        await tx.addMessage(inbound(c3.id, 'a3@client', { from: { address: 'alice@example.test', name: 'Alice' } }), ago(2));
        await tx.setCaseFields(c3.id, { assignee: 'bob@example.test' }, ago(2));
        await tx.enqueue({ caseId: c3.id, kind: 'auto-reply', envelopeFrom: '', mail: reply('alice@example.test') }, null, NOW);
        await tx.quarantine({ position: null, messageId: 'q1@client', code: 'TOO_LARGE', reason: 'too large', stage: null, raw: Buffer.from('From: ALICE@example.test\r\n\r\nbig') }, ago(100));
        await tx.quarantine({ position: null, messageId: 'q2@client', code: 'UNPARSEABLE', reason: 'broken', stage: null, raw: Buffer.from('From: dan@example.test\r\n\r\n\u00e9') }, ago(100));
      });
      for (const [id, when] of [[1, ago(420)], [2, ago(38)]] as const) {
        await store.markSending([id], when);
        await store.markSent([id], when);
      }
    }

    it('a dry run counts exactly what the real run does and changes nothing; the deleted cases leave tombstones', async () => {
      const store = await openStore();
      await seed(store);
      const cutoffs = retentionCutoffs({ rawMailDays: 30, closedCaseDays: 365 }, NOW);
      const statsBefore = await store.statsData(new Date(0));
      const dry = await store.purge(cutoffs, NOW, { dryRun: true, actor: 'test' });
      expect(await store.listCases({})).toHaveLength(3);
      expect(await store.auditLog(10)).toEqual([]);
      const real = await store.purge(cutoffs, NOW, { dryRun: false, actor: 'test' });
      expect(real).toEqual(dry);
      expect(real).toEqual({ cases: 1, messages: 1, events: 1, outbox: 1, links: 2, escalations: 1, rawSources: 1, quarantineRaw: 0, outboxBodies: 1 });
      expect((await store.listCases({})).map((c) => c.id)).toEqual(['IT-2', 'IT-3']);
      const statsAfter = await store.statsData(new Date(0));
      expect(statsAfter.cases.map((c) => [c.id, c.number, c.createdAt, c.closedAt, c.rating?.score])).toEqual(statsBefore.cases.map((c) => [c.id, c.number, c.createdAt, c.closedAt, c.rating?.score]));
      expect(statsAfter.requesterMails).toEqual(expect.arrayContaining([{ desk: 'IT', at: ago(420).toISOString() }]));
      expect(statsAfter.cases[0]).toMatchObject({ id: 'IT-1', requester: { address: '', name: '' }, subject: '' });
      // The deleted mail is still a duplicate; the number is never reused.
      expect(duplicateOf(await store.lookupFacts('IT', null, 'a1@client', null, keys(), NOW))).toMatch(/deleted by retention/);
      expect(await store.transaction(async (tx) => (await tx.createCase(newCase('IT', 'IT'), NOW)).id)).toBe('IT-4');
      // Sent bodies lose their text; unsent rows keep theirs.
      const sent = (await store.outboxProblems(10)).map((p) => p.id);
      expect(sent).toEqual([3]);
      const [audit] = await store.auditLog(10);
      expect(audit).toMatchObject({ action: 'purge', actor: 'test', counts: real, subjectHash: null, at: NOW.toISOString() });
      // claimDay: once a day.
      expect(await store.purge(cutoffs, NOW, { dryRun: false, actor: 'daemon', claimDay: '2026-12-05' })).not.toBeNull();
      expect(await store.purge(cutoffs, NOW, { dryRun: false, actor: 'daemon', claimDay: '2026-12-05' })).toBeNull();
    });

    it('forget replaces the address everywhere, cancels unsent mail to them, and counts the same in a dry run', async () => {
      const store = await openStore();
      await seed(store);
      const hash = await store.erasureHash(' Alice@example.test ');
      expect(hash).toBe(await store.erasureHash('alice@example.test'));
      expect(hash).toMatch(/^[0-9a-f]{64}$/);
      const target = erasureTarget('alice@example.test', erasedPlaceholder(hash));
      const dry = await store.forget(target, hash, NOW, { dryRun: true, actor: 'test' });
      expect((await store.listCases({ requester: 'alice@example.test' })).length).toBe(2);
      const real = await store.forget(target, hash, NOW, { dryRun: false, actor: 'test' });
      expect(real).toEqual(dry);
      expect(real).toMatchObject({ cases: 2, assigned: 0, quarantine: 1, outboxCancelled: 1, previousErasures: [] });
      expect(await store.listCases({ requester: 'alice@example.test' })).toEqual([]);
      const it1 = (await store.getCaseDetail('IT-1'))!;
      expect(it1.requester.address).toBe(erasedPlaceholder(hash));
      expect(JSON.stringify(it1)).not.toMatch(/alice/i);
      expect(JSON.stringify((await store.getCaseDetail('IT-2'))!.messages)).not.toMatch(/alice/i);
      expect((await store.getQuarantine(1))!.raw).toBeNull();
      expect((await store.getQuarantine(2))!.raw).not.toBeNull();
      expect(await store.dueOutbox(NOW, 10)).toEqual([]);
      const again = await store.forget(target, hash, NOW, { dryRun: false, actor: 'test' });
      expect(again.previousErasures).toHaveLength(1);
      expect((await store.auditLog(10)).map((a) => [a.action, a.subjectHash])).toEqual([['forget', hash], ['forget', hash]]);
    });
  });
}
