// Decides whether a rule's `when` holds for a mail: compiles a validated condition into a predicate
// once, at load. Text is compared folded (accents, case, whitespace); regexes are RE2 so hostile
// mail cannot stall matching. Never reads anything but the InboundMail and the detected language.
import type { InboundMail } from '../domain/mail.js';
import type { Language } from '../domain/routing.js';
import { fold } from './normalize.js';
import { compilePattern, type ConditionSpec, type NumberTestSpec, type StringTestSpec } from './schema.js';

/** What a predicate sees: the mail plus its detected language, with folded text computed once. */
export interface MatchInput {
  readonly mail: InboundMail;
  readonly language: Language;
  folded(key: string, compute: () => readonly string[]): readonly string[];
}

export type Predicate = (input: MatchInput) => boolean;

export function matchInput(mail: InboundMail, language: Language): MatchInput {
  const cache = new Map<string, readonly string[]>();
  return {
    mail,
    language,
    folded(key, compute) {
      let values = cache.get(key);
      if (values === undefined) {
        values = compute().map(fold);
        cache.set(key, values);
      }
      return values;
    },
  };
}

const list = (value: string | readonly string[] | undefined): readonly string[] =>
  value === undefined ? [] : typeof value === 'string' ? [value] : value;

/**
 * A string test holds for a field when one of its values passes every operator given; `exists`
 * looks at the field as a whole. Lists mean "any of".
 */
function compileStringTest(test: StringTestSpec): (values: readonly string[]) => boolean {
  const checks: ((value: string) => boolean)[] = [];
  const folded = (v: string | readonly string[] | undefined) => list(v).map(fold);
  const contains = folded(test.contains);
  const equals = [...folded(test.equals), ...folded(test.in)];
  const starts = folded(test.startsWith);
  const ends = folded(test.endsWith);
  const domains = folded(test.domain).map((d) => d.replace(/^@/, ''));
  const patterns = list(test.regex).map(compilePattern);
  if (test.contains !== undefined) checks.push((v) => contains.some((n) => v.includes(n)));
  if (test.equals !== undefined || test.in !== undefined) checks.push((v) => equals.includes(v));
  if (test.startsWith !== undefined) checks.push((v) => starts.some((n) => v.startsWith(n)));
  if (test.endsWith !== undefined) checks.push((v) => ends.some((n) => v.endsWith(n)));
  if (test.regex !== undefined) checks.push((v) => patterns.some((p) => p.test(v)));
  if (test.domain !== undefined) {
    checks.push((v) => {
      const at = v.lastIndexOf('@');
      if (at < 0) return false;
      const host = v.slice(at + 1);
      return domains.some((d) => host === d || host.endsWith(`.${d}`));
    });
  }
  const exists = test.exists;
  return (values) => {
    const present = values.filter((v) => v !== '');
    if (exists !== undefined && exists !== present.length > 0) return false;
    if (checks.length === 0) return true;
    return present.some((v) => checks.every((check) => check(v)));
  };
}

function compileNumberTest(test: NumberTestSpec): (n: number) => boolean {
  return (n) =>
    (test.gt === undefined || n > test.gt) &&
    (test.gte === undefined || n >= test.gte) &&
    (test.lt === undefined || n < test.lt) &&
    (test.lte === undefined || n <= test.lte);
}

const addresses = (list: InboundMail['to']): string[] => list.flatMap((a) => [a.address, a.name]);

export function compileCondition(spec: ConditionSpec): Predicate {
  const parts: Predicate[] = [];
  const field = (test: StringTestSpec | undefined, key: string, values: (mail: InboundMail) => readonly string[]) => {
    if (test === undefined) return;
    const check = compileStringTest(test);
    parts.push((input) => check(input.folded(key, () => values(input.mail))));
  };
  field(spec.from, 'from', (m) => (m.from ? addresses([m.from]) : []));
  field(spec.to, 'to', (m) => addresses(m.to));
  field(spec.cc, 'cc', (m) => addresses(m.cc));
  field(spec.subject, 'subject', (m) => [m.subject]);
  field(spec.body, 'body', (m) => [m.text]);
  for (const [name, test] of Object.entries(spec.headers ?? {})) {
    const lower = name.toLowerCase();
    field(test, `header:${lower}`, (m) => m.headers[lower] ?? []);
  }
  if (spec.attachment !== undefined) {
    const { name, type, size } = spec.attachment;
    const nameCheck = name && compileStringTest(name);
    const typeCheck = type && compileStringTest(type);
    const sizeCheck = size && compileNumberTest(size);
    parts.push(({ mail }) =>
      mail.attachments.some(
        (a) =>
          (!nameCheck || nameCheck(a.filename === null ? [] : [fold(a.filename)])) &&
          (!typeCheck || typeCheck([fold(a.contentType)])) &&
          (!sizeCheck || sizeCheck(a.size)),
      ),
    );
  }
  if (spec.size !== undefined) {
    const check = compileNumberTest(spec.size);
    parts.push(({ mail }) => check(mail.size));
  }
  if (spec.language !== undefined) {
    const languages = list(spec.language);
    parts.push(({ language }) => languages.includes(language));
  }
  if (spec.any !== undefined) {
    const any = spec.any.map(compileCondition);
    parts.push((input) => any.some((p) => p(input)));
  }
  if (spec.all !== undefined) {
    const all = spec.all.map(compileCondition);
    parts.push((input) => all.every((p) => p(input)));
  }
  if (spec.not !== undefined) {
    const not = compileCondition(spec.not);
    parts.push((input) => !not(input));
  }
  return (input) => parts.every((p) => p(input));
}
