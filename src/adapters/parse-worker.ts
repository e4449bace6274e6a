// The parse worker (worker_threads): parses one raw mail at a time with parseMail and posts the result or
// the error's code and message back. Holds no state between mails; never touches the store or the network.
// src/adapters/parse-pool.ts owns it and terminates it when a mail overruns its time budget.

import { parentPort } from 'node:worker_threads';
import { parseMail } from './mime-parser.js';
import { SportelloError } from '../errors.js';

export interface ParseRequest {
  readonly id: number;
  readonly raw: Uint8Array;
  readonly maxBytes: number;
}

export type ParseReply =
  | { readonly id: number; readonly ok: true; readonly mail: unknown }
  | { readonly id: number; readonly ok: false; readonly code: string; readonly message: string; readonly hint?: string };

parentPort?.on('message', (req: ParseRequest) => {
  const raw = Buffer.from(req.raw.buffer, req.raw.byteOffset, req.raw.byteLength);
  parseMail(raw, { maxBytes: req.maxBytes }).then(
    (mail) => parentPort!.postMessage({ id: req.id, ok: true, mail } satisfies ParseReply),
    (err: unknown) => {
      const code = err instanceof SportelloError ? String(err.code) : 'MAIL_PARSE';
      const hint = err instanceof SportelloError ? err.hint : undefined;
      parentPort!.postMessage({ id: req.id, ok: false, code, message: (err as Error)?.message ?? String(err), ...(hint ? { hint } : {}) } satisfies ParseReply);
    },
  );
});

// Loaded: from now on the pool counts each mail's time budget.
parentPort?.postMessage('ready');
