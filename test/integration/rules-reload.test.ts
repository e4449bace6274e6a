// Admins change routing by editing rules files while the daemon runs: a valid change takes effect
// without a restart; an invalid one is logged with file:line:col and the previous rules stay in force.

import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { readInbox, sendMail, waitForMessages } from '../support/mailstack.js';
import { captureLogger, freshStackEachTest, REPO, stackConfig, testApp } from '../support/app.js';

let app: App | null = null;
freshStackEachTest();

describe('templates hot reload', () => {
  it('uses an edited template at once and keeps the last good one when an edit is broken', async () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'sportello-tpl-')), 'templates');
    cpSync(path.join(REPO, 'templates'), dir, { recursive: true });
    const capture = captureLogger();
    const config = { ...stackConfig(undefined, undefined, 'none'), templatesDir: dir };
    app = await testApp(config, { log: capture.log });
    const stop = new AbortController();
    const running = app.run(stop.signal);
    try {
      const file = path.join(dir, 'en', 'auto-reply.text.liquid');
      await capture.waitFor('watching templates for changes');
      let mark = capture.lines.length;
      writeFileSync(file, readFileSync(file, 'utf8').replace('we have received your request', 'thanks, we have your request'));
      await capture.waitFor('templates reloaded', 20_000, mark);
      await sendMail({ from: 'alice', to: 'it', subject: 'Monitor flickers', text: 'My monitor flickers all the time.' });
      await waitForMessages('alice', 1, { timeoutMs: 20_000 });

      mark = capture.lines.length;
      writeFileSync(file, '{% if case.id %}unclosed');
      const bad = await capture.waitFor('invalid template change ignored; the last good templates stay in use', 20_000, mark);
      expect(String(bad.err)).toMatch(/auto-reply\.text\.liquid/);
      await sendMail({ from: 'carlo', to: 'it', subject: 'Keyboard broken', text: 'Some keys of my keyboard do not work.' });
      await waitForMessages('carlo', 1, { timeoutMs: 20_000 });
    } finally {
      stop.abort();
      await running;
    }
    const [first] = await readInbox('alice');
    const [second] = await readInbox('carlo');
    expect(first!.text).toContain('thanks, we have your request');
    expect(second!.text).toContain('thanks, we have your request');
  });
});

describe('rules hot reload', () => {
  it('applies a valid edit without a restart and keeps the previous rules on an invalid one', async () => {
    const rulesDir = path.join(mkdtempSync(path.join(tmpdir(), 'sportello-rules-')), 'rules');
    cpSync(path.join(REPO, 'rules'), rulesDir, { recursive: true });
    const itFile = path.join(rulesDir, 'it.yml');
    const original = readFileSync(itFile, 'utf8');
    const capture = captureLogger();
    app = await testApp(stackConfig(undefined, rulesDir), { log: capture.log });
    const stop = new AbortController();
    const running = app.run(stop.signal);
    try {
      await sendMail({ from: 'alice', to: 'it', subject: 'Mi portátil no enciende', text: 'El portátil no arranca.' });
      await waitForMessages('alice', 1, { timeoutMs: 20_000 });

      // Valid edit: every mail whose subject says "gelato" is urgent network (first rule wins).
      await capture.waitFor('watching rules for changes');
      const mark = capture.lines.length;
      writeFileSync(itFile, original.replace(/\n    rules:\n/, '\n    rules:\n      - name: gelato\n        when: { subject: { contains: gelato } }\n        then: { category: network, priority: urgent }\n'));
      await capture.waitFor('rules reloaded', 20_000, mark);
      await sendMail({ from: 'alice', to: 'it', subject: 'Gelato machine offline', text: 'The gelato machine is offline.' });
      await waitForMessages('alice', 2, { timeoutMs: 20_000 });

      // Invalid edit: reported with its position; the previous (edited) rules stay in force.
      const mark2 = capture.lines.length;
      writeFileSync(itFile, readFileSync(itFile, 'utf8').replace('contains: gelato', 'contain: gelato'));
      const bad = await capture.waitFor('invalid rules change ignored; previous rules stay in force', 20_000, mark2);
      expect(String(bad.problem)).toMatch(/it\.yml:\d+:\d+: .*"contain".*did you mean "contains"/);
      await sendMail({ from: 'carlo', to: 'it', subject: 'gelato again', text: 'Still offline.' });
      await waitForMessages('carlo', 1, { timeoutMs: 20_000 });
    } finally {
      stop.abort();
      await running;
    }
    const cases = await app.store.listCases({});
    expect(cases.map((c) => [c.subject, c.category, c.priority])).toEqual([
      ['Mi portátil no enciende', 'hardware', 'normal'],
      ['Gelato machine offline', 'network', 'urgent'],
      ['gelato again', 'network', 'urgent'],
    ]);
  });
});
