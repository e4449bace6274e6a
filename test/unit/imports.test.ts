// Guards the seams between layers: no import cycle anywhere in src/ (type-only imports count: a
// type circle is where the next change goes wrong), none between top-level folders either, and
// src/domain (plain records) imports nothing outside itself but the error type.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

// Relative specifiers of `import … from`, `export … from` and bare `import '…'` (non-relative ones are packages).
const SPECIFIER = /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** File (relative to src, forward slashes) → the src files it imports. */
export function importGraph(files: readonly string[]): Map<string, string[]> {
  const rel = (p: string) => path.relative(SRC, p).split(path.sep).join('/');
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const deps = [...readFileSync(file, 'utf8').matchAll(SPECIFIER)].map((m) => rel(path.resolve(path.dirname(file), m[1]!.replace(/\.js$/, '.ts'))));
    graph.set(rel(file), [...new Set(deps)]);
  }
  return graph;
}

/** Strongly connected groups with more than one member, or a member importing itself (Tarjan). */
export function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      group.push(w);
    } while (w !== v);
    if (group.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(group.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

const folderOf = (file: string) => (file.includes('/') ? file.slice(0, file.indexOf('/')) : file);

describe('imports in src/', () => {
  const graph = importGraph(sourceFiles(SRC));

  it('finds the imports (the check is not vacuous)', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('pipeline/types.ts')).toContain('domain/plan.ts');
    expect(cycles(new Map([['a.ts', ['b.ts']], ['b.ts', ['a.ts']], ['c.ts', ['a.ts']]]))).toEqual([['a.ts', 'b.ts']]);
  });

  it('has no import cycle between files', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('has no import cycle between top-level folders (rules and knowledge, ports and pipeline…)', () => {
    const folders = new Map<string, Set<string>>();
    for (const [file, deps] of graph) {
      const from = folderOf(file);
      const set = folders.get(from) ?? new Set<string>();
      for (const d of deps) if (folderOf(d) !== from) set.add(folderOf(d));
      folders.set(from, set);
    }
    expect(cycles(new Map([...folders].map(([k, v]) => [k, [...v]])))).toEqual([]);
  });

  it('keeps src/domain free of everything but itself and the error type', () => {
    const outside = [...graph]
      .filter(([file]) => file.startsWith('domain/'))
      .flatMap(([file, deps]) => deps.filter((d) => !d.startsWith('domain/') && d !== 'errors.ts').map((d) => `${file} -> ${d}`));
    expect(outside).toEqual([]);
  });
});
