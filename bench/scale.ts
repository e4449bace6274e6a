// Cases per second with one and with two daemons on PostgreSQL, next to one on SQLite, in one run: each
// scenario starts fresh worker processes (bench/lib/scale-worker.ts: the real app on in-memory mailboxes
// of N new requests per desk, it@ and hr@), says GO once all are built, and times until both desks'
// checkpoints reach the last mail. Needs the private PostgreSQL (scripts/pgstack.sh up; PGSTACK_* honoured).
// Usage: npm run bench:scale [-- --mails 1000 --lease 8]. Prints figures; asserts nothing.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { openPostgresStore } from '../src/adapters/postgres-store.js';
import { openSqliteStore } from '../src/adapters/sqlite-store.js';
import type { CaseStore } from '../src/ports.js';
import { freshDatabase, runPgstack } from '../test/support/pgstack.js';

const args = process.argv.slice(2);
const opt = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const MAILS = opt('mails', 300);
const LEASE = opt('lease', 8);
const root = path.resolve(import.meta.dirname, '..');
const DESKS = ['IT', 'HR'];

interface Worker {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  readonly exited: Promise<number | null>;
}

function worker(database: string): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench/lib/scale-worker.ts'), database, String(MAILS), String(LEASE)], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const ready = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (l) => l === 'READY' && resolve());
    void exited.then((code) => reject(new Error(`worker exited with ${code} before it was ready`)));
  });
  return { child, ready, exited };
}

async function done(store: CaseStore): Promise<boolean> {
  for (const desk of DESKS) if (((await store.checkpoint(desk, 'INBOX'))?.lastUid ?? 0) < MAILS) return false;
  return true;
}

async function scenario(label: string, database: string, instances: number, reader: () => Promise<CaseStore>): Promise<number> {
  const workers = Array.from({ length: instances }, () => worker(database));
  await Promise.all(workers.map((w) => w.ready));
  const store = await reader();
  const started = performance.now();
  for (const w of workers) w.child.stdin!.write('GO\n');
  while (!(await done(store))) await new Promise((r) => setTimeout(r, 50));
  const seconds = (performance.now() - started) / 1000;
  const cases = (await store.listCases({ limit: 1_000_000 })).length;
  await store.close();
  for (const w of workers) w.child.kill('SIGTERM');
  await Promise.all(workers.map((w) => w.exited));
  const rate = cases / seconds;
  console.log(`${label.padEnd(28)} ${String(cases).padStart(6)} cases in ${seconds.toFixed(1).padStart(6)} s = ${rate.toFixed(1).padStart(7)} cases/s`);
  return rate;
}

console.log(`scale bench: ${MAILS} new mails per desk (${DESKS.join(', ')}), leaseSeconds ${LEASE}; real pipeline, in-memory mailboxes, a sender that accepts all`);
const file = path.join(mkdtempSync(path.join(tmpdir(), 'sportello-scale-')), 'scale.db');
const sqlite = await scenario('SQLite, 1 daemon', file, 1, () => openSqliteStore(file, { mode: 'read' }));
await runPgstack(['up'], { timeoutMs: 300_000 });
const rates: number[] = [];
for (const n of [1, 2]) {
  const db = await freshDatabase(`scale${n}`);
  try {
    rates.push(await scenario(`PostgreSQL, ${n} daemon${n > 1 ? 's' : ''}`, db.url, n, () => openPostgresStore(db.url, { mode: 'read' })));
  } finally {
    await db.drop();
  }
}
console.log(`PostgreSQL 2 vs 1 daemons: ×${(rates[1]! / rates[0]!).toFixed(2)}; PostgreSQL 1 daemon vs SQLite: ×${(rates[0]! / sqlite).toFixed(2)} (${process.env.PGSTACK_KEEP === '1' ? 'PostgreSQL left running' : 'stop it with bash scripts/pgstack.sh down'})`);
