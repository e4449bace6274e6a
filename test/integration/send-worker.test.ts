// Sending from a worker thread through the real local Postfix: the mail delivered is the one the
// main-thread sender delivers (headers, bodies, attachment, null reverse-path); a refused recipient is the
// same SMTP_PERMANENT; a worker that dies mid-send fails that mail as SMTP_UNCERTAIN (never resent by itself)
// and the next one goes.

import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSmtpSender } from '../../src/adapters/smtp-sender.js';
import { createWorkerSmtpSender, type WorkerMailSender } from '../../src/adapters/smtp-worker-sender.js';
import { isSportelloError, type SportelloError } from '../../src/errors.js';
import type { OutgoingMail } from '../../src/ports.js';
import { STACK, readInbox, resetMailboxes, waitForMessages, type InboxMessage } from '../support/mailstack.js';

const DYING = new URL('../fixtures/workers/dying-send-worker.ts', import.meta.url);
const smtp = { host: STACK.smtpHost, port: STACK.smtpPort, tls: false, tlsVerify: false, ignoreStartTls: true };

let senders: WorkerMailSender[] = [];
beforeEach(async () => {
  await resetMailboxes('alice', 'bob');
});
afterEach(async () => {
  for (const s of senders.splice(0)) await s.close();
});
const worker = (workerUrl?: URL) => {
  const s = createWorkerSmtpSender(smtp, 2, workerUrl);
  senders.push(s);
  return s;
};

const reply = (id: string, over: Partial<OutgoingMail> = {}): OutgoingMail => ({
  from: { address: STACK.addr('it'), name: 'IT Help Désk' },
  replyTo: { address: 'it+note@example.test', name: '' },
  to: [{ address: STACK.addr('alice'), name: 'Alice Müller' }],
  cc: [{ address: STACK.addr('bob'), name: '' }],
  subject: `[IT-1] Stampante bloccata — ${id}`,
  messageId: `sportello.IT-1.${id}@example.test`,
  inReplyTo: 'client.1@example.test',
  references: ['root.0@example.test', 'client.1@example.test'],
  headers: { 'Auto-Submitted': 'auto-replied', 'X-Sportello-Case': 'IT-1' },
  text: `Grazie, abbiamo ricevuto la richiesta. Perché la stampante è ferma?\n${'una riga lunga '.repeat(12)}\n`,
  html: '<p>Grazie, <b>abbiamo ricevuto</b> la richiesta.</p>',
  attachments: [{ filename: 'log.txt', contentType: 'text/plain', contentBase64: Buffer.from('paper jam at tray 2\n').toString('base64') }],
  ...over,
});

/** The delivered mail without what differs between any two sends (UID, Message-ID, dates, boundaries). */
async function delivered(msg: InboxMessage) {
  const parsed = await simpleParser(msg.raw);
  return {
    subject: msg.subject.replace(/ — .*$/, ''),
    from: msg.from,
    to: msg.to,
    cc: msg.cc,
    replyTo: parsed.replyTo?.text,
    inReplyTo: msg.inReplyTo,
    references: msg.references,
    returnPath: msg.headers.get('return-path'),
    autoSubmitted: msg.headers.get('auto-submitted'),
    case: msg.headers.get('x-sportello-case'),
    text: msg.text,
    html: msg.html,
    attachments: parsed.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content.toString() })),
  };
}

/** What the outbox and the logs see of an error: code, message, context and hint. */
const seen = (err: unknown) => {
  const e = err as SportelloError;
  return { code: e.code, message: e.message, context: e.context, hint: e.hint };
};

describe('createWorkerSmtpSender against Postfix', () => {
  it('delivers the same mail as the main-thread sender, with the null reverse-path', async () => {
    const main = createSmtpSender(smtp);
    await main.send(reply('main'), '');
    main.close();
    await worker().send(reply('worker'), '');
    await waitForMessages('alice', 2);
    const [a, b] = await readInbox('alice');
    const [fromMain, fromWorker] = [await delivered(a!), await delivered(b!)];
    expect(fromWorker).toEqual(fromMain);
    expect(fromWorker).toMatchObject({ returnPath: '<>', autoSubmitted: 'auto-replied', attachments: [{ filename: 'log.txt', content: 'paper jam at tray 2\n' }] });
    expect(b!.messageId).toBe('<sportello.IT-1.worker@example.test>');
    await waitForMessages('bob', 2);
  });

  it('a refused recipient is the same SMTP_PERMANENT as on the main thread', async () => {
    const refused = reply('refused', { to: [{ address: 'nobody@example.test', name: '' }], cc: [] });
    const main = createSmtpSender(smtp);
    const expected = await main.send(refused, '').catch((e: unknown) => e);
    main.close();
    const err = await worker().send(refused, '').catch((e: unknown) => e);
    expect(isSportelloError(err, 'SMTP_PERMANENT')).toBe(true);
    expect(seen(err)).toEqual(seen(expected));
    expect(seen(err).context).toEqual({ responseCode: 550, messageId: refused.messageId });
  });

  it('a worker that dies with the mail in hand fails it as SMTP_UNCERTAIN (it may have gone); the next send starts a new worker and is delivered', async () => {
    const sender = worker(DYING);
    const err = await sender.send(reply('die', { subject: 'DIE' }), '').catch((e: unknown) => e);
    expect(isSportelloError(err, 'SMTP_UNCERTAIN')).toBe(true);
    expect((err as Error).message).toMatch(/may or may not have taken the mail to alice@example\.test, bob@example\.test: the send worker stopped \(exit code 3\)$/);
    expect(seen(err).context).toEqual({ responseCode: null, messageId: 'sportello.IT-1.die@example.test' });
    await sender.send(reply('after'), '');
    await waitForMessages('alice', 1);
    expect((await readInbox('alice')).map((m) => m.messageId)).toEqual(['<sportello.IT-1.after@example.test>']);
  });

  it('several sends at once all arrive, then close() ends the worker', async () => {
    const sender = worker();
    await Promise.all(['c1', 'c2', 'c3', 'c4', 'c5'].map((id) => sender.send(reply(id, { cc: [] }), '')));
    await sender.close();
    await waitForMessages('alice', 5);
    expect((await readInbox('alice')).map((m) => m.messageId).sort()).toEqual(['c1', 'c2', 'c3', 'c4', 'c5'].map((id) => `<sportello.IT-1.${id}@example.test>`));
  });
});
