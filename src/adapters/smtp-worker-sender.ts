// Sends mail from one worker thread (src/adapters/send-worker.ts) so that composing and streaming
// MIME stays off the main thread; errors come back as the same SMTP_* SportelloErrors the outbox retries on.
// A worker that dies with mail in hand fails it as SMTP_UNCERTAIN (it may have gone: never resent by itself);
// one that never started fails it as SMTP_TRANSIENT (retried). An idle worker never keeps the process alive.

import type { Worker } from 'node:worker_threads';
import type { Config } from '../config/schema.js';
import { SportelloError } from '../errors.js';
import type { MailSender, OutgoingMail } from '../ports.js';
import type { SendReply, SendRequest, SendWorkerData } from './send-worker.js';
import { startWorker, workerScriptUrl } from './worker-script.js';

export interface WorkerMailSender extends MailSender {
  /**
   * Starts the worker now instead of on the first reply (the daemon does at start: loading nodemailer in a
   * fresh thread takes a good part of a second, which the first requester would otherwise wait for).
   */
  warm(): void;
  /** Fails what is still pending, lets the worker QUIT its connections; resolves once the worker has ended. */
  close(): Promise<void>;
}

interface Pending {
  readonly mail: OutgoingMail;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

/**
 * The nodemailer sender of createSmtpSender, `connections` pooled SMTP connections, inside one worker.
 * `workerUrl` is for tests (a worker that dies); the real send worker by default.
 */
export function createWorkerSmtpSender(smtp: Config['smtp'], connections = 2, workerUrl = workerScriptUrl('send-worker')): WorkerMailSender {
  const pending = new Map<number, Pending>();
  let worker: Worker | null = null;
  let nextId = 0;
  let closed = false;

  const recipients = (job: Pending) => [...job.mail.to, ...(job.mail.cc ?? [])].map((a) => a.address).join(', ');
  /** The mail never reached a running worker: nothing went out, the outbox retries it. */
  const unsent = (job: Pending, why: string) =>
    new SportelloError('SMTP_TRANSIENT', `SMTP ${smtp.host}:${smtp.port} did not take the mail to ${recipients(job)}: ${why}`, {
      context: { responseCode: null, messageId: job.mail.messageId },
      hint: 'the reply stays queued and is retried with backoff',
    });
  /** A running worker had the mail and no answer came: the server may have taken it, so it must not be resent. */
  const unanswered = (job: Pending, why: string) =>
    new SportelloError('SMTP_UNCERTAIN', `SMTP ${smtp.host}:${smtp.port} may or may not have taken the mail to ${recipients(job)}: ${why}`, {
      context: { responseCode: null, messageId: job.mail.messageId },
      hint: 'the reply is set aside as uncertain, never resent by itself; see `sportello outbox` to send it again',
    });

  function failPending(why: string, inHand: boolean): void {
    const jobs = [...pending.values()];
    pending.clear();
    for (const job of jobs) job.reject(inHand ? unanswered(job, why) : unsent(job, why));
  }

  function spawn(): Worker {
    const w = startWorker(workerUrl, { workerData: { smtp, connections } satisfies SendWorkerData });
    // Mail posted before the worker listens waits in its port: if it dies before then, nothing went out.
    let listening = false;
    w.on('message', (reply: SendReply) => {
      if ('ready' in reply) {
        listening = true;
        return;
      }
      const job = pending.get(reply.id);
      if (!job) return;
      pending.delete(reply.id);
      // Nothing under way: the idle worker (and its pooled connections) must not hold the process open.
      if (pending.size === 0) w.unref();
      if (reply.ok) job.resolve();
      else job.reject(new SportelloError(reply.error.code, reply.error.message, { context: reply.error.context, hint: reply.error.hint }));
    });
    const died = (why: string) => {
      if (worker !== w) return;
      worker = null;
      void w.terminate();
      // The next send starts a fresh worker.
      failPending(`the send worker stopped (${why})`, listening);
    };
    w.on('error', (err) => died(err.message));
    w.on('exit', (code) => died(`exit code ${code}`));
    return w;
  }

  return {
    send(mail: OutgoingMail, envelopeFrom: string): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        const job = { mail, resolve, reject };
        if (closed) return reject(unsent(job, 'the sender is closed'));
        worker ??= spawn();
        const id = ++nextId;
        worker.postMessage({ id, mail, envelopeFrom } satisfies SendRequest);
        pending.set(id, job);
        worker.ref();
      });
    },
    warm() {
      if (closed || worker) return;
      worker = spawn();
      // Nothing under way yet: the idle worker must not hold the process open.
      worker.unref();
    },
    async close() {
      closed = true;
      failPending('the sender was closed before the server answered', worker !== null);
      const w = worker;
      worker = null;
      if (!w) return;
      w.unref();
      const ended = new Promise<void>((resolve) => w.once('exit', () => resolve()));
      w.postMessage('close');
      await ended;
    },
  };
}
