// Maps a path into parsed YAML (as zod reports it) back to line:column in the source, so every
// problem points where the admin must edit. Trusts only the yaml library's node ranges and its
// LineCounter; never guesses a position from text search.
import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair } from 'yaml';

export type PathKey = string | number;

export interface Position {
  readonly line: number;
  readonly column: number;
}

function keyOf(pair: Pair): unknown {
  return isScalar(pair.key) ? pair.key.value : pair.key;
}

/** The map pair for `key` in `node`, when node is a map. */
export function pairAt(node: unknown, key: PathKey): Pair<unknown, unknown> | undefined {
  if (!isMap(node)) return undefined;
  return node.items.find((pair) => String(keyOf(pair)) === String(key));
}

/** The deepest node on `path` that exists, and how many path keys it consumed. */
export function nodeAt(doc: Document, path: readonly PathKey[]): { node: Node | null; depth: number } {
  let node: unknown = doc.contents;
  let depth = 0;
  for (const key of path) {
    let next: unknown;
    if (isMap(node)) next = pairAt(node, key)?.value;
    else if (isSeq(node) && typeof key === 'number') next = node.items[key];
    if (next === undefined || next === null) break;
    node = next;
    depth++;
  }
  return { node: isPair(node) ? null : ((node as Node | null) ?? null), depth };
}

export class Locator {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  at(offset: number): Position {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  /** Position of the value at `path`, or of its nearest existing ancestor. */
  value(path: readonly PathKey[]): Position {
    const { node } = nodeAt(this.doc, path);
    return this.at(node?.range?.[0] ?? 0);
  }

  /** Position of the key of the pair at `path` (falls back to the value's position). */
  key(path: readonly PathKey[]): Position {
    const parent = nodeAt(this.doc, path.slice(0, -1));
    const last = path[path.length - 1];
    if (last !== undefined && parent.depth === path.length - 1) {
      const pair = pairAt(parent.node, last);
      const keyNode = pair?.key as Node | undefined;
      if (keyNode?.range) return this.at(keyNode.range[0]);
    }
    return this.value(path);
  }
}
