// Writes rules/schema.json from the zod schema that validates rules files, so editors (YAML language
// server) and the loader can never disagree. Run: npx tsx scripts/rules-schema.ts [--check]
// With --check it only compares and exits 1 when the committed file is stale; it never edits rules.
import { readFile, writeFile } from 'node:fs/promises';

import { rulesJsonSchema } from '../src/rules/schema.js';

const target = new URL('../rules/schema.json', import.meta.url);
const text = `${JSON.stringify(rulesJsonSchema(), null, 2)}\n`;

if (process.argv.includes('--check')) {
  const current = await readFile(target, 'utf8').catch(() => '');
  if (current !== text) {
    process.stderr.write('rules/schema.json is out of date: run npx tsx scripts/rules-schema.ts\n');
    process.exit(1);
  }
} else {
  await writeFile(target, text);
  process.stdout.write(`wrote ${target.pathname}\n`);
}
