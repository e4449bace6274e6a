// Public face of self-service knowledge: load Markdown articles (YAML front matter, per-language
// sections) and pick the few an auto-reply offers. Pure apart from loadArticles' file reads; the shell
// loads once (and on reload), the pipeline calls suggestArticles with the routed desk and category.
export { indexArticle, inLanguage } from './article.js';
export type { Article, ArticleContent, ArticleTerms, PerLanguage } from './article.js';
export { loadArticles, loadArticleSources } from './load.js';
export type { ArticleSource, LoadArticlesOptions, LoadedArticles } from './load.js';
export { ArticleFrontMatter, parseArticle } from './parse-article.js';
export type { KnowledgeDesk, KnowledgeProblem, ParsedArticle } from './parse-article.js';
export { KEYWORD_WEIGHT, MAX_TEXT_CHARS, MIN_SCORE, SUBJECT_BONUS, TITLE_WEIGHT, suggestArticles } from './suggest.js';
export type { SuggestQuery, Suggestion } from './suggest.js';
