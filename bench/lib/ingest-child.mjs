// One whole `sportello once` in its own process, for bench/ingest.ts: builds the app from the config
// file, runs once(), and prints one JSON line with its wall time, its own CPU (process.cpuUsage around
// once(), worker threads included), its RSS after start-up and its peak RSS. Decides nothing.
// Plain JavaScript over the built code (dist/, what `sportello` runs), so no TypeScript loader is timed;
// BENCH_RUNTIME=src runs it over src/ under tsx instead.
// Usage: node bench/lib/ingest-child.mjs CONFIG_FILE

const base = process.env.BENCH_RUNTIME === 'src' ? '../../src' : '../../dist';
const ext = process.env.BENCH_RUNTIME === 'src' ? '.ts' : '.js';
const { loadConfig } = await import(`${base}/config/load${ext}`);
const { buildApp } = await import(`${base}/app${ext}`);
const { createLogger } = await import(`${base}/log${ext}`);

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: ingest-child.mjs CONFIG_FILE\n');
  process.exit(2);
}
const config = await loadConfig(file);
const t0 = performance.now();
const app = await buildApp(config, { log: createLogger({ level: process.env.BENCH_LOG_LEVEL ?? 'silent', pretty: false }) });
const startMs = performance.now() - t0;
const rssAfterStart = process.memoryUsage().rss;
const maxRssAtStart = process.resourceUsage().maxRSS * 1024;
const cpu0 = process.cpuUsage();
const w0 = performance.now();
const summary = await app.once();
const wallMs = performance.now() - w0;
const cpu = process.cpuUsage(cpu0);
await app.close();
process.stdout.write(
  `${JSON.stringify({ startMs, wallMs, userMs: cpu.user / 1000, sysMs: cpu.system / 1000, rssAfterStart, maxRssAtStart, maxRss: process.resourceUsage().maxRSS * 1024, summary })}\n`,
);
