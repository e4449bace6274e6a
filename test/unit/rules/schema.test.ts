import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, it } from 'vitest';

import { DURATION_PATTERN, parseDuration } from '../../../src/rules/duration.js';
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

it('the JSON Schema describes the per-desk calendar, sla, escalation and knowledge settings', () => {
  const schema = rulesJsonSchema() as { properties: { desks: { additionalProperties: { properties: Record<string, { properties?: Record<string, unknown> }> } } } };
  const desk = schema.properties.desks.additionalProperties.properties;
  expect(Object.keys(desk)).toEqual(expect.arrayContaining(['calendar', 'sla', 'escalation', 'knowledge']));
  expect(Object.keys(desk['calendar']!.properties!)).toEqual(['timezone', 'hours', 'holidays', 'extraHolidays', 'extraWorkingDays', 'onCall']);
  expect(Object.keys(desk['sla']!.properties!)).toEqual(['policies', 'default', 'byPriority', 'byCategory']);
});

// Editors only see the pattern; the loader's parseDuration must never accept what the pattern refuses.
it.each(['30m', '4h', '1h30m', '1h 30m', '', '2d', '4', '4 hours', '1.5h', '30m4h', 'h', 'PT4H'])('duration %j: schema pattern and loader agree on the syntax', (text) => {
  expect(new RegExp(DURATION_PATTERN).test(text.trim())).toBe(typeof parseDuration(text) === 'number');
});
