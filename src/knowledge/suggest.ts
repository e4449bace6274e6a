// Decides which self-service articles an auto-reply offers: same desk, the mail's category (or a
// desk-wide article), qualified by a keyword phrase and ranked by keyword and title overlap after
// accent- and case-insensitive stemming in the mail's language. Never offers an article on title words
// alone: measured on real tickets, generic title words ("new", "request") made most offers wrong.
import type { Language } from '../domain/routing.js';
import { tokenize } from '../classify/tokenize.js';
import { inLanguage, type Article } from './article.js';

export interface SuggestQuery {
  readonly desk: string;
  /** The routed category; null (or one no article lists) leaves only desk-wide articles. */
  readonly category: string | null;
  readonly language: Language;
  readonly subject: string;
  /** Plain-text body, ideally with quotes and signature already removed. */
  readonly text: string;
}

export interface Suggestion {
  readonly id: string;
  /** In the mail's language, else the desk's default language. */
  readonly title: string;
  readonly url: string | null;
  /** Markdown body in the same language choice as the title; null when the article has none. */
  readonly body: string | null;
  readonly score: number;
  /** Keywords (as written in the article) that matched, for the case's event log. */
  readonly matched: readonly string[];
}

/** A keyword phrase present in the subject or body. */
export const KEYWORD_WEIGHT = 1;
/** Extra when the keyword is in the subject: people name their problem there. */
export const SUBJECT_BONUS = 0.5;
/** Per distinct title term present; ranks qualified articles, never qualifies one by itself. */
export const TITLE_WEIGHT = 0.5;
/** Minimum score of an offered article (on top of the keyword requirement). */
export const MIN_SCORE = 1;
/** Characters of body considered; a long pasted log must not make every keyword hit (nor cost time). */
export const MAX_TEXT_CHARS = 8_000;

/**
 * Up to `max` articles for the mail, best first; ties broken by id so the same mail always gets the
 * same list. [] when no article of the desk and category has a keyword in the mail.
 * @example suggestArticles(articles, { desk: 'IT', category: 'access', language: 'es', subject: '', text: 'no puedo entrar en el correo' })
 */
export function suggestArticles(articles: readonly Article[], query: SuggestQuery, max = 3): Suggestion[] {
  if (max <= 0) return [];
  const subject = new TermIndex(tokenize(query.subject, query.language, { stopWords: false }));
  const body = new TermIndex(tokenize(query.text.slice(0, MAX_TEXT_CHARS), query.language, { stopWords: false }));
  const scored: Suggestion[] = [];
  for (const article of articles) {
    if (article.desk !== query.desk) continue;
    if (article.categories.length > 0 && (query.category === null || !article.categories.includes(query.category))) continue;
    const terms = article.terms[query.language];
    if (!terms) continue;
    let score = 0;
    const matched: string[] = [];
    for (const { keyword, terms: phrase } of terms.keywords) {
      const inSubject = subject.hasPhrase(phrase);
      if (!inSubject && !body.hasPhrase(phrase)) continue;
      score += KEYWORD_WEIGHT + (inSubject ? SUBJECT_BONUS : 0);
      matched.push(keyword);
    }
    if (matched.length === 0) continue;
    score += TITLE_WEIGHT * terms.title.filter((t) => subject.has(t) || body.has(t)).length;
    if (score < MIN_SCORE) continue;
    scored.push({
      id: article.id,
      title: inLanguage(article.title, query.language, article.defaultLanguage) ?? article.id,
      url: article.url,
      body: inLanguage(article.body, query.language, article.defaultLanguage) ?? null,
      score,
      matched,
    });
  }
  return scored.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).slice(0, max);
}

/** Positions of each term in one token stream, for phrase lookups. */
class TermIndex {
  private readonly positions = new Map<string, number[]>();

  constructor(private readonly terms: readonly string[]) {
    terms.forEach((t, i) => {
      const list = this.positions.get(t);
      if (list) list.push(i);
      else this.positions.set(t, [i]);
    });
  }

  has(term: string): boolean {
    return this.positions.has(term);
  }

  hasPhrase(phrase: readonly string[]): boolean {
    const starts = this.positions.get(phrase[0]!) ?? [];
    return starts.some((i) => phrase.every((t, k) => this.terms[i + k] === t));
  }
}
