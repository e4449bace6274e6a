// `sportello rules test` as part of npm test: the shipped rules, with the real classifier trained from
// them and the real MIME parser, must route every sample mail in rules/fixtures as expected.yml says.
// A rules change is tested like code.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadRulesOrThrow, runRoutingFixtures } from '../../../src/rules/index.js';
import { buildRouting } from '../../../src/routing/router.js';
import { parseMail } from '../../../src/adapters/mime-parser.js';
import { silentLogger } from '../../../src/log.js';

const RULES = fileURLToPath(new URL('../../../rules', import.meta.url));

describe('shipped rules with the real classifier', () => {
  it('route every routing fixture as expected, and a warm cache gives the same decisions', async () => {
    const cache = mkdtempSync(path.join(tmpdir(), 'sportello-cache-'));
    const ruleSet = await loadRulesOrThrow(RULES);
    const cold = await buildRouting(ruleSet, cache, silentLogger());
    const results = await runRoutingFixtures(ruleSet, path.join(RULES, 'fixtures'), cold.deps, (raw) => parseMail(raw));
    const failures = results.filter((r) => !r.ok).map((r) => ({ file: r.file, expected: r.expected, actual: r.actual, why: r.explanation }));
    expect(failures).toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(16);

    const warm = await buildRouting(ruleSet, cache, silentLogger());
    const again = await runRoutingFixtures(ruleSet, path.join(RULES, 'fixtures'), warm.deps, (raw) => parseMail(raw));
    expect(again.map((r) => r.actual)).toEqual(results.map((r) => r.actual));
  });
});
