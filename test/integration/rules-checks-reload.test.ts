// The daemon checks a rules edit against the config and the templates as `rules check` does: a rule
// naming a template that does not exist, or a deleted desk file, is refused with its position and the
// previous rules stay in force, so mail keeps getting cases and replies instead of being quarantined.

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { readInbox, sendMail, waitForMessages } from '../support/mailstack.js';
import { captureLogger, freshStackEachTest, REPO, stackConfig, testApp } from '../support/app.js';

let app: App | null = null;
freshStackEachTest();

it('refuses a rules edit that names a missing template or drops a desk, and keeps routing with the last good rules', async () => {
  const rulesDir = path.join(mkdtempSync(path.join(tmpdir(), 'sportello-rules-')), 'rules');
  cpSync(path.join(REPO, 'rules'), rulesDir, { recursive: true });
  const itFile = path.join(rulesDir, 'it.yml');
  const capture = captureLogger();
  app = await testApp(stackConfig(undefined, rulesDir, 'none'), { log: capture.log });
  const stop = new AbortController();
  const running = app.run(stop.signal);
  try {
    await capture.waitFor('watching rules for changes');
    let mark = capture.lines.length;
    writeFileSync(itFile, readFileSync(itFile, 'utf8').replace(/\n    rules:\n/, '\n    rules:\n      - name: gelato\n        when: { subject: { contains: gelato } }\n        then: { category: network, priority: urgent, template: printer-reply }\n'));
    const bad = await capture.waitFor('invalid rules change ignored; previous rules stay in force', 20_000, mark);
    expect(String(bad.problem)).toMatch(/^rules\/it\.yml:\d+:\d+: rule "gelato" uses template "printer-reply", which does not exist/);

    mark = capture.lines.length;
    rmSync(path.join(rulesDir, 'hr.yml'));
    const dropped = await capture.waitFor('invalid rules change ignored; previous rules stay in force', 20_000, mark);
    expect(String(dropped.problem)).toContain('desk HR is in sportello.yml but no rules file declares it');

    await sendMail({ from: 'alice', to: 'it', subject: 'Gelato machine offline', text: 'The gelato machine is offline.' });
    await waitForMessages('alice', 1, { timeoutMs: 20_000 });
  } finally {
    stop.abort();
    await running;
  }
  const [reply] = await readInbox('alice');
  expect(reply!.subject).toBe('[IT-1] Gelato machine offline');
  const cases = await app.store.listCases({});
  expect(cases.map((c) => [c.id, c.priority])).toEqual([['IT-1', 'normal']]);
}, 120_000);
