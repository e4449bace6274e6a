// Decides what a test does without the third-party corpora ($SPORTELLO_CORPORA, else ../shared/corpora
// beside the clone): locally it skips and leaves its name for the ONE line corpora-report.ts prints at the
// end of the run; under CI=true it fails naming the missing corpus. Never copies or downloads a corpus.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import { corporaHint, corporaRoot, missingCorpora } from '../../bench/lib/corpus.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Folder where test files record the corpora they skipped for (see corpora-report.ts). */
    corpusSkipDir: string;
  }
}

export const CORPORA = corporaRoot();
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The bytes of a corpus file, by its path relative to the corpora folder. */
export function corpusFile(relative: string): Buffer {
  return readFileSync(path.join(CORPORA, relative));
}

/**
 * True when the calling test file must skip what needs these corpus sets:
 * `describe.skipIf(withoutCorpora(import.meta.url, ['bounces-sisimai']))(…)`. Code that lists corpus files
 * at collection time must not run then (vitest still collects skipped suites): guard it with the same flag.
 * Under CI=true a missing set throws, so the file fails with the corpus named instead of passing short.
 */
export function withoutCorpora(testFileUrl: string, sets: readonly string[]): boolean {
  const missing = missingCorpora(sets);
  if (!missing.length) return false;
  const file = path.relative(REPO_ROOT, fileURLToPath(testFileUrl));
  if (process.env.CI === 'true') {
    throw new Error(`${file} needs corpora that are missing, and CI=true makes that a failure: ${corporaHint(missing)}`);
  }
  record(file, missing);
  return true;
}

function record(file: string, missing: readonly string[]): void {
  let dir: string | undefined;
  try {
    dir = inject('corpusSkipDir');
  } catch {
    dir = undefined;
  }
  if (!dir) {
    // Run without test/vitest.config.ts (no report folder): say it here rather than skip silently.
    process.stderr.write(`${file}: skipping corpus tests — ${corporaHint(missing)}\n`);
    return;
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, file.replaceAll('/', '__')), `${JSON.stringify({ file, missing })}\n`);
}
