// Many people, one problem, on the real stack: six requesters report the third floor's Wi-Fi outage in
// Spanish, Italian and English while two others write about something else. One incident with six
// members, two ordinary cases, one agent notification for the incident; the later requesters'
// auto-replies name the incident; bob's #resolve on the incident reaches each of the six once.

import { beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { readInbox, sendMail, waitForMessages, type InboxMessage } from '../support/mailstack.js';
import { freshStackEachTest, manualClock, stackConfig, testApp, waitForEmptyQueue } from '../support/app.js';

freshStackEachTest();
let app: App | null = null;
let clock: ReturnType<typeof manualClock>;
beforeEach(async () => {
  clock = manualClock('2026-11-24T09:00:00Z'); // Tuesday 10:00 in Madrid
  app = await testApp(stackConfig(), { clock });
});

const OUTAGE = [
  { from: 'dora', subject: 'Sin wifi en la tercera planta', text: 'Hola,\n\ndesde hace cinco minutos no hay wifi en la tercera planta, no carga nada.\n\nDora' },
  { from: 'enzo', subject: 'Wi-Fi non funziona', text: 'Buongiorno,\n\nal terzo piano il wifi non funziona, il portatile dice nessuna connessione.\n\nEnzo' },
  { from: 'fiona', subject: 'wifi down on floor 3', text: 'Hi,\n\nthe wifi on floor 3 is down for everyone around me.\n\nFiona' },
  { from: 'gael', subject: 'No funciona el wifi', text: 'Buenos días, el wifi no funciona en el piso 3, se desconecta todo el rato.' },
  { from: 'hana', subject: 'Rete wifi terzo piano', text: 'Ciao, la rete wifi del terzo piano è caduta, non riesco a lavorare.' },
  { from: 'ivo', subject: 'No internet on the 3rd floor', text: 'Hello IT, no internet on the 3rd floor since 10, the wireless keeps dropping.' },
] as const;
const UNRELATED = [
  { from: 'alice', subject: 'Impresora atascada', text: 'La impresora de la planta 3 se atasca con cada hoja.' },
  { from: 'carlo', subject: 'Password scaduta', text: 'Ho dimenticato la password e il mio account è bloccato.' },
] as const;

describe('incidents', () => {
  it('groups one outage reported by six people, answers them honestly and resolves them together', async () => {
    // Interleaved as they would arrive: two unrelated mails in the same half hour.
    const arrivals = [OUTAGE[0], OUTAGE[1], UNRELATED[0], OUTAGE[2], OUTAGE[3], UNRELATED[1], OUTAGE[4], OUTAGE[5]];
    const sent = new Map<string, string>();
    for (const [i, m] of arrivals.entries()) {
      sent.set(m.from, await sendMail({ from: m.from, to: 'it', subject: m.subject, text: m.text }));
      await waitForMessages('it', i + 1);
      await app!.once();
      clock.advance(3 * 60_000);
    }
    await waitForEmptyQueue();

    const cases = await app!.store.listCases({ desk: 'IT' });
    const incidents = cases.filter((c) => c.kind === 'incident');
    expect(incidents).toHaveLength(1);
    const incident = (await app!.store.getCaseDetail(incidents[0]!.id))!;
    expect(incident.members!.map((m) => m.requester.address).sort()).toEqual(OUTAGE.map((m) => `${m.from}@example.test`).sort());
    expect(incident.createdAt).toBe('2026-11-24T09:00:00.000Z'); // the outage started with the first report
    const ordinary = cases.filter((c) => c.kind === 'case' && c.incident === null);
    expect(ordinary.map((c) => c.requester.address).sort()).toEqual(['alice@example.test', 'carlo@example.test']);

    // Agents: one notification for the incident, listing its members; none for the reports that joined it.
    const bob = await readInbox('bob');
    const aboutIncident = bob.filter((m) => m.subject.includes(`[${incident.id}]`));
    expect(aboutIncident).toHaveLength(1);
    for (const m of incident.members!.slice(0, 3)) expect(aboutIncident[0]!.text).toContain(m.id);
    // Before the third report nobody knew it was an outage: the first two and the unrelated two were notified one by one.
    expect(bob).toHaveLength(5);

    // The requesters who wrote once the incident existed were told plainly it is a known problem.
    const later = ['fiona', 'gael', 'hana', 'ivo'];
    for (const who of later) {
      const [reply] = await readInbox(who);
      expect(reply!.text).toContain(incident.id);
      expect(reply!.headers.get('auto-submitted')).toBe('auto-replied');
    }
    expect((await readInbox('gael'))[0]!.text).toMatch(/Ya conocemos este problema.*\n?.*3 compañeros/s);
    expect((await readInbox('hana'))[0]!.text).toMatch(/Conosciamo già questo problema.*4 colleghi/s);
    expect((await readInbox('ivo'))[0]!.text).toMatch(/We already know about this problem.*5 colleagues/s);
    for (const who of ['dora', 'enzo']) expect((await readInbox(who))[0]!.text).not.toContain(incident.id);

    // bob answers the incident notification with #resolve: each requester hears it once, in their own thread.
    clock.advance(60 * 60_000);
    const n = aboutIncident[0]!;
    await sendMail({
      from: 'bob', to: 'it', subject: `Re: ${n.subject}`, inReplyTo: n.messageId!, references: [...n.references, n.messageId!],
      text: '#resolve\nThe access point on the third floor was replaced; the Wi-Fi works again.\n\nBob',
    });
    await waitForMessages('it', arrivals.length + 1);
    await app!.once();
    await waitForEmptyQueue();

    const detail = (await app!.store.getCaseDetail(incident.id))!;
    expect(detail.status).toBe('resolved');
    for (const member of detail.members!) {
      expect(member.status).toBe('resolved');
      const who = member.requester.address.split('@')[0]!;
      const inbox: InboxMessage[] = await waitForMessages(who, 3).then(() => readInbox(who));
      expect(inbox).toHaveLength(3); // auto-reply, the answer, the rating request: once each
      const [, relay, rating] = inbox;
      expect(relay!.from).toBe('it@example.test');
      expect(relay!.subject).toContain(`[${member.id}]`);
      expect(relay!.text).toContain('access point on the third floor was replaced');
      expect(relay!.text).not.toContain('#resolve');
      expect(relay!.inReplyTo).toBe(sent.get(who));
      expect(rating!.subject).toContain(`[${member.id}]`);
    }
    for (const who of ['alice', 'carlo']) expect(await readInbox(who)).toHaveLength(1);
    expect(ordinary.every((c) => c.status === 'new')).toBe(true);
  });
});
