import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, it } from 'vitest';

import { rulesJsonSchema } from '../../../src/rules/schema.js';
import { rulesDir } from './helpers.js';

it('rules/schema.json is what scripts/rules-schema.ts generates (run: npx tsx scripts/rules-schema.ts)', async () => {
  const committed = await readFile(path.join(rulesDir, 'schema.json'), 'utf8');
  expect(committed).toBe(`${JSON.stringify(rulesJsonSchema(), null, 2)}\n`);
});

it('the JSON Schema rejects unknown keys like the loader does', () => {
  const schema = rulesJsonSchema() as { additionalProperties: boolean; properties: Record<string, unknown> };
  expect(schema.additionalProperties).toBe(false);
  expect(Object.keys(schema.properties)).toEqual(['desks']);
});
