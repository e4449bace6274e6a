// Decides whether a requester's reply to a resolved case is a satisfaction rating (1–5) and what comment came
// with it: a number or stars as the first token of the new text (quotes cut by src/quotes), an explicit
// "rating/voto/puntuación N", or our mailto subject "Rating N". Must never read a number inside a sentence as a rating.

import type { Language } from '../domain/routing.js';
import { stripReplyPrefixes } from '../mail/subject.js';
import { extractNewText } from '../quotes/index.js';
import { fold } from './did-you-mean.js';

export type Score = 1 | 2 | 3 | 4 | 5;

export interface Rating {
  readonly score: Score;
  readonly comment: string | null;
}

/** The word our mailto subjects use, per language; all are recognised whatever the desk's language. */
export const RATING_WORD: Readonly<Record<Language, string>> = { en: 'Rating', es: 'Valoración', it: 'Valutazione' };

const COMMENT_PROMPT: Readonly<Record<Language, string>> = {
  en: 'Comment (optional):',
  es: 'Comentario (opcional):',
  it: 'Commento (facoltativo):',
};

// Words that may follow the number ("4 stars", "5 de 5"); anything else after a bare space makes it a sentence.
const SCALE_WORDS = /^(?:\/\s*5|(?:out )?of 5|de 5|su 5|stars?|estrellas?|stelle|stella|points?|puntos?|punti)(?=$|[\s.,;:!)])/iu;
// Separators after the number that mark the rest as a comment: "5 - great", "5, thanks", "5. Fast", "5!".
const SEPARATOR = /^\s*(?:[-–—:,.;!)]+|\/\s*5)\s*/u;
const EXPLICIT = /(?:^|[^\p{L}])(rating|score|voto|valutazione|punteggio|puntuacion|valoracion|calificacion)[ \t]{0,3}[:=]?[ \t]{0,3}([1-5])(?:\s*(?:\/\s*5|de 5|su 5|out of 5))?(?![\p{N}.,]\p{N}|\p{N})/iu;
const STARS = /^(?:[\u2B50\u2605]\uFE0F?\s*){1,5}/u;

/**
 * @example parseRating('4/5 quick fix\n\nOn Mon … wrote:\n> How did we do?') // → { score: 4, comment: 'quick fix' }
 * @example parseRating('I have 5 more questions') // → null
 */
/** A rating is a short answer; longer input is cut before any pattern runs (it is untrusted). */
const MAX_RATING_CHARS = 2000;

export function parseRating(text: string, language?: Language): Rating | null {
  const fresh = extractNewText(text.slice(0, 20_000), language === undefined ? {} : { language }).text.trim().slice(0, MAX_RATING_CHARS);
  if (fresh === '' || fresh.startsWith('>')) return null;

  const stars = STARS.exec(fresh);
  if (stars) {
    const n = [...stars[0]].filter((c) => c === '\u2B50' || c === '\u2605').length;
    return { score: n as Score, comment: comment(fresh.slice(stars[0].length).replace(/^[\u2606\s]+/u, '')) };
  }

  // Not a rating: "10", "4.5", "3:30", "1/2"; "4/5" is.
  const lead = /^([1-5])(?!\p{N}|[.,:]\p{N}|\s*\/(?!\s*5(?!\p{N})))/u.exec(fresh);
  if (lead) {
    const after = fresh.slice(1);
    if (after === '' || after.startsWith('\n')) return { score: Number(lead[1]) as Score, comment: comment(after) };
    const scale = SCALE_WORDS.exec(after.trimStart());
    if (scale) return { score: Number(lead[1]) as Score, comment: comment(after.trimStart().slice(scale[0].length).replace(SEPARATOR, '')) };
    const sep = SEPARATOR.exec(after);
    if (sep && sep[0].trim() !== '') return { score: Number(lead[1]) as Score, comment: comment(after.slice(sep[0].length)) };
    return null; // "2 printers are still broken": a sentence, not a rating
  }

  const explicit = EXPLICIT.exec(foldKeepingLength(fresh));
  if (explicit) {
    // At the start the rest is the comment; mid-sentence, cutting the words out would garble it, so keep it all.
    const atStart = fresh.slice(0, explicit.index).trim() === '';
    return { score: Number(explicit[2]) as Score, comment: comment(atStart ? fresh.slice(explicit.index + explicit[0].length) : fresh) };
  }
  return null;
}

/** fold() per character where that keeps the length, so match positions apply to the original text. */
function foldKeepingLength(text: string): string {
  return Array.from(text, (c) => {
    const f = fold(c);
    return f.length === c.length ? f : c;
  }).join('');
}

/** A line of the prefilled body with our prompt removed ("Comentario (opcional): muy rápido" → "muy rápido"). */
function withoutPrompt(line: string): string {
  const t = line.trim();
  for (const p of Object.values(COMMENT_PROMPT)) {
    if (fold(t.slice(0, p.length)) === fold(p)) return t.slice(p.length);
  }
  return line;
}

function comment(rest: string): string | null {
  const t = rest.replace(/^[\s\-–—:,.;!)]+/u, '').replace(/[\s\-–—:,;]+$/u, '').trim();
  return t === '' ? null : t;
}

/**
 * The score in a subject such as "Re: [IT-12] Rating 5" / "Valoración 4" / "Valutazione 3", or null.
 * @example parseRatingSubject('RE: [IT-12] Valoración 4') // → 4
 */
export function parseRatingSubject(subject: string): Score | null {
  // The whole subject must be ours, "[TAG] Rating N", so a case titled "Rating 5 stars in the app" is not a vote.
  const bare = stripReplyPrefixes(subject.replace(/\[[A-Z][A-Z0-9]{0,9}-[1-9][0-9]{0,8}\]/giu, ' ')).trim();
  const m = /^(rating|valoracion|valutazione)\s+([1-5])$/iu.exec(fold(bare));
  return m ? (Number(m[2]) as Score) : null;
}

/**
 * A rating from a whole reply: our mailto subject decides the score when present (the body is then only a
 * comment, minus our prompt line); otherwise the body is parsed. Null means: treat it as a normal follow-up.
 */
export function parseRatingReply(mail: { readonly subject: string; readonly text: string }, language?: Language): (Rating & { readonly via: 'subject' | 'body' }) | null {
  const fromSubject = parseRatingSubject(mail.subject);
  if (fromSubject !== null) {
    const fresh = extractNewText(mail.text, language === undefined ? {} : { language }).text;
    const lines = fresh.split('\n').filter((l) => !l.trimStart().startsWith('>')).map(withoutPrompt);
    return { score: fromSubject, comment: comment(lines.join('\n')), via: 'subject' };
  }
  const fromBody = parseRating(mail.text, language);
  return fromBody ? { ...fromBody, via: 'body' } : null;
}

/**
 * A mailto: URL (RFC 6068) that rates a case in one click: subject "[IT-12] Rating 5" in the reader's
 * language and a body with the comment prompt.
 * @example ratingMailto('it@example.test', 'IT-12', 5, 'en')
 *   // → 'mailto:it@example.test?subject=%5BIT-12%5D%20Rating%205&body=Comment%20(optional)%3A%0D%0A'
 */
export function ratingMailto(deskAddress: string, caseId: string, score: Score, language: Language): string {
  const subject = `[${caseId}] ${RATING_WORD[language]} ${score}`;
  // RFC 6068 §2: line breaks in body are %0D%0A; encodeURIComponent leaves "(" ")" which are allowed there.
  const body = `${COMMENT_PROMPT[language]}\r\n`;
  return `mailto:${encodeURI(deskAddress)}?subject=${encodeURIComponent(subject)}&body=${encodeURIComponent(body)}`;
}
