// The SMTP adapter against a scripted server on a loopback socket: a 535 to AUTH becomes SMTP_AUTH
// naming the server and the config keys (so the outbox pauses instead of failing replies), a 550 to RCPT
// stays SMTP_PERMANENT. The local Postfix offers no AUTH, hence the script.

import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createSmtpSender } from '../../../src/adapters/smtp-sender.js';
import { isSportelloError, describeError } from '../../../src/errors.js';
import type { OutgoingMail } from '../../../src/ports.js';

let servers: net.Server[] = [];
afterEach(async () => {
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

describe('createSmtpSender', () => {
  it('a 535 to AUTH is SMTP_AUTH, naming the server, the user and the config keys', async () => {
    const port = await scriptedSmtp({ EHLO: '250-scripted\r\n250 AUTH PLAIN LOGIN', AUTH: '535 5.7.8 Error: authentication failed' });
    const sender = createSmtpSender(smtp(port));
    const err = await sender.send(mail, '').catch((e: unknown) => e);
    sender.close();
    expect(isSportelloError(err, 'SMTP_AUTH')).toBe(true);
    expect(describeError(err)).toMatch(new RegExp(`^SMTP_AUTH: SMTP server 127\\.0\\.0\\.1:${port} rejected the login of sportello: .*535`));
    expect(describeError(err)).toContain('check smtp.user and smtp.password');
  });

  it('a 550 to RCPT stays SMTP_PERMANENT', async () => {
    const port = await scriptedSmtp({ EHLO: '250-scripted\r\n250 AUTH PLAIN LOGIN', AUTH: '235 2.7.0 ok', RCPT: '550 5.1.1 no such user' });
    const sender = createSmtpSender(smtp(port));
    const err = await sender.send(mail, '').catch((e: unknown) => e);
    sender.close();
    expect(isSportelloError(err, 'SMTP_PERMANENT')).toBe(true);
  });
});
