// Golden and corpus tests for the MIME adapter: our own fixtures against reviewed goldens, every
// third-party corpus message for "well-formed or a coded error", Stalwart's parse JSON as an oracle,
// and targeted cases (charsets, RFC 2047/2231, null sender, groups, malformed ids, hostile input).

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { extractAttachments, parseDate, parseMail } from '../../../src/adapters/mime-parser.js';
import { MIME_CORPUS_SETS, corpusMessages } from '../../../bench/lib/corpus.js';
import type { InboundMail } from '../../../src/domain/mail.js';
import { header } from '../../../src/domain/mail.js';
import { isSportelloError } from '../../../src/errors.js';
import { CORPORA, corpusFile, withoutCorpora } from '../../support/corpora.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const NO_CORPORA = withoutCorpora(import.meta.url, MIME_CORPUS_SETS);
/** Tests that read third-party corpus mail; the rest run on our own fixtures. */
const itCorpus = it.skipIf(NO_CORPORA);
const fixtures = path.join(repoRoot, 'test', 'fixtures', 'mail');

const PER_FILE_TIMEOUT_MS = 10_000;


/** Message files of a corpus set, from its MANIFEST (expected-output JSON left out). */

const read = corpusFile;
const parseCorpus = (relative: string): Promise<InboundMail> => parseMail(read(relative));
const parseFixture = (name: string): Promise<InboundMail> => parseMail(readFileSync(path.join(fixtures, name)));

const ID = /^[^\s<>]+$/;

function expectWellFormed(mail: InboundMail, raw: Buffer): void {
  expect(mail.size).toBe(raw.length);
  if (mail.messageId !== null) expect(mail.messageId).toMatch(ID);
  for (const id of [...mail.inReplyTo, ...mail.references]) expect(id).toMatch(ID);
  expect(new Set(mail.references).size).toBe(mail.references.length);
  expect(typeof mail.subject).toBe('string');
  for (const a of [mail.from, ...mail.replyTo, ...mail.to, ...mail.cc]) {
    if (a === null) continue;
    expect(a.address).toBe(a.address.toLowerCase());
    expect(a.address).toMatch(/^[^\s@<>]+(@[^\s@<>]+)*@[^\s@<>]+$/);
    expect(typeof a.name).toBe('string');
  }
  if (mail.date !== null) expect(new Date(mail.date).toISOString()).toBe(mail.date);
  for (const [name, values] of Object.entries(mail.headers)) {
    expect(name).toBe(name.toLowerCase());
    expect(values.length).toBeGreaterThan(0);
    for (const value of values) expect(value).not.toMatch(/[\r\n]/);
  }
  expect(mail.text).not.toContain('\r');
  expect(mail.html === null || typeof mail.html === 'string').toBe(true);
  for (const att of mail.attachments) {
    expect(Object.keys(att).sort()).toEqual(['contentType', 'filename', 'size']);
    expect(Number.isInteger(att.size) && att.size >= 0).toBe(true);
    expect(att.contentType).toMatch(/^[\w.+-]+\/[\w.+-]+/);
  }
  expect(mail.returnPath === null || !/[<>\s]/.test(mail.returnPath)).toBe(true);
}

describe.skipIf(NO_CORPORA)('parseMail over the third-party corpora', () => {
  const files = NO_CORPORA ? [] : MIME_CORPUS_SETS.flatMap(corpusMessages);

  it('finds the corpus messages', () => {
    expect(files.length).toBeGreaterThan(400);
  });

  it.each(files)(
    '%s parses into a well-formed InboundMail or fails with a coded error',
    async (file) => {
      const raw = read(file);
      let mail: InboundMail;
      try {
        mail = await parseMail(raw);
      } catch (err) {
        expect(isSportelloError(err, 'MAIL_PARSE') || isSportelloError(err, 'MAIL_TOO_LARGE')).toBe(true);
        return;
      }
      expectWellFormed(mail, raw);
    },
    PER_FILE_TIMEOUT_MS,
  );
});

// Stalwart's mail-parser is strict and ships its parse tree per message. Compared where the
// expectation maps one-to-one onto ours: the first occurrence of a header (we keep the first),
// addresses only when every entry has an addr-spec (we drop invalid ones, Stalwart keeps them).
interface StalwartCase {
  readonly file: string;
  readonly field: string;
  readonly expected: unknown;
}

function stalwartCases(): StalwartCase[] {
  if (NO_CORPORA) return [];
  const root = path.join(CORPORA, 'mime-stalwart-mail-parser');
  const cases: StalwartCase[] = [];
  for (const dir of ['rfc', 'malformed', 'thirdparty']) {
    for (const name of readdirSync(path.join(root, dir)).filter((f) => f.endsWith('.json')).sort()) {
      const file = path.join('mime-stalwart-mail-parser', dir, name.replace(/\.json$/, '.eml'));
      const tree = JSON.parse(readFileSync(path.join(root, dir, name), 'utf8')) as StalwartTree;
      const seen = new Set<string>();
      for (const { name: field, value } of tree.parts[0]?.headers ?? []) {
        if (seen.has(field)) continue;
        seen.add(field);
        const expected = stalwartExpectation(field, value);
        if (expected !== undefined) cases.push({ file, field, expected });
      }
      const body = dir === 'malformed' ? undefined : stalwartText(tree);
      if (body !== undefined && !STALWART_BODY_DIVERGENCES.has(file)) cases.push({ file, field: 'text', expected: body });
    }
  }
  return cases;
}

interface StalwartAddress {
  readonly name: string | null;
  readonly address: string | null;
}
interface StalwartValue {
  readonly Text?: string;
  readonly Address?: { readonly List?: readonly StalwartAddress[] };
  readonly DateTime?: {
    year: number; month: number; day: number; hour: number; minute: number; second: number;
    tz_before_gmt: boolean; tz_hour: number; tz_minute: number;
  };
}
interface StalwartPart {
  readonly headers: readonly { readonly name: string; readonly value: StalwartValue | string }[];
  readonly body?: { readonly Text?: string };
}
interface StalwartTree {
  readonly parts: readonly StalwartPart[];
  readonly text_body: readonly number[];
}

function stalwartExpectation(field: string, value: StalwartValue | string): unknown {
  if (typeof value === 'string') return undefined;
  switch (field) {
    case 'subject':
    case 'message_id':
      return value.Text;
    case 'return_path':
      return value.Text?.toLowerCase();
    case 'from':
    case 'to':
    case 'reply_to': {
      const list = value.Address?.List;
      if (!list || list.some((a) => !a.address?.includes('@'))) return undefined;
      return list.map((a) => ({ address: (a.address ?? '').toLowerCase(), name: a.name ?? '' }));
    }
    case 'date': {
      const t = value.DateTime;
      if (!t) return undefined;
      const offsetMinutes = (t.tz_before_gmt ? -1 : 1) * (t.tz_hour * 60 + t.tz_minute);
      const utc = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second) - offsetMinutes * 60_000;
      return new Date(utc).toISOString();
    }
    default:
      return undefined;
  }
}

// Bodies compared only outside malformed/ (where "right" is a matter of opinion) and where every text part is plain text. Known, reviewed
// divergences: mailparser renders inline message/rfc822 parts (their headers) into the text, and
// decodes invalid byte sequences differently.
const STALWART_BODY_DIVERGENCES = new Set(
  ['rfc/002.eml', 'rfc/004.eml', 'thirdparty/002.eml', 'thirdparty/005.eml'].map((f) =>
    path.join('mime-stalwart-mail-parser', f),
  ),
);

function stalwartText(tree: StalwartTree): string | undefined {
  const parts = tree.text_body.map((i) => tree.parts[i]);
  if (parts.length === 0 || !parts.every((p) => typeof p?.body?.Text === 'string')) return undefined;
  return collapse(parts.map((p) => p?.body?.Text ?? '').join('\n'));
}

const collapse = (text: string): string => text.replace(/\s+/g, ' ').trim();

function ours(mail: InboundMail, field: string): unknown {
  switch (field) {
    case 'subject':
      return mail.subject;
    case 'message_id':
      return mail.messageId;
    case 'return_path':
      return mail.returnPath;
    case 'from':
      return mail.from ? [mail.from] : [];
    case 'to':
      return mail.to;
    case 'reply_to':
      return mail.replyTo;
    case 'date':
      return mail.date;
    case 'text':
      return collapse(mail.text);
    default:
      throw new Error(`no mapping for ${field}`);
  }
}

describe.skipIf(NO_CORPORA)('parseMail agrees with Stalwart mail-parser expectations', () => {
  const cases = stalwartCases();

  it('has enough unambiguous expectations to be meaningful', () => {
    expect(cases.length).toBeGreaterThan(100);
  });

  it.each(cases)('$file $field', async ({ file, field, expected }) => {
    expect(ours(await parseCorpus(file), field)).toEqual(expected);
  });
});

describe('golden fixtures', () => {
  const names = readdirSync(fixtures).filter((f) => f.endsWith('.eml')).sort();

  it.each(names)('%s matches its reviewed .expected.json', async (name) => {
    const golden: unknown = JSON.parse(readFileSync(path.join(fixtures, name.replace(/\.eml$/, '.expected.json')), 'utf8'));
    expect(JSON.parse(JSON.stringify(await parseFixture(name)))).toEqual(golden);
  });
});

describe('targeted cases', () => {
  itCorpus.each([
    ['mime-rt/8859-15-message-series/msg1', 'test äöüßÄÖÜß€'],
    ['mime-rt/subject-with-folding-ws', 'test'],
    ['mime-spamscope-mail-parser/mail_test_5', 'Je prépare mon été zéro complexe !'],
    ['mime-mikel-mail/multi_charset/japanese_attachment_long_name.eml', 'まみむめも'.repeat(10)],
    ['bounces-sisimai/bsd/rfc3834-06.eml', 'AutoRespons :Nyaan?'],
  ])('decodes the RFC 2047 / legacy-charset subject of %s', async (file, subject) => {
    expect((await parseCorpus(file)).subject).toBe(subject);
  });

  itCorpus('decodes raw 8-bit ISO-8859-1 header bytes with the body charset, not as U+FFFD', async () => {
    const mail = await parseCorpus('mime-rt/new-ticket-from-iso-8859-1');
    expect(mail.from).toEqual({ address: 'hw@nordkapp.net', name: 'Wilhelmsen Håvard' });
  });

  itCorpus.each([
    ['mime-mikel-mail/attachment_emails/attachment_with_quoted_filename.eml', 'Eelanalüüsi päring.jpg', 'image/jpeg'],
    ['mime-mikel-mail/multi_charset/japanese_attachment_long_name.eml', `${'かきくけこ'.repeat(5)}.txt`, 'text/plain'],
    ['mime-nodemailer-mailparser/nodemailer.eml', 'nyan cat ✔.gif', 'image/gif'],
  ])('decodes the RFC 2231 filename in %s', async (file, filename, contentType) => {
    const mail = await parseCorpus(file);
    const attachment = mail.attachments.find((a) => a.filename === filename);
    expect(attachment).toMatchObject({ contentType });
    expect(attachment?.size).toBeGreaterThan(0);
    expect(attachment).not.toHaveProperty('content');
  });

  it('decodes an ISO-8859-1 RFC 2231 filename split over continuations', async () => {
    const mail = await parseFixture('it-accenti.eml');
    expect(mail.attachments).toEqual([{ filename: 'fattura n° 12 perché.pdf', contentType: 'application/pdf', size: 54 }]);
  });

  itCorpus.each([
    ['bounces-sisimai/dos/lhost-outlook-01.eml', ''],
    ['mime-spamscope-mail-parser/mail_malformed_2', ''],
    ['mime-rt/new-ticket-from-iso-8859-1', 'hw@nordkapp.net'],
    ['mime-rt/subject-with-folding-ws', null],
  ])('reads Return-Path of %s as %j', async (file, returnPath) => {
    expect((await parseCorpus(file)).returnPath).toBe(returnPath);
  });

  it('turns an HTML-only mail into plain text without link or image noise', async () => {
    const mail = await parseFixture('html-only.eml');
    expect(mail.text).toBe(
      'Incidencia nº 77\n\nEl usuario María informa:\n\nNo funciona la VPN desde las 6 h.\n\nCampo\nValor\nPrioridad\nAlta',
    );
    expect(mail.html).toContain('<a href="https://portal.example.test/u/42">');
  });

  itCorpus('converts HTML-only corpus mail (ISO-8859-1 entity umlauts) to text', async () => {
    const mail = await parseCorpus('mime-rt/text-html-with-umlaut');
    expect(mail.text).toContain('Mit freundlichen Grüßen');
    expect(mail.text).not.toMatch(/<[a-z]/i);
  });

  itCorpus('keeps a mail without Message-ID, with messageId null', async () => {
    const mail = await parseCorpus('mime-rt/subject-with-folding-ws');
    expect(mail.messageId).toBeNull();
    expect(mail.headers['message-id']).toBeUndefined();
  });

  it('keeps several References in order, without brackets or duplicates', async () => {
    expect((await parseFixture('es-acentos.eml')).references).toEqual([
      'CAB1x=first@mail.ejemplo.es',
      'case.41.1@desk.example.test',
      'case.41.2@desk.example.test',
    ]);
  });

  itCorpus('keeps corpus References in order, without duplicates', async () => {
    // four References entries upstream, two of them repeats
    expect((await parseCorpus('mime-rt/new-ticket-from-iso-8859-1')).references).toEqual([
      '5.2.1.1.0.20030602204834.031406d8@mail.nordkapp.net',
      '5.2.1.1.0.20030530194214.0371c988@mail.nordkapp.net',
    ]);
  });

  itCorpus.each([
    ['mime-mikel-mail/rfc2822/example04.eml', ['c@a.test', 'joe@where.test', 'jdoe@one.test']],
    ['mime-mikel-mail/rfc2822/example10.eml', ['c@public.example', 'joe@example.org', 'jdoe@one.test']],
  ])('flattens the group in To of %s', async (file, addresses) => {
    const mail = await parseCorpus(file);
    expect(mail.to.map((a) => a.address)).toEqual(addresses);
    expect(mail.cc).toEqual([]);
  });

  it('flattens groups, lower-cases addresses and keeps decoded display names', async () => {
    const mail = await parseFixture('it-accenti.eml');
    expect(mail.to).toEqual([
      { address: 'helpdesk@example.test', name: '' },
      { address: 'c.rossi@esempio.it', name: 'Rossi, Carla' },
      { address: 'marco@esempio.it', name: 'Marco' },
    ]);
    expect(mail.cc).toEqual([]);
    expect(mail.replyTo).toEqual([{ address: 'segreteria@esempio.it', name: 'Segreteria Università' }]);
  });

  it('reads a Spanish mail: encoded-word names, ISO-8859-1 quoted-printable body', async () => {
    const mail = await parseFixture('es-acentos.eml');
    expect(mail.from).toEqual({ address: 'jose.nunez@ejemplo.es', name: 'José Núñez' });
    expect(mail.subject).toBe('Re: Cambio de contraseña — urgente');
    expect(mail.text).toContain('¿Podéis ayudarme? Es urgente, mañana cierro el mes.');
    expect(mail.date).toBe('2025-03-04T08:14:58.000Z');
    expect(mail.inReplyTo).toEqual(['case.41.2@desk.example.test']);
  });

  it('reads an Italian mail: raw UTF-8 headers (RFC 6532), base64 alternative body', async () => {
    const mail = await parseFixture('it-accenti.eml');
    expect(mail.subject).toBe('Perché la stampante non funziona più?');
    expect(mail.from).toEqual({ address: 'n.bianchi@esempio.it', name: 'Niccolò Bianchi' });
    expect(mail.text).toContain('Perché succede? Ho già provato a riavviarla.');
    expect(mail.html).toContain('<b>più</b>');
  });

  itCorpus.each([
    ['mime-spamscope-mail-parser/mail_test_17', 'Transferencia Interbancaria Banca en Línea'],
    ['mime-spamscope-mail-parser/mail_test_7', 'I: Ordine'],
    ['mime-spamscope-mail-parser/mail_test_10', '*** ATTENZIONE *** - Modelli POWER7+ inclusi nella campagna'],
  ])('reads the Spanish/Italian corpus mail %s', async (file, subjectStart) => {
    const mail = await parseCorpus(file);
    expect(mail.subject.startsWith(subjectStart)).toBe(true);
    expect(mail.from?.address).toMatch(/@/);
  });

  it('exposes arbitrary headers decoded, unfolded and in order', async () => {
    const mail = await parseFixture('malformed-headers.eml');
    expect(mail.headers['x-auto-response-suppress']).toEqual(['DR, RN, NRN, OOF, AutoReply']);
    expect(header(mail, 'Auto-Submitted')).toBe('auto-replied');
    expect(header(mail, 'precedence')).toBe('bulk');
    expect(mail.headers['list-id']).toEqual(['Lista de prüfung <pruefung.lists.example>']);
    expect(mail.headers['x-loop']).toEqual(['desk@example.test', 'other@example.test']);
    expect(mail.headers['x-latin1']).toEqual(['Señor Müller']);
    expect(mail.subject).toBe('Respuesta automática: fuera de la oficina');
  });

  itCorpus('keeps Received and Authentication-Results as unfolded text, every occurrence in order', async () => {
    const mail = await parseCorpus('mime-nodemailer-mailparser/nodemailer.eml');
    const auth = mail.headers['authentication-results'] ?? [];
    expect(auth[0]).toMatch(/^mx\.google\.com; dkim=pass header\.i=@srs1\.zonevs\.eu; spf=pass .* dmarc=fail/);
    const received = mail.headers['received'] ?? [];
    expect(received).toHaveLength(3);
    expect(received[0]).toBe('by 10.28.50.2 with SMTP id y2csp233403wmy; Thu, 13 Oct 2016 04:39:49 -0700 (PDT)');
    expect(received[2]).toMatch(/^from host29\.guest\.zone\.eu \[217\.146\.66\.6\] /);
    const auto = await parseCorpus('bounces-sisimai/bsd/rfc3834-06.eml');
    expect(auto.headers['x-auto-response-suppress']).toEqual(['OOF, AutoReply, DR, NDR, RN, NRN']);
  });

  it('does not let header names touch the prototype', async () => {
    const mail = await parseFixture('malformed-headers.eml');
    expect(Object.getPrototypeOf(mail.headers)).toBeNull();
    expect(Object.keys(mail.headers)).toContain('__proto__');
    expect(mail.headers['__proto__']).toEqual(['polluted']);
    expect(mail.headers['constructor']).toEqual(['also-a-header']);
  });

  it('tolerates malformed Message-ID, In-Reply-To and References', async () => {
    const mail = await parseFixture('malformed-headers.eml');
    expect(mail.messageId).toBe('bare-id.123@host.example');
    expect(mail.inReplyTo).toEqual(['first@a.example', 'second@b.example', 'third@c.example']);
    expect(mail.references).toEqual(['ref1@x.example', 'ref2@y.example']);
    expect(mail.date).toBeNull();
    expect(mail.returnPath).toBe('');
  });

  it('skips invalid addresses without failing the mail', async () => {
    const mail = await parseFixture('malformed-headers.eml');
    expect(mail.to).toEqual([{ address: 'real@example.test', name: 'Real Person' }]);
    expect(mail.cc).toEqual([]);
    expect(mail.from).toEqual({ address: 'mailer-daemon@bounce.example', name: 'Mailer Daemon' });
  });

  itCorpus('falls back to application/octet-stream for a garbled attachment Content-Type', async () => {
    const mail = await parseCorpus('mime-flanker/spam/broken-ctype.eml');
    expect(mail.attachments).toEqual([{ filename: 'facejj.jpg', contentType: 'application/octet-stream', size: 43682 }]);
  });

  itCorpus('normalises CRLF to LF in the text of a CRLF corpus message', async () => {
    const raw = read('bounces-sisimai/dos/rfc3834-01.eml');
    expect(raw.includes('\r\n')).toBe(true);
    const mail = await parseMail(raw);
    expect(mail.text.length).toBeGreaterThan(0);
    expect(mail.text).not.toContain('\r');
  });
});

describe('limits and failures', () => {
  const small = Buffer.from('From: a@example.test\r\nSubject: hi\r\n\r\nbody\r\n');

  it('refuses a message over maxBytes before parsing, with MAIL_TOO_LARGE', async () => {
    const err: unknown = await parseMail(small, { maxBytes: small.length - 1 }).catch((e: unknown) => e);
    expect(isSportelloError(err, 'MAIL_TOO_LARGE')).toBe(true);
    expect(isSportelloError(err) && err.context).toEqual({ size: small.length, maxBytes: small.length - 1 });
  });

  it('accepts a message exactly at maxBytes', async () => {
    expect((await parseMail(small, { maxBytes: small.length })).subject).toBe('hi');
  });

  it('refuses 25 MiB + 1 byte by default', async () => {
    const big = Buffer.alloc(25 * 1024 * 1024 + 1, 0x61);
    await expect(parseMail(big)).rejects.toMatchObject({ code: 'MAIL_TOO_LARGE' });
  });

  it.each([
    ['a header block over 1 MB', Buffer.from(`X-Big: ${'a'.repeat(1_100_000)}`)],
    [
      'more than 1000 MIME parts',
      Buffer.from(
        `Content-Type: multipart/mixed; boundary=b\r\n\r\n${'--b\r\nContent-Type: text/plain\r\n\r\nx\r\n'.repeat(1100)}--b--\r\n`,
      ),
    ],
  ])('reports %s as MAIL_PARSE with the cause', async (_label, raw) => {
    const err: unknown = await parseMail(raw).catch((e: unknown) => e);
    expect(isSportelloError(err, 'MAIL_PARSE')).toBe(true);
    expect(err instanceof Error && err.cause).toBeInstanceOf(Error);
  });

  it('caps the HTML converted to text at maxHtmlToTextBytes', async () => {
    const html = `<p>${'palabra '.repeat(1000)}</p><p>FINAL</p>`;
    const raw = Buffer.from(`Content-Type: text/html; charset=utf-8\r\n\r\n${html}`);
    expect((await parseMail(raw)).text).toContain('FINAL');
    const capped = await parseMail(raw, { maxHtmlToTextBytes: 100 });
    expect(capped.text.length).toBeLessThan(120);
    expect(capped.text).not.toContain('FINAL');
  });

  it('strips instead of converting absurdly nested HTML, and stays fast', async () => {
    const raw = Buffer.from(`Content-Type: text/html\r\n\r\n${'<div>'.repeat(100_000)}deep text`);
    const mail = await parseMail(raw);
    expect(mail.text).toBe('deep text');
  });

  it.each([
    ['empty input', Buffer.alloc(0)],
    ['binary noise', Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 7919) % 256))],
    ['only a body', Buffer.from('no headers here at all\r\n')],
  ])('maps %s to a well-formed, mostly empty mail', async (_label, raw) => {
    expectWellFormed(await parseMail(raw), raw);
  });
});

describe('parseDate', () => {
  it.each([
    ['Tue, 4 Mar 2025 09:14:58 +0100', '2025-03-04T08:14:58.000Z'],
    ['Fri, 07 Oct 1994 16:15:05 -0700 (PDT)', '1994-10-07T23:15:05.000Z'],
    ['Mon,  2 Jun 2003 14:58:37 -0400 (EDT)', '2003-06-02T18:58:37.000Z'],
    ['2 Jun 2003 18:58:36 -0000', '2003-06-02T18:58:36.000Z'],
    ['Sun, 21 Mar 93 23:56:48 PST', '1993-03-22T07:56:48.000Z'],
    ['Thu, 1 Jan 2015 10:00 GMT', '2015-01-01T10:00:00.000Z'],
    ['Fri, 21 Nov 1997 09(comment):   55  :  06 -0600', '1997-11-21T15:55:06.000Z'],
    ['Tue, 12 Oct 2010 16:21:05 H0500', '2010-10-12T16:21:05.000Z'],
    ['Wed, 31 Dec 2025 23:59:60 +0000', '2025-12-31T23:59:59.000Z'],
    ['2025-03-04T09:14:58+01:00', '2025-03-04T08:14:58.000Z'],
  ])('%s → %s', (value, iso) => {
    expect(parseDate(value)).toBe(iso);
  });

  it.each([
    '',
    'Whenever',
    '<HR>',
    'Pn, 29 paX 2007 21:13:00 +0100',
    'Wed, 15 Dec 2010    59:10 -0500',
    'Mon, 31 Feb 2025 10:00:00 +0000',
    '29-04-2017 23:34',
    '2025-03-04 09:14:58',
  ])('%j → null (never "now", never host-local time)', (value) => {
    expect(parseDate(value)).toBeNull();
  });
});

describe('extractAttachments', () => {
  const raw = (parts: string[]) => Buffer.from(['MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b"', '', ...parts, '--b--', ''].join('\r\n'));
  const part = (headers: string[], body: string) => ['--b', ...headers, '', body];

  it('returns real attachments with their bytes and leaves inline images and bodies out', async () => {
    const files = await extractAttachments(raw([
      ...part(['Content-Type: text/plain'], 'hello'),
      ...part(['Content-Type: application/pdf', 'Content-Disposition: attachment; filename="a.pdf"', 'Content-Transfer-Encoding: base64'], Buffer.from('PDFDATA').toString('base64')),
      ...part(['Content-Type: image/png', 'Content-Disposition: inline; filename="logo.png"', 'Content-ID: <l@x>', 'Content-Transfer-Encoding: base64'], Buffer.from('PNG').toString('base64')),
      ...part(['Content-Type: application/octet-stream', 'Content-Disposition: attachment'], 'nameless'),
    ]));
    expect(files.map((f) => [f.filename, f.contentType, f.content.toString()])).toEqual([
      ['a.pdf', 'application/pdf', 'PDFDATA'],
      ['attachment-2', 'application/octet-stream', 'nameless'],
    ]);
  });

  it('never throws: garbage or an oversized message has no attachments', async () => {
    expect(await extractAttachments(Buffer.from('\u0000\u0001 not mail'))).toEqual([]);
    expect(await extractAttachments(Buffer.alloc(20), 10)).toEqual([]);
  });
});
