// Decides what part of a plain-text mail body is the sender's new text, what is quoted history and what is a
// signature. Quote headers come from crisp's email-reply-parser (via RE2) plus our es/it/en rules; ">" lines
// between answers stay in the text (inline replies). Must never throw, never return less than the body when no
// new text is found, and never run the library on input beyond maxBytes (only linear line rules there).
import type { Language } from '../domain/routing.js';
import { findQuoteBoundary, skipHeaderFields } from './quote-boundary.js';
import { parseFragments } from './reply-parser.js';
import { findSignature } from './signature-block.js';
import { isBlank, isQuotedLine, tidy } from './text-lines.js';

export interface ExtractOptions {
  /** Language of the mail when known; narrows the sign-off list (English closings always apply). */
  readonly language?: Language;
  /** Bodies larger than this (UTF-8 bytes) skip the reply parser and are cut by line rules only. */
  readonly maxBytes?: number;
}

export interface ExtractedText {
  /** The new text: no trailing history, no signature. Inline answers keep the ">" lines they answer. */
  readonly text: string;
  /** The history that was cut, or null. */
  readonly quoted: string | null;
  /** The signature or sign-off block that was cut, or null. */
  readonly signature: string | null;
}

/** 64 KiB: replies with long histories stay below it once the history is cut; the parser costs ~µs per line. */
export const DEFAULT_MAX_BYTES = 64 * 1024;

const EMPTY: ExtractedText = { text: '', quoted: null, signature: null };

/**
 * Splits a plain-text body into new text, quoted history and signature.
 * @example extractNewText('Sí, gracias.\n\nEl lun, 3 jun 2024 a las 10:00, Ana <ana@example.es> escribió:\n> ¿Funciona?')
 *   // → { text: 'Sí, gracias.', quoted: 'El lun, … escribió:\n> ¿Funciona?', signature: null }
 */
export function extractNewText(text: string, opts: ExtractOptions = {}): ExtractedText {
  if (typeof text !== 'string' || text.length === 0) return EMPTY;
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const body = text.replace(/\r\n?/g, '\n').replace(/^\uFEFF/, '');
  const cheap = !(maxBytes > 0) || Buffer.byteLength(body, 'utf8') > maxBytes;
  try {
    return extract(body.split('\n'), opts.language, cheap, true);
  } catch {
    // A throw here is a bug in the rules; the caller still gets the whole body rather than nothing.
    return { text: tidy(body.split('\n')), quoted: null, signature: null };
  }
}

const RELAY_NOTE: Record<Language, string> = {
  en: '[quoted text removed]',
  es: '[texto citado eliminado]',
  it: '[testo citato rimosso]',
};

/** The new text for relaying to agents: signature dropped, a one-line note where quoted history was cut. */
export function trimForRelay(text: string, opts: ExtractOptions = {}): string {
  const r = extractNewText(text, opts);
  return r.quoted === null ? r.text : `${r.text}\n\n${RELAY_NOTE[opts.language ?? 'en']}`;
}

function extract(lines: string[], language: Language | undefined, cheap: boolean, top: boolean): ExtractedText {
  const boundary = findQuoteBoundary(lines);
  const head = boundary ? lines.slice(0, boundary.start) : lines;

  if (boundary && boundary.kind === 'reply-header') {
    // "On … wrote:" then a ">" block then more unquoted text: a bottom post or inline answers, not a cut.
    const afterQuote = skipQuoteBlock(lines, boundary.bodyStart);
    if (afterQuote > boundary.bodyStart && hasNewText(lines.slice(afterQuote), language)) {
      if (top && head.every(isBlank)) {
        const inner = extract(lines.slice(afterQuote), language, cheap, false);
        return { ...inner, quoted: joinParts([tidy(lines.slice(0, afterQuote)), inner.quoted]) };
      }
      // Mid-message: drop only the header line(s); the ">" context stays with the answers below it.
      return extract([...head, '', ...lines.slice(boundary.bodyStart)], language, cheap, false);
    }
  }

  if (boundary && top && head.every(isBlank)) {
    // The mail opens with a header: a forward, or an answer written below the quoted header. What follows
    // the header is the text (discourse fixtures forwarded_message, embedded_email_17).
    const rest = lines.slice(skipHeaderFields(lines, boundary.bodyStart));
    const inner = extract(rest, language, cheap, false);
    if (inner.text !== '') {
      const header = tidy(lines.slice(0, boundary.bodyStart));
      return { ...inner, quoted: joinParts([header, inner.quoted]) };
    }
  }

  const cutHistory = boundary ? tidy(lines.slice(boundary.start)) : '';
  // The trailing ">" block is cut by line rules first: the parser costs microseconds per line (RE2 call per
  // pattern per line), so it only sees what is left, and only when a line could be one of its headers.
  const trailing = splitTrailingQuote(head);
  const parsed = cheap || !mayNeedParser(trailing.kept) ? null : splitWithParser(trailing.kept);
  const kept = parsed ? parsed.kept : trailing.kept;
  const quoted = joinParts([parsed?.quoted ?? null, trailing.quoted]);
  const sig = findSignature(kept, language);
  const textLines = sig ? kept.slice(0, sig.start) : kept;
  const signature = sig ? tidy(kept.slice(sig.start, sig.end)) : null;
  const missed = sig ? tidy(kept.slice(sig.end)) : '';
  const newText = tidy(textLines);
  const quotedAll = joinParts([missed, quoted, cutHistory]);
  if (newText === '' && !signature) {
    // Nothing but history: show it rather than an empty message (discourse fixture quote_only).
    return { text: tidy(lines), quoted: null, signature: null };
  }
  return { text: newText, quoted: quotedAll, signature: signature || null };
}

/** First line after the ">" block (and blank lines) that starts at or after `from`. */
function skipQuoteBlock(lines: readonly string[], from: number): number {
  let i = from;
  while (i < lines.length && isBlank(lines[i]!)) i++;
  const quoteStart = i;
  while (i < lines.length && (isQuotedLine(lines[i]!) || isBlank(lines[i]!) || isWrappedQuoteLine(lines, i))) i++;
  return i > quoteStart && isQuotedLine(lines[quoteStart]!) ? i : from;
}

/** A quoted line some client re-wrapped without its ">": a lone line with quoted lines right above and below. */
function isWrappedQuoteLine(lines: readonly string[], i: number): boolean {
  const above = lines[i - 1];
  const below = lines[i + 1];
  return above !== undefined && below !== undefined && isQuotedLine(above) && isQuotedLine(below);
}

/** Unquoted lines that are more than a signature. */
function hasNewText(lines: readonly string[], language: Language | undefined): boolean {
  const first = lines.findIndex((l) => !isBlank(l));
  if (first < 0 || isQuotedLine(lines[first]!)) return false;
  const sig = findSignature(lines, language);
  return sig === null || sig.start > first;
}

/**
 * Whether any line could matter to the reply parser: every pattern it has either starts the line with ">" or
 * "-", ends it with ":" ("：" in CJK headers), or is a "From:"-style field.
 */
function mayNeedParser(lines: readonly string[]): boolean {
  return lines.some((line) => {
    const t = line.trim();
    return t.startsWith('>') || t.startsWith('-') || t.endsWith(':') || t.endsWith('：') || /^\S{2,4}\s?:/.test(t);
  });
}

/** Keeps everything up to the last unquoted line; the ">" block after it is history. */
function splitTrailingQuote(lines: string[]): { kept: string[]; quoted: string | null } {
  let last = lines.length - 1;
  while (last >= 0 && (isBlank(lines[last]!) || isQuotedLine(lines[last]!))) last--;
  const tail = lines.slice(last + 1);
  if (!tail.some(isQuotedLine)) return { kept: lines, quoted: null };
  return { kept: lines.slice(0, last + 1), quoted: tidy(tail) || null };
}

/**
 * The reply parser decides which fragments are quoted (">" blocks and its many-language headers). Fragments it
 * calls signatures are kept here: our own signature rules are stricter and run next. Quoted fragments before
 * the last unquoted one are inline context and stay; a signature-only fragment after the history is history.
 */
function splitWithParser(lines: string[]): { kept: string[]; quoted: string | null } {
  const fragments = parseFragments(lines.join('\n'));
  let last = -1;
  let seenQuote = false;
  fragments.forEach((f, i) => {
    if (f.quoted) seenQuote = true;
    else if (f.content.trim() !== '' && !(seenQuote && isOnlySignature(f.content))) last = i;
  });
  if (last === fragments.length - 1 || !fragments.slice(last + 1).some((f) => f.quoted)) {
    return { kept: lines, quoted: null };
  }
  const keptLines = fragments.slice(0, last + 1).map((f) => f.content).join('\n').split('\n');
  const cut = originalCut(lines, keptLines);
  if (cut >= 0) return { kept: lines.slice(0, cut), quoted: tidy(lines.slice(cut)) || null };
  const tail = fragments.slice(last + 1).map((f) => f.content).join('\n');
  return { kept: keptLines, quoted: tidy(tail.split('\n')) || null };
}

function isOnlySignature(content: string): boolean {
  const lines = content.split('\n');
  const first = lines.findIndex((l) => !isBlank(l));
  return findSignature(lines)?.start === first;
}

/**
 * Maps the parser's kept fragments back onto the original lines (the parser drops blank lines between
 * fragments): the line after the one holding the K-th non-blank line, or -1 if the lines do not agree.
 */
function originalCut(original: readonly string[], kept: readonly string[]): number {
  const keptNonBlank = kept.filter((l) => !isBlank(l));
  if (keptNonBlank.length === 0) return 0;
  let seen = 0;
  for (let i = 0; i < original.length; i++) {
    if (isBlank(original[i]!)) continue;
    seen++;
    if (seen === keptNonBlank.length) {
      return original[i]!.trim() === keptNonBlank[keptNonBlank.length - 1]!.trim() ? i + 1 : -1;
    }
  }
  return -1;
}

function joinParts(parts: ReadonlyArray<string | null>): string | null {
  const present = parts.filter((p): p is string => p !== null && p !== '');
  return present.length === 0 ? null : present.join('\n\n');
}
