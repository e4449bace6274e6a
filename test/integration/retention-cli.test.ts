// `sportello purge` and `sportello forget` as admins run them: real child processes on a real SQLite file.
// --dry-run prints the counts and changes nothing; the real run changes what it printed; the audit log
// lists runs by counts only; a desk address or a non-address is refused with exit status 2.

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/adapters/sqlite-store.js';
import { stackConfigYaml, tempDb } from '../support/app.js';
import { sportello } from '../support/cli.js';
import { routing } from '../support/fakes.js';

const DAY = 86_400_000;

/** IT-1: alice's case, closed 400 days ago; IT-2: carlo's, open, with alice in Cc. */
async function seed(db: string): Promise<void> {
  const store = await openSqliteStore(db);
  const ago = (days: number) => new Date(Date.now() - days * DAY);
  try {
    await store.transaction(async (tx) => {
      const c1 = await tx.createCase({ desk: 'IT', prefix: 'IT', subject: 'Baja médica', requester: { address: 'alice@example.test', name: 'Alice' }, routing: routing(), sla: null }, ago(420));
      await tx.addMessage({ caseId: c1.id, desk: 'IT', direction: 'in', kind: 'requester', messageId: 'a1@client', mail: { from: { address: 'alice@example.test', name: 'Alice' }, to: [{ address: 'it@example.test', name: '' }], cc: [], subject: 'Baja médica', date: ago(420).toISOString(), text: 'Estoy de baja', inReplyTo: [], references: [] }, raw: Buffer.from('From: alice@example.test\r\n\r\nEstoy de baja') }, ago(420));
      await tx.setCaseFields(c1.id, { closedAt: ago(400).toISOString() }, ago(400));
      await tx.setStatus(c1.id, 'closed', ago(400));
      const c2 = await tx.createCase({ desk: 'IT', prefix: 'IT', subject: 'VPN', requester: { address: 'carlo@example.test', name: 'Carlo' }, routing: routing(), sla: null }, ago(1));
      await tx.addMessage({ caseId: c2.id, desk: 'IT', direction: 'in', kind: 'requester', messageId: 'c1@client', mail: { from: { address: 'carlo@example.test', name: 'Carlo' }, to: [{ address: 'it@example.test', name: '' }], cc: [{ address: 'alice@example.test', name: 'Alice' }], subject: 'VPN', date: ago(1).toISOString(), text: 'VPN down', inReplyTo: [], references: [] }, raw: Buffer.from('From: carlo@example.test\r\nCc: alice@example.test\r\n\r\nVPN down') }, ago(1));
    });
  } finally {
    await store.close();
  }
}

describe('sportello purge and forget', () => {
  let cfg = '';
  let plain = '';
  let db = '';
  beforeAll(async () => {
    db = tempDb();
    await seed(db);
    cfg = path.join(path.dirname(db), 'sportello.yml');
    writeFileSync(cfg, stackConfigYaml(db, 'retention: { rawMailDays: 30, closedCaseDays: 365 }', undefined, 'none'));
    plain = path.join(path.dirname(db), 'plain.yml');
    writeFileSync(plain, stackConfigYaml(db, '', undefined, 'none'));
  });

  // Checked on the file directly: every child process costs seconds on a busy machine.
  const caseIds = async () => {
    const store = await openSqliteStore(db);
    try {
      return (await store.listCases({})).map((c) => ({ id: c.id, requester: c.requester.address }));
    } finally {
      await store.close();
    }
  };

  it('says so when retention is not configured', async () => {
    const r = await sportello('purge', '--dry-run', '--config', plain);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Retention is not configured');
    expect(r.stdout).toContain('Audit log: no purge or forget run yet.');
  });

  it('forget --dry-run prints what would change per table and changes nothing', async () => {
    const r = await sportello('forget', 'Alice@Example.test', '--dry-run', '--config', cfg);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Dry run, nothing changed\. Would replace Alice@Example\.test with erased-[0-9a-f]{12}@invalid:/m);
    expect(r.stdout).toMatch(/^cases\s+1\s+cases they asked for/m);
    expect(r.stdout).toMatch(/^messages\s+2\s+/m);
    expect(r.stdout).toMatch(/^rawSources\s+2\s+/m);
    expect(r.stdout).toContain('Not touched: mail in the desk mailboxes on the IMAP server');
    expect((await caseIds()).map((c) => [c.id, c.requester])).toEqual([['IT-1', 'alice@example.test'], ['IT-2', 'carlo@example.test']]);
  });

  it('purge --dry-run counts the old closed case and the raw sources, and changes nothing', async () => {
    const r = await sportello('purge', '--dry-run', '--config', cfg);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Dry run, nothing changed\. Would drop: raw sources before \d{4}-\d\d-\d\dT.*closed cases closed before \d{4}-/m);
    expect(r.stdout).toMatch(/^cases\s+1\s+closed cases deleted/m);
    expect(r.stdout).toMatch(/^messages\s+1\s+their messages/m);
    expect(r.stdout).toMatch(/^rawSources\s+0\s+/m); // IT-1's old mail goes with its case; IT-2's is a day old
    expect((await caseIds()).map((c) => c.id)).toEqual(['IT-1', 'IT-2']);
  });

  it('forget and purge for real, then the audit log lists both by counts only', async () => {
    const f = await sportello('forget', 'alice@example.test', '--config', cfg);
    expect(f.code).toBe(0);
    expect(f.stdout).toMatch(/^Replaced alice@example\.test with (erased-[0-9a-f]{12}@invalid):/m);
    const placeholder = /with (erased-[0-9a-f]{12}@invalid)/.exec(f.stdout)![1]!;
    expect((await caseIds()).map((c) => [c.id, c.requester])).toEqual([['IT-1', placeholder], ['IT-2', 'carlo@example.test']]);
    const again = await sportello('forget', 'alice@example.test', '--dry-run', '--config', cfg);
    expect(again.stdout).toContain('Nothing in the store names this address.');
    expect(again.stdout).toMatch(/Already erased before: audit #1 at /);

    const p = await sportello('purge', '--json', '--config', cfg);
    expect(p.code).toBe(0);
    expect(JSON.parse(p.stdout)).toMatchObject({ dryRun: false, counts: { cases: 1, messages: 1 } });
    expect((await caseIds()).map((c) => c.id)).toEqual(['IT-2']);
    const history = (await sportello('purge', '--dry-run', '--config', cfg)).stdout;
    expect(history).toMatch(/^cases\s+0\s+/m);
    expect(history).toMatch(/^2\s+\S+ \S+\s+purge\s+cli:\S+\s+cases 1, messages 1/m);
    expect(history).toMatch(/^1\s+\S+ \S+\s+forget\s+cli:\S+\s+cases 1, messages 2, rawSources 2/m);
    expect(history.toLowerCase()).not.toContain('alice');
    // Statistics still count the deleted case (its tombstone).
    const store = await openSqliteStore(db);
    try {
      expect((await store.statsData(new Date(0))).cases.map((c) => c.id)).toEqual(['IT-1', 'IT-2']);
    } finally {
      await store.close();
    }
  }, 180_000);

  it.each([
    [['forget', 'it@example.test'], 'is a desk address'],
    [['forget', 'alice'], 'is not an e-mail address'],
  ])('refuses %j with exit status 2', async (args, message) => {
    const r = await sportello(...args, '--config', cfg);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });
});
