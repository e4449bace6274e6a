// What a self-service article is once loaded: per-language titles, keywords and Markdown bodies,
// plus the stemmed terms the matcher compares with a mail. Plain, frozen data built only by the
// loader (or indexArticle in tests); the matcher must never re-read or re-tokenise files.
import { LANGUAGES, type Language } from '../domain/routing.js';
import { tokenize } from '../classify/tokenize.js';

export type PerLanguage<T> = Readonly<Partial<Record<Language, T>>>;

/** Stemmed, accent-folded terms of one language, as classify/tokenize produces them. */
export interface ArticleTerms {
  /**
   * One entry per keyword, terms in order with stop words kept: a multi-word keyword is a phrase
   * ("log in" must not match "please log the ticket in", nor "new laptop" a "new … laptop" far apart).
   */
  readonly keywords: readonly { readonly keyword: string; readonly terms: readonly string[] }[];
  /** Distinct terms of the title. */
  readonly title: readonly string[];
}

export interface Article {
  readonly id: string;
  readonly desk: string;
  /** Category ids of the desk; empty means the article is offered for every category of the desk. */
  readonly categories: readonly string[];
  readonly title: PerLanguage<string>;
  readonly keywords: PerLanguage<readonly string[]>;
  /** Intranet link shown instead of (or next to) the body; null when the article lives only here. */
  readonly url: string | null;
  /** Markdown per language, trimmed; a language without its own section has no entry. */
  readonly body: PerLanguage<string>;
  /** The desk's default language: the fallback for a title or body the mail's language lacks. */
  readonly defaultLanguage: Language;
  /** Where it was loaded from, relative to the knowledge directory's parent, and the line of `id`. */
  readonly file: string;
  readonly line: number;
  readonly terms: PerLanguage<ArticleTerms>;
}

export type ArticleContent = Omit<Article, 'terms'>;

/** Adds the matcher's terms to validated article content. */
export function indexArticle(content: ArticleContent): Article {
  const terms: Partial<Record<Language, ArticleTerms>> = {};
  for (const language of LANGUAGES) {
    // Keywords that stem alike ("stampa", "stampare") count once: one idea, one vote.
    const seen = new Set<string>();
    const keywords: { keyword: string; terms: string[] }[] = [];
    for (const keyword of content.keywords[language] ?? []) {
      const terms = tokenize(keyword, language, { stopWords: false });
      const key = terms.join(' ');
      if (terms.length === 0 || seen.has(key)) continue;
      seen.add(key);
      keywords.push({ keyword, terms });
    }
    const title = unique(tokenize(content.title[language] ?? '', language));
    if (keywords.length > 0 || title.length > 0) terms[language] = { keywords, title };
  }
  return { ...content, terms };
}

/** The text in `language`, else in the article's default language, else in the first language it has. */
export function inLanguage<T>(values: PerLanguage<T>, language: Language, fallback: Language): T | undefined {
  return values[language] ?? values[fallback] ?? LANGUAGES.map((l) => values[l]).find((v) => v !== undefined);
}

function unique(terms: readonly string[]): string[] {
  return [...new Set(terms)];
}
