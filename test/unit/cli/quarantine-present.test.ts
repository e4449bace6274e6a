// How a quarantined mail is shown: why and where it was set aside, its parsed headers and text (or the
// raw head when it cannot be parsed), what an admin did with it, and one line per release outcome.

import { describe, expect, it } from 'vitest';
import { quarantineDetailJson, quarantineDetailText, quarantineTable, releaseLine, SHOW_TEXT_CHARS } from '../../../src/cli/quarantine-present.js';
import type { QuarantineRecord } from '../../../src/ports.js';
import type { ReleaseReport } from '../../../src/app.js';
import { mail } from '../../support/fakes.js';

const row = (over: Partial<QuarantineRecord> = {}): QuarantineRecord => ({
  id: 3, at: '2026-03-02T09:00:00.000Z', position: { desk: 'IT', folder: 'INBOX', uidValidity: 7, uid: 42 }, messageId: 'p1@client.example',
  code: 'COMMIT_FAILED', reason: 'could not record the mail: TEMPLATE_INVALID: no template "vip"', stage: 'commit', raw: Buffer.from('Subject: x\r\n\r\nhi\r\n'),
  state: 'held', releasedAt: null, releasedBy: null, releasedCaseId: null, droppedAt: null, droppedBy: null, dropReason: null, attempts: 0,
  ...over,
});

describe('quarantine show', () => {
  it('prints reason, code, stage, mailbox position, size, headers and text of a parsed mail', () => {
    const text = quarantineDetailText(row(), { mail: mail({ headers: { from: ['Alice <alice@example.test>'], subject: ['Impresora'] }, text: 'No imprime.' }) });
    expect(text).toContain('Quarantine #3: held');
    expect(text).toContain('Code:       COMMIT_FAILED (stage commit)');
    expect(text).toContain('Reason:     could not record the mail: TEMPLATE_INVALID: no template "vip"');
    expect(text).toContain('Mailbox:    IT/INBOX/42 (UIDVALIDITY 7)');
    expect(text).toContain('Message-ID: p1@client.example');
    expect(text).toContain('Size:       18 bytes');
    expect(text).toMatch(/Headers:\n {2}from: Alice <alice@example\.test>\n {2}subject: Impresora\n\nText:\nNo imprime\./);
  });

  it('cuts a long text and says how to get the whole mail', () => {
    const text = quarantineDetailText(row(), { mail: mail({ text: 'a'.repeat(SHOW_TEXT_CHARS + 5) }) });
    expect(text).toContain('… (5 more characters: "sportello quarantine export 3 > mail.eml" gives the whole mail)');
  });

  it('shows the raw head of a mail that cannot be parsed, and JSON says why', () => {
    const view = { error: 'MAIL_PARSE: too many parts', rawHead: 'Content-Type: multipart/mixed' };
    expect(quarantineDetailText(row({ code: 'MAIL_PARSE' }), view)).toContain('The mail cannot be parsed (MAIL_PARSE: too many parts). Its first bytes:\n\nContent-Type: multipart/mixed');
    expect(quarantineDetailJson(row(), view)).toMatchObject({ id: 3, bytes: 18, headers: null, parseError: 'MAIL_PARSE: too many parts', rawHead: 'Content-Type: multipart/mixed' });
    expect(quarantineDetailJson(row(), view)).not.toHaveProperty('raw');
  });

  it('says who released or dropped a row, and that oversized mail is not stored', () => {
    expect(quarantineDetailText(row({ state: 'released', releasedAt: 'T', releasedBy: 'cli:ana', releasedCaseId: 'IT-4' }), null)).toContain('Released:   T by cli:ana into IT-4');
    expect(quarantineDetailText(row({ state: 'dropped', raw: null, droppedAt: 'T', droppedBy: 'cli:ana', dropReason: 'spam' }), null)).toContain('Dropped:    T by cli:ana: spam');
    expect(quarantineDetailText(row({ code: 'MAIL_TOO_LARGE', raw: null }), null)).toContain('Size:       not stored (the mail stays on the server)');
  });
});

describe('quarantine list', () => {
  it('keeps the held-only table and adds the state with --all', () => {
    expect(quarantineTable([], false)).toBe('Quarantine is empty.');
    expect(quarantineTable([row()], false).split('\n')[0]).toMatch(/^#\s+AT \(UTC\)\s+MAILBOX\s+CODE\s+REASON$/);
    const all = quarantineTable([row({ state: 'released', releasedCaseId: 'IT-4' })], true);
    expect(all.split('\n')[0]).toMatch(/CODE\s+STATE\s+REASON$/);
    expect(all).toContain('released → IT-4');
  });
});

describe('quarantine release lines', () => {
  it.each<[ReleaseReport, string]>([
    [{ ok: true, id: 1, outcome: 'created', caseId: 'IT-4', queued: 1 }, '#1: released, opened IT-4 (1 reply queued)'],
    [{ ok: true, id: 2, outcome: 'appended', caseId: 'IT-2', queued: 2 }, '#2: released, added to IT-2 (2 replies queued)'],
    [{ ok: true, id: 3, outcome: 'duplicate', caseId: null, queued: 0 }, '#3: released; the mail was already recorded, no new case'],
    [{ ok: true, id: 4, outcome: 'quarantined', caseId: null, queued: 0, quarantinedAgain: { code: 'OWN_MAIL', reason: 'ours' } }, '#4: still quarantined — OWN_MAIL: ours'],
    [{ ok: false, id: 5, code: 'QUARANTINE_NOT_HELD', error: 'QUARANTINE_NOT_HELD: gone' }, '#5: not released — QUARANTINE_NOT_HELD: gone'],
  ])('%j', (report, line) => {
    expect(releaseLine(report)).toBe(line);
  });
});
