// One whole `sportello once` in its own process, for bench/ingest.ts: builds the app from the config
// file, runs once(), and prints one JSON line with its wall time, its own CPU (process.cpuUsage around
// once()), its RSS after start-up and its peak RSS. Decides nothing; never touches the mail itself.
// Usage: node --import tsx bench/lib/ingest-child.ts CONFIG_FILE

import { loadConfig } from '../../src/config/load.js';
import { buildApp } from '../../src/app.js';
import { createLogger } from '../../src/log.js';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: ingest-child.ts CONFIG_FILE\n');
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
