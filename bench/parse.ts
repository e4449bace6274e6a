// Measures parseMail over the MIME and bounce corpora: median ms per message over N rounds,
// throughput, and peak RSS. Reads the shared corpora (bench/lib/corpus.ts#corporaRoot); writes nothing.
// Usage: npx tsx bench/parse.ts [rounds=5]

import { readFileSync } from 'node:fs';
import { parseMail } from '../src/adapters/mime-parser.js';
import { MIME_CORPUS_SETS, corpusMessages, corpusPath, requireCorpora } from './lib/corpus.js';


const rounds = Math.max(1, Number(process.argv[2] ?? 5) || 5);


requireCorpora(MIME_CORPUS_SETS);
const inputs = MIME_CORPUS_SETS.flatMap(corpusMessages).map((file) => readFileSync(corpusPath(file)));
const bytes = inputs.reduce((sum, raw) => sum + raw.length, 0);

let failures = 0;
const perMessage: number[][] = inputs.map(() => []);
async function round(): Promise<number> {
  const start = process.hrtime.bigint();
  for (const [i, raw] of inputs.entries()) {
    const t = process.hrtime.bigint();
    try {
      await parseMail(raw);
    } catch {
      failures++;
    }
    perMessage[i]?.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

await round(); // warm-up: JIT and lazy requires, not counted
failures = 0;
for (const times of perMessage) times.length = 0;
const totals: number[] = [];
for (let i = 0; i < rounds; i++) totals.push(await round());
totals.sort((a, b) => a - b);
const roundMedian = median(totals);
const messageMedians = perMessage.map(median).sort((a, b) => a - b);
const p95 = messageMedians[Math.floor(messageMedians.length * 0.95)] ?? 0;

console.log(`messages        ${inputs.length} (${(bytes / 1024 / 1024).toFixed(1)} MiB), ${rounds} rounds + warm-up`);
console.log(`failures/round  ${failures / rounds}`);
console.log(`round median    ${roundMedian.toFixed(0)} ms (min ${totals[0]?.toFixed(0)}, max ${totals.at(-1)?.toFixed(0)})`);
console.log(`ms/msg          median ${median(messageMedians).toFixed(3)}, p95 ${p95.toFixed(2)}, max ${messageMedians.at(-1)?.toFixed(1)}`);
console.log(`ms/msg (mean)   ${(roundMedian / inputs.length).toFixed(3)} (median round / messages)`);
console.log(`throughput      ${((inputs.length / roundMedian) * 1000).toFixed(0)} msg/s, ${((bytes / 1024 / 1024 / roundMedian) * 1000).toFixed(1)} MiB/s`);
console.log(`peak RSS        ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
