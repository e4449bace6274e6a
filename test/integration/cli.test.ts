// The command line as people and scripts use it: cases list/show in table and JSON form, global
// flags before or after the subcommand, and exit status 2 with every problem listed for a bad config.

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resetMailboxes, sendMail, waitForMessages } from '../support/mailstack.js';
import { stackConfigFile } from '../support/app.js';
import { sportello } from '../support/cli.js';

describe('sportello CLI', () => {
  let cfg = '';
  let db = '';
  beforeAll(async () => {
    await resetMailboxes();
    ({ db, cfg } = stackConfigFile('none', (file) => path.join(path.dirname(file), 'unused.db')));
    // The first start comes first: on the real clock, mail already waiting then would be imported without a reply.
    expect((await sportello('once', '--config', cfg, '--db', db)).code).toBe(0);
    await sendMail({ from: 'alice', to: 'it', subject: 'Wifi lento', text: 'La wifi va muy lenta en la sala 3.' });
    await waitForMessages('it', 1);
    const once = await sportello('once', '--config', cfg, '--db', db);
    expect(once.code).toBe(0);
    expect(once.stdout).toContain('IT: 1 new mail(s): 1 case(s) opened');
  });

  it('lists cases as a table and as JSON, with global flags before or after the subcommand', async () => {
    const table = await sportello('--config', cfg, '--db', db, 'cases', 'list');
    expect(table.stdout).toMatch(/^ID\s+STATUS\s+CATEGORY/m);
    expect(table.stdout).toMatch(/^IT-1\s+new\s+/m);
    const json = await sportello('cases', 'list', '--json', '--config', cfg, '--db', db);
    const list = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(list).toHaveLength(1);
    expect(Object.keys(list[0]!)).toEqual(expect.arrayContaining(['id', 'desk', 'status', 'category', 'priority', 'requester', 'subject', 'createdAt', 'dueAt']));
    expect(list[0]).toMatchObject({ id: 'IT-1', desk: 'IT', status: 'new', requester: 'alice@example.test', subject: 'Wifi lento' });
  });

  it('shows one case with its messages and events as JSON', async () => {
    const shown = await sportello('cases', 'show', 'it-1', '--json', '--config', cfg, '--db', db);
    expect(shown.code).toBe(0);
    const c = JSON.parse(shown.stdout) as { messages: Record<string, unknown>[]; events: { type: string }[] };
    expect(c.messages.map((m) => [m.direction, m.kind, m.from])).toEqual([
      ['in', 'requester', 'alice@example.test'],
      ['out', 'auto-reply', 'it@example.test'],
    ]);
    expect(c.messages[1]).toMatchObject({ to: ['alice@example.test'], subject: '[IT-1] Wifi lento' });
    expect(c.messages[1]!.messageId).toMatch(/^sportello\.IT-1\./);
    const types = c.events.map((e) => e.type);
    expect(types.slice(0, 3)).toEqual(['created', 'routed', 'sla-started']);
    expect(types.at(-1)).toBe('auto-reply-queued');
    const missing = await sportello('cases', 'show', 'IT-99', '--config', cfg, '--db', db);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('CASE_NOT_FOUND: no case IT-99');
  });

  it('exits 2 and lists every problem of an invalid config', async () => {
    const bad = path.join(path.dirname(db), 'bad.yml');
    writeFileSync(bad, 'smtp:\n  host: 127.0.0.1\n  port: "twenty"\ndesks:\n  - id: IT\n    address: not-an-address\n    imap: { host: x, user: u, password: p }\n    agentz: []\n');
    const r = await sportello('cases', 'list', '--config', bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('CONFIG_INVALID');
    expect(r.stderr).toMatch(/bad\.yml:3: smtp\.port: .*number/);
    expect(r.stderr).toMatch(/bad\.yml:6: desks\.0\.address: expected an e-mail address/);
    expect(r.stderr).toMatch(/bad\.yml:8: desks\.0\.agentz: unknown key "agentz" \(did you mean "agents"\?\)/);
    const none = await sportello('once', '--config', path.join(path.dirname(db), 'nope.yml'));
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('CONFIG_NOT_FOUND');
  });
});
