// The store's quarantine states and online backup on real SQLite files: migration 007 keeps existing
// rows held, VACUUM INTO copies exactly what was committed when it started (a writer's open
// transaction is not in it), the copy passes integrity_check, and an existing file is never overwritten.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sqlite3 from 'sqlite3';
import { open } from 'sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { inspectDatabase, openSqliteStore } from '../../../src/adapters/sqlite-store.js';
import { MIGRATIONS } from '../../../src/adapters/sqlite/migrations.js';
import type { CaseStore } from '../../../src/ports.js';
import { routing } from '../../support/fakes.js';

const T0 = new Date('2026-03-02T09:00:00.000Z');
let stores: CaseStore[] = [];
afterEach(async () => {
  for (const s of stores) await s.close().catch(() => undefined);
  stores = [];
});

const dir = () => mkdtempSync(path.join(tmpdir(), 'sportello-backup-'));
async function openStore(file: string): Promise<CaseStore> {
  const s = await openSqliteStore(file);
  stores.push(s);
  return s;
}
const newCase = (subject: string) => ({ desk: 'IT', prefix: 'IT', subject, requester: { address: 'alice@example.test', name: 'Alice' }, routing: routing(), sla: null });

describe('migration 007-quarantine-actions', () => {
  it('keeps rows quarantined before it as held, with their raw mail', async () => {
    const file = path.join(dir(), 'old.db');
    const db = await open({ filename: file, driver: sqlite3.Database });
    await db.exec('CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
    for (const m of MIGRATIONS.slice(0, MIGRATIONS.findIndex((x) => x.name === '004-wait-until') + 1)) {
      await db.exec(m.sql);
      await db.run('INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)', m.name, T0.toISOString());
    }
    await db.run(`INSERT INTO quarantine (desk, folder, uid_validity, uid, message_id, code, reason, stage, raw, at) VALUES ('IT', 'INBOX', 7, 3, NULL, 'MAIL_PARSE', 'bad', 'parse', ?, ?)`, Buffer.from('x\r\n'), T0.toISOString());
    await db.close();

    const store = await openStore(file);
    expect(await store.listQuarantine(10)).toEqual([
      expect.objectContaining({ id: 1, state: 'held', code: 'MAIL_PARSE', raw: Buffer.from('x\r\n'), attempts: 0, releasedAt: null, droppedAt: null, position: { desk: 'IT', folder: 'INBOX', uidValidity: 7, uid: 3 } }),
    ]);
  });
});

describe('store.backup (VACUUM INTO)', () => {
  it('copies what was committed when it started, not a writer\'s open transaction, and the copy is sound', async () => {
    const d = dir();
    const live = path.join(d, 'live.db');
    const reader = await openStore(live);
    const writer = await openStore(live);
    await writer.transaction(async (tx) => {
      const c = await tx.createCase(newCase('committed'), T0);
      await tx.quarantine({ position: null, messageId: null, code: 'X', reason: 'r', stage: null, raw: null }, T0);
      await tx.enqueue({ caseId: c.id, kind: 'auto-reply', envelopeFrom: '', mail: { from: { address: 'it@example.test', name: '' }, to: [{ address: 'alice@example.test', name: '' }], subject: 's', messageId: 'm', inReplyTo: null, references: [], headers: {}, text: 't', html: null } }, null, T0);
    });

    let inside!: () => void;
    const written = new Promise<void>((r) => (inside = r));
    let finish!: () => void;
    const gate = new Promise<void>((r) => (finish = r));
    const open_ = writer.transaction(async (tx) => {
      await tx.createCase(newCase('not yet committed'), T0);
      inside();
      await gate;
    });
    await written;
    await reader.backup(path.join(d, 'copy.db'));
    finish();
    await open_;

    expect(await inspectDatabase(path.join(d, 'copy.db'))).toEqual({ ok: true, integrity: ['ok'], counts: { cases: 1, messages: 0, outbox: 1, quarantine: 1 } });
    expect((await reader.listCases({})).map((c) => c.subject)).toEqual(['committed', 'not yet committed']);
    const copy = await openStore(path.join(d, 'copy.db'));
    expect((await copy.listCases({})).map((c) => c.subject)).toEqual(['committed']);
  });

  it('never writes over an existing file', async () => {
    const d = dir();
    const store = await openStore(path.join(d, 'live.db'));
    writeFileSync(path.join(d, 'taken.db'), 'precious');
    await expect(store.backup(path.join(d, 'taken.db'))).rejects.toMatchObject({ code: 'STORE' });
  });

  it('inspectDatabase reports a file that is not a database as STORE', async () => {
    const file = path.join(dir(), 'junk.db');
    writeFileSync(file, Buffer.alloc(8192, 7));
    await expect(inspectDatabase(file)).rejects.toMatchObject({ code: 'STORE' });
  });
});
