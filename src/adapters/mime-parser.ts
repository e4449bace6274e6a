// Turns raw RFC 5322/MIME bytes into the plain InboundMail record; the only file that knows mailparser.
// Trusts header lines as written (RFC 5322 unfolding, RFC 2047/2231/6532 decoding), never mailparser's Date.
// Must never leak a library type, keep attachment content, or throw anything but MAIL_* SportelloErrors.

import libmime from 'libmime';
import { compile } from 'html-to-text';
import { parseAddressHeader, simpleParser } from 'mailparser';
import type { ParsedMail, SimpleParserOptions } from 'mailparser';
import type { Address, AttachmentFile, AttachmentInfo, FeedbackReportPart, InboundMail } from '../domain/mail.js';
import { SportelloError } from '../errors.js';

export interface ParseMailOptions {
  /** Larger raw messages are refused before parsing. Default 25 MiB. */
  readonly maxBytes?: number;
  /** Only this many bytes of an HTML-only body are converted to text. Default 1 MiB. */
  readonly maxHtmlToTextBytes?: number;
}

export const DEFAULT_MAX_MAIL_BYTES = 25 * 1024 * 1024;
export const DEFAULT_MAX_HTML_TO_TEXT_BYTES = 1024 * 1024;

// Linkifying and text→HTML are where mailparser's known ReDoS lives (nodemailer/mailparser#378), and we
// need neither; cid→data: inlining and attachment hashing only cost memory. HTML→text is done below with
// our own options and cap, so mailparser's converter is switched off too.
const PARSER_OPTIONS: SimpleParserOptions = {
  skipHtmlToText: true,
  skipTextToHtml: true,
  skipTextLinks: true,
  skipImageLinks: true,
  keepCidLinks: true,
  checksumAlgo: false,
};

// Text feeds the classifier, language detection and reply stripping: URLs, image alts and shouting
// headings are noise there, and the HTML itself is kept for humans. No wrapping: stages split lines.
const htmlToPlain = compile({
  wordwrap: false,
  limits: { maxDepth: 256, ellipsis: '…' },
  selectors: [
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
    ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } })),
    // Mail HTML nests layout tables; html-to-text's table formatters either glue cells together or
    // drop nested tables' content, so every cell becomes its own line instead.
    ...['table', 'tr', 'td', 'th'].map((selector) => ({
      selector,
      format: 'block',
      options: { leadingLineBreaks: 1, trailingLineBreaks: 1 },
    })),
  ],
});

/**
 * Parses one raw message. Throws SportelloError MAIL_TOO_LARGE (over `maxBytes`, checked before any
 * parsing) or MAIL_PARSE (anything the parser or the mapping rejects); nothing else.
 *
 * @example
 * const mail = await parseMail(readFileSync('msg.eml'));
 * mail.references; // ['a@x', 'b@y'], oldest first
 */
export async function parseMail(raw: Buffer, opts: ParseMailOptions = {}): Promise<InboundMail> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_MAIL_BYTES;
  if (raw.length > maxBytes) {
    throw new SportelloError('MAIL_TOO_LARGE', `message is ${raw.length} bytes, the limit is ${maxBytes}`, {
      context: { size: raw.length, maxBytes },
      hint: 'raise limits.maxMessageBytes in the configuration if such messages are expected',
    });
  }
  let parsed: ParsedMail;
  try {
    parsed = await simpleParser(raw, PARSER_OPTIONS);
  } catch (cause) {
    throw parseError(cause, raw.length);
  }
  try {
    return toInboundMail(parsed, raw.length, opts.maxHtmlToTextBytes ?? DEFAULT_MAX_HTML_TO_TEXT_BYTES);
  } catch (cause) {
    throw parseError(cause, raw.length);
  }
}

function parseError(cause: unknown, size: number): SportelloError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new SportelloError('MAIL_PARSE', `message cannot be parsed: ${reason}`, { cause, context: { size } });
}

interface HeaderField {
  readonly name: string;
  /** Unfolded, 8-bit bytes decoded, encoded words still encoded: what structured parsers need. */
  readonly raw: string;
  /** `raw` with RFC 2047 encoded words decoded: what humans and rules read. */
  readonly text: string;
}

function toInboundMail(parsed: ParsedMail, size: number, maxHtmlToTextBytes: number): InboundMail {
  const fields = readHeaderFields(parsed.headerLines);
  const first = (name: string): HeaderField | undefined => fields.find((f) => f.name === name);
  const all = (name: string): string[] => fields.filter((f) => f.name === name).map((f) => f.raw);

  const headers: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const field of fields) (headers[field.name] ??= []).push(field.text);

  const messageIdField = first('message-id');
  const returnPathField = first('return-path');
  const html = typeof parsed.html === 'string' ? parsed.html : null;
  const reports = feedbackReports(parsed.attachments);

  return {
    messageId: messageIdField ? singleMessageId(messageIdField.raw) : null,
    inReplyTo: unique(all('in-reply-to').flatMap(messageIds)),
    references: unique(all('references').flatMap(messageIds)),
    subject: first('subject')?.text ?? '',
    from: addresses(all('from').slice(0, 1))[0] ?? null,
    replyTo: addresses(all('reply-to').slice(0, 1)),
    to: addresses(all('to')),
    cc: addresses(all('cc')),
    date: parseDate(first('date')?.raw ?? ''),
    headers,
    text: bodyText(parsed.text, html, maxHtmlToTextBytes),
    html,
    attachments: parsed.attachments.map(attachmentInfo),
    size,
    returnPath: returnPathField ? envelopeSender(returnPathField.raw) : null,
    ...(reports.length ? { feedbackReports: reports } : {}),
  };
}

// mailparser lists every non-text leaf part as an attachment, at any depth (a multipart/report
// wrapped by a gateway in multipart/mixed included), but does not open attached message/rfc822 mail:
// a report someone forwards as an attachment stays theirs. The part's body is a block of header-style
// fields (RFC 5965 §3.1); only Feedback-Type is read.
function feedbackReports(parts: ParsedMail['attachments']): FeedbackReportPart[] {
  return parts
    .filter((a) => typeof a.contentType === 'string' && a.contentType.toLowerCase() === 'message/feedback-report')
    .map((a) => {
      const body = Buffer.isBuffer(a.content) ? a.content.toString('latin1') : '';
      const type = /^feedback-type:[ \t]*([^\s;]+)/im.exec(body)?.[1];
      return { feedbackType: type ? type.toLowerCase() : null };
    });
}

/**
 * The real attachments of a raw message: parts with Content-Disposition "attachment" (inline images
 * such as signature logos are left out). Never throws: an unreadable message has no attachments.
 */
export async function extractAttachments(raw: Buffer, maxBytes = DEFAULT_MAX_MAIL_BYTES): Promise<AttachmentFile[]> {
  if (raw.length > maxBytes) return [];
  try {
    const parsed = await simpleParser(raw, PARSER_OPTIONS);
    return parsed.attachments
      .filter((a) => a.contentDisposition === 'attachment' && Buffer.isBuffer(a.content))
      .map((a, i) => ({
        ...attachmentInfo(a),
        filename: typeof a.filename === 'string' && a.filename !== '' ? a.filename : `attachment-${i + 1}`,
        content: a.content,
      }));
  } catch {
    return [];
  }
}

// mailparser's typings promise a string, but a garbled Content-Type yields `false`
// (mime-flanker/spam/broken-ctype.eml); RFC 2045 §5.2 says treat unknown as octet-stream.
function attachmentInfo(a: ParsedMail['attachments'][number]): AttachmentInfo {
  const contentType = typeof a.contentType === 'string' && a.contentType.includes('/') ? a.contentType : '';
  return {
    filename: typeof a.filename === 'string' && a.filename !== '' ? a.filename : null,
    contentType: contentType.toLowerCase() || 'application/octet-stream',
    size: typeof a.size === 'number' ? a.size : 0,
  };
}

// mailparser hands header lines over as "binary" strings (one char per byte), folding included.
function readHeaderFields(lines: ParsedMail['headerLines'] | undefined): HeaderField[] {
  const unfolded = (lines ?? []).map((l) => ({ name: l.key, value: libmime.decodeHeader(l.line).value }));
  const charset = fallbackCharset(unfolded.find((l) => l.name === 'content-type')?.value);
  return unfolded
    .filter((l) => l.name !== '')
    .map((l) => {
      const raw = decodeBytes(l.value, charset);
      return { name: l.name, raw, text: decodeWords(raw) };
    });
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

// RFC 6532 allows raw UTF-8 in headers; older mailers put raw bytes of the body's charset there
// (mime-rt/new-ticket-from-iso-8859-1-full), so that charset is the best guess when UTF-8 fails.
function decodeBytes(binary: string, charset: string): string {
  if (!/[\x80-\xff]/.test(binary)) return binary;
  const bytes = Buffer.from(binary, 'latin1');
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    try {
      return new TextDecoder(charset).decode(bytes);
    } catch {
      return new TextDecoder('windows-1252').decode(bytes);
    }
  }
}

function fallbackCharset(contentType: string | undefined): string {
  const match = /charset\s*=\s*"?([A-Za-z0-9._:-]{1,40})/i.exec(contentType ?? '');
  const name = match?.[1]?.toLowerCase();
  return name && !name.startsWith('utf') ? name : 'windows-1252';
}

function decodeWords(value: string): string {
  if (!value.includes('=?')) return value;
  try {
    return libmime.decodeWords(value);
  } catch {
    return value;
  }
}

// Message-IDs are structured (RFC 5322 §3.6.4): take what sits in <>, else bare tokens that look
// like id-left@id-right. Free text such as "your message of Tue…" yields nothing rather than junk.
function messageIds(value: string): string[] {
  const bracketed = [...value.matchAll(/<([^<>]*)>/g)]
    .map((m) => (m[1] ?? '').replace(/\s+/g, ''))
    .filter((id) => id !== '');
  if (bracketed.length > 0) return bracketed;
  return value.split(/[\s,;]+/).filter((token) => token.includes('@') && !token.startsWith('('));
}

function singleMessageId(value: string): string | null {
  const id = messageIds(value)[0];
  if (id !== undefined) return id;
  const bare = value.trim();
  return bare !== '' && !/[\s<>]/.test(bare) ? bare : null;
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}

function addresses(values: string[]): Address[] {
  if (values.length === 0) return [];
  let parsed: ReturnType<typeof parseAddressHeader>;
  try {
    // Punycode kept as written: the address is what replies go to, and SMTP wants the ASCII form.
    parsed = parseAddressHeader(values, { flatten: true, decodePunycode: false });
  } catch {
    return [];
  }
  const out: Address[] = [];
  for (const entry of parsed.value) {
    const address = (entry.address ?? '').trim().toLowerCase();
    if (!isAddrSpec(address)) continue;
    out.push({ address, name: (entry.name ?? '').trim() });
  }
  return out;
}

function isAddrSpec(address: string): boolean {
  const at = address.lastIndexOf('@');
  return at > 0 && at < address.length - 1 && !/[\s<>,;]/.test(address);
}

// RFC 5321 §4.4: "<>" is the null reverse-path of bounces and auto-replies, and must stay
// distinguishable from an absent header.
function envelopeSender(value: string): string {
  const bracketed = /<([^<>]*)>/.exec(value);
  const address = bracketed ? (bracketed[1] ?? '') : value;
  return address.trim().toLowerCase();
}

function bodyText(text: string | undefined, html: string | null, maxHtmlBytes: number): string {
  if (text !== undefined && text.trim() !== '') return normaliseNewlines(text);
  if (html === null || html.trim() === '') return normaliseNewlines(text ?? '');
  const capped = Buffer.byteLength(html) > maxHtmlBytes ? Buffer.from(html).subarray(0, maxHtmlBytes).toString() : html;
  if (nestingDepth(capped) > MAX_HTML_DEPTH) return tidyConvertedText(stripTags(capped));
  try {
    return tidyConvertedText(normaliseNewlines(htmlToPlain(capped)));
  } catch {
    // A converter failure costs us the text, not the mail: the HTML is still kept.
    return '';
  }
}

// html-to-text turns quadratic past ~20k nested elements (200k <div>s took 45 s), and maxDepth does not
// help because the DOM is built first; real mail stays far below this, so deeper input is only stripped.
const MAX_HTML_DEPTH = 1000;
const VOID_OR_SELF_CLOSING = new Set([
  'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr',
  'p', 'li', 'dt', 'dd', 'tr', 'td', 'th', 'option',
]);
// `[^<>]*` keeps every attempt bounded by the next "<", so the scan stays linear on hostile input.
const TAG = /<(\/?)([a-z][a-z0-9-]{0,30})(?:[\s/][^<>]*)?>/gi;

function nestingDepth(html: string): number {
  let depth = 0;
  let max = 0;
  for (const m of html.matchAll(TAG)) {
    if (VOID_OR_SELF_CLOSING.has((m[2] ?? '').toLowerCase()) || m[0].endsWith('/>')) continue;
    depth = m[1] === '/' ? Math.max(0, depth - 1) : depth + 1;
    if (depth > max) max = depth;
  }
  return max;
}

function stripTags(html: string): string {
  return html.replace(/<[^<>]*>/g, ' ').replace(/[ \t]+/g, ' ');
}

// Layout HTML leaves runs of blank and space-only lines that only add noise for the stages.
function tidyConvertedText(text: string): string {
  return text
    .replace(/\u00a0/g, ' ')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function normaliseNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

// RFC 5322 §4.3 obsolete zones; unknown and military zones count as -0000 (no information).
const ZONE_MINUTES: Readonly<Record<string, number>> = {
  ut: 0, utc: 0, gmt: 0, z: 0,
  est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420,
};

const RFC5322_DATE =
  /^\s*(?:[a-z]{2,9}\s*,?\s*)?(\d{1,2})[\s-]+([a-z]{3,9})\.?[\s-]+(\d{2,4})\s+(\d{1,2})\s*:\s*(\d{1,2})(?:\s*:\s*(\d{1,2}))?(?:\.\d{1,6})?(?:\s*([+-]\d{4}|[a-z]{1,5})\b)?/i;
const ISO_DATE_WITH_ZONE = /^\s*\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?\s*(?:Z|[+-]\d{2}:?\d{2})\s*$/i;

/**
 * RFC 5322 date-time → ISO 8601, or null. Deliberately strict: Date.parse is lenient in
 * engine-specific ways and reads zone-less strings in the host's local time.
 */
export function parseDate(value: string): string | null {
  const text = value.slice(0, 200).replace(/\([^()]*\)/g, ' ');
  if (ISO_DATE_WITH_ZONE.test(text)) {
    const ms = Date.parse(text.trim().replace(' ', 'T'));
    return Number.isNaN(ms) ? null : new Date(ms).toISOString();
  }
  const m = RFC5322_DATE.exec(text);
  if (!m) return null;
  const [, dayS, monthS, yearS, hourS, minS, secS, zoneS] = m;
  const month = MONTHS.indexOf((monthS ?? '').slice(0, 3).toLowerCase());
  const day = Number(dayS);
  let year = Number(yearS);
  if ((yearS ?? '').length === 2) year += year < 50 ? 2000 : 1900;
  else if ((yearS ?? '').length === 3) year += 1900;
  const [hour, minute, second] = [Number(hourS), Number(minS), Math.min(Number(secS ?? 0), 59)];
  if (month < 0 || day < 1 || hour > 23 || minute > 59) return null;
  const local = Date.UTC(year, month, day, hour, minute, second);
  if (new Date(local).getUTCDate() !== day) return null;
  return new Date(local - zoneOffsetMinutes(zoneS) * 60_000).toISOString();
}

function zoneOffsetMinutes(zone: string | undefined): number {
  if (zone === undefined) return 0;
  const numeric = /^([+-])(\d{2})(\d{2})$/.exec(zone);
  if (numeric) {
    const minutes = Number(numeric[2]) * 60 + Number(numeric[3]);
    return numeric[1] === '-' ? -minutes : minutes;
  }
  return ZONE_MINUTES[zone.toLowerCase()] ?? 0;
}
