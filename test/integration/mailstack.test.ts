// Smoke test of the real local mail stack and of the helpers every integration test builds on:
// SMTP acceptance and rejection, LMTP delivery (Return-Path), RFC 3834 vacation replies, APPEND, reset.
// Must never depend on timing beyond the helpers' polling deadlines.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { simpleParser } from 'mailparser';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SportelloError } from '../../src/errors.js';
import { CORPORA, withoutCorpora } from '../support/corpora.js';
import {
  STACK,
  appendRaw,
  countInbox,
  readInbox,
  resetMailboxes,
  runMailstack,
  sendMail,
  vacation,
  waitForMessages,
} from '../support/mailstack.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = path.join(repoRoot, 'test', 'fixtures', 'mail');
const NO_CORPORA = withoutCorpora(import.meta.url, ['mime-rt', 'mime-postal-mime', 'mime-nodemailer-mailparser']);

const ALICE = STACK.addr('alice');
const IT = STACK.addr('it');

describe('local mail stack', () => {
  beforeEach(async () => {
    await resetMailboxes();
  });

  it('is up, and status reports both daemons (exit 0)', async () => {
    const res = await runMailstack(['status']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^dovecot: running/m);
    expect(res.stdout).toMatch(/^postfix: running/m);
  });

  // A MAILSTACK_DIR that was never brought up: exercises the CLI without touching the shared stack.
  describe('the CLI, on a stack that was never up', () => {
    let neverUp = '';
    beforeAll(async () => {
      neverUp = await mkdtemp(path.join(tmpdir(), 'ms-never-'));
    });
    afterAll(async () => {
      await rm(neverUp, { recursive: true, force: true });
    });

    it.each([
      [['status'], 3, /^dovecot: stopped$/m],
      [['frobnicate'], 1, /error: unknown command 'frobnicate'\n.*fix: use one of: up install down/],
      [['vacation', 'on'], 1, /error: vacation on needs an ADDRESS\n.*fix: .*vacation on\|off ADDRESS/],
      [['vacation', 'on', 'nobody@example.test'], 1, /error: unknown mailbox: nobody@example.test\n.*fix: use one of: it@example.test/],
      [['reset', 'it'], 1, /error: nothing to reset: .* does not exist\n.*fix: run '.*mailstack\.sh up' first/],
      [['logs', 'many'], 1, /error: logs takes a line count, got 'many'/],
    ])('mailstack.sh %j exits %i, naming cause and fix', async (args, code, said) => {
      const res = await runMailstack(args, { okCodes: [code], env: { MAILSTACK_DIR: neverUp } });

      expect(res.code).toBe(code);
      expect(res.stdout + res.stderr).toMatch(said);
    });
  });

  it('delivers alice → it@ over SMTP/LMTP with Return-Path and the Message-ID sent', async () => {
    const messageId = await sendMail({
      from: `Alice Example <${ALICE}>`,
      to: IT,
      subject: 'Printer on the 3rd floor is broken',
      text: 'Hello IT,\nthe printer is broken again.\n',
      html: '<p>Hello IT,<br>the printer is broken again.</p>',
      headers: { 'X-Test-Case': 'smoke' },
    });

    await waitForMessages('it', 1);
    const inbox = await readInbox('it');

    expect(inbox).toHaveLength(1);
    const [msg] = inbox;
    expect(msg).toMatchObject({
      subject: 'Printer on the 3rd floor is broken',
      from: ALICE,
      to: [IT],
      messageId,
    });
    expect(msg?.headers.get('return-path')).toBe(`<${ALICE}>`);
    expect(msg?.headers.get('x-test-case')).toBe('smoke');
    expect(msg?.text).toContain('the printer is broken again');
    expect(msg?.html).toContain('<p>Hello IT,');
    expect(msg?.raw.toString('latin1')).toMatch(/^Return-Path: /);
  });

  it('threads a reply: In-Reply-To and References survive the trip', async () => {
    const parent = '<parent.1@example.test>';
    const messageId = await sendMail({
      from: ALICE,
      to: 'it',
      subject: 'Re: VPN',
      text: 'still broken',
      inReplyTo: parent,
      references: ['<root.0@example.test>', parent],
      messageId: '<reply.2@example.test>',
    });
    expect(messageId).toBe('<reply.2@example.test>');

    await waitForMessages('it', 1);
    const [msg] = await readInbox('it');

    expect(msg?.inReplyTo).toBe(parent);
    expect(msg?.references).toEqual(['<root.0@example.test>', parent]);
  });

  it.each([
    ['an unknown @example.test user', 'nobody@example.test', 550, /User unknown/],
    ['a foreign domain (no relaying)', 'someone@elsewhere.invalid', 554, /Relay access denied/],
  ])('rejects %s at RCPT time', async (_label, to, responseCode, reason) => {
    const sending = sendMail({ from: ALICE, to, subject: 'lost', text: 'nobody home' });

    await expect(sending).rejects.toBeInstanceOf(SportelloError);
    await expect(sending).rejects.toMatchObject({
      code: 'SMTP_PERMANENT',
      context: { responseCode },
      message: expect.stringMatching(reason),
    });
  });

  it.each([['it+urgent@example.test'], ['IT@Example.Test']])(
    'delivers %s to it@ (plus addressing, case-insensitive)',
    async (to) => {
      await sendMail({ from: ALICE, to, subject: `for ${to}`, text: 'x' });

      await waitForMessages('it', 1);

      expect((await readInbox('it')).map((m) => m.subject)).toEqual([`for ${to}`]);
    },
  );

  describe('vacation responder', () => {
    afterEach(async () => {
      await vacation(false, 'alice');
    });

    it('answers it@ with an RFC 3834 auto-reply (Auto-Submitted, null sender, In-Reply-To)', async () => {
      await vacation(true, 'alice', { subject: 'Away until Monday' });

      const sent = await sendMail({ from: IT, to: ALICE, subject: 'Case #42 received', text: 'We got it.' });
      await waitForMessages('alice', 1);
      await waitForMessages('it', 1);
      const [reply] = await readInbox('it');

      expect(reply?.from).toBe(ALICE);
      expect(reply?.subject).toBe('Away until Monday');
      expect(reply?.headers.get('auto-submitted')).toMatch(/^auto-replied\b/);
      expect(reply?.headers.get('return-path')).toBe('<>');
      expect(reply?.inReplyTo).toBe(sent);
    });
  });

  // Our own fixtures always; the third-party ones (raw 8-bit headers, calendar parts) when the corpora are there.
  it.each([
    ['test/fixtures/mail', 'es-acentos.eml'],
    ['test/fixtures/mail', 'it-accenti.eml'],
    ['test/fixtures/mail', 'feedback-nested-report.eml'],
    ...(NO_CORPORA
      ? []
      : [
          ['corpora', 'mime-rt/new-ticket-from-iso-8859-1'],
          ['corpora', 'mime-postal-mime/calendar-event.eml'],
          ['corpora', 'mime-nodemailer-mailparser/mixed.eml'],
        ]),
  ])('appendRaw injects %s/%s exactly as stored', async (from, fixture) => {
    const raw = await readFile(path.join(from === 'corpora' ? CORPORA : fixtures, fixture));
    const expected = await simpleParser(raw);

    const uid = await appendRaw('bob', raw);
    const inbox = await readInbox('bob');

    expect(inbox.map((m) => m.uid)).toEqual([uid]);
    expect(inbox[0]?.subject).toBe(expected.subject ?? '');
    expect(inbox[0]?.messageId).toBe(expected.messageId);
    // IMAP transfers lines as CRLF; apart from that the bytes must be the fixture's.
    const crlfToLf = (b: Buffer) => b.toString('latin1').replace(/\r\n/g, '\n');
    expect(crlfToLf(inbox[0]?.raw ?? Buffer.alloc(0))).toBe(crlfToLf(raw));
  });

  it('reset empties only the mailboxes it is given, and all of them without arguments', async () => {
    await appendRaw('it', 'Subject: one\r\n\r\nbody\r\n');
    await appendRaw('hr', 'Subject: two\r\n\r\nbody\r\n');
    await sendMail({ from: ALICE, to: 'carlo', subject: 'three', text: 'x' });
    await waitForMessages('carlo', 1);

    await resetMailboxes('it');
    const afterOne = [await countInbox('it'), await countInbox('hr'), await countInbox('carlo')];
    await resetMailboxes();
    const afterAll = [await countInbox('it'), await countInbox('hr'), await countInbox('carlo')];

    expect(afterOne).toEqual([0, 1, 1]);
    expect(afterAll).toEqual([0, 0, 0]);
  });

  it('waitForMessages fails with a timeout that lists what the INBOX holds', async () => {
    await appendRaw('maria', 'From: bob@example.test\r\nSubject: only one\r\n\r\nbody\r\n');

    const waiting = waitForMessages('maria', 2, { timeoutMs: 300 });

    await expect(waiting).rejects.toMatchObject({
      code: 'MAILSTACK_TIMEOUT',
      context: { expected: 2, actual: 1 },
      message: expect.stringContaining('"only one"'),
    });
  });
});
