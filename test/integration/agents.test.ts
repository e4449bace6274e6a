// Agents work from their mail client, on the real stack (bob and maria are agents of it@):
// notified of a new case, bob answers from his client and alice receives it threaded from it@; alice
// answers; bob resolves; alice rates 5. Plus: notes stay internal, a requester's "#close" is plain
// text, a bad command gets an error listing the valid ones, reply-all is not delivered twice, and a
// late answer reopens inside the window but opens a linked case after it.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { appendRaw, readInbox, resetMailboxes, sendMail, waitForMessages, type InboxMessage } from '../support/mailstack.js';
import { manualClock, stackConfig, testApp, waitForEmptyQueue } from '../support/app.js';

let app: App | null = null;
let clock: ReturnType<typeof manualClock>;
beforeEach(async () => {
  await resetMailboxes();
  clock = manualClock('2026-11-24T09:00:00Z'); // Tuesday 10:00 in Madrid
  app = await testApp(stackConfig(), { clock });
});
afterEach(async () => {
  await app?.close();
  app = null;
});

/** The newest message in `user`'s INBOX once it holds `count`. */
async function nth(user: string, count: number): Promise<InboxMessage> {
  await waitForMessages(user, count);
  const all = await readInbox(user);
  return all[count - 1]!;
}

async function deliverAndProcess(mailbox: string, count: number): Promise<void> {
  await waitForMessages(mailbox, count);
  await app!.once();
}

const reply = (to: InboxMessage) => ({ inReplyTo: to.messageId!, references: [...to.references, to.messageId!] });

async function aliceOpensIT1(): Promise<{ notification: InboxMessage }> {
  await sendMail({ from: 'alice', to: 'it', subject: 'La impresora no imprime', text: 'Hola,\n\nla impresora de la segunda planta no imprime nada desde ayer.\n\nAlice' });
  await deliverAndProcess('it', 1);
  await waitForMessages('alice', 1); // the auto-reply
  const notification = await nth('bob', 1);
  return { notification };
}

describe('agents by mail', () => {
  it('runs the whole loop: notify, relay, answer, resolve, rate', async () => {
    const { notification } = await aliceOpensIT1();
    expect(notification.subject).toBe('[IT-1] La impresora no imprime');
    expect(notification.from).toBe('it@example.test');
    expect(notification.text).toContain('alice@example.test');
    expect(notification.text).toContain('hardware');
    expect(notification.text).toContain('la impresora de la segunda planta no imprime');
    expect(notification.text).toMatch(/#resolve/);
    await waitForMessages('maria', 1);

    // bob answers from his client: a reply to the notification, quoting it.
    clock.advance(30 * 60_000);
    await sendMail({
      from: 'bob', to: 'it', subject: `Re: ${notification.subject}`, ...reply(notification),
      text: `Hola Alice, ¿has probado a apagarla y encenderla?\n\nBob\n\nOn Tue, 24 Nov 2026 at 10:00, IT Service Desk <it@example.test> wrote:\n> ${notification.text.split('\n').join('\n> ')}`,
    });
    await deliverAndProcess('it', 2);
    const relay = await nth('alice', 2);
    expect(relay.from).toBe('it@example.test');
    expect(relay.subject).toBe('[IT-1] La impresora no imprime');
    expect(relay.headers.get('from')).toContain('Bob');
    expect(relay.text).toContain('¿has probado a apagarla y encenderla?');
    expect(relay.text).not.toContain('wrote:');
    expect(relay.text).not.toContain('#resolve');
    const original = (await readInbox('it'))[0]!;
    expect(relay.inReplyTo).toBe(original.messageId);
    let kase = (await app!.store.getCaseDetail('IT-1'))!;
    expect(kase).toMatchObject({ status: 'waiting', firstResponseAt: '2026-11-24T09:30:00.000Z' });

    // alice answers the relay; the case is open again and the agents hear about it.
    clock.advance(30 * 60_000);
    await sendMail({ from: 'alice', to: 'it', subject: `Re: ${relay.subject}`, ...reply(relay), text: 'Sí, y sigue igual.\n\nEl mar, 24 nov 2026, Bob escribió:\n> ¿has probado a apagarla?' });
    await deliverAndProcess('it', 3);
    expect((await app!.store.getCaseDetail('IT-1'))!.status).toBe('open');
    const followUp = await nth('bob', 2);
    expect(followUp.text).toContain('Sí, y sigue igual.');
    expect(followUp.text).not.toContain('¿has probado a apagarla?');

    // bob resolves with a last word for alice; she gets it and the survey; bob gets a confirmation.
    clock.advance(60 * 60_000);
    await sendMail({ from: 'bob', to: 'it', subject: `Re: ${followUp.subject}`, ...reply(followUp), text: '#resolve\nEra el tóner: lo hemos cambiado. Ya imprime.\n\nBob' });
    await deliverAndProcess('it', 4);
    const answer = await nth('alice', 3);
    expect(answer.text).toContain('Era el tóner');
    expect(answer.text).not.toContain('#resolve');
    const survey = await nth('alice', 4);
    expect(survey.subject).toMatch(/^\[IT-1\] La impresora no imprime · /);
    expect(survey.html).toContain('mailto:it@example.test');
    const confirmation = await nth('bob', 3);
    expect(confirmation.subject).toMatch(/\[IT-1\]/);
    expect(confirmation.headers.get('auto-submitted')).toBe('auto-replied');

    // alice answers "5": stored on the case, no new case, thanked.
    clock.advance(10 * 60_000);
    await sendMail({ from: 'alice', to: 'it', subject: `Re: ${survey.subject}`, ...reply(survey), text: '5\n\n¡Gracias!' });
    await deliverAndProcess('it', 5);
    await nth('alice', 5);
    kase = (await app!.store.getCaseDetail('IT-1'))!;
    expect(kase).toMatchObject({ status: 'resolved', resolvedAt: '2026-11-24T11:00:00.000Z', rating: { score: 5 } });
    expect(await app!.store.listCases({})).toHaveLength(1);
    expect(kase.messages.map((m) => m.kind)).toEqual(expect.arrayContaining(['agent', 'relay', 'notification', 'confirmation', 'rating-request', 'rating-thanks']));
  });

  it('keeps #note internal, treats a requester "#close" as text, and explains a bad command', async () => {
    const { notification } = await aliceOpensIT1();
    await sendMail({ from: 'bob', to: 'it+note', subject: `Re: ${notification.subject}`, ...reply(notification), text: 'Llamo al proveedor del contrato de impresoras.' });
    await deliverAndProcess('it', 2);
    const note = await nth('maria', 2);
    expect(note.text).toContain('Llamo al proveedor');
    await waitForEmptyQueue();
    expect(await readInbox('alice')).toHaveLength(1); // only the auto-reply
    expect((await app!.store.getCaseDetail('IT-1'))!.messages.at(0 + 3)).toMatchObject({ kind: 'note' });

    const ack = (await readInbox('alice'))[0]!;
    await sendMail({ from: 'alice', to: 'it', subject: `Re: ${ack.subject}`, ...reply(ack), text: '#close\nYa no hace falta, gracias.' });
    await deliverAndProcess('it', 3);
    expect((await app!.store.getCaseDetail('IT-1'))!.status).toBe('new');

    await sendMail({ from: 'bob', to: 'it', subject: `Re: ${notification.subject}`, ...reply(notification), text: '#priorty alta\nMirando.' });
    await deliverAndProcess('it', 4);
    const error = (await readInbox('bob')).find((m) => m.text.includes('#priorty'))!;
    expect(error).toBeDefined();
    expect(error.text).toContain('#priority');
    await waitForEmptyQueue();
    expect(await readInbox('alice')).toHaveLength(1); // nothing relayed from a refused mail
    expect((await app!.store.getCaseDetail('IT-1'))!.priority).toBe('normal');
  });

  it('does not deliver a reply-all twice, and reopens inside the window but links a new case after it', async () => {
    const { notification } = await aliceOpensIT1();
    await sendMail({ from: 'bob', to: ['alice', 'it'], subject: `Re: ${notification.subject}`, ...reply(notification), text: 'Voy a tu mesa ahora.\n\nBob' });
    await deliverAndProcess('it', 2);
    await waitForEmptyQueue();
    const alice = await readInbox('alice');
    expect(alice.map((m) => m.from)).toEqual(['it@example.test', 'bob@example.test']); // auto-reply + bob's own mail, no relay
    let kase = (await app!.store.getCaseDetail('IT-1'))!;
    expect(kase.events.map((e) => e.type)).toContain('public-reply');
    expect(kase.firstResponseAt).not.toBeNull();

    await sendMail({ from: 'bob', to: 'it', subject: `Re: ${notification.subject}`, ...reply(notification), text: '#resolve' });
    await deliverAndProcess('it', 3);
    const survey = await nth('alice', 3);
    clock.advance(2 * 86_400_000); // two days later: inside the 7-day window
    await sendMail({ from: 'alice', to: 'it', subject: `Re: ${survey.subject}`, ...reply(survey), text: 'Vuelve a fallar.' });
    await deliverAndProcess('it', 4);
    expect((await app!.store.getCaseDetail('IT-1'))!.status).toBe('open');

    await sendMail({ from: 'bob', to: 'it', subject: `Re: ${notification.subject}`, ...reply(notification), text: '#resolve\nCambiado el fusor.' });
    await deliverAndProcess('it', 5);
    clock.advance(20 * 86_400_000); // long after: auto-closed, and a reply opens a linked case
    await app!.once();
    expect((await app!.store.getCaseDetail('IT-1'))!.status).toBe('closed');
    const last = (await readInbox('alice')).at(-1)!;
    await sendMail({ from: 'alice', to: 'it', subject: `Re: ${last.subject}`, ...reply(last), text: 'Otra vez atascada, lo siento.' });
    await deliverAndProcess('it', 6);
    const cases = await app!.store.listCases({});
    expect(cases.map((c) => c.id)).toEqual(['IT-1', 'IT-2']);
    kase = (await app!.store.getCaseDetail('IT-2'))!;
    expect(kase.links).toEqual([expect.objectContaining({ caseId: 'IT-1' })]);
  });
});

describe('agents by mail: what must stay internal', () => {
  it('answering a note stays internal, and an Outlook reply with only "#resolve" relays none of the quoted notification', async () => {
    const { notification } = await aliceOpensIT1();
    await sendMail({ from: 'bob', to: 'it+note', subject: `Re: ${notification.subject}`, ...reply(notification), text: 'El proveedor viene mañana.' });
    await deliverAndProcess('it', 2);
    const note = await nth('maria', 2);
    expect(note.headers.get('reply-to')).toContain('it+note@example.test');
    // maria's client answers to Reply-To: the answer is another note, for bob only.
    await sendMail({ from: 'maria', to: 'it+note', subject: `Re: ${note.subject}`, ...reply(note), text: 'Perfecto, le acompaño yo.' });
    await deliverAndProcess('it', 3);
    await nth('bob', 2);
    expect((await readInbox('bob')).at(-1)!.text).toContain('Perfecto, le acompaño yo.');

    const outlookQuote = [
      '#resolve',
      '',
      '________________________________',
      'From: IT Service Desk <it@example.test>',
      'Sent: Tuesday, November 24, 2026 10:00 AM',
      'To: bob@example.test',
      `Subject: ${notification.subject}`,
      '',
      notification.text,
    ].join('\r\n');
    await sendMail({ from: 'bob', to: 'it', subject: `RE: ${notification.subject}`, ...reply(notification), text: outlookQuote });
    await deliverAndProcess('it', 4);
    await waitForEmptyQueue();
    const toAlice = await readInbox('alice');
    expect(toAlice.map((m) => m.subject)).toEqual(['[IT-1] La impresora no imprime', expect.stringMatching(/^\[IT-1\] La impresora no imprime · /)]);
    expect(toAlice.map((m) => m.text).join('\n')).not.toMatch(/El proveedor|Perfecto|#resolve|Category|Categoría/);
    expect((await app!.store.getCaseDetail('IT-1'))!.status).toBe('resolved');
  });
});

describe('agents by mail: attachments', () => {
  it('relays the files an agent attaches (not inline signature images) to the requester', async () => {
    const { notification } = await aliceOpensIT1();
    const pdf = Buffer.from('%PDF-1.4\n% certificado de prueba\n').toString('base64');
    const logo = Buffer.from('GIF89a').toString('base64');
    await appendRaw('it', [
      'From: Bob <bob@example.test>',
      'To: it@example.test',
      `Subject: Re: ${notification.subject}`,
      `In-Reply-To: ${notification.messageId}`,
      `References: ${notification.messageId}`,
      'Message-ID: <bob-attach-1@example.test>',
      'Date: Tue, 24 Nov 2026 10:30:00 +0100',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Te adjunto las instrucciones para la impresora.',
      '--b1',
      'Content-Type: application/pdf; name="instrucciones.pdf"',
      'Content-Disposition: attachment; filename="instrucciones.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      pdf,
      '--b1',
      'Content-Type: image/gif; name="logo.gif"',
      'Content-Disposition: inline; filename="logo.gif"',
      'Content-ID: <logo@bob>',
      'Content-Transfer-Encoding: base64',
      '',
      logo,
      '--b1--',
      '',
    ].join('\r\n'));
    await deliverAndProcess('it', 2);
    const relay = await nth('alice', 2);
    expect(relay.text).toContain('Te adjunto las instrucciones');
    const parts = relay.raw.toString();
    expect(parts).toContain('filename=instrucciones.pdf');
    expect(parts).not.toContain('logo.gif');
  });
});

describe('agents by mail: waiting', () => {
  it('#wait pauses the case until the requester answers or the wait runs out', async () => {
    const { notification } = await aliceOpensIT1();
    await sendMail({ from: 'bob', to: 'it', subject: `Re: ${notification.subject}`, ...reply(notification), text: '#wait 1d\n¿Me mandas una foto de la pantalla de la impresora?' });
    await deliverAndProcess('it', 2);
    expect(await app!.store.getCaseDetail('IT-1')).toMatchObject({ status: 'waiting', waitUntil: '2026-11-25T09:00:00.000Z', dueAt: null });
    clock.advance(25 * 3_600_000);
    await app!.once();
    const kase = (await app!.store.getCaseDetail('IT-1'))!;
    expect(kase).toMatchObject({ status: 'open', waitUntil: null });
    expect(kase.dueAt).not.toBeNull();
    expect(kase.events.map((e) => e.type)).toEqual(expect.arrayContaining(['sla-paused', 'sla-resumed', 'wait-expired']));
  });
});

describe('agents by mail: trust and several desks', () => {
  it('links the cases when one mail goes to it@ and hr@', async () => {
    await sendMail({ from: 'carlo', to: 'it', cc: 'hr', subject: 'Portátil para la nueva incorporación', text: 'El lunes empieza Lucía: necesita portátil y alta en nómina.' });
    await waitForMessages('it', 1);
    await waitForMessages('hr', 1);
    await app!.once();
    const it1 = (await app!.store.getCaseDetail('IT-1'))!;
    const hr1 = (await app!.store.getCaseDetail('HR-1'))!;
    expect(it1.links.map((l) => l.caseId)).toEqual(['HR-1']);
    expect(hr1.links.map((l) => l.caseId)).toEqual(['IT-1']);
  });

  it('handles an unverified agent as an ordinary sender and tells them why', async () => {
    await app!.close();
    const config = stackConfig();
    const strict = { ...config, desks: config.desks.map((d) => ({ ...d, trust: { authResults: true, authservId: 'mx.example.test', relays: [] } })) };
    app = await testApp(strict, { clock });
    const { notification } = await aliceOpensIT1();
    await sendMail({ from: 'bob', to: 'it', subject: `Re: ${notification.subject}`, ...reply(notification), text: '#resolve\nHecho.' });
    await deliverAndProcess('it', 2);
    const notice = (await readInbox('bob')).find((m) => /Authentication-Results|verif/i.test(m.text))!;
    expect(notice).toBeDefined();
    const kase = (await app!.store.getCaseDetail('IT-1'))!;
    expect(kase.status).toBe('new');
    expect(kase.messages.filter((m) => m.from?.address === 'bob@example.test').map((m) => [m.direction, m.kind])).toEqual([['in', 'requester']]);
    expect(kase.messages.filter((m) => m.kind === 'not-trusted').map((m) => m.to.map((a) => a.address))).toEqual([['bob@example.test']]);
  });
});
