// Folds text for matching so admins need not think about accents, case or line wrapping:
// NFD, drop combining marks (Unicode category M), lower-case, typographic apostrophes to ', collapse
// whitespace. Used on both the rule's literals and the mail; never changes what is stored or shown.

export function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase().replace(/[\u2018\u2019\u02bc`]/g, "'").replace(/\s+/g, ' ').trim();
}
