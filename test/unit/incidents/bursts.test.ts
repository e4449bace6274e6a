// The labelled bursts (test/fixtures/incidents/bursts.yml) routed by the shipped rules and grouped one
// mail at a time: the quality bar of the issue (precision ≥ 0.95, recall ≥ 0.8), and the look-alikes.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_GROUPING } from '../../../src/incidents/grouping.js';
import { pairScores, readBursts, replayWithRules, type ReplayedMail } from '../../../bench/lib/incident-replay.js';
import { rulesDir } from '../rules/helpers.js';

let result: ReplayedMail[];
beforeAll(async () => {
  result = await replayWithRules(readBursts(), rulesDir, mkdtempSync(path.join(tmpdir(), 'sportello-cache-')), DEFAULT_GROUPING);
});

describe('incident grouping on the labelled bursts', () => {
  it('links reports of one outage and little else', () => {
    const s = pairScores(result);
    expect(s.precision).toBeGreaterThanOrEqual(0.95);
    expect(s.recall).toBeGreaterThanOrEqual(0.8);
  });

  it.each(['pilar.ortiz@example.test', 'marco.conti@example.test', 'kate.jones@example.test', 'lucy.clark@example.test', 'amy.king@example.test'])(
    'the look-alike from %s joins no incident',
    (from) => {
      expect(result.find((m) => m.from === from)!.incident).toBeNull();
    },
  );

  it('keeps two simultaneous Wi-Fi outages on different floors apart', () => {
    const floors = result.filter((m) => m.group === 'wifi-1' || m.group === 'wifi-4');
    const byGroup = (g: string) => new Set(floors.filter((m) => m.group === g).map((m) => m.incident));
    expect(byGroup('wifi-1').size).toBe(1);
    expect(byGroup('wifi-4').size).toBe(1);
    expect([...byGroup('wifi-1')][0]).not.toBe([...byGroup('wifi-4')][0]);
  });
});
