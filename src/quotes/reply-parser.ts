// Adapter for crisp-oss email-reply-parser 2.3.7: turns its fragments into plain data so no library type
// leaves this file. The library compiles its patterns with RE2 when the optional peer re2@1.26.0 resolves
// (checked by a unit test); without RE2 one pattern backtracks (crisp-oss/email-reply-parser issue #39).
// Must never call setQuoteHeadersRegex: the library's pattern list is module-global state.
import EmailReplyParser from 'email-reply-parser';

export interface ParsedFragment {
  readonly content: string;
  readonly quoted: boolean;
  readonly signature: boolean;
  readonly hidden: boolean;
}

/** Fragments in reading order, as the library splits them. Input must already use "\n" line ends. */
export function parseFragments(text: string): ParsedFragment[] {
  const email = new EmailReplyParser().read(text);
  return email.getFragments().map((f) => ({
    content: f.getContent(),
    quoted: f.isQuoted(),
    signature: f.isSignature(),
    hidden: f.isHidden(),
  }));
}
