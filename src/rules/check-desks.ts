// Checks what the schema cannot see: desk ids unique across all files, category ids unique per desk,
// and every category a rule or corpus label names exists in that desk. Works on the raw YAML data
// (best effort) so these problems surface together with schema problems; never throws on odd shapes.
import type { ParsedFile } from './parse-file.js';
import { formatPosition, suggestion, type RuleProblem } from '../admin-files/problems.js';
import { TRIAGE } from './schema.js';

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface DeskSite {
  readonly file: ParsedFile;
  readonly id: string;
  readonly raw: Record<string, unknown>;
}

export function desksOf(file: ParsedFile): DeskSite[] {
  const desks = isRecord(file.data) ? file.data['desks'] : undefined;
  if (!isRecord(desks)) return [];
  return Object.entries(desks).flatMap(([id, raw]) => (isRecord(raw) ? [{ file, id, raw }] : []));
}

export function categoryIds(desk: DeskSite): { id: string; index: number }[] {
  const categories = desk.raw['categories'];
  if (!Array.isArray(categories)) return [];
  return categories.flatMap((c, index) => (isRecord(c) && typeof c['id'] === 'string' ? [{ id: c['id'], index }] : []));
}

export function checkDesks(files: readonly ParsedFile[]): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const sites = files.flatMap(desksOf);
  const firstSite = new Map<string, DeskSite>();
  const known = new Map<string, Set<string>>();

  for (const desk of sites) {
    const problem = (path: (string | number)[], code: string, message: string, hint?: string, key = false) => {
      const { line, column } = key ? desk.file.locate.key(path) : desk.file.locate.value(path);
      problems.push({ file: desk.file.file, line, column, code, message, ...(hint === undefined ? {} : { hint }) });
    };
    const deskPath = ['desks', desk.id];
    const earlier = firstSite.get(desk.id);
    if (earlier) {
      const where = formatPosition(earlier.file.file, earlier.file.locate.key(['desks', desk.id]));
      problem(deskPath, 'DUPLICATE_DESK', `desk "${desk.id}" is already declared at ${where}`, 'declare each desk in one file only', true);
      continue;
    }
    firstSite.set(desk.id, desk);

    const seen = new Map<string, number>();
    for (const { id, index } of categoryIds(desk)) {
      const first = seen.get(id);
      if (first !== undefined) {
        const { line } = desk.file.locate.value([...deskPath, 'categories', first, 'id']);
        problem([...deskPath, 'categories', index, 'id'], 'DUPLICATE_CATEGORY', `duplicate category "${id}" (first declared on line ${line})`);
      } else seen.set(id, index);
    }
    known.set(desk.id, new Set([...seen.keys(), TRIAGE]));
  }

  for (const [deskId, desk] of firstSite) {
    const ids = known.get(deskId) ?? new Set<string>();
    const check = (path: (string | number)[], category: unknown, what: string) => {
      if (typeof category !== 'string' || ids.has(category)) return;
      const owner = [...known].find(([other, set]) => other !== deskId && set.has(category))?.[0];
      const { line, column } = desk.file.locate.value(path);
      problems.push({
        file: desk.file.file,
        line,
        column,
        code: 'UNKNOWN_CATEGORY',
        message: `${what} names category "${category}", which desk ${deskId} does not have${suggestion(category, ids)}`,
        hint: owner === undefined ? `categories of ${deskId}: ${[...ids].join(', ')}` : `"${category}" belongs to desk ${owner}; add it to ${deskId} or fix the name`,
      });
    };
    const rules = desk.raw['rules'];
    if (Array.isArray(rules)) {
      rules.forEach((rule, index) => {
        const then = isRecord(rule) ? rule['then'] : undefined;
        if (isRecord(then)) {
          const name = isRecord(rule) && typeof rule['name'] === 'string' ? `rule "${rule['name']}"` : 'rule';
          check(['desks', deskId, 'rules', index, 'then', 'category'], then['category'], name);
        }
      });
    }
    const corpus = desk.raw['corpus'];
    const labels = isRecord(corpus) ? corpus['labels'] : undefined;
    if (isRecord(labels)) {
      for (const [label, category] of Object.entries(labels)) {
        check(['desks', deskId, 'corpus', 'labels', label], category, `corpus label "${label}"`);
      }
    }
  }
  return problems;
}
