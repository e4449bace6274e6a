// Measures quote/signature stripping against the upstream oracles in the shared corpora (see
// test/unit/quotes/oracle.ts for where each expectation comes from): share handled exactly per set, µs/message.
// `--baseline` measures email-reply-parser alone (its visible text); `--verbose` lists every miss.
// Never edits the corpora; the only normalisation is trailing whitespace (oracle.ts#normalise).
import { performance } from 'node:perf_hooks';
import EmailReplyParser from 'email-reply-parser';
import { extractNewText } from '../src/quotes/index.js';
import { FIXTURE_SETS, ORACLE_CORPORA, actualFor, loadOracleCases, normalise, type OracleCase } from '../test/unit/quotes/oracle.js';
import { requireCorpora } from './lib/corpus.js';

type Extract = (text: string) => { text: string; signature: string | null };

const baseline: Extract = (text) => {
  const email = new EmailReplyParser().read(text);
  const sig = email.getFragments().filter((f) => f.isSignature()).map((f) => f.getContent()).join('\n').trim();
  return { text: email.getVisibleText(), signature: sig === '' ? null : sig };
};

const ours: Extract = (text) => extractNewText(text);

/** Repetitions for the timing pass, so one message's cost is not lost in timer resolution. */
const TIMING_ROUNDS = 20;

function run(cases: readonly OracleCase[], extract: Extract, verbose: boolean): string {
  const per = new Map<string, { ok: number; n: number }>();
  let ok = 0;
  for (const c of cases) {
    const got = normalise(actualFor(c, extract(c.input)));
    const good = got === normalise(c.expected);
    const s = per.get(c.set) ?? { ok: 0, n: 0 };
    s.n++;
    if (good) {
      s.ok++;
      ok++;
    } else if (verbose) {
      console.log(`  miss ${c.set}/${c.name}\n    got ${JSON.stringify(got.slice(0, 240))}\n    exp ${JSON.stringify(normalise(c.expected).slice(0, 240))}`);
    }
    per.set(c.set, s);
  }
  const t0 = performance.now();
  for (let r = 0; r < TIMING_ROUNDS; r++) for (const c of cases) extract(c.input);
  const usPerMsg = ((performance.now() - t0) * 1000) / (TIMING_ROUNDS * cases.length);

  for (const set of FIXTURE_SETS) {
    const s = per.get(set);
    if (s) console.log(`${set.padEnd(10)} ${(s.ok / s.n).toFixed(3)}  (${s.ok}/${s.n})`);
  }
  console.log(`${'overall'.padEnd(10)} ${(ok / cases.length).toFixed(3)}  (${ok}/${cases.length})  ${usPerMsg.toFixed(1)} µs/message`);
  const sets = FIXTURE_SETS.map((set) => {
    const s = per.get(set);
    return s ? `${set} ${(s.ok / s.n).toFixed(2)}` : '';
  }).filter(Boolean);
  return `quotes exact ${(ok / cases.length).toFixed(3)} (${ok}/${cases.length}) ${sets.join(' ')} ${usPerMsg.toFixed(0)}µs/msg`;
}

async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2));
  const verbose = args.has('--verbose');
  requireCorpora(ORACLE_CORPORA);
  const cases = await loadOracleCases();
  if (args.has('--baseline')) {
    console.log('email-reply-parser 2.3.7 alone (visible text):');
    console.log(run(cases, baseline, verbose));
    return;
  }
  console.log('extractNewText (email-reply-parser + es/it/en rules):');
  console.log(run(cases, ours, verbose));
}

await main();
