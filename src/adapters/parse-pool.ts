// Parses mail off the main thread: a few worker_threads (src/adapters/parse-worker.ts) started on first
// use, one mail each at a time under a time budget; an overrun terminates the worker and fails the mail
// as MAIL_PARSE_TIMEOUT (quarantined with that reason). Idle workers never keep the process alive.

import type { Worker } from 'node:worker_threads';
import type { InboundMail } from '../domain/mail.js';
import { SportelloError } from '../errors.js';
import type { ParseReply, ParseRequest } from './parse-worker.js';
import { parseMail } from './mime-on-demand.js';
import { startWorker, workerScriptUrl } from './worker-script.js';

export interface ParsePoolOptions {
  /** Workers parsing at once. */
  readonly workers: number;
  /** Longest a single mail may take to parse before its worker is stopped (milliseconds). */
  readonly timeoutMs: number;
  /** The worker script (tests pass one that misbehaves); the real parse worker by default. */
  readonly workerUrl?: URL;
}

export interface ParsePool {
  parse(raw: Buffer, maxBytes: number): Promise<InboundMail>;
  /**
   * Starts the workers now instead of on the first mail (the daemon does at start: loading a worker
   * takes most of a second, which the first requester would otherwise wait for). Resolves once they are
   * loaded, or once parsing has fallen back to the main thread.
   */
  warm(): Promise<void>;
  close(): Promise<void>;
}

interface Job {
  readonly id: number;
  readonly raw: Buffer;
  readonly maxBytes: number;
  readonly resolve: (mail: InboundMail) => void;
  readonly reject: (err: unknown) => void;
}

interface Slot {
  worker: Worker;
  /** The worker said it is loaded: the budget of a mail counts parsing only, never the worker's start. */
  ready: boolean;
  job: Job | null;
  timer: NodeJS.Timeout | null;
}

/**
 * A worker's young generation (MB). V8's default lets each worker's grow to 32 MB of resident memory; a
 * worker holds one mail at a time, so a small one costs a few more, cheap scavenges and saves ~12 MB a
 * worker at the peak of a 500-mail pass. Old generation and code are left at V8's defaults.
 */
export const WORKER_YOUNG_GENERATION_MB = 4;

export function createParsePool(opts: ParsePoolOptions): ParsePool {
  const url = opts.workerUrl ?? workerScriptUrl('parse-worker');
  const slots: Slot[] = [];
  const queue: Job[] = [];
  let nextId = 0;
  let closed = false;
  let broken = false;
  const warmed: (() => void)[] = [];
  const settleWarm = () => {
    if (!broken && !closed && slots.some((slot) => !slot.ready)) return;
    for (const done of warmed.splice(0)) done();
  };

  function spawn(): Slot {
    const slot: Slot = { worker: startWorker(url, { resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } }), ready: false, job: null, timer: null };
    // Starting (and busy) workers hold the process open while mail waits for them; idle ones never do.
    slot.worker.ref();
    slot.worker.on('message', (reply: ParseReply | 'ready') => {
      if (reply === 'ready') {
        slot.ready = true;
        dispatch();
        settleWarm();
        return;
      }
      const job = slot.job;
      if (!job || reply.id !== job.id) return;
      finish(slot);
      if (reply.ok) job.resolve(reply.mail as InboundMail);
      else job.reject(new SportelloError(reply.code, reply.message, { hint: reply.hint }));
      dispatch();
    });
    const died = (why: string) => {
      if (!slot.ready) {
        // The worker cannot even start (a broken install): parse on the main thread rather than never.
        fallBack();
        return;
      }
      const job = slot.job;
      replace(slot);
      job?.reject(new SportelloError('MAIL_PARSE', `the parse worker stopped while parsing this message: ${why}`, { hint: 'the mail is kept in quarantine; release it once the cause is fixed' }));
      dispatch();
    };
    slot.worker.on('error', (err) => died(err.message));
    slot.worker.on('exit', (code) => {
      if (slots.includes(slot)) died(`exit code ${code}`);
    });
    return slot;
  }

  function finish(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.job = null;
    slot.worker.unref();
  }

  /** Stops a worker (overrun or dead) and puts a fresh one in its place. */
  function replace(slot: Slot): void {
    finish(slot);
    const i = slots.indexOf(slot);
    void slot.worker.terminate();
    if (i >= 0) slots.splice(i, 1);
    if (!closed) slots.push(spawn());
  }

  /** No workers from now on: queued and later mail is parsed on the main thread, without a budget. */
  function fallBack(): void {
    broken = true;
    for (const slot of slots.splice(0)) void slot.worker.terminate();
    for (const job of queue.splice(0)) parseMail(job.raw, { maxBytes: job.maxBytes }).then(job.resolve, job.reject);
    settleWarm();
  }

  function dispatch(): void {
    if (closed || broken) return;
    while (slots.length < opts.workers) slots.push(spawn());
    for (const slot of slots) if (slot.ready && !slot.job) slot.worker.unref();
    for (const slot of slots) {
      if (!slot.ready || slot.job || !queue.length) continue;
      const job = queue.shift()!;
      slot.job = job;
      slot.worker.ref();
      slot.timer = setTimeout(() => {
        replace(slot);
        job.reject(
          new SportelloError('MAIL_PARSE_TIMEOUT', `parsing took longer than ${opts.timeoutMs} ms; the message was set aside unparsed`, {
            context: { size: job.raw.length, timeoutMs: opts.timeoutMs },
            hint: 'raise limits.parseTimeoutMs if such mail is expected, then release it from quarantine',
          }),
        );
        dispatch();
      }, opts.timeoutMs);
      // Copied, not transferred: the caller keeps the raw bytes (stored with the case).
      slot.worker.postMessage({ id: job.id, raw: job.raw, maxBytes: job.maxBytes } satisfies ParseRequest);
    }
  }

  return {
    parse(raw, maxBytes) {
      if (closed) return Promise.reject(new Error('the parse pool is closed'));
      if (broken) return parseMail(raw, { maxBytes });
      return new Promise<InboundMail>((resolve, reject) => {
        queue.push({ id: ++nextId, raw, maxBytes, resolve, reject });
        dispatch();
      });
    },
    warm() {
      if (closed || broken) return Promise.resolve();
      dispatch();
      return new Promise<void>((resolve) => {
        warmed.push(resolve);
        settleWarm();
      });
    },
    async close() {
      closed = true;
      settleWarm();
      for (const job of queue.splice(0)) job.reject(new Error('the parse pool is closed'));
      const all = slots.splice(0);
      for (const slot of all) {
        const job = slot.job;
        finish(slot);
        job?.reject(new Error('the parse pool is closed'));
      }
      await Promise.all(all.map((s) => s.worker.terminate()));
    },
  };
}
