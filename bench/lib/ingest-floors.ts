// The floors bench/ingest.ts compares Sportello with, measured on the same data in the same run: raw
// IMAP fetch (one imapflow UID FETCH of the range), MIME parse (parseMail), SQLite commits (WAL,
// synchronous=FULL, a case row and a 4 KB outbox row per mail) and pooled SMTP submission. Rates only.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sqlite3 from 'sqlite3';
import { open } from 'sqlite';
import { createTransport } from 'nodemailer';
import { parseMail } from '../../src/adapters/mime-parser.js';
import { STACK, withImap } from '../../test/support/mailstack.js';

export interface Rate {
  readonly n: number;
  readonly ms: number;
  readonly perSecond: number;
}

const rate = (n: number, ms: number): Rate => ({ n, ms, perSecond: (n / ms) * 1000 });

/** Every source in `user`'s INBOX with one UID FETCH 1:* (sizes and sources streamed), as the raw floor. */
export async function imapFetchFloor(user: string): Promise<{ rate: Rate; raws: Buffer[] }> {
  return withImap(user, async (client) => {
    await client.mailboxOpen('INBOX', { readOnly: true });
    const raws: Buffer[] = [];
    const t = performance.now();
    for await (const m of client.fetch('1:*', { uid: true, size: true, source: true }, { uid: true })) if (m.source) raws.push(m.source);
    return { rate: rate(raws.length, performance.now() - t), raws };
  });
}

export async function parseFloor(raws: readonly Buffer[]): Promise<Rate> {
  for (const raw of raws.slice(0, 20)) await parseMail(raw); // warm-up: JIT and lazy requires
  const t = performance.now();
  for (const raw of raws) await parseMail(raw);
  return rate(raws.length, performance.now() - t);
}

/** `n` mails' worth of rows committed `perTx` mails per transaction into a fresh WAL database (synchronous=FULL). */
export async function sqliteFloor(raws: readonly Buffer[], perTx: number): Promise<Rate> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-sqlite-'));
  const db = await open({ filename: path.join(dir, 'floor.db'), driver: sqlite3.Database });
  try {
    await db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;');
    await db.exec('CREATE TABLE cases (id INTEGER PRIMARY KEY, subject TEXT, raw BLOB, created_at TEXT); CREATE TABLE outbox (id INTEGER PRIMARY KEY, case_id INTEGER, mail_json TEXT)');
    const body = 'x'.repeat(4096);
    const t = performance.now();
    for (let i = 0; i < raws.length; i += perTx) {
      await db.exec('BEGIN IMMEDIATE');
      for (const raw of raws.slice(i, i + perTx)) {
        const r = await db.run('INSERT INTO cases (subject, raw, created_at) VALUES (?, ?, ?)', 'subject', raw, new Date().toISOString());
        await db.run('INSERT INTO outbox (case_id, mail_json) VALUES (?, ?)', r.lastID, body);
      }
      await db.exec('COMMIT');
    }
    return rate(raws.length, performance.now() - t);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `raws` submitted to `to` over a pooled nodemailer transport with `connections` connections, all at once. */
export async function smtpFloor(raws: readonly Buffer[], to: string, connections: number): Promise<Rate> {
  const transport = createTransport({ host: STACK.smtpHost, port: STACK.smtpPort, secure: false, ignoreTLS: true, pool: true, maxConnections: connections, maxMessages: Infinity });
  try {
    const t = performance.now();
    await Promise.all(raws.map((raw) => transport.sendMail({ envelope: { from: 'it@example.test', to }, raw })));
    return rate(raws.length, performance.now() - t);
  } finally {
    transport.close();
  }
}
