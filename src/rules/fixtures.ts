// Runs the routing fixtures kept next to the rules (rules/fixtures/*.eml + expected.yml) so admins
// can prove a rules change routes real mail as intended. expected.yml maps file name → desk,
// category, priority. The mail parser and the classifier are injected; this file never guesses them.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';

import type { InboundMail } from '../domain/mail.js';
import type { Explanation } from '../domain/routing.js';
import { SportelloError } from '../errors.js';
import type { RuleSet } from './rule-set.js';
import { route, type RouteDeps } from './route.js';

export interface FixtureExpectation {
  readonly desk: string;
  readonly category: string;
  readonly priority: string;
}

export interface FixtureResult {
  readonly file: string;
  /** null when the .eml has no entry in expected.yml. */
  readonly expected: FixtureExpectation | null;
  /** null when the .eml is missing or could not be parsed (see error). */
  readonly actual: FixtureExpectation | null;
  readonly ok: boolean;
  readonly explanation: Explanation | null;
  readonly error?: string;
}

export type ParseMail = (raw: Buffer) => Promise<InboundMail>;

const EXPECTED_FILE = 'expected.yml';

function readExpectations(text: string, where: string): Map<string, FixtureExpectation> {
  const data: unknown = parse(text);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new SportelloError('RULES_INVALID', `${where} must map fixture file names to { desk, category, priority }`);
  }
  const out = new Map<string, FixtureExpectation>();
  for (const [file, value] of Object.entries(data)) {
    const v = value as Record<string, unknown> | null;
    if (!v || typeof v['desk'] !== 'string' || typeof v['category'] !== 'string' || typeof v['priority'] !== 'string') {
      throw new SportelloError('RULES_INVALID', `${where}: entry "${file}" needs desk, category and priority`, { context: { file } });
    }
    out.set(file, { desk: v['desk'], category: v['category'], priority: v['priority'] });
  }
  return out;
}

/** One result per .eml and per expectation without a file; sorted by file name. */
export async function runRoutingFixtures(
  ruleSet: RuleSet,
  fixturesDir: string,
  deps: RouteDeps,
  parseMail: ParseMail,
): Promise<FixtureResult[]> {
  const expectedPath = path.join(fixturesDir, EXPECTED_FILE);
  const expectations = readExpectations(await readFile(expectedPath, 'utf8'), expectedPath);
  const emls = (await readdir(fixturesDir)).filter((f) => f.toLowerCase().endsWith('.eml'));
  const files = [...new Set([...emls, ...expectations.keys()])].sort();
  const results: FixtureResult[] = [];
  for (const file of files) {
    const expected = expectations.get(file) ?? null;
    if (!emls.includes(file)) {
      results.push({ file, expected, actual: null, ok: false, explanation: null, error: 'listed in expected.yml but the file does not exist' });
      continue;
    }
    let mail: InboundMail;
    try {
      mail = await parseMail(await readFile(path.join(fixturesDir, file)));
    } catch (err) {
      results.push({ file, expected, actual: null, ok: false, explanation: null, error: `cannot parse: ${(err as Error).message}` });
      continue;
    }
    const desk = expected?.desk ?? '';
    const decision = route(ruleSet, desk, mail, deps);
    const actual = { desk, category: decision.category, priority: decision.priority };
    const ok = expected !== null && expected.category === actual.category && expected.priority === actual.priority;
    results.push({
      file,
      expected,
      actual,
      ok,
      explanation: decision.explanation,
      ...(expected === null ? { error: 'no entry in expected.yml' } : {}),
    });
  }
  return results;
}
