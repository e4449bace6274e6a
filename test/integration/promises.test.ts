// Honest promises on the real mail stack, with an injected clock: a desk with thirty resolved hardware
// cases behind it answers a new request with the date its history supports (later than the SLA, and
// says so); before that promise is missed the requester gets exactly one update in her language (not
// while the desk is closed, not again on a second pass or after a restart) and the agents are told;
// an agent's #eta tells the requester once.

import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/adapters/sqlite-store.js';
import { deskRulesOf, loadRulesOrThrow } from '../../src/rules/index.js';
import { addBusinessMinutes, businessMinutesBetween, formatDue, isOpen, thresholdAt, type BusinessCalendar } from '../../src/sla/index.js';
import type { CaseRecord } from '../../src/ports.js';
import { readInbox, sendMail, waitForMessages, type InboxMessage } from '../support/mailstack.js';
import { freshStackEachTest, manualClock, REPO, stackConfig, tempDb, testApp, waitForEmptyQueue } from '../support/app.js';
import { routing } from '../support/fakes.js';

freshStackEachTest();

let calendar: BusinessCalendar;
let db: string;
beforeEach(async () => {
  calendar = deskRulesOf(await loadRulesOrThrow(path.join(REPO, 'rules')), 'IT')!.calendar!;
  db = tempDb();
  await seedHardwareHistory(db);
});

/** Thirty resolved hardware cases in September taking 20, 21 … 49 business hours: the 80 % quantile is 43.2 h. */
async function seedHardwareHistory(file: string): Promise<void> {
  const store = await openSqliteStore(file);
  try {
    await store.transaction(async (tx) => {
      for (let i = 0; i < 30; i++) {
        const created = addBusinessMinutes(calendar, new Date('2026-09-01T07:00:00Z'), i * 60);
        const kase = await tx.createCase({ desk: 'IT', prefix: 'OLD', subject: `old ${i}`, requester: { address: `user${i}@example.test`, name: '' }, routing: routing({ category: 'hardware' }), sla: null }, created);
        const resolved = addBusinessMinutes(calendar, created, (20 + i) * 60);
        await tx.setStatus(kase.id, 'resolved', resolved);
        await tx.setCaseFields(kase.id, { resolvedAt: resolved.toISOString() }, resolved);
      }
    });
  } finally {
    await store.close();
  }
}

const es = (iso: string, now: Date) => formatDue(new Date(iso), { language: 'es', timezone: 'Europe/Madrid', now });

async function caseOf(app: { store: { listCases: (f: object) => Promise<CaseRecord[]> } }): Promise<CaseRecord> {
  const cases = (await app.store.listCases({ desk: 'IT', status: ['new', 'open', 'waiting'] })).filter((c) => !c.id.startsWith('OLD'));
  expect(cases).toHaveLength(1);
  return cases[0]!;
}

async function opensCase(clock: ReturnType<typeof manualClock>) {
  const app = await testApp(stackConfig(db), { clock });
  await sendMail({ from: 'alice', to: 'it', subject: 'La impresora no imprime', text: 'Hola,\n\nla impresora de la segunda planta no imprime nada desde ayer.\n\nAlice' });
  await waitForMessages('it', 1);
  await app.once();
  const [ack] = await waitForMessages('alice', 1).then(() => readInbox('alice'));
  return { app, ack: ack!, kase: await caseOf(app) };
}

describe('honest promises', () => {
  it('the auto-reply states the date the history supports, later than the SLA, and says why', async () => {
    const clock = manualClock('2026-11-24T09:00:00Z'); // Tuesday 10:00 in Madrid
    const { ack, kase } = await opensCase(clock);
    expect(kase.category).toBe('hardware');
    expect(kase.promise).toMatchObject({ seq: 1, source: 'forecast', slaDueAt: kase.dueAt, forecast: { comparable: 30, quantile: 0.8, quantileMinutes: 2592, scope: 'category-priority' } });
    expect(kase.promise!.at).toBe(addBusinessMinutes(calendar, clock.now(), 2592).toISOString());
    expect(kase.promise!.at > kase.dueAt!).toBe(true);
    expect(ack.text).toContain(`Prevemos resolverlo antes del ${es(kase.promise!.at, clock.now())}.`);
    // Intl writes "80 %" with a no-break space in Spanish.
    expect(ack.text.replace(/\u00a0/g, ' ')).toContain(`el 80 % de las últimas 30 solicitudes parecidas se resolvió en ese plazo, más tarde que nuestro objetivo habitual (${es(kase.dueAt!, clock.now())})`);
    expect(ack.headers.get('auto-submitted')).toBe('auto-replied');
  });

  it('tells the requester once before the promise is missed, never while the desk is closed, and tells the agents', async () => {
    const clock = manualClock('2026-11-24T09:00:00Z');
    const { app, kase } = await opensCase(clock);
    await waitForMessages('bob', 1); // the new-case notification
    const promise = kase.promise!;
    const share = thresholdAt(calendar, { start: new Date(promise.start), targetMinutes: businessMinutesBetween(calendar, new Date(promise.start), new Date(promise.at)) }, 0.8)!;

    // Monday 20:00 in Madrid: past 80 % of the promised time, but the desk is closed.
    clock.set('2026-11-30T19:00:00Z');
    expect(share < clock.now() && !isOpen(calendar, clock.now())).toBe(true);
    expect((await app.housekeeping()).promises).toMatchObject({ updates: 0 });

    // Tuesday 09:30: open, and still unanswered.
    clock.set('2026-12-01T08:30:00Z');
    expect((await app.housekeeping()).promises).toMatchObject({ updates: 1 });
    expect((await app.housekeeping()).promises).toMatchObject({ updates: 0 });
    await app.once();
    // A restart (a new process on the same database) never sends it again.
    await app.close();
    const again = await testApp(stackConfig(db), { clock });
    expect((await again.housekeeping()).promises).toMatchObject({ updates: 0 });
    await again.once();
    await waitForEmptyQueue();

    const alice = await readInbox('alice');
    expect(alice.map((m) => m.subject)).toEqual([`[${kase.id}] La impresora no imprime`, `[${kase.id}] Seguimos con su solicitud: La impresora no imprime`]);
    const update = alice[1]!;
    const after = (await caseOf(again)).promise!;
    expect(after).toMatchObject({ seq: 2, source: 'update', firstAt: promise.at });
    expect(update.text).toContain(`Preveíamos resolverla antes del ${es(promise.at, clock.now())}; ahora prevemos resolverla antes del ${es(after.at, clock.now())}.`);
    expect(update.headers.get('auto-submitted')).toBe('auto-generated');
    expect(update.headers.get('x-auto-response-suppress')).toBe('All');
    expect(update.headers.get('x-sportello-case')).toBe(kase.id);
    const alert = (await readInbox('bob')).filter((m: InboxMessage) => m.subject.includes('Update sent to the requester'));
    expect(alert).toHaveLength(1);
    expect(alert[0]!.text).toContain(`Case ${kase.id} used 80% of the time promised to its requester`);
    const events = (await again.store.getCaseDetail(kase.id))!.events.filter((e) => e.type === 'promise-update');
    expect(events).toHaveLength(1);
  }, 60_000);

  it('#eta from an agent becomes the promise and the requester is told once; no update follows', async () => {
    const clock = manualClock('2026-11-24T09:00:00Z');
    const { app } = await opensCase(clock);
    const [notification] = await waitForMessages('bob', 1).then(() => readInbox('bob'));
    clock.advance(30 * 60_000);
    await sendMail({ from: 'bob', to: 'it', subject: `Re: ${notification!.subject}`, inReplyTo: notification!.messageId!, references: [notification!.messageId!], text: '#eta 2026-12-10\n' });
    await waitForMessages('it', 2);
    await app.once();
    await app.once();
    await waitForEmptyQueue();
    const kase = await caseOf(app);
    // Thursday 10 December: the desk closes at 18:00 in Madrid.
    expect(kase.promise).toMatchObject({ seq: 2, source: 'eta', at: '2026-12-10T17:00:00.000Z', by: 'bob@example.test' });
    const alice = await readInbox('alice');
    expect(alice.map((m) => m.subject)).toHaveLength(2);
    expect(alice[1]!.text).toContain(es('2026-12-10T17:00:00.000Z', clock.now()));
    // The agent wrote after the promise: the update before a miss has nothing to say.
    clock.set('2026-12-10T14:00:00Z');
    expect((await app.housekeeping()).promises).toMatchObject({ updates: 0 });
  }, 60_000);
});
