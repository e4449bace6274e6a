// Parsing off the main thread: the real worker gives the same InboundMail as parseMail and carries error
// codes back; a mail that overruns its budget is stopped (worker terminated) and fails as
// MAIL_PARSE_TIMEOUT while the mail after it is parsed; in a pass it is quarantined with that reason.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WORKER_YOUNG_GENERATION_MB, createParsePool, type ParsePool } from '../../../src/adapters/parse-pool.js';
import { parseMail } from '../../../src/adapters/mime-parser.js';
import { openSqliteStore } from '../../../src/adapters/sqlite-store.js';
import { ingestMailbox } from '../../../src/shell/ingest.js';
import type { CaseStore } from '../../../src/ports.js';
import { deskRuntime, fakeMailbox, ingestDeps, testConfig } from '../../support/fakes.js';

const HANGING = new URL('../../fixtures/workers/hanging-parse-worker.ts', import.meta.url);
const LIMITS = new URL('../../fixtures/workers/limits-parse-worker.ts', import.meta.url);
const mail = (id: string, body = 'The printer is jammed.', headers = 'Content-Type: text/plain\r\n') =>
  Buffer.from(`From: Alice <alice@example.test>\r\nTo: it@example.test\r\nSubject: ${id}\r\nMessage-ID: <${id}@client.example>\r\n${headers}\r\n${body}\r\n`);
/** A 2 MB body on one line, and 100 multiparts nested in each other (mailparser has stalled on such mail). */
const LONG_LINE = mail('long', 'x'.repeat(2 * 1024 * 1024));
const NESTED = (() => {
  let body = 'Content-Type: text/plain\r\n\r\ndeep inside\r\n';
  for (let i = 100; i > 0; i--) body = `Content-Type: multipart/mixed; boundary=b${i}\r\n\r\n--b${i}\r\n${body}\r\n--b${i}--\r\n`;
  return Buffer.from(`From: alice@example.test\r\nTo: it@example.test\r\nSubject: nested\r\nMessage-ID: <nested@client.example>\r\n${body}`);
})();

let pools: ParsePool[] = [];
let stores: CaseStore[] = [];
afterEach(async () => {
  for (const p of pools.splice(0)) await p.close();
  for (const s of stores.splice(0)) await s.close();
});
const pool = (opts: Partial<Parameters<typeof createParsePool>[0]> = {}) => {
  const p = createParsePool({ workers: 1, timeoutMs: 60_000, ...opts });
  pools.push(p);
  return p;
};

describe('parse pool', () => {
  it('warm() starts the workers before any mail and resolves once they are loaded; mail then goes to them', async () => {
    const p = pool();
    await p.warm();
    await p.warm(); // loaded already: at once
    expect(await p.parse(mail('warm'), 10_000_000)).toEqual(await parseMail(mail('warm')));
  });

  it('starts its workers with a small young generation (each holds one mail at a time)', async () => {
    const limits = (await pool({ workerUrl: LIMITS }).parse(mail('limits'), 10_000_000)) as unknown as { maxYoungGenerationSizeMb: number };
    expect(limits.maxYoungGenerationSizeMb).toBe(WORKER_YOUNG_GENERATION_MB);
  });

  it('parses in a worker exactly as parseMail does, pathological mail included', async () => {
    const p = pool({ workers: 2 });
    for (const raw of [mail('plain'), LONG_LINE, NESTED]) expect(await p.parse(raw, 25 * 1024 * 1024)).toEqual(await parseMail(raw, { maxBytes: 25 * 1024 * 1024 }));
  });

  it('carries the parser error code back (MAIL_TOO_LARGE, MAIL_PARSE)', async () => {
    const p = pool();
    await expect(p.parse(LONG_LINE, 1000)).rejects.toMatchObject({ code: 'MAIL_TOO_LARGE' });
    const parts = Buffer.from(`Content-Type: multipart/mixed; boundary=b\r\n\r\n${'--b\r\nContent-Type: text/plain\r\n\r\nx\r\n'.repeat(1100)}--b--\r\n`);
    await expect(p.parse(parts, 25 * 1024 * 1024)).rejects.toMatchObject({ code: 'MAIL_PARSE' });
  });

  it('stops a mail that overruns its budget (MAIL_PARSE_TIMEOUT) and parses the next one on a fresh worker', async () => {
    const p = pool({ workerUrl: HANGING, timeoutMs: 300 });
    const stuck = p.parse(mail('stuck', 'HANG'), 1_000_000);
    const next = p.parse(mail('next'), 1_000_000);
    await expect(stuck).rejects.toMatchObject({ code: 'MAIL_PARSE_TIMEOUT', message: expect.stringMatching(/longer than 300 ms/) });
    expect((await next).subject).toBe('next');
  });

  it('in a pass, the overrunning mail is quarantined with its reason and the others become cases', async () => {
    const store = await openSqliteStore(path.join(mkdtempSync(path.join(tmpdir(), 'sportello-parse-pool-')), 's.db'));
    stores.push(store);
    const p = pool({ workerUrl: HANGING, timeoutMs: 300 });
    const config = testConfig();
    const desk = config.desks.find((d) => d.id === 'IT')!;
    const box = fakeMailbox(1000);
    box.add(mail('first'));
    box.add(mail('stuck', 'HANG'));
    box.add(mail('third'));
    const deps = { ...ingestDeps(store, { fetchBatch: 10 }), parse: (raw: Buffer, max: number) => p.parse(raw, max) };
    expect(await ingestMailbox(deps, deskRuntime(config, desk), await box.open())).toMatchObject({ seen: 3, created: 2, quarantined: 1 });
    const [q] = await store.listQuarantine(10);
    expect(q).toMatchObject({ code: 'MAIL_PARSE_TIMEOUT', stage: 'parse', position: { uid: 2 } });
    expect(q!.reason).toMatch(/longer than 300 ms/);
    expect(box.marked).toEqual([1, 2, 3]);
  });
});

describe('parse pool without a usable worker', () => {
  it('parses on the main thread when the worker cannot start, instead of holding mail forever', async () => {
    const p = pool({ workerUrl: new URL('../../fixtures/workers/no-such-worker.ts', import.meta.url) });
    expect((await p.parse(mail('fallback'), 1_000_000)).subject).toBe('fallback');
    expect((await p.parse(mail('again'), 1_000_000)).subject).toBe('again');
  });
});
