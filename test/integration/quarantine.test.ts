// Quarantine as an admin works it, through the real CLI in child processes against the real stack:
// a rule's template that fails when it renders (it includes a partial nobody wrote — the checks refuse a
// missing template at load, so a render-time failure is what still reaches the mail) sets mail aside as
// COMMIT_FAILED; show and export (byte-identical) let the admin look; after the template is fixed, release
// makes one case and one auto-reply — also when two releases race — and drop is the only way raw mail
// leaves, recorded.

import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { appendRaw, readInbox, resetMailboxes, sendMail, waitForMessages, withImap } from '../support/mailstack.js';
import { REPO, stackConfig, stackConfigYaml, tempDb, testApp } from '../support/app.js';

const CLI = path.join(REPO, 'src/cli/main.ts');
const USER = 'ana';

interface Run {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** The real command line in a child process; stdout kept as bytes so export can be compared exactly. */
function sportello(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', CLI, ...args],
      { cwd: REPO, encoding: 'buffer', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, USER, SPORTELLO_LOG_LEVEL: 'warn' } },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr: stderr.toString() }),
    );
  });
}
const text = (r: Run) => r.stdout.toString();

/** The raw bytes of every mail in a mailbox, as the server stores them. */
async function rawInbox(user: string): Promise<Buffer[]> {
  return withImap(user, async (client) => {
    const lock = await client.getMailboxLock('INBOX', { readOnly: true });
    try {
      const out: Buffer[] = [];
      for await (const m of client.fetch('1:*', { source: true })) if (m.source) out.push(m.source);
      return out;
    } finally {
      lock.release();
    }
  });
}

// Every step is a real child process (a Node start, the config, the classifier cache): slow on a busy machine.
describe('sportello quarantine', { timeout: 300_000 }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sportello-quarantine-'));
  const db = path.join(dir, 'sportello.db');
  const cfg = path.join(dir, 'sportello.yml');
  const rulesDir = path.join(dir, 'rules');
  const templatesDir = path.join(dir, 'templates');
  const c = (...args: string[]) => sportello(...args, '--config', cfg);

  beforeAll(async () => {
    await resetMailboxes();
    cpSync(path.join(REPO, 'rules'), rulesDir, { recursive: true });
    cpSync(path.join(REPO, 'templates'), templatesDir, { recursive: true });
    // A rule naming a template nobody has written yet: every matching mail fails at commit.
    const it = readFileSync(path.join(rulesDir, 'it.yml'), 'utf8').replace(
      /^ {4}rules:\n/m,
      '    rules:\n      - name: VIP printer requests get their own reply\n        when:\n          subject: { contains: [vip-printer] }\n        then: { template: vip-ack }\n',
    );
    writeFileSync(path.join(rulesDir, 'it.yml'), it);
    // The template exists (so `rules check` and the load-time checks pass) but includes a footer partial
    // that was never written: it fails only when a mail is rendered with it.
    for (const kind of ['text', 'html']) {
      writeFileSync(path.join(templatesDir, 'en', `vip-ack.${kind}.liquid`), `Case {{ case.id }} for VIP printing.\n{% render 'vip-footer' %}\n`);
    }
    writeFileSync(cfg, stackConfigYaml(db, '', rulesDir, 'none').replace(`templatesDir: ${path.join(REPO, 'templates')}`, `templatesDir: ${templatesDir}`));
    // The first start comes first: on the real clock, mail already waiting then would be imported without a reply.
    expect((await c('once')).code).toBe(0);

    await sendMail({ from: 'alice', to: 'it', subject: 'vip-printer jammed', text: 'La impresora de la planta 2 está atascada.' });
    await waitForMessages('it', 1);
    await sendMail({ from: 'carlo', to: 'it', subject: 'vip-printer toner', text: 'La stampante ha finito il toner.' });
    await waitForMessages('it', 2);
    // Our own auto-reply coming back: quarantined as OWN_MAIL, to be dropped below.
    await appendRaw('it', ['From: IT Service Desk <it@example.test>', 'To: it@example.test', 'Subject: [IT-9] looped', 'Message-ID: <sportello.IT-9.x1@example.test>', 'Auto-Submitted: auto-replied', '', 'loop', ''].join('\r\n'));
    await waitForMessages('it', 3);
    const once = await c('once');
    expect(text(once)).toContain('IT: 3 new mail(s): 0 case(s) opened, 0 follow-up(s), 0 duplicate(s), 3 quarantined');
  }, 300_000);

  it('lists held mail (the default subcommand) and shows one with its reason, position, headers and text', async () => {
    const list = JSON.parse(text(await c('quarantine', '--json'))) as { id: number; code: string; state: string; bytes: number }[];
    expect(list.map((r) => [r.id, r.code, r.state])).toEqual([
      [3, 'OWN_MAIL', 'held'],
      [2, 'COMMIT_FAILED', 'held'],
      [1, 'COMMIT_FAILED', 'held'],
    ]);
    expect(text(await c('quarantine', 'list'))).toMatch(/^1\s+\S+ \S+\s+IT\/INBOX\/\d+\s+COMMIT_FAILED\s+could not record the mail: .*Failed to lookup "vip-footer"/m);

    const shown = await c('quarantine', 'show', '1');
    expect(shown.code).toBe(0);
    expect(text(shown)).toContain('Code:       COMMIT_FAILED (stage commit)');
    expect(text(shown)).toMatch(/Mailbox: {4}IT\/INBOX\/\d+ \(UIDVALIDITY \d+\)/);
    expect(text(shown)).toContain('  subject: vip-printer jammed');
    expect(text(shown)).toContain('La impresora de la planta 2 está atascada.');
    const json = JSON.parse(text(await c('quarantine', 'show', '1', '--json'))) as Record<string, unknown>;
    expect(json).toMatchObject({ id: 1, state: 'held', code: 'COMMIT_FAILED', stage: 'commit', position: { desk: 'IT', folder: 'INBOX', uid: expect.any(Number) }, subject: 'vip-printer jammed' });
    expect((json.headers as Record<string, string[]>).from).toEqual(['alice@example.test']);

    const missing = await c('quarantine', 'show', '99');
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringContaining('QUARANTINE_NOT_FOUND: no quarantine row #99')]);
  });

  it('exports the raw mail byte for byte', async () => {
    const exported = await c('quarantine', 'export', '1');
    expect(exported.code).toBe(0);
    const [onServer] = await rawInbox('it');
    expect(exported.stdout.equals(onServer!)).toBe(true);
  });

  it('a release before the fix leaves the one row held with the new attempt; after the template is fixed it becomes one case with one auto-reply', async () => {
    const early = await c('quarantine', 'release', '1');
    expect(early.code).toBe(1);
    expect(text(early)).toContain('#1: still quarantined — COMMIT_FAILED');
    const row = JSON.parse(text(await c('quarantine', 'show', '1', '--json'))) as Record<string, unknown>;
    expect(row).toMatchObject({ state: 'held', attempts: 1, code: 'COMMIT_FAILED' });
    expect(JSON.parse(text(await c('quarantine', 'list', '--all', '--json')))).toHaveLength(3);

    // The fix: the admin replaces the broken template with a working one.
    for (const kind of ['text', 'html']) {
      cpSync(path.join(templatesDir, 'en', `auto-reply.${kind}.liquid`), path.join(templatesDir, 'en', `vip-ack.${kind}.liquid`));
    }
    const released = await c('quarantine', 'release', '1');
    expect([released.code, text(released).trim()]).toEqual([0, '#1: released, opened IT-1 (1 reply queued)']);
    // The CLI sent the auto-reply itself, like `cases update`.
    await waitForMessages('alice', 1);
    const again = await c('quarantine', 'release', '1');
    expect(again.code).toBe(1);
    expect(text(again)).toContain('#1: not released — QUARANTINE_NOT_HELD: quarantine #1 was already released into IT-1 by cli:ana');

    // The daemon's next pass does not take it again either.
    expect(text(await c('once'))).toContain('IT: 0 new mail(s)');
    const kase = JSON.parse(text(await c('cases', 'show', 'IT-1', '--json'))) as { requester: string; messages: { direction: string; kind: string }[]; events: { type: string; actor: string; data: Record<string, unknown> }[] };
    expect(kase.requester).toBe('alice@example.test');
    expect(kase.messages.map((m) => `${m.direction}:${m.kind}`)).toEqual(['in:requester', 'out:auto-reply']);
    expect(kase.events.filter((e) => e.type === 'released-from-quarantine')).toEqual([
      { at: expect.any(String), type: 'released-from-quarantine', actor: 'cli:ana', data: { quarantine: 1, code: 'COMMIT_FAILED' } },
    ]);
    const inbox = await readInbox('alice');
    expect(inbox.map((m) => m.subject)).toEqual(['[IT-1] vip-printer jammed']);
  });

  it('two releases racing in two processes make exactly one case and one auto-reply', async () => {
    // Whichever loses finds the row released, before it starts or inside its own commit (then rolled back).
    const [a, b] = await Promise.all([c('quarantine', 'release', '2'), c('quarantine', 'release', '2')]);
    const lines = [text(a).trim(), text(b).trim()].sort();
    expect(lines[0]).toMatch(/^#2: not released — QUARANTINE_NOT_HELD: quarantine #2 (is released, not held|was already released into IT-2)/);
    expect(lines[1]).toBe('#2: released, opened IT-2 (1 reply queued)');
    expect([a.code, b.code].sort()).toEqual([0, 1]);
    await waitForMessages('carlo', 1);
    expect((await readInbox('carlo')).map((m) => m.subject)).toEqual(['[IT-2] vip-printer toner']);
    expect(JSON.parse(text(await c('cases', 'list', '--json')))).toHaveLength(2);
  });

  it('drop needs a reason, deletes the raw mail and keeps the record', async () => {
    const noReason = await c('quarantine', 'drop', '3');
    expect([noReason.code, noReason.stderr]).toEqual([2, expect.stringContaining("required option '--reason <text>' not specified")]);
    const dropped = await c('quarantine', 'drop', '3', '--reason', 'our own auto-reply looped back');
    expect([dropped.code, text(dropped)]).toEqual([0, expect.stringContaining('#3 dropped: our own auto-reply looped back.')]);
    expect(text(await c('quarantine'))).toBe('Quarantine is empty.\n');
    const all = JSON.parse(text(await c('quarantine', 'list', '--all', '--json'))) as { id: number; state: string; bytes: number | null; droppedBy: string; dropReason: string; releasedCaseId: string | null }[];
    expect(all.map((r) => [r.id, r.state, r.bytes, r.releasedCaseId])).toEqual([
      [3, 'dropped', null, null],
      [2, 'released', expect.any(Number), 'IT-2'],
      [1, 'released', expect.any(Number), 'IT-1'],
    ]);
    expect(all[0]).toMatchObject({ droppedBy: 'cli:ana', dropReason: 'our own auto-reply looped back' });
    const exported = await c('quarantine', 'export', '3');
    expect([exported.code, exported.stdout.length, exported.stderr]).toEqual([1, 0, expect.stringContaining('quarantine #3 has no stored copy (dropped)')]);
    const twice = await c('quarantine', 'drop', '3', '--reason', 'again');
    expect([twice.code, twice.stderr]).toEqual([1, expect.stringContaining('QUARANTINE_NOT_HELD: quarantine #3 was dropped by cli:ana')]);
    const nothing = await c('quarantine', 'release', '--all');
    expect([nothing.code, text(nothing)]).toEqual([0, 'Nothing to release.\n']);
    const usage = await c('quarantine', 'release');
    expect([usage.code, usage.stderr]).toEqual([2, expect.stringContaining('USAGE: say which mail to release')]);
  });
});

describe('releasing mail that was too large to keep', { timeout: 300_000 }, () => {
  it('fetches it again from the server by UID once limits.maxMessageBytes allows it, and flags it', async () => {
    await resetMailboxes();
    const small = stackConfig(tempDb(), undefined, 'none');
    const config = { ...small, limits: { ...small.limits, maxMessageBytes: 4_000 } };
    await sendMail({ from: 'alice', to: 'it', subject: 'Escaneo adjunto', text: `Adjunto el escaneo.\n${'0123456789 '.repeat(600)}` });
    await waitForMessages('it', 1);
    const before = await testApp(config);
    try {
      expect((await before.once()).desks.IT).toMatchObject({ quarantined: 1 });
      const [row] = await before.store.listQuarantine(10);
      expect(row).toMatchObject({ code: 'MAIL_TOO_LARGE', raw: null });
      const refused = await before.releaseQuarantine([row!.id], 'cli:ana');
      expect(refused).toEqual([{ ok: false, id: row!.id, code: 'QUARANTINE_NOT_RELEASABLE', error: expect.stringMatching(/still above limits\.maxMessageBytes \(4000\); the mail is still on the server at IT\/INBOX\/\d+ .*raise limits\.maxMessageBytes above \d+/) }]);
    } finally {
      await before.close();
    }

    const raised = await testApp({ ...config, limits: { ...config.limits, maxMessageBytes: 1_000_000 } });
    try {
      const [report] = await raised.releaseQuarantine([1], 'cli:ana');
      expect(report).toEqual({ ok: true, id: 1, outcome: 'created', caseId: 'IT-1', queued: 1 });
      await waitForMessages('alice', 1);
      expect((await readInbox('alice')).map((m) => m.subject)).toEqual(['[IT-1] Escaneo adjunto']);
      const flags = await withImap('it', async (client) => {
        const lock = await client.getMailboxLock('INBOX', { readOnly: true });
        try {
          const out: string[][] = [];
          for await (const m of client.fetch('1:*', { flags: true })) out.push([...(m.flags ?? [])]);
          return out;
        } finally {
          lock.release();
        }
      });
      expect(flags).toEqual([expect.arrayContaining(['\\Seen'])]);
      expect((await raised.once()).desks.IT).toMatchObject({ seen: 0 });
    } finally {
      await raised.close();
    }
  });
});
