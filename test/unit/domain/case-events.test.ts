// The case event log has one writer: StoreTx.addEvents. Event types are a closed union (CaseEventType)
// checked by the compiler; this guards the other half, that no SQL elsewhere inserts events by hand
// (one writer per store: the SQLite and the PostgreSQL StoreTx).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../../src', import.meta.url));

const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });

it('inserts case events in one place per store only (each StoreTx.addEvents)', () => {
  const writers = files(SRC)
    .filter((f) => /INSERT\s+INTO\s+events\b/i.test(readFileSync(f, 'utf8')))
    .map((f) => path.relative(SRC, f).split(path.sep).join('/'));
  expect(writers.sort()).toEqual(['adapters/postgres/tx.ts', 'adapters/sqlite/tx.ts']);
});
