// Sends one composed reply over SMTP with nodemailer. Decides nothing about retries itself: it
// classifies failures by SMTP reply code (RFC 5321 §4.2.1: 4xx transient, 5xx permanent) and lets the
// outbox loop act. Must never invent headers beyond what the OutgoingMail carries.

import nodemailer from 'nodemailer';
import { SportelloError } from '../errors.js';
import type { Config } from '../config/schema.js';
import type { MailSender, OutgoingMail } from '../ports.js';
import type { Address } from '../domain/mail.js';

const CONNECT_TIMEOUT_MS = 15_000;
const GREETING_TIMEOUT_MS = 15_000;
const SOCKET_TIMEOUT_MS = 60_000;

const fmt = (a: Address) => (a.name ? { name: a.name, address: a.address } : a.address);
const bracket = (id: string) => `<${id}>`;

export function createSmtpSender(smtp: Config['smtp'], connections = 2): MailSender {
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.tls,
    ignoreTLS: smtp.ignoreStartTls,
    auth: smtp.user ? { user: smtp.user, pass: smtp.password ?? '' } : undefined,
    tls: { rejectUnauthorized: smtp.tlsVerify },
    connectionTimeout: CONNECT_TIMEOUT_MS,
    greetingTimeout: GREETING_TIMEOUT_MS,
    socketTimeout: SOCKET_TIMEOUT_MS,
    pool: true,
    maxConnections: connections,
    maxMessages: 1000,
  });

  return {
    async send(mail: OutgoingMail, envelopeFrom: string): Promise<void> {
      const recipients = [...mail.to, ...(mail.cc ?? [])].map((a) => a.address);
      try {
        await transport.sendMail({
          from: fmt(mail.from),
          replyTo: mail.replyTo ? fmt(mail.replyTo) : undefined,
          to: mail.to.map(fmt),
          cc: mail.cc?.map(fmt),
          subject: mail.subject,
          messageId: bracket(mail.messageId),
          inReplyTo: mail.inReplyTo ? bracket(mail.inReplyTo) : undefined,
          references: mail.references.length ? mail.references.map(bracket) : undefined,
          headers: { ...mail.headers },
          text: mail.text,
          html: mail.html ?? undefined,
          attachments: mail.attachments?.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.contentBase64, encoding: 'base64' })),
          // "" is the null reverse-path <> (RFC 5321 §4.5.5), used for auto-replies (RFC 3834 §3.3).
          envelope: { from: envelopeFrom, to: recipients },
        });
      } catch (cause) {
        const code = (cause as { responseCode?: number }).responseCode;
        // 535 (RFC 4954 §6) or nodemailer's EAUTH: our credentials, not this mail; no reply is at fault.
        if (code === 535 || (cause as { code?: string }).code === 'EAUTH') {
          throw new SportelloError('SMTP_AUTH', `SMTP server ${smtp.host}:${smtp.port} rejected the login of ${smtp.user ?? '(no user)'}: ${(cause as Error).message}`, {
            cause,
            context: { host: smtp.host, port: smtp.port, user: smtp.user ?? null, responseCode: code ?? null },
            hint: 'check smtp.user and smtp.password in the configuration; replies stay queued meanwhile',
          });
        }
        const permanent = typeof code === 'number' && code >= 500 && code < 600;
        throw new SportelloError(
          permanent ? 'SMTP_PERMANENT' : 'SMTP_TRANSIENT',
          `SMTP ${smtp.host}:${smtp.port} ${permanent ? 'rejected' : 'did not take'} the mail to ${recipients.join(', ')}: ${(cause as Error).message}`,
          {
            cause,
            context: { responseCode: code ?? null, messageId: mail.messageId },
            hint: permanent ? 'the recipient address or the message was refused; see the case events' : 'the reply stays queued and is retried with backoff',
          },
        );
      }
    },
    close() {
      transport.close();
    },
  };
}
