// The core loop end to end on the real Dovecot + Postfix stack: mail in over IMAP, one case and one
// auto-reply out, follow-ups threaded, nothing duplicated across runs and restarts, no loop with a
// vacation responder, and a subject tag alone never lets a stranger into someone else's case.

import { describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { appendRaw, readInbox, sendMail, vacation, waitForMessages, withImap } from '../support/mailstack.js';
import { freshStackEachTest, stackConfig, testApp, waitForEmptyQueue } from '../support/app.js';

let app: App | null = null;

freshStackEachTest();

async function aliceAsks(): Promise<string> {
  const id = await sendMail({
    from: 'alice',
    to: 'it',
    subject: 'El portátil no arranca',
    text: 'Hola,\n\nmi portátil no arranca desde esta mañana. ¿Podéis ayudarme?\n\nAlice',
  });
  await waitForMessages('it', 1);
  return id;
}

describe('core loop', () => {
  // Both senders, whatever this machine's CPU count makes the default (limits.sendWorker: auto).
  it.each([
    ['from a worker thread', true],
    ['from the main thread', false],
  ])('opens IT-1 for alice and sends her a tagged auto-reply marked Auto-Submitted, %s', async (_how, sendWorker) => {
    const config = stackConfig(undefined, undefined, 'none');
    app = await testApp({ ...config, limits: { ...config.limits, sendWorker } });
    const original = await aliceAsks();
    const summary = await app.once();
    expect(summary.desks.IT).toMatchObject({ seen: 1, created: 1 });
    expect(summary.outbox).toEqual({ sent: 1, retrying: 0, failed: 0 });

    const cases = await app.store.listCases({});
    expect(cases.map((c) => [c.id, c.desk, c.status, c.requester.address])).toEqual([['IT-1', 'IT', 'new', 'alice@example.test']]);

    await waitForMessages('alice', 1);
    const [reply] = await readInbox('alice');
    expect(reply!.subject).toBe('[IT-1] El portátil no arranca');
    expect(reply!.from).toBe('it@example.test');
    expect(reply!.headers.get('auto-submitted')).toBe('auto-replied');
    expect(reply!.headers.get('x-auto-response-suppress')).toBe('All');
    expect(reply!.headers.get('return-path')).toBe('<>');
    expect(reply!.inReplyTo).toBe(original);
    expect(reply!.messageId).toMatch(/^<sportello\.IT-1\.[^@]+@example\.test>$/);
    expect(reply!.text).toContain('IT-1');
  });

  it('threads alice\'s answer to the auto-reply into IT-1 without a second auto-reply', async () => {
    app = await testApp(stackConfig(undefined, undefined, 'none'));
    await aliceAsks();
    await app.once();
    await waitForMessages('alice', 1);
    const [ack] = await readInbox('alice');

    await sendMail({
      from: 'alice',
      to: 'it',
      subject: `Re: ${ack!.subject}`,
      inReplyTo: ack!.messageId!,
      references: [...ack!.references, ack!.messageId!],
      text: `Lo he vuelto a intentar y sigue igual.\n\nEl ${new Date().toUTCString()}, IT Service Desk escribió:\n> we have received your request and opened case IT-1`,
    });
    await waitForMessages('it', 2);
    const summary = await app.once();
    expect(summary.desks.IT).toMatchObject({ seen: 1, created: 0, appended: 1 });
    expect(summary.outbox.sent).toBe(0);

    const detail = await app.store.getCaseDetail('IT-1');
    expect(detail!.messages.map((m) => [m.direction, m.kind])).toEqual([
      ['in', 'requester'],
      ['out', 'auto-reply'],
      ['in', 'requester'],
    ]);
    expect(await app.store.listCases({})).toHaveLength(1);
    await waitForEmptyQueue();
    expect(await readInbox('alice')).toHaveLength(1);
  });

  it('never duplicates a case, message or reply across repeated runs and a daemon restart', async () => {
    const config = stackConfig(undefined, undefined, 'none');
    app = await testApp(config);
    await aliceAsks();
    await app.once();
    await app.once();
    await app.close();

    // A restarted process on the same database: the daemon loop, stopped once it has caught up.
    app = await testApp(config);
    const stop = new AbortController();
    const running = app.run(stop.signal);
    await sendMail({ from: 'carlo', to: 'it', subject: 'Monitor sin señal', text: 'El monitor no muestra nada.' });
    await waitForMessages('carlo', 1, { timeoutMs: 20_000 });
    stop.abort();
    await running;

    const cases = await app.store.listCases({});
    expect(cases.map((c) => c.id)).toEqual(['IT-1', 'IT-2']);
    const it1 = await app.store.getCaseDetail('IT-1');
    expect(it1!.messages).toHaveLength(2);
    expect(await app.store.outboxSummary()).toEqual({ sent: 2 });
    await waitForEmptyQueue();
    expect(await readInbox('alice')).toHaveLength(1);
    expect(await readInbox('carlo')).toHaveLength(1);
  });

  it('opens HR-1 for carlo on hr@', async () => {
    app = await testApp(stackConfig(undefined, undefined, 'none'));
    await sendMail({ from: 'carlo', to: 'hr', subject: 'Certificado de empresa', text: 'Necesito un certificado de empresa para el banco.' });
    await waitForMessages('hr', 1);
    const summary = await app.once();
    expect(summary.desks.HR).toMatchObject({ created: 1 });
    expect((await app.store.listCases({})).map((c) => [c.id, c.desk, c.requester.address])).toEqual([['HR-1', 'HR', 'carlo@example.test']]);
    await waitForMessages('carlo', 1);
    expect((await readInbox('carlo'))[0]!.subject).toBe('[HR-1] Certificado de empresa');
  });

  it('sends at most one auto-reply each way when alice has a vacation responder on', async () => {
    await vacation(true, 'alice');
    try {
      app = await testApp(stackConfig(undefined, undefined, 'none'));
      await aliceAsks();
      await app.once();
      await waitForMessages('alice', 1);
      await waitForEmptyQueue();
      // Whatever the responder did is in it@ now; a second pass must not answer it.
      const second = await app.once();
      expect(second.outbox.sent).toBe(0);
      await waitForEmptyQueue();
      const third = await app.once();
      expect(third.desks.IT).toMatchObject({ seen: 0 });

      expect(await readInbox('alice')).toHaveLength(1);
      const itInbox = await readInbox('it');
      const robotReplies = itInbox.filter((m) => /auto-replied/.test(m.headers.get('auto-submitted') ?? ''));
      expect(robotReplies.length).toBeLessThanOrEqual(1);
      const detail = await app.store.getCaseDetail('IT-1');
      expect(detail!.messages.filter((m) => m.direction === 'out')).toHaveLength(1);

      // A responder that answers anyway (RFC 3834-marked) is recorded on the case and never answered.
      const [ack] = await readInbox('alice');
      await appendRaw('it', [
        'From: Alice <alice@example.test>',
        'To: it@example.test',
        `Subject: Out of office: ${ack!.subject}`,
        'Auto-Submitted: auto-replied (vacation)',
        `In-Reply-To: ${ack!.messageId}`,
        'Message-ID: <vacation-1@example.test>',
        'Date: Mon, 02 Mar 2026 09:05:00 +0100',
        '',
        'I am away until Monday.',
        '',
      ].join('\r\n'));
      const fourth = await app.once();
      expect(fourth.desks.IT).toMatchObject({ seen: 1, appended: 1 });
      expect(fourth.outbox.sent).toBe(0);
      const after = await app.store.getCaseDetail('IT-1');
      expect(after!.messages.at(-1)).toMatchObject({ direction: 'in', kind: 'automatic' });
    } finally {
      await vacation(false, 'alice');
    }
  });

  it("opens a new case when carlo copies alice's [IT-1] tag without thread headers", async () => {
    app = await testApp(stackConfig(undefined, undefined, 'none'));
    await aliceAsks();
    await app.once();
    await sendMail({ from: 'carlo', to: 'it', subject: 'Re: [IT-1] El portátil no arranca', text: 'Yo también tengo este problema.' });
    await waitForMessages('it', 2);
    const summary = await app.once();
    expect(summary.desks.IT).toMatchObject({ created: 1, appended: 0 });
    const cases = await app.store.listCases({});
    expect(cases.map((c) => [c.id, c.requester.address])).toEqual([
      ['IT-1', 'alice@example.test'],
      ['IT-2', 'carlo@example.test'],
    ]);
    expect((await app.store.getCaseDetail('IT-1'))!.messages).toHaveLength(2);
  });

  it('quarantines a mail it cannot take and keeps processing the next one', async () => {
    app = await testApp(stackConfig(undefined, undefined, 'none'));
    // Our own auto-reply coming back (e.g. a forwarding loop) must not open a case.
    await appendRaw('it', [
      'From: IT Service Desk <it@example.test>',
      'To: it@example.test',
      'Subject: [IT-9] looped',
      'Message-ID: <sportello.IT-9.x1@example.test>',
      'Auto-Submitted: auto-replied',
      '',
      'loop',
      '',
    ].join('\r\n'));
    await aliceAsks();
    const summary = await app.once();
    expect(summary.desks.IT).toMatchObject({ seen: 2, quarantined: 1, created: 1 });
    const q = await app.store.listQuarantine(10);
    expect(q).toHaveLength(1);
    expect(q[0]).toMatchObject({ code: 'OWN_MAIL', position: { desk: 'IT', folder: 'INBOX' } });
    expect(q[0]!.raw?.toString()).toContain('looped');
  });

  it('survives a UIDVALIDITY change without reprocessing or losing mail', async () => {
    const config = stackConfig(undefined, undefined, 'none');
    const folderConfig = { ...config, desks: config.desks.map((d) => (d.id === 'IT' ? { ...d, imap: { ...d.imap, folder: 'Desk' } } : d)) };
    const msg = (n: number) =>
      [`From: Alice <alice@example.test>`, 'To: it@example.test', `Subject: Pedido ${n}`, `Message-ID: <pedido-${n}@example.test>`, '', `Texto ${n}`, ''].join('\r\n');
    await withImap('it', async (c) => {
      await c.mailboxCreate('Desk').catch(() => undefined);
      await c.append('Desk', msg(1));
    });
    app = await testApp(folderConfig);
    expect((await app.once()).desks.IT).toMatchObject({ created: 1 });

    // Recreating the folder gives it a new UIDVALIDITY; the old mail comes back with the same UID.
    await withImap('it', async (c) => {
      await c.mailboxDelete('Desk');
      await c.mailboxCreate('Desk');
      await c.append('Desk', msg(1));
      await c.append('Desk', msg(2));
    });
    const summary = await app.once();
    expect(summary.desks.IT).toMatchObject({ seen: 2, created: 1, duplicates: 1 });
    expect((await app.store.listCases({})).map((c) => c.subject)).toEqual(['Pedido 1', 'Pedido 2']);
  });
});
