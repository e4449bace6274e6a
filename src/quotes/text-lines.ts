// Small linear-time helpers shared by the quote and signature rules: line classification without regexps
// that could backtrack. Trusts nothing about the input (any length, any characters).
// Must never use a regexp with two unbounded quantifiers that can match the same characters.

/** Characters that, repeated alone on a line, draw a separator ("-----", "____", "====", "***", "ᐧ"). */
const SEPARATOR_CHARS = new Set(['-', '_', '=', '*', '~', '#', '+', '\u1427', '\u2014', '\u2013']);

export function isBlank(line: string): boolean {
  return line.trim() === '';
}

/** "> text", ">> text", "| text" (some webmails quote with a bar). */
export function isQuotedLine(line: string): boolean {
  const t = line.trimStart();
  return t.startsWith('>');
}

/** A line made only of separator characters (at least two, or the lone Gmail tracking mark "ᐧ"). */
export function isSeparatorLine(line: string): boolean {
  const t = line.trim();
  if (t === '\u1427') return true;
  if (t.length < 2) return false;
  for (const ch of t) {
    if (!SEPARATOR_CHARS.has(ch) && ch !== ' ') return false;
  }
  return true;
}

/** Joins lines and drops leading blank lines and trailing whitespace, the shape every result field has. */
export function tidy(lines: readonly string[]): string {
  let start = 0;
  while (start < lines.length && isBlank(lines[start]!)) start++;
  return lines.slice(start).join('\n').trimEnd();
}
