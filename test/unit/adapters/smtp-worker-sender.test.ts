// Sending from a worker thread, against scripted SMTP servers on loopback (the local Postfix offers no
// AUTH): a 535 comes back as the very SMTP_AUTH the main-thread sender raises; a closed port and a worker
// that cannot start are SMTP_TRANSIENT (retried); close() ends the worker and refuses later mail.

import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createSmtpSender } from '../../../src/adapters/smtp-sender.js';
import { createWorkerSmtpSender, type WorkerMailSender } from '../../../src/adapters/smtp-worker-sender.js';
import { describeError, isSportelloError, type SportelloError } from '../../../src/errors.js';
import { closeScriptedSmtp, scriptedConfig, scriptedMail, scriptedSmtp } from '../../support/scripted-smtp.js';

let senders: WorkerMailSender[] = [];
afterEach(async () => {
  for (const s of senders.splice(0)) await s.close();
  await closeScriptedSmtp();
});

/** A loopback port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

const mail = scriptedMail;
const smtp = scriptedConfig;
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

/** The same mail through the main-thread sender and a worker sender, against one server: both errors. */
async function bothThreads(port: number): Promise<{ expected: unknown; err: unknown }> {
  const main = createSmtpSender(smtp(port));
  const expected = await main.send(mail, '').catch((e: unknown) => e);
  main.close();
  const err = await worker(smtp(port)).send(mail, '').catch((e: unknown) => e);
  return { expected, err };
}

describe('createWorkerSmtpSender', () => {
  it('a 535 to AUTH is the same SMTP_AUTH as on the main thread (code, message, context, hint)', async () => {
    const { expected, err } = await bothThreads(await scriptedSmtp({ EHLO: '250-scripted\r\n250 AUTH PLAIN LOGIN', AUTH: '535 5.7.8 Error: authentication failed' }));
    expect(isSportelloError(err, 'SMTP_AUTH')).toBe(true);
    expect(seen(err)).toEqual(seen(expected));
    expect(describeError(err)).toBe(describeError(expected));
  });

  it('a closed port is SMTP_TRANSIENT, as on the main thread', async () => {
    const { expected, err } = await bothThreads(await closedPort());
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
