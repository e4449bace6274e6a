// Reads a labelled training corpus (CSV, RFC 4180: quoted fields, "" escapes, CRLF or LF) into
// category-labelled rows, via the rules file's label → category map. Rows whose label is not in
// the map are skipped on purpose (e.g. "Miscellaneous"); malformed rows are problems at csv:line.
import type { Language } from '../domain/routing.js';
import type { RuleProblem } from '../admin-files/problems.js';

export interface CorpusRow {
  readonly text: string;
  readonly label: string;
  readonly language: Language;
}

export interface CorpusOptions {
  /** Problem file name for the CSV, e.g. "rules/corpora/tickets.csv". */
  readonly file: string;
  readonly language: Language;
  readonly textColumn: string;
  readonly labelColumn: string;
  /** CSV label → category id. */
  readonly labels: Readonly<Record<string, string>>;
}

export interface CorpusResult {
  readonly rows: readonly CorpusRow[];
  readonly skipped: number;
  readonly problems: readonly RuleProblem[];
  /** The header lacks a configured column; the caller reports it at the rules-file setting. */
  readonly missingColumns: readonly string[];
}

/** A broken export can produce thousands of bad rows; the first few locate the fault. */
const MAX_ROW_PROBLEMS = 20;

interface CsvRecord {
  readonly line: number;
  readonly fields: string[];
}

/** One field: quoted (with "" escapes, may span lines) or bare up to the next comma or line end. */
const FIELD = /"((?:[^"]|"")*)"|([^,\r\n"]*)/y;

export function parseCsv(source: string, file: string): { records: CsvRecord[]; problems: RuleProblem[] } {
  const records: CsvRecord[] = [];
  const problems: RuleProblem[] = [];
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const start = line;
    const fields: string[] = [];
    let broken = false;
    for (;;) {
      FIELD.lastIndex = i;
      const m = FIELD.exec(text)!;
      if (m[1] !== undefined) {
        fields.push(m[1].replaceAll('""', '"'));
        for (let at = m[1].indexOf('\n'); at >= 0; at = m[1].indexOf('\n', at + 1)) line++;
      } else {
        fields.push(m[2]!);
      }
      i = FIELD.lastIndex;
      const next = text[i];
      if (next === ',') {
        i++;
        continue;
      }
      if (next === undefined || next === '\n' || next === '\r') {
        i += next === '\r' && text[i + 1] === '\n' ? 2 : next === undefined ? 0 : 1;
        line++;
        break;
      }
      // A stray quote: an unterminated quoted field, or text glued to a closing quote.
      const message =
        m[1] !== undefined ? 'text after a closing quote' : fields[fields.length - 1] === '' ? 'unterminated quoted field' : 'unexpected quote in a field';
      broken = true;
      problems.push({ file, line: start, column: 1, code: 'CORPUS_INVALID', message, hint: 'quote the whole field and double inner quotes: "say ""hi"""' });
      const eol = text.indexOf('\n', i);
      i = eol < 0 ? text.length : eol + 1;
      line++;
      break;
    }
    if (!broken && !(fields.length === 1 && fields[0] === '')) records.push({ line: start, fields });
  }
  return { records, problems };
}

export function readCorpus(source: string, options: CorpusOptions): CorpusResult {
  const { records, problems } = parseCsv(source, options.file);
  const [header, ...body] = records;
  const columns = header?.fields.map((f) => f.trim()) ?? [];
  const textAt = columns.indexOf(options.textColumn);
  const labelAt = columns.indexOf(options.labelColumn);
  const missingColumns = [
    ...(textAt < 0 ? [options.textColumn] : []),
    ...(labelAt < 0 ? [options.labelColumn] : []),
  ];
  if (missingColumns.length > 0) return { rows: [], skipped: 0, problems, missingColumns };

  const rows: CorpusRow[] = [];
  let skipped = 0;
  let bad = 0;
  for (const record of body) {
    if (record.fields.length !== columns.length) {
      if (++bad <= MAX_ROW_PROBLEMS) {
        problems.push({
          file: options.file,
          line: record.line,
          column: 1,
          code: 'CORPUS_INVALID',
          message: `row has ${record.fields.length} fields, the header has ${columns.length}`,
          hint: 'quote fields that contain commas: "a, b"',
        });
      }
      continue;
    }
    const label = record.fields[labelAt]!.trim();
    const text = record.fields[textAt]!.trim();
    const category = Object.hasOwn(options.labels, label) ? options.labels[label] : undefined;
    if (category === undefined || text === '') {
      skipped++;
      continue;
    }
    rows.push({ text, label: category, language: options.language });
  }
  if (bad > MAX_ROW_PROBLEMS) {
    problems.push({ file: options.file, line: 1, column: 1, code: 'CORPUS_INVALID', message: `${bad - MAX_ROW_PROBLEMS} more malformed rows not listed` });
  }
  return { rows, skipped, problems, missingColumns };
}
