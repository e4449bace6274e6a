// The command line as an admin meets it: offline commands on a laptop without the production secrets
// (while `once` still refuses them), rules checked against the config and templates with exit 2,
// `cases list` filters and CSV, and `cases update --assignee` telling the new assignee by real mail.
// Real child processes, a real SQLite file and the local mail stack.

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readInbox, resetMailboxes, sendMail, waitForMessages } from '../support/mailstack.js';
import { REPO, stackConfigYaml, tempDb } from '../support/app.js';
import { runCli } from '../support/cli.js';

const sportello = (args: string[], env: Record<string, string | undefined> = {}) => runCli(args, env);

describe('offline commands without the production secrets', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sportello-offline-'));
  const cfg = path.join(dir, 'prod.yml');
  // The shipped config with its password defaults removed, as production writes it.
  writeFileSync(cfg, readFileSync(path.join(REPO, 'sportello.yml'), 'utf8').replace(/\$\{(SPORTELLO_\w+_PASSWORD):-secret\}/g, '${$1}').replace(/^rulesDir:.*$/m, '').replace(/^templatesDir:.*$/m, '').replace(/^database:.*$/m, '') + `\nrulesDir: ${path.join(REPO, 'rules')}\ntemplatesDir: ${path.join(REPO, 'templates')}\ndatabase: ${path.join(dir, 'prod.db')}\n`);
  const unset = { SPORTELLO_IT_PASSWORD: undefined, SPORTELLO_HR_PASSWORD: undefined };

  it.each([
    [['rules', 'check'], /OK: 2 file\(s\) valid/],
    [['templates', 'check'], /OK: \d+ templates/],
    [['classify', path.join(REPO, 'rules/fixtures', readFileSync(path.join(REPO, 'rules/fixtures/expected.yml'), 'utf8').match(/^(\S+\.eml):/m)![1]!)], /→/],
  ])('%j works', async (args, out) => {
    const r = await sportello([...args, '--config', cfg], unset);
    expect(r.stderr).not.toContain('CONFIG_INVALID');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(out);
  });

  it.each([
    ['agent-notification', /^To: bob@example\.test$/m, /^New case: HR-NEW/m],
    ['escalation', /^To: hr-lead@example\.test$/m, /^Subject: \[HR-NEW\] SLA breached: /m],
  ])('preview --template %s shows that mail for the fixture, times in the configured zone', async (template, to, body) => {
    const fixture = path.join(REPO, 'rules/fixtures', readFileSync(path.join(REPO, 'rules/fixtures/expected.yml'), 'utf8').match(/^(hr-\S+\.eml):/m)![1]!);
    const r = await sportello(['preview', fixture, '--template', template, '--text-only', '--at', '2026-11-20T16:30:00+01:00', '--config', cfg], unset);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/resolution by \d{4}-\d\d-\d\d \d\d:\d\d \(Europe\/Madrid\)/);
    expect(r.stdout).toMatch(to);
    expect(r.stdout).toMatch(body);
  }, 120_000);

  it('once still refuses, with one message per unset variable and the hint on its own line', async () => {
    const r = await sportello(['once', '--config', cfg], unset);
    expect(r.code).toBe(2);
    const lines = r.stderr.split('\n');
    expect(lines.filter((l) => l.includes('is not set'))).toEqual([
      expect.stringMatching(/prod\.yml:\d+: desks\.0\.imap\.password: environment variable SPORTELLO_IT_PASSWORD is not set$/),
      expect.stringMatching(/prod\.yml:\d+: desks\.1\.imap\.password: environment variable SPORTELLO_HR_PASSWORD is not set$/),
    ]);
    expect(lines).toContain('      export SPORTELLO_IT_PASSWORD=…, or write ${SPORTELLO_IT_PASSWORD:-default} in the file');
    expect(lines.at(-2)).toMatch(/^hint: /);
  });
});

describe('rules check against the config and the templates', () => {
  it('reports a missing desk file, an unknown assignee and a missing template with positions; exit 2', async () => {
    const db = tempDb();
    const rules = path.join(path.dirname(db), 'rules');
    cpSync(path.join(REPO, 'rules'), rules, { recursive: true });
    rmSync(path.join(rules, 'hr.yml'));
    const it = path.join(rules, 'it.yml');
    writeFileSync(it, readFileSync(it, 'utf8').replace('          tags: [phishing]\n', '          tags: [phishing]\n          assignee: mraia@example.test\n          template: printer-reply\n'));
    const cfg = path.join(path.dirname(db), 'sportello.yml');
    writeFileSync(cfg, stackConfigYaml(db, '', rules));
    const r = await sportello(['rules', 'check', '--config', cfg]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^rules\/hr\.yml:1:1: desk HR is in sportello\.yml but no rules file declares it/m);
    expect(r.stdout).toMatch(/^rules\/it\.yml:\d+:\d+: rule "Suspected phishing goes to security" assigns to "mraia@example\.test", who is not an agent of desk IT \(did you mean "maria@example\.test"\?\)$/m);
    expect(r.stdout).toMatch(/^rules\/it\.yml:\d+:\d+: rule "Suspected phishing goes to security" uses template "printer-reply", which does not exist$/m);
    expect(r.stderr).toContain('RULES_INVALID: 3 problem(s)');
  });
});

describe('cases on the command line', () => {
  let cfg = '';
  let db = '';
  beforeAll(async () => {
    await resetMailboxes();
    db = tempDb();
    cfg = path.join(path.dirname(db), 'sportello.yml');
    writeFileSync(cfg, stackConfigYaml(db, '', undefined, 'none'));
    await sendMail({ from: 'alice', to: 'it', subject: 'Wifi lento', text: 'La wifi va muy lenta en la sala 3.' });
    await sendMail({ from: 'carlo', to: 'it', subject: 'Stampante, "rotta"', text: 'La stampante del secondo piano non stampa.' });
    await waitForMessages('it', 2);
    expect((await sportello(['once', '--config', cfg])).code).toBe(0);
  });

  it('cases update --assignee assigns, records it and tells the assignee by mail; a wrong name changes nothing', async () => {
    const wrong = await sportello(['cases', 'update', 'IT-1', '--assignee', 'mraia', '--config', cfg]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('USAGE: "mraia" is not an agent of desk IT (did you mean "maria"?)');
    const r = await sportello(['cases', 'update', 'it-1', '--assignee', 'Maria', '--config', cfg]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^IT-1: status new, assignee maria@example\.test, due \d{4}-\d\d-\d\d \d\d:\d\d Europe\/Madrid/);
    await waitForMessages('maria', 1);
    const [mail] = await readInbox('maria');
    expect(mail!.subject).toContain('[IT-1]');
    expect(mail!.headers.get('auto-submitted')).toBe('auto-generated');
    const shown = JSON.parse((await sportello(['cases', 'show', 'IT-1', '--json', '--config', cfg])).stdout) as { assignee: string; events: { type: string; data: unknown }[] };
    expect(shown.assignee).toBe('maria@example.test');
    expect(shown.events).toContainEqual(expect.objectContaining({ type: 'assigned', data: { from: null, to: 'maria@example.test' } }));
  }, 180_000);

  it('cases list: newest first, filters, an ASSIGNEE column and RFC 4180 CSV', async () => {
    const table = await sportello(['cases', 'list', '--config', cfg]);
    expect(table.stdout).toMatch(/^ID\s+STATUS\s+CATEGORY\s+PRIORITY\s+ASSIGNEE\s+REQUESTER/m);
    expect(table.stdout.split('\n').slice(2, 4).map((l) => l.split(/\s+/)[0])).toEqual(['IT-2', 'IT-1']);
    const mine = await sportello(['cases', 'list', '--assignee', 'maria@example.test', '--json', '--config', cfg]);
    expect((JSON.parse(mine.stdout) as { id: string }[]).map((c) => c.id)).toEqual(['IT-1']);
    const unassigned = await sportello(['cases', 'list', '--assignee', 'none', '--requester', 'carlo@example.test', '--since', '1d', '--json', '--config', cfg]);
    expect((JSON.parse(unassigned.stdout) as { id: string }[]).map((c) => c.id)).toEqual(['IT-2']);
    const paged = await sportello(['cases', 'list', '--limit', '1', '--offset', '1', '--json', '--config', cfg]);
    expect((JSON.parse(paged.stdout) as { id: string }[]).map((c) => c.id)).toEqual(['IT-1']);
    const csv = await sportello(['cases', 'list', '--csv', '--config', cfg]);
    expect(csv.stdout.split('\r\n')[0]).toBe('id,desk,status,category,priority,assignee,requester,requesterName,subject,createdAt,dueAt');
    expect(csv.stdout).toContain(',"Stampante, ""rotta""",');
    const badDesk = await sportello(['cases', 'list', '--desk', 'TI', '--config', cfg]);
    expect(badDesk.code).toBe(2);
    expect(badDesk.stderr).toContain('unknown desk "TI" (did you mean "IT"?)');
  }, 300_000);

  it('stats --desk with an unknown desk is a usage error', async () => {
    const r = await sportello(['stats', '--desk', 'XX', '--config', cfg]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('USAGE: unknown desk "XX"');
  });
});
