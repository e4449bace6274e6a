// The daily notice about replies parked as uncertain, end to end on the real stack: after a crash mid-send
// the IT desk's escalation address and the HR desk's agents (HR declares no escalation address) each get
// one loop-safe mail listing the rows and the commands; another pass the same day sends nothing.

import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import type { CaseStore } from '../../src/ports.js';
import { countInbox, readInbox, resetMailboxes, sendMail, waitForMessages } from '../support/mailstack.js';
import { REPO, manualClock, stackConfig, testApp, waitForEmptyQueue } from '../support/app.js';

/** Shipped rules, with IT escalating to maria and HR's escalation block removed (so its agents are told). */
function rules(): string {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'sportello-rules-')), 'rules');
  cpSync(path.join(REPO, 'rules'), dir, { recursive: true });
  const it = path.join(dir, 'it.yml');
  writeFileSync(it, readFileSync(it, 'utf8').replace('address: it-lead@example.test', 'address: maria@example.test'));
  const hr = path.join(dir, 'hr.yml');
  const without = readFileSync(hr, 'utf8').replace(/\n    escalation:\n      address: hr-lead@example\.test\n      thresholds:\n(        - .*\n)+/, '\n');
  expect(without).not.toMatch(/^    escalation:/m);
  writeFileSync(hr, without);
  return dir;
}

/** What a crash between "sending" and "sent" leaves behind: the row is parked as uncertain at the next start. */
async function interruptedReply(store: CaseStore, caseId: string, desk: string, now: Date): Promise<number> {
  const id = await store.transaction((tx) =>
    tx.enqueue(
      { caseId, kind: 'relay', envelopeFrom: desk, mail: { from: { address: desk, name: '' }, to: [{ address: 'alice@example.test', name: '' }], subject: `[${caseId}] answer`, messageId: `crash.${caseId}@example.test`, inReplyTo: null, references: [], headers: {}, text: 'answer', html: null } },
      null, now,
    ),
  );
  await store.markSending([id], now);
  await store.parkInterrupted(now);
  return id;
}

describe('the daily uncertain-replies notice', () => {
  it('mails the escalation address or the agents once a day while replies are uncertain', async () => {
    await resetMailboxes();
    const clock = manualClock('2026-12-03T09:00:00Z');
    const app = await testApp(stackConfig(undefined, rules(), 'none'), { clock });
    try {
      await scenario(app, clock);
    } finally {
      await app.close();
    }
  });
});

/** Two cases, a crash mid-send on each, then two daily passes. */
async function scenario(app: App, clock: ReturnType<typeof manualClock>): Promise<void> {
  await sendMail({ from: 'alice', to: 'it', subject: 'Impresora atascada', text: 'La impresora de la planta 2 está atascada otra vez.' });
  await sendMail({ from: 'alice', to: 'hr', subject: 'Nómina de noviembre', text: 'Mi nómina de noviembre no incluye las horas extra.' });
  await waitForMessages('it', 1);
  await waitForMessages('hr', 1);
  const first = await app.once();
  expect(first.housekeeping.notices).toBe(0); // nothing uncertain yet
  await waitForMessages('alice', 2); // the two auto-replies

  const itRow = await interruptedReply(app.store, 'IT-1', 'it@example.test', clock.now());
  const hrRow = await interruptedReply(app.store, 'HR-1', 'hr@example.test', clock.now());
  clock.advance(3_600_000);
  const pass = await app.once();
  expect(pass.housekeeping.notices).toBe(2);
  await waitForMessages('maria', 2);
  await waitForMessages('bob', 1);
  const maria = await readInbox('maria');
  const [itNotice] = maria.filter((m) => m.subject.startsWith('[IT]'));
  expect(itNotice).toBeDefined();
  expect(itNotice!.subject).toMatch(/^\[IT\] 1 /);
  expect(itNotice!.from).toBe('it@example.test');
  expect(itNotice!.text).toContain(`sportello outbox retry ${itRow}`);
  expect(itNotice!.text).toContain('IT-1');
  expect(itNotice!.text).toContain('alice@example.test');
  expect(itNotice!.headers.get('auto-submitted')).toBe('auto-generated');
  expect(itNotice!.headers.get('x-sportello-loop')).toBe('sportello-test');
  // The null envelope sender: Postfix records it as an empty Return-Path.
  expect(itNotice!.headers.get('return-path')).toBe('<>');
  const [bobNotice] = await readInbox('bob');
  expect(bobNotice!.subject).toMatch(/^\[HR\] 1 /);
  expect(bobNotice!.to.sort()).toEqual(['bob@example.test', 'maria@example.test']);
  expect(bobNotice!.text).toContain(`sportello outbox retry ${hrRow}`);

  // Later the same day: still uncertain, but nobody is told twice.
  clock.advance(5 * 3_600_000);
  expect((await app.once()).housekeeping.notices).toBe(0);
  await waitForEmptyQueue();
  expect(await countInbox('maria')).toBe(2);
  expect(await countInbox('bob')).toBe(1);
}
