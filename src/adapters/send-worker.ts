// The send worker (worker_threads): runs the nodemailer sender (smtp-sender.ts) with its pooled
// connections and answers each mail with ok or the SportelloError's code, message, context and hint.
// Decides nothing about retries; src/adapters/smtp-worker-sender.ts owns it and ends it on close.

import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../config/schema.js';
import { SportelloError } from '../errors.js';
import type { OutgoingMail } from '../ports.js';
import { createSmtpSender } from './smtp-sender.js';

export interface SendWorkerData {
  readonly smtp: Config['smtp'];
  readonly connections: number;
}

export interface SendRequest {
  readonly id: number;
  readonly mail: OutgoingMail;
  readonly envelopeFrom: string;
}

export interface SendErrorData {
  readonly code: string;
  readonly message: string;
  readonly context: Readonly<Record<string, string | number | boolean | null>>;
  readonly hint?: string;
}

export type SendReply =
  | { readonly id: number; readonly ok: true }
  | { readonly id: number; readonly ok: false; readonly error: SendErrorData }
  /** Loaded and listening: from now on a mail posted to the worker may reach the SMTP server. */
  | { readonly ready: true };

/** The error as data that survives postMessage: the sender's context holds only scalars, and only scalars cross. */
function errorData(err: unknown): SendErrorData {
  if (!(err instanceof SportelloError)) return { code: 'SMTP_TRANSIENT', message: (err as Error)?.message ?? String(err), context: {} };
  const context = Object.fromEntries(Object.entries(err.context).filter(([, v]) => v === null || ['string', 'number', 'boolean'].includes(typeof v))) as SendErrorData['context'];
  return { code: String(err.code), message: err.message, context, ...(err.hint ? { hint: err.hint } : {}) };
}

const { smtp, connections } = workerData as SendWorkerData;
const sender = createSmtpSender(smtp, connections);

parentPort?.on('message', (req: SendRequest | 'close') => {
  if (req === 'close') {
    // QUIT on the pooled connections, then nothing holds the thread: it ends on its own.
    sender.close();
    parentPort!.close();
    return;
  }
  sender.send(req.mail, req.envelopeFrom).then(
    () => parentPort!.postMessage({ id: req.id, ok: true } satisfies SendReply),
    (err: unknown) => parentPort!.postMessage({ id: req.id, ok: false, error: errorData(err) } satisfies SendReply),
  );
});
parentPort?.postMessage({ ready: true } satisfies SendReply);
