// Decides where a trailing signature starts in the new text: the "-- " delimiter (RFC 3676 §4.3) and other
// separator lines, device lines ("Sent from my iPhone", "Enviado desde mi iPhone", "Inviato da iPhone") and
// closing sign-offs ("Best regards,", "Saludos,", "Cordiali saluti,") followed by a short name block.
// Must never take more than a short tail, nor treat thanks or a sentence that merely mentions a device as a signature.
import type { Language } from '../domain/routing.js';
import { isBlank, isSeparatorLine } from './text-lines.js';

/** A sign-off may be followed by at most this many non-blank lines (name, role, phone, company…). */
const MAX_SIGN_OFF_TAIL_LINES = 6;
/** Longest line a name block, a device line or a sign-off can have. */
const MAX_SIGNATURE_LINE_CHARS = 80;
/** A separator-introduced block (usenet "-- ", "____") may be longer: address, legal line, links. */
const MAX_DELIMITED_TAIL_LINES = 20;
/** Only the last lines are searched; a signature never starts earlier. */
const SEARCH_WINDOW_LINES = 30;

// Device and app lines, matched at the start of a line; the rest of the line is checked by isDeviceLine.
const DEVICE_PREFIXES: Record<Language, readonly RegExp[]> = {
  en: [/^sent (?:from|with|via|using) /i, /^get outlook for /i, /^sent from my/i],
  es: [/^enviado (?:desde|con|a través de) /i, /^obtener outlook para /i, /^descargar outlook para /i],
  it: [/^inviato (?:da|con|tramite|dal mio|dalla mia) /i, /^scarica outlook per /i, /^ottieni outlook per /i],
};
// Languages our mail rarely comes in, kept because the reply parser's fixtures show them.
const OTHER_DEVICE_PREFIXES: readonly RegExp[] = [
  /^envoyé (?:de|depuis|à partir de) /i, /^von meinem .{1,40} gesendet/i, /^verzonden (?:met|vanaf) /i, /^verstuurd vanaf /i,
  /^diese nachricht wurde von meinem /i, /^gesendet von /i, /^sendt fra /i, /^skickat från /i,
];
// Looser cues, accepted only below a strict device line ("Someone from mobile", "(sent from a phone)").
const DEVICE_WORDS =
  /iphone|ipad|ipod|android|blackberry|mobile|galaxy|outlook|airmail|mailbox|yahoo mail|windows mail|phone|k-9 mail|から送信|móvil|cellulare|smartphone/i;
// After a comma, a device line may only go on to excuse typos ("Sent from my cell, please excuse any typos.").
const APOLOGY_AFTER_COMMA = /^(?:please|pls|excuse|sorry|pardon|disculpa|disculpe|perdona|perdón|scusa|scusate|scusi)\b/i;
/** A device line is short: "Sent from my Samsung Galaxy s5 Octacore device" has 8 words. */
const MAX_DEVICE_LINE_WORDS = 12;

// Closing formulas. Thanks/Gracias/Grazie and "Sincerely" are left in the text on purpose: the discourse and
// crisp fixtures keep them, and they often carry content ("Thanks, that fixed it").
const SIGN_OFFS: Record<Language, RegExp> = {
  en: /^(?:(?:best|kind|warm|warmest|many|with kind|with best|all the best|kindest) )?regards[,.!]?$|^best(?: wishes)?[,.!]?$|^cheers[,.!]?$|^regards, \p{L}[\p{L} .]{0,30}$/iu,
  es: /^(?:un )?(?:cordial |afectuoso |fuerte )?saludos?(?: cordiales| afectuosos)?[,.!]?$|^atentamente[,.]?$|^cordialmente[,.]?$|^un abrazo[,.!]?$|^saludos, \p{L}[\p{L} .]{0,30}$/iu,
  it: /^(?:cordiali|distinti|cari|tanti|un|un caro|buoni) salut[io][,.!]?$|^saluti[,.!]?$|^cordialmente[,.]?$|^un abbraccio[,.!]?$|^a presto[,.!]?$|^saluti, \p{L}[\p{L} .]{0,30}$/iu,
};

function wordCount(text: string): number {
  let n = 0;
  for (const w of text.split(' ')) if (w !== '') n++;
  return n;
}

function languagesFor(language: Language | undefined): readonly Language[] {
  // English closings are common in Spanish and Italian business mail, so they always apply.
  if (language === 'es') return ['es', 'en'];
  if (language === 'it') return ['it', 'en'];
  if (language === 'en') return ['en'];
  return ['en', 'es', 'it'];
}

const PREFIX_CACHE = new Map<Language | undefined, readonly RegExp[]>();

/** Memoised per language: the lists are constants, so this cache is not state anyone can observe. */
function devicePrefixes(language: Language | undefined): readonly RegExp[] {
  let list = PREFIX_CACHE.get(language);
  if (!list) {
    list = [...languagesFor(language).flatMap((l) => DEVICE_PREFIXES[l]), ...OTHER_DEVICE_PREFIXES];
    PREFIX_CACHE.set(language, list);
  }
  return list;
}

export function isDeviceLine(line: string, language?: Language): boolean {
  const t = line.trim();
  if (t.length === 0 || t.length > MAX_SIGNATURE_LINE_CHARS * 2) return false;
  if (!devicePrefixes(language).some((re) => re.test(t))) return false;
  const comma = t.indexOf(', ');
  if (comma >= 0 && !APOLOGY_AFTER_COMMA.test(t.slice(comma + 2))) return false;
  return wordCount(t) <= MAX_DEVICE_LINE_WORDS;
}

export function isSignOff(line: string, language?: Language): boolean {
  const t = line.trim();
  if (t.length === 0 || t.length > MAX_SIGNATURE_LINE_CHARS) return false;
  return languagesFor(language).some((l) => SIGN_OFFS[l].test(t));
}

/** The RFC 3676 delimiter "-- " and "--" as clients mangle it; "—" is deliberately not one (crisp email_emoji). */
function isDashDash(line: string): boolean {
  return line.trim() === '--';
}

/**
 * "-- " anywhere, or a separator line ("_____", "-------", "ᐧ") with a blank line above: a rule drawn under
 * a table header or inside a code block has text directly above it (crisp email_not_a_signature).
 */
function isDelimiterAt(lines: readonly string[], i: number): boolean {
  if (isDashDash(lines[i]!)) return true;
  return isSeparatorLine(lines[i]!) && (i === 0 || isBlank(lines[i - 1]!));
}

function nonBlankCount(lines: readonly string[], from: number): number {
  let n = 0;
  for (let i = from; i < lines.length; i++) if (!isBlank(lines[i]!)) n++;
  return n;
}

function shortLines(lines: readonly string[], from: number): boolean {
  for (let i = from; i < lines.length; i++) if (lines[i]!.trim().length > MAX_SIGNATURE_LINE_CHARS) return false;
  return true;
}

/** "-Abhishek Kona": a dash-prefixed name as the last line (github fixture email_1_1). */
function isDashName(line: string): boolean {
  return /^-\p{L}[\p{L}.' -]{0,40}$/u.test(line.trim()) && wordCount(line) <= 4;
}

export interface SignatureSplit {
  /** First line of the signature. */
  readonly start: number;
  /** First line after the signature: lines from here on are unrecognised history, not new text. */
  readonly end: number;
}

/**
 * Where the trailing signature is in the new text (quotes already cut), or null. The earliest qualifying line
 * within the last SEARCH_WINDOW_LINES wins, so "Saludos,\nAna\n\nEnviado desde mi iPhone" is one signature.
 * A device line followed by other text ends the new text: what follows is history the quote rules missed
 * (crisp fixture email_15: "Sent from my Wiko …" above an unmarked original).
 */
export function findSignature(lines: readonly string[], language?: Language): SignatureSplit | null {
  let end = lines.length;
  while (end > 0 && isBlank(lines[end - 1]!)) end--;
  const body = lines.slice(0, end);
  const from = Math.max(0, body.length - SEARCH_WINDOW_LINES);
  let nonBlankBelow = nonBlankCount(body, 0);
  for (let i = 0; i < body.length; i++) {
    const line = body[i]!;
    if (isBlank(line)) continue;
    nonBlankBelow--;
    if (isDeviceLine(line, language)) {
      return tailIsSignature(body, i + 1, language) ? { start: i, end } : { start: i, end: i + 1 };
    }
    if (i < from) continue;
    const tail = nonBlankBelow;
    if (isDelimiterAt(body, i) && tail <= MAX_DELIMITED_TAIL_LINES) return { start: i, end };
    if (isSignOff(line, language) && tail <= MAX_SIGN_OFF_TAIL_LINES && shortLines(body, i + 1)) return { start: i, end };
    if (isDashName(line) && tailIsSignature(body, i + 1, language)) return { start: i, end };
  }
  return null;
}

/** Everything below a device line or dash-name must itself be signature material. */
function tailIsSignature(lines: readonly string[], from: number, language?: Language): boolean {
  for (let i = from; i < lines.length; i++) {
    const line = lines[i]!;
    if (isBlank(line)) continue;
    if (isDeviceLine(line, language) || isDeviceish(line)) continue;
    if (isDelimiterAt(lines, i)) return nonBlankCount(lines, i + 1) <= MAX_DELIMITED_TAIL_LINES;
    return false;
  }
  return true;
}

function isDeviceish(line: string): boolean {
  const t = line.trim();
  return t.length <= MAX_SIGNATURE_LINE_CHARS && wordCount(t) <= MAX_DEVICE_LINE_WORDS && DEVICE_WORDS.test(t);
}
