// Sending from a worker thread, against scripted SMTP servers on loopback (the local Postfix offers no
// AUTH): a 535 comes back as the very SMTP_AUTH the main-thread sender raises; a closed port and a worker
// that cannot start are SMTP_TRANSIENT (retried); close() ends the worker and refuses later mail.

import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createSmtpSender } from '../../../src/adapters/smtp-sender.js';
import { createWorkerSmtpSender, type WorkerMailSender } from '../../../src/adapters/smtp-worker-sender.js';
import { describeError, isSportelloError, type SportelloError } from '../../../src/errors.js';
import type { OutgoingMail } from '../../../src/ports.js';

let servers: net.Server[] = [];
let senders: WorkerMailSender[] = [];
afterEach(async () => {
  for (const s of senders.splice(0)) await s.close();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  servers = [];
});

/** A minimal ESMTP server answering each command by its verb. */
async function scriptedSmtp(answers: Record<string, string>): Promise<number> {
  const server = net.createServer((socket) => {
    socket.write('220 scripted ESMTP\r\n');
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        const verb = line.split(' ')[0]!.toUpperCase();
        if (verb === 'QUIT') {
          socket.end('221 bye\r\n');
          return;
        }
        socket.write(`${answers[verb] ?? '250 ok'}\r\n`);
      }
    });
    socket.on('error', () => undefined);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as net.AddressInfo).port;
}

/** A loopback port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

const mail: OutgoingMail = {
  from: { address: 'it@example.test', name: 'IT' },
  to: [{ address: 'alice@example.test', name: '' }],
  subject: 'hello',
  messageId: 'sportello.IT-1.x@example.test',
  inReplyTo: null,
  references: [],
  headers: {},
  text: 'hi',
  html: null,
};

const smtp = (port: number) => ({ host: '127.0.0.1', port, tls: false, tlsVerify: false, ignoreStartTls: true, user: 'sportello', password: 'wrong' });
const worker = (...args: Parameters<typeof createWorkerSmtpSender>) => {
  const s = createWorkerSmtpSender(...args);
  senders.push(s);
  return s;
};
/** What the outbox and the logs see of an error: code, message, context and hint. */
const seen = (err: unknown) => {
  const e = err as SportelloError;
  return { code: e.code, message: e.message, context: e.context, hint: e.hint };
};

describe('createWorkerSmtpSender', () => {
  it('a 535 to AUTH is the same SMTP_AUTH as on the main thread (code, message, context, hint)', async () => {
    const port = await scriptedSmtp({ EHLO: '250-scripted\r\n250 AUTH PLAIN LOGIN', AUTH: '535 5.7.8 Error: authentication failed' });
    const main = createSmtpSender(smtp(port));
    const expected = await main.send(mail, '').catch((e: unknown) => e);
    main.close();
    const err = await worker(smtp(port)).send(mail, '').catch((e: unknown) => e);
    expect(isSportelloError(err, 'SMTP_AUTH')).toBe(true);
    expect(seen(err)).toEqual(seen(expected));
    expect(describeError(err)).toBe(describeError(expected));
  });

  it('a closed port is SMTP_TRANSIENT, as on the main thread', async () => {
    const port = await closedPort();
    const main = createSmtpSender(smtp(port));
    const expected = await main.send(mail, '').catch((e: unknown) => e);
    main.close();
    const err = await worker(smtp(port)).send(mail, '').catch((e: unknown) => e);
    expect(isSportelloError(err, 'SMTP_TRANSIENT')).toBe(true);
    expect(seen(err)).toEqual(seen(expected));
  });

  it('a worker that cannot start fails each send as SMTP_TRANSIENT, and the next send tries a new one', async () => {
    const sender = worker(smtp(await closedPort()), 1, new URL('../../fixtures/workers/no-such-worker.ts', import.meta.url));
    for (const _ of [1, 2]) {
      const err = await sender.send(mail, '').catch((e: unknown) => e);
      expect(isSportelloError(err, 'SMTP_TRANSIENT')).toBe(true);
      expect((err as Error).message).toMatch(/^SMTP 127\.0\.0\.1:\d+ did not take the mail to alice@example\.test: the send worker stopped/);
      expect(seen(err).context).toEqual({ responseCode: null, messageId: mail.messageId });
    }
  });

  it('warm() starts the worker ahead of the first mail, which then goes through it; after close() it starts nothing', async () => {
    const port = await scriptedSmtp({});
    const sender = worker({ ...smtp(port), user: undefined, password: undefined });
    sender.warm();
    sender.warm();
    await expect(sender.send(mail, '')).resolves.toBeUndefined();
    await sender.close();
    sender.warm();
    const err = await sender.send(mail, '').catch((e: unknown) => e);
    expect(isSportelloError(err, 'SMTP_TRANSIENT')).toBe(true);
    expect((err as Error).message).toMatch(/the sender is closed$/);
  });

  it('close() ends the worker; mail after it is refused as SMTP_TRANSIENT', async () => {
    const port = await scriptedSmtp({ EHLO: '250-scripted\r\n250 AUTH PLAIN LOGIN', AUTH: '535 5.7.8 Error: authentication failed' });
    const sender = worker(smtp(port));
    await sender.send(mail, '').catch(() => undefined); // the worker is up
    await sender.close();
    const err = await sender.send(mail, '').catch((e: unknown) => e);
    expect(isSportelloError(err, 'SMTP_TRANSIENT')).toBe(true);
    expect((err as Error).message).toMatch(/the sender is closed$/);
  });
});
