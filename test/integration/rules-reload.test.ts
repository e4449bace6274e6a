// Admins change routing by editing rules files while the daemon runs: a valid change takes effect
// without a restart; an invalid one is logged with file:line:col and the previous rules stay in force.

import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { resetMailboxes, sendMail, waitForMessages } from '../support/mailstack.js';
import { REPO, captureLogger, stackConfig, testApp } from '../support/app.js';

let app: App | null = null;
beforeEach(async () => {
  await resetMailboxes();
});
afterEach(async () => {
  await app?.close();
  app = null;
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
