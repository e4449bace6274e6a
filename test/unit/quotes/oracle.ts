// Expected "new text" for reply fixtures in the third-party corpora (bench/lib/corpus.ts#corporaRoot), shared by the unit tests and bench/quotes.ts.
// Trusts only the upstream oracles: discourse's trimmed/ files, talon's *_reply_text (else "Hello", per
// tests/text_quotations_test.py#test_standard_replies), and assertions in crisp's test/test.js and github's
// test/email_reply_parser_test.rb. Must never invent an expectation the upstream test does not state.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { corporaRoot as corporaRootOf } from '../../../bench/lib/corpus.js';

export type FixtureSet = 'discourse' | 'talon' | 'crisp' | 'github';
export const FIXTURE_SETS: readonly FixtureSet[] = ['discourse', 'talon', 'crisp', 'github'];

export interface OracleCase {
  readonly set: FixtureSet;
  readonly name: string;
  readonly input: string;
  readonly expected: string;
  /**
   * 'text': compare with `text` (the oracle strips quotes and signatures).
   * 'unquoted': compare with `text` + blank line + `signature` (talon strips quotes only, keeps signatures).
   */
  readonly compare: 'text' | 'unquoted';
}

const corporaRoot = corporaRootOf();

/** The corpus sets the oracle cases come from. */
export const ORACLE_CORPORA = ['reply-discourse-trimmer', 'reply-talon', 'reply-crisp-email-reply-parser', 'reply-github-email-reply-parser'] as const;

/** The bench's only normalisation: CRLF → LF, trailing whitespace per line and at both ends of the text. */
export function normalise(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/^\n+/, '')
    .trimEnd();
}

function read(...parts: string[]): string {
  return readFileSync(path.join(corporaRoot, ...parts), 'utf8');
}

// crisp-oss/email-reply-parser test/test.js: tests asserting `fragments[0].toString().trim() === COMMON_FIRST_FRAGMENT`
// (or getVisibleText().trim() for email_french_2).
const CRISP_COMMON_FIRST_FRAGMENT =
  'Fusce bibendum, quam hendrerit sagittis tempor, dui turpis tempus erat, pharetra sodales ante sem sit amet metus.\n' +
  'Nulla malesuada, orci non vulputate lobortis, massa felis pharetra ex, convallis consectetur ex libero eget ante.\n' +
  'Nam vel turpis posuere, rhoncus ligula in, venenatis orci. Duis interdum venenatis ex a rutrum.\n' +
  'Duis ut libero eu lectus consequat consequat ut vel lorem. Vestibulum convallis lectus urna,\n' +
  'et mollis ligula rutrum quis. Fusce sed odio id arcu varius aliquet nec nec nibh.';

const CRISP_COMMON = [
  'email_7', 'email_8', 'email_9', 'email_10', 'email_11', 'email_12', 'email_13', 'email_14', 'email_15',
  'email_16', 'email_17', 'email_18', 'email_22', 'email_23', 'email_24', 'email_25', 'email_26',
  'email_portuguese', 'email_german', 'email_german_2', 'email_german_3', 'email_german_outlook',
  'email_norwegian_gmail', 'email_finnish', 'email_italian', 'email_russian', 'email_outlook_split_line_from',
  'email_gmail_split_line_from', 'email_ios_outlook', 'email_ios_outlook_fr', 'email_msn', 'email_fr_multiline',
  'email_french_2', 'email_en_multiline_2', 'email_original_message', 'email_original_message_2',
  'email_danish_dash_separator', 'email_french_dash_separator', 'email_tricky_5_mixed_languages',
  'email_tricky_10_special_chars_in_name', 'email_tricky_12_no_space_after_header',
  'email_tricky_14_long_quote_header', 'email_tricky_15_original_message_variations',
] as const;

// Tests in crisp's test.js that state the whole visible text / first fragment as a literal.
// email_1 and email_3 are left out: crisp keeps "-Abhishek Kona" in the visible text while github's
// test (same bodies, email_1_1 / email_1_3) marks it a signature; they are counted once, under github.
const CRISP_LITERAL: Record<string, string> = {
  email_sent_from: 'Hi it can happen to any texts you type, as long as you type in between words or paragraphs.',
  email_emoji: '🎉\n\n—\nJohn Doe\nCEO at Pandaland\n\n@pandaland',
  email_zoho: 'What is the best way to clear a Riak bucket of all key, values after\nrunning a test?',
  email_with_regards: 'Hi,\n\nI still have the same problem....\n\nCan you help?',
};

// github/email_reply_parser test/email_reply_parser_test.rb: parse_reply literals, and the first fragment
// where the test fixes the fragment boundaries (fragment count/flags) so its text follows from the fixture.
const GITHUB_LITERAL: Record<string, string> = {
  email_2_1: 'Outlook with a reply',
  email_2_2: 'Outlook with a reply directly above line',
  email_iPhone: 'Here is another email',
  email_BlackBerry: 'Here is another email',
  email_multi_word_sent_from_my_mobile_device: 'Here is another email',
  email_sent_from_my_not_signature:
    'Here is another email\n\nSent from my desk, is much easier then my mobile phone.',
  email_bullets:
    'test 2 this should list second\n\nand have spaces\n\nand retain this formatting\n\n\n   - how about bullets\n   - and another',
  // test_reads_simple_body: fragment 0 literal; "-Abhishek Kona" and the list footer are signature fragments.
  email_1_1: 'Hi folks\n\nWhat is the best way to clear a Riak bucket of all key, values after\nrunning a test?\nI am currently using the Java HTTP API.',
  // test_reads_top_post: fragment 0 /^Oh thanks.\n\nHaving/, fragment 1 /^-A/ is a signature.
  email_1_3: 'Oh thanks.\n\nHaving the function would be great.',
  // test_recognizes_date_string_above_quote: fragment 0 /^Awesome/, fragment 1 starts the quote.
  email_1_4: "Awesome! I haven't had another problem with it.",
  // test_deals_with_windows_line_endings: fragment 0 /:\+1:/, fragment 1 starts with "On".
  email_1_7: ':+1:',
  // test_reads_email_with_correct_signature: 2 fragments, the second /^-- \nrick/ is the signature.
  correct_sig: 'this is an email with a correct -- signature.',
  // test_one_is_not_on: fragment 1 /^On Oct 1, 2012/ is the quote header.
  email_one_is_not_on:
    'Thank, this is really helpful.\n\nOne outstanding question I had:\n\nLocally (on development), when I run...',
};

// Fixtures whose upstream test says "one fragment": the whole body is new text.
const GITHUB_WHOLE = ['email_1_5', 'email_sig_delimiter_in_middle_of_line'] as const;
const CRISP_WHOLE = [
  'email_not_a_signature', 'email_not_a_signature_2', 'email_tricky_1_on_false_positive',
  'email_tricky_13_timestamp_variations',
] as const;

function discourseCases(): OracleCase[] {
  const dir = path.join(corporaRoot, 'reply-discourse-trimmer');
  return readdirSync(path.join(dir, 'emails'))
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .map((f) => ({
      set: 'discourse' as const,
      name: f.replace(/\.txt$/, ''),
      input: read('reply-discourse-trimmer', 'emails', f),
      expected: read('reply-discourse-trimmer', 'trimmed', f),
      compare: 'text' as const,
    }));
}

async function talonCases(): Promise<OracleCase[]> {
  const dir = path.join(corporaRoot, 'reply-talon', 'standard_replies');
  const files = readdirSync(dir).filter((f) => f.endsWith('.eml')).sort();
  const cases: OracleCase[] = [];
  for (const f of files) {
    const parsed = await simpleParser(readFileSync(path.join(dir, f)));
    const replyFile = path.join(dir, f.replace(/\.eml$/, '_reply_text'));
    cases.push({
      set: 'talon',
      name: f.replace(/\.eml$/, ''),
      input: parsed.text ?? '',
      expected: existsSync(replyFile) ? readFileSync(replyFile, 'utf8').trim() : 'Hello',
      compare: 'unquoted',
    });
  }
  return cases;
}

function literalCases(set: 'crisp' | 'github', folder: string, table: Record<string, string>, whole: readonly string[]): OracleCase[] {
  const out: OracleCase[] = Object.entries(table).map(([name, expected]) => ({
    set, name, input: read(folder, `${name}.txt`), expected, compare: 'text' as const,
  }));
  for (const name of whole) {
    const input = read(folder, `${name}.txt`);
    out.push({ set, name, input, expected: input, compare: 'text' });
  }
  return out;
}

function crispCases(): OracleCase[] {
  const folder = 'reply-crisp-email-reply-parser';
  const common: OracleCase[] = CRISP_COMMON.map((name) => ({
    set: 'crisp' as const,
    name,
    input: read(folder, `${name}.txt`),
    expected: CRISP_COMMON_FIRST_FRAGMENT,
    compare: 'text' as const,
  }));
  return [...common, ...literalCases('crisp', folder, CRISP_LITERAL, CRISP_WHOLE)];
}

function githubCases(): OracleCase[] {
  return literalCases('github', 'reply-github-email-reply-parser', GITHUB_LITERAL, GITHUB_WHOLE);
}

/** Every case with an upstream expectation, grouped by set in FIXTURE_SETS order. */
export async function loadOracleCases(): Promise<OracleCase[]> {
  return [...discourseCases(), ...(await talonCases()), ...crispCases(), ...githubCases()];
}

/** The string a case's oracle is compared with. */
export function actualFor(c: OracleCase, result: { text: string; signature: string | null }): string {
  return c.compare === 'unquoted' && result.signature ? `${result.text}\n\n${result.signature}` : result.text;
}

export function readCorpus(...parts: string[]): string {
  return read(...parts);
}
