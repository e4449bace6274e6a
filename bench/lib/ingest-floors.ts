// The floors bench/ingest.ts compares Sportello with, measured on the same data in the same run: raw
// IMAP fetch (one imapflow UID FETCH of the range), MIME parse (parseMail), SQLite commits (WAL,
// synchronous=FULL, a case row and a 4 KB outbox row per mail), pooled SMTP submission of the raw mail, and
// the same with nodemailer composing an auto-reply-sized message. Rates, and this process's CPU for each.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sqlite3 from 'sqlite3';
import { open } from 'sqlite';
import { createTransport, type Transporter } from 'nodemailer';
import { parseMail } from '../../src/adapters/mime-parser.js';
import { STACK, withImap } from '../../test/support/mailstack.js';

export interface Rate {
  readonly n: number;
  readonly ms: number;
  readonly perSecond: number;
  /** This process's CPU (user + system, the libraries' own threads included) per item. */
  readonly cpuMsEach: number;
}

/** Times `work`, which returns how many items it handled: wall clock, and this process's CPU per item. */
async function timed(work: () => Promise<number>): Promise<Rate> {
  const cpu0 = process.cpuUsage();
  const t = performance.now();
  const n = await work();
  const ms = performance.now() - t;
  const cpu = process.cpuUsage(cpu0);
  return { n, ms, perSecond: (n / ms) * 1000, cpuMsEach: (cpu.user + cpu.system) / 1000 / Math.max(1, n) };
}

/** Every source in `user`'s INBOX with one UID FETCH 1:* (sizes and sources streamed), as the raw floor. */
export async function imapFetchFloor(user: string): Promise<{ rate: Rate; raws: Buffer[] }> {
  return withImap(user, async (client) => {
    await client.mailboxOpen('INBOX', { readOnly: true });
    const raws: Buffer[] = [];
    const rate = await timed(async () => {
      for await (const m of client.fetch('1:*', { uid: true, size: true, source: true }, { uid: true })) if (m.source) raws.push(m.source);
      return raws.length;
    });
    return { rate, raws };
  });
}

export async function parseFloor(raws: readonly Buffer[]): Promise<Rate> {
  for (const raw of raws.slice(0, 20)) await parseMail(raw); // warm-up: JIT and lazy requires
  return timed(async () => {
    for (const raw of raws) await parseMail(raw);
    return raws.length;
  });
}

/** `n` mails' worth of rows committed `perTx` mails per transaction into a fresh WAL database (synchronous=FULL). */
export async function sqliteFloor(raws: readonly Buffer[], perTx: number): Promise<Rate> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-sqlite-'));
  const db = await open({ filename: path.join(dir, 'floor.db'), driver: sqlite3.Database });
  try {
    await db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;');
    await db.exec('CREATE TABLE cases (id INTEGER PRIMARY KEY, subject TEXT, raw BLOB, created_at TEXT); CREATE TABLE outbox (id INTEGER PRIMARY KEY, case_id INTEGER, mail_json TEXT)');
    const body = 'x'.repeat(4096);
    return await timed(async () => {
      for (let i = 0; i < raws.length; i += perTx) {
        await db.exec('BEGIN IMMEDIATE');
        for (const raw of raws.slice(i, i + perTx)) {
          const r = await db.run('INSERT INTO cases (subject, raw, created_at) VALUES (?, ?, ?)', 'subject', raw, new Date().toISOString());
          await db.run('INSERT INTO outbox (case_id, mail_json) VALUES (?, ?)', r.lastID, body);
        }
        await db.exec('COMMIT');
      }
      return raws.length;
    });
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `raws` submitted to `to` over a pooled nodemailer transport with `connections` connections, all at once. */
export async function smtpFloor(raws: readonly Buffer[], to: string, connections: number): Promise<Rate> {
  return withTransport(connections, (transport) => Promise.all(raws.map((raw) => transport.sendMail({ envelope: { from: 'it@example.test', to }, raw }))));
}

/**
 * `n` messages the size and shape of an English auto-reply (text and HTML alternatives, threading and
 * RFC 3834 headers) composed by nodemailer and submitted to `to`: what each reply costs before any of
 * Sportello's own work.
 */
export async function composeSendFloor(n: number, to: string, connections: number): Promise<Rate> {
  const text = `Hello,\n\nwe have received your request and opened case IT-1: "the printer on floor 2 is jammed".\n\n${'We expect to resolve it by Thursday 10 December at 18:00. '.repeat(6)}\n\nIT Service Desk\nit@example.test\n`;
  const html = `<p>Hello,</p>\n<p>we have received your request and opened case <strong>IT-1</strong>: “the printer on floor 2 is jammed”.</p>\n<p>${'We expect to resolve it by <strong>Thursday 10 December at 18:00</strong>. '.repeat(6)}</p>\n<p>IT Service Desk<br><a href="mailto:it@example.test">it@example.test</a></p>\n`;
  return withTransport(connections, (transport) =>
    Promise.all(
      Array.from({ length: n }, (_, i) =>
        transport.sendMail({
          envelope: { from: '', to },
          from: { address: 'it@example.test', name: 'IT Service Desk' },
          to,
          subject: `[IT-${i}] The printer on floor 2 is jammed`,
          messageId: `<floor.${i}@example.test>`,
          inReplyTo: `<client.${i}@example.test>`,
          references: [`<client.${i}@example.test>`],
          headers: { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' },
          text,
          html,
        }),
      ),
    ),
  );
}

async function withTransport(connections: number, send: (t: Transporter) => Promise<unknown[]>): Promise<Rate> {
  const transport = createTransport({ host: STACK.smtpHost, port: STACK.smtpPort, secure: false, ignoreTLS: true, pool: true, maxConnections: connections, maxMessages: Infinity });
  try {
    return await timed(async () => (await send(transport)).length);
  } finally {
    transport.close();
  }
}
