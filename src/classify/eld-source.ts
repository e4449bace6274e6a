// Where eld's own modules are: its package exports only whole databases, but loading our three-language
// cut (src/classify/eld-ngrams.ts) needs its detector factory. Found beside the package on the module
// paths; must never load an n-gram database itself.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** The file URL of `file` inside eld's src/ directory (e.g. "languageDetector.js"). */
export function eldSourceFile(file: string): string {
  const dirs = createRequire(import.meta.url).resolve.paths('eld') ?? [];
  for (const dir of dirs) {
    const candidate = path.join(dir, 'eld', 'src', file);
    if (existsSync(candidate)) return pathToFileURL(candidate).href;
  }
  throw new Error(`eld's ${file} not found on ${dirs.join(', ')}; is the eld package installed?`);
}
