// Ingest speed against the real local mail stack (scripts/mailstack.sh, MAILSTACK_* honoured): N English
// ticket mails APPENDed to it@ before the clock starts, one whole `sportello once` in its own process
// timed; then N follow-ups; at each store size asked for (older cases seeded through the store API).
// Prints cases/s, Sportello's own CPU per case, RSS; the floors (raw IMAP fetch, parse, SQLite commit,
// pooled SMTP submission raw and composed by nodemailer) on the same data, with the CPU each takes; and
// submission → auto-reply latency with `run` on IDLE.
// Figures are printed, never asserted.
//
// Usage: npm run bench:ingest -- [--n 500] [--sizes 0,1000,10000,100000] [--latency 20] [--no-floors]
//   (or BENCH_N, BENCH_SIZES, BENCH_LATENCY; BENCH_CPU_PROF=DIR for CPU profiles; BENCH_RUNTIME=src
//   times src/ under tsx instead of the built dist/; BENCH_BUILD=0 times dist/ as it is, unbuilt). Quick: --n 100 --sizes 0 --latency 5.

import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config/load.js';
import { createLogger } from '../src/log.js';
import { openSqliteStore } from '../src/adapters/sqlite-store.js';
import { REPO_ROOT, requireCorpora } from './lib/corpus.js';
import { REQUESTERS, followUps, seedCases, ticketMails, type BenchMail } from './lib/ingest-data.js';
import { composeSendFloor, imapFetchFloor, parseFloor, smtpFloor, sqliteFloor, type Rate } from './lib/ingest-floors.js';
import { stackConfigYaml } from '../test/support/app.js';
import { STACK, resetMailboxes, runMailstack, sendMail, withImap } from '../test/support/mailstack.js';

function option(name: string, env: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return (i >= 0 ? process.argv[i + 1] : undefined) ?? process.env[env] ?? fallback;
}
const N = Math.max(1, Number(option('n', 'BENCH_N', '500')));
const SIZES = option('sizes', 'BENCH_SIZES', '0').split(',').map((s) => Math.max(0, Number(s.replace(/k$/i, '000'))));
const LATENCY = Math.max(0, Number(option('latency', 'BENCH_LATENCY', '20')));
const FLOORS = !process.argv.includes('--no-floors');
/** Extra limits for the config under test, e.g. BENCH_LIMITS='parseWorkers: 0, sendConcurrency: 1'. */
const LIMITS = process.env.BENCH_LIMITS ? `, ${process.env.BENCH_LIMITS}` : '';

requireCorpora(['it-service-tickets']);
// What users run is the built code: timed without a TypeScript loader, so built first (tsc, a few seconds).
const RUNTIME = process.env.BENCH_RUNTIME === 'src' ? 'src' : 'dist';
if (RUNTIME === 'dist' && process.env.BENCH_BUILD !== '0') execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: REPO_ROOT, stdio: 'inherit' });
const status = await runMailstack(['status'], { okCodes: [0, 3] }).catch((err: unknown) => ({ code: 3, stdout: String(err) }));
if ((status as { code?: number }).code === 3) {
  process.stderr.write(`bench: the mail stack at IMAP ${STACK.imapPort} / SMTP ${STACK.smtpPort} is not up — start it with: bash scripts/mailstack.sh up\n`);
  process.exit(2);
}

const runTag = Date.now().toString(36);
// The integration tests' stack config, with startFrom now (mail before the first contact is imported) and
// no loop brake: the bench's eight requesters each send N/8 mails within the hour.
const configYaml = (db: string) =>
  stackConfigYaml(db, '', path.join(REPO_ROOT, 'rules'), 'all', 'now').replace('limits: { pollSeconds: 5 }', `limits: { pollSeconds: 5, autoRepliesPerAddressPerHour: 1000000${LIMITS} }`);

interface OnceRun {
  readonly startMs: number;
  readonly wallMs: number;
  readonly userMs: number;
  readonly sysMs: number;
  readonly rssAfterStart: number;
  readonly maxRssAtStart: number;
  readonly maxRss: number;
  readonly summary: { desks: Record<string, { seen?: number; created?: number; appended?: number; quarantined?: number; error?: string }>; outbox: { sent: number; failed: number; retrying: number } };
}

/** node's flags as `sportello` runs: those of the first line of src/cli/main.ts (#!/usr/bin/env -S node …). */
const SPORTELLO_NODE_FLAGS = readFileSync(path.join(REPO_ROOT, 'src/cli/main.ts'), 'utf8').split('\n', 1)[0]!.split(/\s+/).slice(3);

/** One `sportello once` as its own process over the built code (BENCH_RUNTIME=src: src/ under tsx), reporting its figures as a JSON line. */
function onceChild(cfg: string): Promise<OnceRun> {
  return new Promise((resolve, reject) => {
    // BENCH_CPU_PROF=DIR: each timed process writes a V8 CPU profile there (open in Chrome DevTools).
    const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [];
    const loader = RUNTIME === 'src' ? ['--import', 'tsx'] : [];
    const child = spawn(process.execPath, [...SPORTELLO_NODE_FLAGS, ...prof, ...loader, path.join(REPO_ROOT, 'bench/lib/ingest-child.mjs'), cfg], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !line.startsWith('{')) reject(new Error(`once exited ${code}: ${out}`));
      else resolve(JSON.parse(line) as OnceRun);
    });
  });
}

async function appendAll(mails: readonly BenchMail[]): Promise<void> {
  await withImap('it', async (client) => {
    for (const m of mails) await client.append('INBOX', m.raw);
  });
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

interface Row {
  readonly label: string;
  readonly run: OnceRun;
  readonly cases: number;
}
const rows: Row[] = [];
let floors: Record<string, Rate> | null = null;

function describe(r: Row): string {
  const d = r.run.summary.desks.IT ?? {};
  const cpuPer = (r.run.userMs + r.run.sysMs) / Math.max(1, r.cases);
  return [
    r.label.padEnd(24),
    `${((r.cases / r.run.wallMs) * 1000).toFixed(1).padStart(7)} /s`,
    `cpu ${cpuPer.toFixed(2).padStart(6)} ms/case`,
    `wall ${(r.run.wallMs / 1000).toFixed(1).padStart(6)} s`,
    `rss start ${mb(r.run.rssAfterStart)}, peak ${mb(r.run.maxRss)}`,
    `(seen ${d.seen ?? '?'}, created ${d.created ?? '?'}, appended ${d.appended ?? '?'}, quarantined ${d.quarantined ?? '?'}, sent ${r.run.summary.outbox.sent}${d.error ? `, ERROR ${d.error}` : ''})`,
  ].join('  ');
}

console.log(`bench:ingest  N=${N}  store sizes ${SIZES.join(', ')}  code ${RUNTIME}/  node ${SPORTELLO_NODE_FLAGS.join(' ') || '(no flags)'}  latency samples ${LATENCY}  IMAP ${STACK.imapPort} SMTP ${STACK.smtpPort}`);
console.log(`load average at start: ${load()} (${execFileSync('nproc').toString().trim()} cores)`);

for (const size of SIZES) {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-ingest-'));
  const db = path.join(dir, 'sportello.db');
  const cfg = path.join(dir, 'sportello.yml');
  writeFileSync(cfg, configYaml(db));
  await resetMailboxes('it', 'hr', 'bob', 'maria', ...REQUESTERS);
  if (size > 0) {
    const t = performance.now();
    const store = await openSqliteStore(db);
    await seedCases(store, size);
    await store.close();
    console.log(`seeded ${size} cases through the store API in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  await onceChild(cfg); // first contact with the (empty) folder: later mail is live, answered
  const news = ticketMails(N, `${runTag}-${size}`, size);
  await appendAll(news);
  const created = await onceChild(cfg);
  rows.push({ label: `new, ${size} in store`, run: created, cases: N });
  console.log(describe(rows.at(-1)!));

  if (FLOORS && !floors) {
    const fetched = await imapFetchFloor('it');
    floors = {
      'IMAP fetch (one UID FETCH)': fetched.rate,
      'parse (parseMail)': await parseFloor(fetched.raws),
      'SQLite commit, 1 mail/tx': await sqliteFloor(fetched.raws, 1),
      'SQLite commit, 50 mails/tx': await sqliteFloor(fetched.raws, 50),
      'SMTP submit, pool of 4': await smtpFloor(fetched.raws, 'ivo@example.test', 4),
      'compose + submit, pool of 4': await composeSendFloor(fetched.raws.length, 'ivo@example.test', 4),
    };
  }

  await resetMailboxes('bob', 'maria', ...REQUESTERS);
  await appendAll(followUps(news, `${runTag}-${size}`));
  const appended = await onceChild(cfg);
  rows.push({ label: `follow-up, ${size + N} in store`, run: appended, cases: N });
  console.log(describe(rows.at(-1)!));
  rmSync(dir, { recursive: true, force: true });
}

if (floors) {
  console.log('\nfloors on the same data (this run):');
  for (const [name, r] of Object.entries(floors)) console.log(`  ${name.padEnd(28)} ${r.perSecond.toFixed(0).padStart(7)} /s  (${r.n} in ${r.ms.toFixed(0)} ms)  cpu ${r.cpuMsEach.toFixed(2)} ms each`);
  // Group commit is the design, so the per-mail-transaction SQLite figure is shown but not the floor.
  const slowest = Object.entries(floors).filter(([k]) => !k.includes('1 mail/tx')).sort((a, b) => a[1].perSecond - b[1].perSecond)[0]!;
  const best = rows.filter((r) => r.label.startsWith('new'))[0]!;
  const ours = (best.cases / best.run.wallMs) * 1000;
  console.log(`  slowest floor: ${slowest[0]} at ${slowest[1].perSecond.toFixed(0)} /s; Sportello's new-case rate is ${((ours / slowest[1].perSecond) * 100).toFixed(1)} % of it`);
  // A new case is several SMTP transactions (the auto-reply, one notification per agent): the SMTP floors in cases.
  const sends = best.run.summary.outbox.sent / best.cases;
  const inCases = (k: string) => floors![k]!.perSecond / Math.max(1, sends);
  const [raw, composed] = [inCases('SMTP submit, pool of 4'), inCases('compose + submit, pool of 4')];
  console.log(`  in cases: ${sends.toFixed(1)} SMTP transactions a new case, so submission allows ${raw.toFixed(0)} new cases/s (${((ours / raw) * 100).toFixed(1)} % reached), ${composed.toFixed(0)}/s with nodemailer composing them (${((ours / composed) * 100).toFixed(1)} % reached)`);
  // The same libraries doing only the unavoidable steps of one new case: fetch, parse, a batched commit, its replies composed and sent.
  const steps = ['IMAP fetch (one UID FETCH)', 'parse (parseMail)', 'SQLite commit, 50 mails/tx'].map((k) => floors![k]!.cpuMsEach);
  const cpuFloor = steps.reduce((a, b) => a + b, 0) + sends * floors['compose + submit, pool of 4']!.cpuMsEach;
  const oursCpu = (best.run.userMs + best.run.sysMs) / best.cases;
  console.log(`  CPU floor of a new case: fetch + parse + commit + ${sends.toFixed(1)} × compose-and-submit = ${cpuFloor.toFixed(2)} ms; Sportello's ${oursCpu.toFixed(2)} ms is ${(oursCpu / cpuFloor).toFixed(1)}× it`);
}

if (LATENCY > 0) {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-latency-'));
  const cfgFile = path.join(dir, 'sportello.yml');
  writeFileSync(cfgFile, configYaml(path.join(dir, 'sportello.db')));
  await resetMailboxes('it', 'alice', 'bob', 'maria');
  const app = await buildApp(await loadConfig(cfgFile), { log: createLogger({ level: 'silent', pretty: false }) });
  const stop = new AbortController();
  const running = app.run(stop.signal);
  const samples: number[] = [];
  try {
    const deadline = Date.now() + 30_000;
    while (!(await app.store.folderStart('IT', 'INBOX'))) {
      if (Date.now() > deadline) throw new Error('the daemon made no first contact with it@ within 30 s');
      await new Promise((r) => setTimeout(r, 20));
    }
    await withImap('alice', async (client) => {
      for (let i = 0; i < LATENCY; i++) {
        const t = performance.now();
        await sendMail({ from: 'alice', to: 'it', subject: `Latency probe ${i}: printer jammed`, text: 'The printer on floor 2 is jammed again.' });
        for (;;) {
          const s = await client.status('INBOX', { messages: true });
          if (((s && s.messages) || 0) > i) break;
          if (performance.now() - t > 30_000) throw new Error(`no auto-reply to probe ${i} within 30 s`);
          await new Promise((r) => setTimeout(r, 5));
        }
        samples.push(performance.now() - t);
      }
    });
  } finally {
    stop.abort();
    await running;
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
  samples.sort((a, b) => a - b);
  const pct = (p: number) => samples[Math.min(samples.length - 1, Math.floor(samples.length * p))]!;
  console.log(`\nlatency submission → auto-reply in the requester's INBOX, run on IDLE (${samples.length} mails, one at a time): p50 ${pct(0.5).toFixed(0)} ms, p95 ${pct(0.95).toFixed(0)} ms, max ${samples.at(-1)!.toFixed(0)} ms`);
}
console.log(`load average at end: ${load()}`);
