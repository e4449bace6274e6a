// Vitest globalSetup for the whole run (every project): hands the test workers a folder where files that
// skip for want of the third-party corpora leave their name, and prints ONE line about them at the end.
// Must never fail the run itself (CI=true failures come from the test files) or leave its folder behind.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { corporaHint } from '../../bench/lib/corpus.js';

let dir = '';

export function setup(project: TestProject): void {
  dir = mkdtempSync(path.join(tmpdir(), 'sportello-corpus-skips-'));
  project.provide('corpusSkipDir', dir);
}

export function teardown(): void {
  if (!dir) return;
  const skipped = readdirSync(dir)
    .map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { file: string; missing: string[] })
    .sort((a, b) => a.file.localeCompare(b.file));
  rmSync(dir, { recursive: true, force: true });
  if (!skipped.length) return;
  const missing = [...new Set(skipped.flatMap((s) => s.missing))].sort();
  process.stdout.write(`\nSKIPPED corpus tests in ${skipped.length} file(s) (${skipped.map((s) => s.file).join(', ')}): ${corporaHint(missing)}; CI=true turns this into a failure.\n`);
}
