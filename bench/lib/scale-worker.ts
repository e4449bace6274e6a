// One daemon of the scale bench (bench/scale.ts), in a process of its own: the real app (rules, classifier,
// pipeline, store, outbox) on in-memory mailboxes that every worker fills alike, and a sender that accepts
// everything. Prints READY once built, starts `run` on a GO line, stops cleanly on SIGTERM.
// Usage: tsx bench/lib/scale-worker.ts DATABASE MAILS_PER_DESK LEASE_SECONDS. Must never touch a real server.
import { createInterface } from 'node:readline';
import path from 'node:path';
import { buildApp } from '../../src/app.js';
import { parseConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/log.js';
import { fakeMailbox, recordingSender, REPO_ROOT } from '../../test/support/fakes.js';
import { stackConfigYaml } from '../../test/support/app.js';
import { scaleMail } from './scale-mail.js';

const [database, perDesk, leaseSeconds] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4])];
const yaml = stackConfigYaml(database, '', undefined, 'none').replace(
  'limits: { pollSeconds: 5 }',
  `limits: { pollSeconds: 1, leaseSeconds: ${leaseSeconds}, autoRepliesPerAddressPerHour: 100000 }`,
);
const config = parseConfig(yaml, { file: path.join(REPO_ROOT, 'sportello.yml') });
const boxes = new Map(config.desks.map((d) => {
  const box = fakeMailbox(7);
  for (let i = 0; i < perDesk; i++) box.add(scaleMail(d.address, i));
  return [d.id, box] as const;
}));
const app = await buildApp(config, { log: silentLogger(), sourceFor: (desk) => boxes.get(desk.id)!, sender: recordingSender() });
const stop = new AbortController();
process.on('SIGTERM', () => stop.abort());
process.stdout.write('READY\n');
for await (const line of createInterface({ input: process.stdin })) if (line.trim() === 'GO') break;
await app.run(stop.signal);
await app.close();
process.exit(0);
