// A scripted ESMTP server on a loopback socket, for the SMTP adapters' tests (the local Postfix offers no
// AUTH): each command is answered by its verb. Also the one reply those tests send and their smtp config.

import net from 'node:net';
import type { OutgoingMail } from '../../src/ports.js';

const servers: net.Server[] = [];

/** A minimal ESMTP server answering each command by its verb (250 ok unless scripted); its port. */
export async function scriptedSmtp(answers: Record<string, string>): Promise<number> {
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

/** Closes every scripted server (from afterEach). */
export async function closeScriptedSmtp(): Promise<void> {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
}

export const scriptedMail: OutgoingMail = {
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

/** The smtp config for a scripted server: a login the script may refuse. */
export const scriptedConfig = (port: number) => ({ host: '127.0.0.1', port, tls: false, tlsVerify: false, ignoreStartTls: true, user: 'sportello', password: 'wrong' });
