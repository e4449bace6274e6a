// Measures incident grouping on the labelled bursts (test/fixtures/incidents/bursts.yml): every mail is
// routed by the shipped rules and classifier (rules/), then grouped one at a time as the daemon would.
// Prints pairwise precision and recall, and each wrong or missed link with its scenario.
// Usage: npx tsx bench/incidents.ts [--window 45] [--min 3] [--threshold 0.6]. The last line is the summary.
import path from 'node:path';
import { DEFAULT_GROUPING, type GroupingSettings } from '../src/incidents/grouping.js';
import { pairScores, readBursts, replayWithRules } from './lib/incident-replay.js';

const args = process.argv.slice(2);
const opt = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const settings: GroupingSettings = {
  windowMinutes: opt('window', DEFAULT_GROUPING.windowMinutes),
  minRequesters: opt('min', DEFAULT_GROUPING.minRequesters),
  threshold: opt('threshold', DEFAULT_GROUPING.threshold),
};

const root = path.resolve(import.meta.dirname, '..');
const scenarios = readBursts();
const started = performance.now();
const result = await replayWithRules(scenarios, path.join(root, 'rules'), path.join(root, 'var', 'cache'), settings);
const ms = performance.now() - started;

const verbose = args.includes('--verbose');
for (const m of result) {
  if (verbose) console.log(`       [${m.scenario.slice(0, 30)}] ${m.from} ${m.category} label ${m.group ?? '-'} incident ${m.incident?.split('#')[1] ?? '-'}`);
  const wrongJoin = m.incident !== null && (m.group === null || result.some((o) => o.incident === m.incident && o.group !== m.group));
  const missed = m.group !== null && m.incident === null && result.filter((o) => o.scenario === m.scenario && o.group === m.group && o.from !== m.from).length >= 2;
  if (wrongJoin || missed) console.log(`${wrongJoin ? 'WRONG ' : 'MISSED'} [${m.scenario}] ${m.from} (${m.category}, label ${m.group ?? '-'}, incident ${m.incident ?? '-'}): ${m.subject}`);
}
const s = pairScores(result);
const labelled = result.filter((m) => m.group !== null).length;
console.log(`mails ${result.length} (${labelled} in ${new Set(result.filter((m) => m.group).map((m) => `${m.scenario}/${m.group}`)).size} labelled bursts), scenarios ${scenarios.length}`);
console.log(`settings: window ${settings.windowMinutes} min, min requesters ${settings.minRequesters}, threshold ${settings.threshold}`);
console.log(`pairs: true ${s.truePairs}, predicted ${s.predictedPairs}, correct ${s.correctPairs}; ${(ms / result.length).toFixed(2)} ms per mail (routing included)`);
console.log(`incidents: precision ${s.precision.toFixed(3)} recall ${s.recall.toFixed(3)}`);
