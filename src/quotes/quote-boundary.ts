// Decides where quoted history starts in an unquoted reply: "On … wrote:", "El … escribió:", "Il … ha scritto:",
// Outlook header blocks (From/De/Da + Sent/Enviado/Inviato …), "-----Original Message-----" and forward markers.
// Sources: the header forms in discourse/email_reply_trimmer, crisp email-reply-parser and talon fixtures.
// Must never look at more than a few lines per candidate, nor use a backtracking-prone regexp on a whole line.

export type BoundaryKind = 'reply-header' | 'header-block' | 'separator' | 'forward';

export interface Boundary {
  /** First line of the quoted part (after extending upwards over blank and separator lines). */
  readonly start: number;
  /** First line after the header itself (the header line group or the field block). */
  readonly bodyStart: number;
  readonly kind: BoundaryKind;
}

/** Longest header (one line, or a group joined by spaces) a rule will test; real ones are < 250 chars. */
const MAX_HEADER_CHARS = 400;
/** How far below a start line ("On 3 May 2024, Ann") the closing verb ("wrote:") may sit. */
const HEADER_WRAP_LINES = 4;
/** How far below a "From:" line the next header field may sit (Outlook wraps long address lists). */
const FIELD_WINDOW_LINES = 6;

// Closing verbs of reply headers, es/it/en first, then the other languages our fixtures show.
// Tested only against the end of a line: `(?:…)` alternation of literals anchored with `$` is linear.
const REPLY_VERB_AT_END =
  /(?:wrote|writes|escribió|escribio|escribe|ha scritto|hai scritto|scritto|scrive|a écrit|écrit|schrieb|schreef|geschreven|escreveu|napisał|napisał\(a\)|napisała|pisze|написал|написала|пише|skrev|kirjoitti|写道)\s?:?$/iu;

// Words a wrapped reply header starts with: "On", "El", "Il giorno", "In data", "Le", "Am", "Op", "Em", …
const REPLY_START = /^(?:on|el|il|in data|le|am|op|em|w dniu|dnia|den|på|at)\s/iu;

// "2016-03-03 17:21 GMT+01:00 Some One" (Gmail's date-first header).
const GMAIL_DATE_FIRST = /^\d{4}-\d{2}-\d{2} \d{1,2}:\d{2} GMT[+-]\d{1,2}(?::\d{2})?\s/;
// "2013/7/20 sam via Discourse <info@discourse.org>" or "11.04.2016 15:00 … <a@b>:".
const DATE_FIRST = /^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\s/;

const FROM_FIELD = /^\*?(?:from|de|da|von|van|fra|från|od)\s?:\*?(?:\s|$)/iu;
const DATE_FIELD = /^\*?(?:date|fecha|data|datum)\s?:\*?(?:\s|$)/iu;
const OTHER_FIELD =
  /^\*?(?:sent|enviado|inviato|envoyé|gesendet|sendt|skickat|to|para|a|à|an|til|till|subject|asunto|oggetto|objet|betreff|emne|ämne|cc|reply-to|risposta|responder a|date|fecha|data|datum)\s?:\*?(?:\s|$)/iu;

const SEPARATOR_PHRASES = new Set([
  'original message', 'mensaje original', 'messaggio originale', "message d'origine", 'ursprüngliche nachricht',
  'reply message', 'oprindelig meddelelse', 'forwarded message', 'mensaje reenviado', 'messaggio inoltrato',
  'message transféré', 'weitergeleitete nachricht',
]);

const FORWARD_INTRO = /^(?:begin forwarded message|inicio del mensaje reenviado|mensaje reenviado|messaggio inoltrato|inizio messaggio inoltrato)\s?:?$/iu;

function strip(line: string): string {
  return line.trim();
}

/** Removes the decoration some clients put around a header: "---- On … wrote ----", "> wrote:". */
function undecorate(line: string): string {
  let t = line.trim();
  while (t.startsWith('-') || t.startsWith('*') || t.startsWith('>')) t = t.slice(1).trimStart();
  while (t.endsWith('-') || t.endsWith('*')) t = t.slice(0, -1).trimEnd();
  return t;
}

function endsWithReplyVerb(line: string): boolean {
  const t = undecorate(line);
  return t.length > 0 && t.length <= MAX_HEADER_CHARS && REPLY_VERB_AT_END.test(t);
}

function isSeparatorPhrase(line: string): boolean {
  const t = line.trim();
  if (t.length > 80 || !(t.startsWith('-') || t.startsWith('*') || t.startsWith('_'))) return false;
  let core = t;
  while (core.length > 0 && '-*_ '.includes(core[0]!)) core = core.slice(1);
  while (core.length > 0 && '-*_ :'.includes(core[core.length - 1]!)) core = core.slice(0, -1);
  return SEPARATOR_PHRASES.has(core.toLowerCase());
}

/**
 * A header verb closing one to HEADER_WRAP_LINES lines below a plausible start line; returns the closing line.
 * Start lines carry a date (a digit); without a known start word ("pe 20. lokakuuta 2017 …", "20 окт. 2016 г.")
 * the closing line must come next and carry the address.
 */
function replyHeaderEnd(lines: readonly string[], i: number): number {
  const first = strip(lines[i]!);
  if (first === '' || first.startsWith('>') || first.length > MAX_HEADER_CHARS) return -1;
  const startWord = REPLY_START.test(undecorate(first));
  // a one-line header needs an address, or a date plus a start word or the comma after the date
  if (endsWithReplyVerb(first) && (first.includes('@') || (/\d/.test(first) && (startWord || first.includes(','))))) {
    return i;
  }
  if (!/\d/.test(first)) return -1;
  // "tir. 18. apr. 2017 kl. 13:09 skrev Test <test@example.com\n>:" (Gmail wraps before the closing bracket)
  const next = strip(lines[i + 1] ?? '');
  if (first.includes('@') && (next === '>:' || next === '> wrote:')) return i + 1;
  const window = startWord ? HEADER_WRAP_LINES : 2;
  let chars = first.length;
  for (let j = i + 1; j < lines.length && j <= i + window; j++) {
    const line = strip(lines[j]!);
    chars += line.length;
    if (chars > MAX_HEADER_CHARS) return -1;
    if (endsWithReplyVerb(line) && (startWord || line.includes('@'))) return j;
    // "Op 12 december 2016 19:05 schreef Company <\nquestions@company.com>:"
    if (startWord && line.endsWith('>:') && line.includes('@')) return j;
    if (!startWord && line === '') return -1;
  }
  return -1;
}

/** Gmail's "<date> Name <addr>:" header, possibly with the address wrapped onto the next line. */
function dateFirstHeaderEnd(lines: readonly string[], i: number): number {
  const first = strip(lines[i]!);
  if (first.length > MAX_HEADER_CHARS) return -1;
  if (GMAIL_DATE_FIRST.test(first)) {
    if (first.endsWith(':') || first.endsWith('>')) return i;
    const next = strip(lines[i + 1] ?? '');
    return next.endsWith('>:') ? i + 1 : i;
  }
  if (!DATE_FIRST.test(first)) return -1;
  if (first.includes('@') && (first.endsWith('>') || first.endsWith('>:'))) return i;
  const next = strip(lines[i + 1] ?? '');
  if (first.endsWith('<') && next.includes('@') && next.endsWith('>:')) return i + 1;
  return -1;
}

/** "Name <a@b> schrieb am Fr., 28.\nApr. 2017 um 11:53 Uhr:" (Gmail de) and the like. */
function addressIntroEnd(lines: readonly string[], i: number): number {
  const first = strip(lines[i]!);
  if (first.length > MAX_HEADER_CHARS || !first.includes('@') || !first.includes(' schrieb am ')) return -1;
  if (first.endsWith(':')) return i;
  const next = strip(lines[i + 1] ?? '');
  return next.endsWith(':') ? i + 1 : -1;
}

/** Outlook-style field block: "From:"/"De:"/"Da:" (or "Date:") followed closely by another header field. */
function headerBlockEnd(lines: readonly string[], i: number): number {
  const first = strip(lines[i]!);
  if (first.length > MAX_HEADER_CHARS || !(FROM_FIELD.test(first) || DATE_FIELD.test(first))) return -1;
  let fields = 1;
  let last = i;
  for (let j = i + 1; j < lines.length && j <= last + FIELD_WINDOW_LINES; j++) {
    const t = strip(lines[j]!);
    if (t === '') {
      if (fields >= 2) break;
      continue;
    }
    if (OTHER_FIELD.test(t) || FROM_FIELD.test(t)) {
      fields++;
      last = j;
    }
  }
  return fields >= 2 ? last : -1;
}

/** End of the header starting at line i, with its kind, or null when line i starts no header. */
function headerAt(lines: readonly string[], i: number): { end: number; kind: BoundaryKind } | null {
  const line = lines[i]!;
  if (isSeparatorPhrase(line)) {
    const kind = line.toLowerCase().includes('forward') || /reenviado|inoltrato|transféré|weitergeleitete/iu.test(line)
      ? 'forward'
      : 'separator';
    return { end: i, kind };
  }
  if (FORWARD_INTRO.test(line.trim())) return { end: i, kind: 'forward' };
  const block = headerBlockEnd(lines, i);
  if (block >= 0) return { end: block, kind: 'header-block' };
  for (const rule of [replyHeaderEnd, dateFirstHeaderEnd, addressIntroEnd]) {
    const end = rule(lines, i);
    if (end >= 0) return { end, kind: 'reply-header' };
  }
  return null;
}

function isSeparatorOnly(line: string): boolean {
  const t = line.trim();
  if (t === '') return false;
  for (const ch of t) if (!'-_=*~ '.includes(ch)) return false;
  return true;
}

/**
 * The first line where unquoted history begins, or null. Lines quoted with ">" are skipped: those are left
 * to the reply parser, which keeps inline answers between them.
 */
export function findQuoteBoundary(lines: readonly string[]): Boundary | null {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.length === 0 || line.trimStart().startsWith('>')) continue;
    const hit = headerAt(lines, i);
    if (!hit) continue;
    let start = i;
    while (start > 0 && (lines[start - 1]!.trim() === '' || isSeparatorOnly(lines[start - 1]!))) start--;
    return { start, bodyStart: hit.end + 1, kind: hit.kind };
  }
  return null;
}

/** For a header at the very top (forward, or a header with the answer below it): the line its fields end on. */
export function skipHeaderFields(lines: readonly string[], from: number): number {
  let i = from;
  while (i < lines.length && lines[i]!.trim() !== '' && (OTHER_FIELD.test(lines[i]!.trim()) || FROM_FIELD.test(lines[i]!.trim()))) i++;
  // a wrapped subject line belongs to the block until the first blank line
  if (i < lines.length && i > from) while (i < lines.length && lines[i]!.trim() !== '') i++;
  return i;
}
