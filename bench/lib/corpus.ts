// Locates the third-party corpora ($SPORTELLO_CORPORA, else ../shared/corpora beside the clone), reads the
// it-service-tickets corpus (RFC 4180 CSV) and splits it reproducibly. Trusts only the README's shape
// (header `Document,Topic_group`); never edits a corpus; a missing one is named with where to put it.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../../src/classify/linear-model.js';

export interface LabelledText {
  readonly text: string;
  readonly label: string;
}

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where the corpora are: `$SPORTELLO_CORPORA` when set, else beside the clone at `<clone>/../shared/corpora`. */
export function corporaRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.SPORTELLO_CORPORA ? path.resolve(env.SPORTELLO_CORPORA) : path.resolve(REPO_ROOT, '..', 'shared', 'corpora');
}

export function corpusPath(...parts: string[]): string {
  return path.join(corporaRoot(), ...parts);
}

/** The corpus sets (top-level folders such as `bounces-sisimai`) that are not there. */
export function missingCorpora(sets: readonly string[]): string[] {
  return sets.filter((set) => !existsSync(corpusPath(set)));
}

/** One sentence naming the missing sets and where to put them; shared by the benchmarks and the tests. */
export function corporaHint(missing: readonly string[]): string {
  return `third-party corpora missing at ${corporaRoot()}: ${missing.join(', ')} — put the shared corpora there (beside the clone, as ../shared/corpora) or set SPORTELLO_CORPORA=/path/to/corpora`;
}

/** For the benchmarks: without their corpora they print why and exit 2 instead of crashing on a path. */
export function requireCorpora(sets: readonly string[]): void {
  const missing = missingCorpora(sets);
  if (!missing.length) return;
  process.stderr.write(`bench: ${corporaHint(missing)}\n`);
  process.exit(2);
}

export function readTickets(file = corpusPath('it-service-tickets', 'all_tickets_processed_improved_v3.csv')): LabelledText[] {
  if (!existsSync(file)) throw new Error(`corpus file not found: ${file} (${corporaHint(['it-service-tickets'])})`);
  const rows = parseCsv(readFileSync(file, 'utf8'));
  const header = rows.shift();
  if (header?.[0] !== 'Document' || header[1] !== 'Topic_group') {
    throw new Error(`${file}: expected header "Document,Topic_group", got ${JSON.stringify(header)}`);
  }
  return rows.filter((r) => r.length === 2).map(([text, label]) => ({ text: text as string, label: label as string }));
}

/** Minimal RFC 4180: quoted fields with "" escapes, CRLF or LF line ends. */
export function parseCsv(source: string): string[][] {
  // One sticky match per field: a quoted field or a run without separators, then what ends it.
  const field = /(?:"((?:[^"]|"")*)"|([^,\r\n]*))(,|\r?\n|$)/y;
  const rows: string[][] = [];
  let row: string[] = [];
  while (field.lastIndex < source.length) {
    const m = field.exec(source);
    if (m === null) throw new Error(`malformed CSV at offset ${field.lastIndex}`);
    row.push(m[1] !== undefined ? m[1].replaceAll('""', '"') : (m[2] ?? ''));
    if (m[3] !== ',') {
      rows.push(row);
      row = [];
      if (m[3] === '') break;
    }
  }
  if (row.length > 0) rows.push(row);
  return rows;
}

/** Stratified split: each label's rows are shuffled with the seed and cut at the same fraction. */
export function stratifiedSplit<T extends LabelledText>(rows: readonly T[], testFraction: number, seed: number): { train: T[]; test: T[] } {
  const random = seededRandom(seed);
  const byLabel = new Map<string, T[]>();
  for (const r of rows) byLabel.set(r.label, [...(byLabel.get(r.label) ?? []), r]);
  const train: T[] = [];
  const test: T[] = [];
  for (const label of [...byLabel.keys()].sort()) {
    const group = [...(byLabel.get(label) as T[])];
    for (let i = group.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [group[i], group[j]] = [group[j] as T, group[i] as T];
    }
    const cut = Math.round(group.length * testFraction);
    test.push(...group.slice(0, cut));
    train.push(...group.slice(cut));
  }
  return { train, test };
}

/** First `perLabel` rows of each label after a seeded stratified shuffle (small, balanced subsets). */
export function samplePerLabel<T extends LabelledText>(rows: readonly T[], perLabel: number, seed: number): T[] {
  const { test } = stratifiedSplit(rows, 1, seed);
  const counts = new Map<string, number>();
  return test.filter((r) => {
    const n = counts.get(r.label) ?? 0;
    counts.set(r.label, n + 1);
    return n < perLabel;
  });
}

/** The MIME corpora (mail parsing, machine-mail detection), shared by bench/parse.ts and the parser tests. */
export const MIME_CORPUS_SETS = [
  'mime-stalwart-mail-parser',
  'mime-flanker',
  'mime-mikel-mail',
  'mime-nodemailer-mailparser',
  'mime-postal-mime',
  'mime-rt',
  'mime-spamscope-mail-parser',
  'bounces-sisimai',
] as const;

/** Every message file of a corpus set, from its MANIFEST.tsv, as a path relative to the corpora folder. */
export function corpusMessages(set: string): string[] {
  return readFileSync(corpusPath(set, 'MANIFEST.tsv'), 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.split('\t')[0] ?? '')
    .filter((file) => file !== '' && !/\.(json|md|tsv|upstream)$|(^|\/)(COPYING|LICENSE|NOTICE)/.test(file))
    .map((file) => path.join(set, file));
}
