// Rewrites test/fixtures/mail/*.expected.json from the current parser, one per *.eml fixture.
// The output is a proposal: review the git diff before committing, never regenerate to silence a test.
// Reads only our own fixtures; third-party corpora are never copied into the repository.

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseMail } from '../src/adapters/mime-parser.js';

const fixtures = fileURLToPath(new URL('../test/fixtures/mail/', import.meta.url));

for (const name of readdirSync(fixtures).filter((f) => f.endsWith('.eml')).sort()) {
  const mail = await parseMail(readFileSync(path.join(fixtures, name)));
  const target = path.join(fixtures, name.replace(/\.eml$/, '.expected.json'));
  writeFileSync(target, `${JSON.stringify(mail, null, 2)}\n`);
  console.log(`wrote ${path.relative(process.cwd(), target)}`);
}
