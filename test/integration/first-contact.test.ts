// First contact with a real Dovecot mailbox holding old mail: the default `startFrom: now` touches none of
// it and answers the next mail; a startFrom date imports only what the server received since (original
// dates, no auto-reply, no escalation burst); `once --dry-run` counts it beforehand and changes nothing;
// and a mail committed but left unflagged by a crash is flagged (or moved) by the next start.

import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { createImapSource } from '../../src/adapters/imap-source.js';
import { silentLogger } from '../../src/log.js';
import type { Config, DeskConfig } from '../../src/config/schema.js';
import { readInbox, sendMail, waitForMessages, withImap } from '../support/mailstack.js';
import { freshStackEachTest, manualClock, REPO, stackConfig, stackConfigYaml, tempDb, testApp } from '../support/app.js';

const run = promisify(execFile);
let app: App | null = null;

freshStackEachTest();

const HOUR = 3_600_000;
const request = (n: number, at: Date) =>
  [`From: Person ${n} <person${n}@example.test>`, 'To: it@example.test', `Subject: Old request ${n}`, `Message-ID: <old-${n}@example.test>`, `Date: ${at.toUTCString()}`, '', `The printer ${n} does not work.`, ''].join('\r\n');

/** Appends `count` requests to it@'s INBOX, received one hour apart from `fromIso` (INTERNALDATE), unseen; returns their UIDs and dates. */
async function fillInbox(count: number, fromIso: string, first = 1): Promise<{ uid: number; at: Date }[]> {
  const dates = Array.from({ length: count }, (_, i) => new Date(Date.parse(fromIso) + i * HOUR));
  return withImap('it', async (c) => {
    const out: { uid: number; at: Date }[] = [];
    for (const [i, at] of dates.entries()) {
      const res = await c.append('INBOX', request(first + i, at), [], at);
      if (!res || res.uid === undefined) throw new Error('APPEND returned no UID');
      out.push({ uid: res.uid, at });
    }
    return out;
  });
}

/** UIDs of it@'s INBOX that are (not) \Seen. */
function seenUids(seen: boolean): Promise<number[]> {
  return withImap('it', async (c) => {
    const lock = await c.getMailboxLock('INBOX');
    try {
      return ((await c.search({ seen }, { uid: true })) || []).sort((a, b) => a - b);
    } finally {
      lock.release();
    }
  });
}

describe('first contact with a mailbox full of old mail', () => {
  it('startFrom now (the default): 50 old mails give 0 cases and 0 mails; the next mail gets its case and auto-reply', async () => {
    const old = await fillInbox(50, '2023-04-03T08:00:00Z');
    app = await testApp(stackConfig(undefined, undefined, 'none', 'now'));
    const first = await app.once();
    expect(first.desks.IT).toEqual({ seen: 0, created: 0, appended: 0, duplicates: 0, quarantined: 0 });
    expect(first.outbox).toEqual({ sent: 0, retrying: 0, failed: 0 });
    expect(first.escalations).toBe(0);
    expect(await app.store.listCases({})).toEqual([]);
    expect(await seenUids(false)).toEqual(old.map((m) => m.uid));
    expect(await app.store.checkpoint('IT', 'INBOX')).toMatchObject({ lastUid: old.at(-1)!.uid });

    await sendMail({ from: 'alice', to: 'it', subject: 'La impresora no imprime', text: 'Hola, la impresora de la segunda planta no imprime.' });
    await waitForMessages('it', 51);
    const second = await app.once();
    expect(second.desks.IT).toMatchObject({ seen: 1, created: 1 });
    expect(second.outbox.sent).toBe(1);
    await waitForMessages('alice', 1);
    expect((await readInbox('alice')).map((m) => m.subject)).toEqual(['[IT-1] La impresora no imprime']);
    expect(await seenUids(true)).toEqual([old.at(-1)!.uid + 1]);
    expect(await seenUids(false)).toHaveLength(50);
  });

  it('startFrom a date: only mail received since is taken, imported silently with its original dates, no escalation burst', async () => {
    const clock = manualClock('2026-03-02T09:00:00Z');
    await fillInbox(30, '2025-11-03T08:00:00Z');
    const later = await fillInbox(20, '2026-02-02T08:00:00Z', 31);
    app = await testApp(stackConfig(undefined, undefined, 'none', '2026-01-01'), { clock });
    const summary = await app.once();
    expect(summary.desks.IT).toEqual({ seen: 20, created: 20, appended: 0, duplicates: 0, quarantined: 0, imported: 20 });
    // Every case is weeks past its SLA: the thresholds were reached before the first start, so nobody is mailed.
    expect(summary.escalations).toBe(0);
    expect(summary.outbox).toEqual({ sent: 0, retrying: 0, failed: 0 });
    expect(await app.store.outboxSummary()).toEqual({});

    const cases = await app.store.listCases({});
    expect(cases.map((c) => [c.subject, c.createdAt, c.imported])).toEqual(
      later.map(({ at }, i) => [`Old request ${31 + i}`, at.toISOString(), '2026-03-02T09:00:00.000Z']),
    );
    const detail = (await app.store.getCaseDetail(cases[0]!.id))!;
    expect(detail.events.map((e) => e.type)).toEqual(expect.arrayContaining(['imported', 'auto-reply-withheld', 'sla-warning', 'sla-breach']));
    expect(detail.events.find((e) => e.type === 'sla-breach')!.data.beforeFirstStart).toBe('2026-03-02T09:00:00.000Z');
    expect(detail.messages.map((m) => m.kind)).toEqual(['requester']);
    expect(await seenUids(true)).toEqual(later.map((m) => m.uid));

    clock.advance(7 * 24 * HOUR);
    expect((await app.once()).escalations).toBe(0);
    expect(await app.store.outboxSummary()).toEqual({});
  });
});

describe('sportello once --dry-run', () => {
  it('reports per desk what the first start would import and leave untouched, and changes nothing', async () => {
    // The child runs on the real clock: "before 2026-01-01" and "since" are both in its past.
    await fillInbox(3, '2025-12-01T08:00:00Z');
    await fillInbox(2, '2026-06-01T08:00:00Z', 4);
    const db = tempDb();
    const cfg = path.join(path.dirname(db), 'sportello.yml');
    writeFileSync(cfg, stackConfigYaml(db, '', undefined, 'none', '2026-01-01'));
    const cli = (...args: string[]) => run(process.execPath, ['--import', 'tsx', path.join(REPO, 'src/cli/main.ts'), ...args], { cwd: REPO, env: { ...process.env, SPORTELLO_LOG_LEVEL: 'warn' } });

    const { stdout } = await cli('once', '--dry-run', '--config', cfg);
    expect(stdout).toContain('IT (INBOX): first start with startFrom 2026-01-01: 5 mail(s) in the folder: 0 live (answered as usual), 2 imported (case recorded, no mail sent), 3 left untouched');
    expect(stdout).toContain('HR (INBOX): first start with startFrom 2026-01-01: 0 mail(s) in the folder');
    const json = JSON.parse((await cli('once', '--dry-run', '--json', '--config', cfg)).stdout) as Record<string, unknown>[];
    expect(json[0]).toMatchObject({ desk: 'IT', firstContact: true, examined: 5, imported: 2, untouched: 3, live: 0 });

    expect(existsSync(db)).toBe(false);
    expect(await seenUids(false)).toHaveLength(5);
  });
});

describe('reconcile after a crash between the commit and the flag', () => {
  const aliceWrites = async () => {
    await sendMail({ from: 'alice', to: 'it', subject: 'Sin red', text: 'No tengo red en la sala 4.' });
    await waitForMessages('it', 1);
  };

  it('flags on the next start the mail recorded as processed but unflagged on the server, without a second case or reply', async () => {
    const config = stackConfig(undefined, undefined, 'none');
    await aliceWrites();
    app = await testApp(config);
    expect((await app.once()).desks.IT).toMatchObject({ created: 1 });
    await app.close();
    app = null;
    // What a kill between the commit and the STORE leaves: the mail is not \Seen.
    await withImap('it', async (c) => {
      const lock = await c.getMailboxLock('INBOX');
      try {
        await c.messageFlagsRemove('1:*', ['\\Seen']);
      } finally {
        lock.release();
      }
    });
    expect(await seenUids(false)).toHaveLength(1);

    app = await testApp(config);
    const again = await app.once();
    expect(again.desks.IT).toEqual({ seen: 0, created: 0, appended: 0, duplicates: 0, quarantined: 0 });
    expect(again.outbox.sent).toBe(0);
    expect(await seenUids(true)).toHaveLength(1);
    expect(await seenUids(false)).toEqual([]);
    expect(await app.store.listCases({})).toHaveLength(1);
  });

  it('with processed.moveTo, moves the mail a failed flag left in INBOX', async () => {
    const base = stackConfig(undefined, undefined, 'none');
    const config: Config = { ...base, processed: { flag: '\\Seen', moveTo: 'Done' } };
    await withImap('it', (c) => c.mailboxCreate('Done').catch(() => undefined));
    await aliceWrites();
    // The first run's session cannot flag (as if killed before the STORE): the commit stands, the mail stays.
    const failingFlags = (desk: DeskConfig) => {
      const real = createImapSource(desk, silentLogger(), '\\Seen', 'Done', { idleRestartMs: 300_000 });
      return {
        async open() {
          const s = await real.open();
          return { ...s, markProcessed: async () => Promise.reject(new Error('connection lost')) };
        },
      };
    };
    app = await testApp(config, { sourceFor: failingFlags });
    expect((await app.once()).desks.IT).toMatchObject({ created: 1 });
    await app.close();
    app = null;
    expect(await seenUids(false)).toHaveLength(1);

    app = await testApp(config);
    expect((await app.once()).desks.IT).toMatchObject({ seen: 0, created: 0 });
    const size = (folder: string) => withImap('it', async (c) => {
      const status = await c.status(folder, { messages: true });
      return status ? status.messages : null;
    });
    expect(await size('INBOX')).toBe(0);
    expect(await size('Done')).toBe(1);
    expect(await app.store.listCases({})).toHaveLength(1);
  });
});
