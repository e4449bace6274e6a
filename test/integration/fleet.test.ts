// Several daemons on one PostgreSQL store, on the real servers: two `sportello run` processes share it@
// and hr@ by mailbox lease while FLEET_MAILS mails (default 500: new mails and follow-ups) arrive; one is
// SIGKILLed at a seeded random moment (FLEET_SEED, printed) and restarted after the survivor took over.
// Afterwards every mail is in exactly one case, nobody got two auto-replies for one mail, every reply
// was delivered once, and the takeover came within the lease period by the store's own lease times.
// Synchronised on the store's rows and log lines, never on sleeps.

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readInbox, resetMailboxes, sendMail } from '../support/mailstack.js';
import { stackConfigYaml, tempDb } from '../support/app.js';
import { freshDatabase, runPgstack, type FreshDatabase } from '../support/pgstack.js';
import { cliProcesses, type Daemon } from '../support/cli-process.js';
import { seededRandom } from '../../src/classify/linear-model.js';
import { mergeReports } from '../../src/health/daemon-reports.js';
import type { SavedDaemonStatus } from '../../src/health/snapshot.js';

const MAILS = Number(process.env.FLEET_MAILS ?? 500);
const SEED = Number(process.env.FLEET_SEED ?? Date.now() % 1_000_000);
const LEASE_SECONDS = 8;
const REQUESTERS = ['alice', 'carlo', 'dora', 'enzo', 'fiona', 'gael', 'hana', 'ivo'];
const TOPICS = [
  'cannot open the shared drive', 'laptop battery swells', 'badge does not open door', 'payslip shows wrong hours',
  'holiday request stuck', 'monitor flickers', 'VPN drops every hour', 'contract copy needed', 'printer jams on tray two',
  'password expired while abroad', 'parking permit renewal', 'new starter needs an account',
];

const { start, sportello, killAll } = cliProcesses();
let db: FreshDatabase;
let sql: pg.Client;

/** Polls the store until `check` returns a value (or the time runs out): a condition, not a sleep. */
async function until<T>(what: string, check: () => Promise<T | null | undefined | false>, timeoutMs = 300_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const owners = async () =>
  (await sql.query<{ name: string; owner: string | null; pid: number | null; lease_until: string | null; epoch: number }>("SELECT name, owner, pid, lease_until, epoch FROM fleet_leases WHERE name LIKE 'mailbox:%' AND owner IS NOT NULL AND lease_until > now() ORDER BY name")).rows;
const count = async (q: string) => Number((await sql.query<{ n: string }>(q)).rows[0]!.n);

/** Whether this file started the private PostgreSQL (then it stops it; one the postgres project runs stays up). */
let startedPg = false;

beforeAll(async () => {
  startedPg = (await runPgstack(['status'], { okCodes: [0, 3] })).code !== 0;
  await runPgstack(['up'], { timeoutMs: 300_000 });
  db = await freshDatabase('fleet');
  sql = await db.connect();
  await resetMailboxes();
}, 600_000);

afterEach(() => killAll());

afterAll(async () => {
  await db?.drop();
  if (startedPg && process.env.PGSTACK_KEEP !== '1') await runPgstack(['down']);
});

describe('several daemons on one PostgreSQL store', () => {
  it(`share the mailboxes, survive a SIGKILL of one and hand every mail to exactly one case (${MAILS} mails)`, async () => {
    process.stdout.write(`fleet test: FLEET_SEED=${SEED} FLEET_MAILS=${MAILS}\n`);
    const random = seededRandom(SEED);
    const cfg = path.join(path.dirname(tempDb()), 'sportello.yml');
    writeFileSync(
      cfg,
      stackConfigYaml(db.url, 'http: { listen: "127.0.0.1:0" }', undefined, 'none').replace(
        'limits: { pollSeconds: 5 }',
        `limits: { pollSeconds: 2, leaseSeconds: ${LEASE_SECONDS}, autoRepliesPerAddressPerHour: 100000, sendRetryBaseSeconds: 2 }`,
      ),
    );
    const run = () => start('run', '--config', cfg);
    const a = run();
    const b = run();
    await Promise.all([a.waitFor('joining the fleet', 240_000), b.waitFor('joining the fleet', 240_000)]);
    // Spread: each instance owns one of the two mailboxes.
    await until('the mailboxes to spread over both instances', async () => {
      const o = await owners();
      return o.length === 2 && new Set(o.map((r) => r.owner)).size === 2 && o;
    });

    // /readyz of each names the owner of every mailbox, and its own instance; `sportello status` the same.
    for (const d of [a, b]) {
      const url = (JSON.parse(d.log().split('\n').find((l) => l.includes('health and metrics listening'))!) as { url: string }).url;
      const body = (await (await fetch(`${url}/readyz`)).json()) as { fleet: { instance: string; mailboxes: { desk: string; pid: number }[] } };
      expect(body.fleet.mailboxes.map((m) => [m.desk, m.pid]).sort()).toEqual((await owners()).map((r) => [r.name.slice('mailbox:'.length), r.pid]).sort());
    }
    const status = await sportello('status', '--config', cfg);
    expect(status.out).toMatch(/fleet \(several daemons; 2 live: /);
    for (const r of await owners()) expect(status.out).toMatch(new RegExp(`^${r.name.slice('mailbox:'.length)}\\s+\\S+ pid ${r.pid}\\s+${r.owner}\\s+${r.epoch}\\s`, 'm'));
    // The desk states merge both daemons' reports, each desk from the daemon that owns it: none `elsewhere`.
    // Polled on the saved reports (a `sportello status` process a poll would starve the daemons' heartbeats
    // on two cores), then shown once by the command.
    await until('both daemons to report their own desk connected', async () => {
      const saved = (await sql.query<{ json: string; at: Date }>('SELECT json, at FROM daemon_reports')).rows;
      const merged = mergeReports(saved.map((r) => ({ ...(JSON.parse(r.json) as SavedDaemonStatus), at: new Date(r.at).toISOString() })), new Date(), 60_000);
      const state = (desk: string) => merged.fresh?.desks.find((d) => d.id === desk)?.state;
      return state('IT') === 'connected' && state('HR') === 'connected';
    }, 120_000);
    const merged = (await sportello('status', '--config', cfg)).out;
    expect(merged).toMatch(/^IT\s+connected\s/m);
    expect(merged).toMatch(/^HR\s+connected\s/m);
    expect(await count('SELECT COUNT(*) AS n FROM daemon_reports')).toBe(2);

    // The mails: new ones, and every fourth a follow-up to an earlier mail of the same desk.
    const sent: { id: string; desk: 'it' | 'hr'; from: string; subject: string }[] = [];
    const killAt = Math.floor(MAILS * (0.15 + 0.6 * random()));
    const victimDesk = random() < 0.5 ? 'mailbox:IT' : 'mailbox:HR';
    process.stdout.write(`fleet test: SIGKILL of the owner of ${victimDesk} once ${killAt} mails are recorded\n`);
    const sending = (async () => {
      for (let i = 0; i < MAILS; i += 10) {
        const batch = Array.from({ length: Math.min(10, MAILS - i) }, (_, k) => {
          const n = i + k;
          const desk = random() < 0.5 ? 'it' : 'hr';
          const from = REQUESTERS[Math.floor(random() * REQUESTERS.length)]!;
          const earlier = sent.filter((m) => m.desk === desk && m.from === from);
          if (n % 4 === 3 && earlier.length) {
            const first = earlier[Math.floor(random() * earlier.length)]!;
            return { desk, from, subject: `Re: ${first.subject}`, text: `Any news on this? (mail ${n})`, inReplyTo: first.id, references: first.id };
          }
          return { desk, from, subject: `${TOPICS[Math.floor(random() * TOPICS.length)]} (${n})`, text: `Hello, ${TOPICS[Math.floor(random() * TOPICS.length)]}. Reference ${n}-${SEED}.` };
        });
        const ids = await Promise.all(batch.map((m) => sendMail({ from: m.from, to: m.desk, subject: m.subject, text: m.text, ...(m.inReplyTo ? { inReplyTo: m.inReplyTo, references: m.references } : {}) })));
        batch.forEach((m, k) => sent.push({ id: ids[k]!, desk: m.desk as 'it' | 'hr', from: m.from, subject: m.subject }));
      }
    })();

    const inbound = () => count("SELECT COUNT(*) AS n FROM messages WHERE direction = 'in'");
    await until(`${killAt} mails recorded`, async () => (await inbound()) >= killAt);
    const row = (await owners()).find((r) => r.name === victimDesk)!;
    const victim = [a, b].find((d) => d.child.pid === row.pid)!;
    const survivor = victim === a ? b : a;
    expect(victim, `owner pid ${row.pid} of ${victimDesk} is one of ours`).toBeDefined();
    victim.child.kill('SIGKILL');
    expect(await victim.exited).toBeNull();
    const killedAt = new Date();

    // The survivor takes both mailboxes, within the lease period after the dead one's last heartbeat.
    await until('the survivor to own both mailboxes', async () => {
      const o = await owners();
      return o.length === 2 && o.every((r) => r.pid === survivor.child.pid) && o;
    });
    await survivor.waitFor('took over the mailbox of an instance that stopped renewing');
    const takeovers = survivor
      .log()
      .split('\n')
      .filter((l) => l.includes('took over the mailbox'))
      .map((l) => JSON.parse(l) as { desk: string; at: string; lastHeartbeatAt: string; leaseUntil: string; epoch: number });
    expect(takeovers.map((t) => t.desk)).toEqual([victimDesk.slice('mailbox:'.length)]);
    for (const t of takeovers) {
      const failoverMs = Date.parse(t.at) - Date.parse(t.lastHeartbeatAt);
      process.stdout.write(`fleet test: ${t.desk} taken over ${failoverMs} ms after the dead instance's last heartbeat (lease expired at ${t.leaseUntil}, epoch ${t.epoch - 1} → ${t.epoch}); lease period ${LEASE_SECONDS * 1000} ms\n`);
      expect(failoverMs).toBeLessThanOrEqual(LEASE_SECONDS * 1000);
      expect(Date.parse(t.at)).toBeGreaterThanOrEqual(Date.parse(t.leaseUntil));
    }

    // Restarted later: it joins again and the survivor gives one mailbox back.
    const restarted: Daemon = run();
    await restarted.waitFor('joining the fleet', 240_000);
    await until('the mailboxes to spread again', async () => {
      const o = await owners();
      return o.length === 2 && new Set(o.map((r) => r.pid)).size === 2 && o;
    });
    await sending;
    await until(`all ${MAILS} mails recorded`, async () => (await inbound()) >= MAILS);
    // Every reply out: nothing pending, and "sending" only for rows the killed instance claimed (never resent).
    await until('the outbox to drain', async () => (await count(`SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending' OR (status = 'sending' AND next_attempt_at > '${killedAt.toISOString()}')`)) === 0);
    const outbox = (await sql.query<{ id: string; status: string; kind: string; recipient: string; mail_json: string }>('SELECT id, status, kind, recipient, mail_json FROM outbox ORDER BY id')).rows;
    const sentRows = outbox.filter((r) => r.status === 'sent');
    const delivered = async () => (await Promise.all(REQUESTERS.map((u) => readInbox(u)))).flat();
    await until('every sent reply to be delivered', async () => (await delivered()).length >= sentRows.length, 120_000);
    survivor.child.kill('SIGTERM');
    restarted.child.kill('SIGTERM');
    expect(await survivor.exited).toBe(0);
    expect(await restarted.exited).toBe(0);

    // Every mail is in exactly one case, recorded once.
    const msgs = (await sql.query<{ message_id: string; case_id: string | null; n: string }>("SELECT message_id, MIN(case_id) AS case_id, COUNT(*) AS n FROM messages WHERE direction = 'in' GROUP BY message_id")).rows;
    const ids = (id: string) => id.replace(/^<|>$/g, '');
    expect(msgs.filter((m) => Number(m.n) !== 1)).toEqual([]);
    expect(msgs.filter((m) => m.case_id === null)).toEqual([]);
    expect(new Set(msgs.map((m) => m.message_id))).toEqual(new Set(sent.map((m) => ids(m.id))));
    expect(await count("SELECT COUNT(*) AS n FROM quarantine")).toBe(0);

    // Every reply went out once: each sent row's Message-ID arrived exactly once, and nothing arrived twice.
    const inboxes = await delivered();
    const arrived = new Map<string, number>();
    for (const m of inboxes) if (m.messageId) arrived.set(ids(m.messageId), (arrived.get(ids(m.messageId)) ?? 0) + 1);
    expect([...arrived].filter(([, n]) => n > 1)).toEqual([]);
    const sentIds = sentRows.map((r) => ids((JSON.parse(r.mail_json) as { messageId: string }).messageId));
    expect(sentIds.filter((id) => arrived.get(id) !== 1)).toEqual([]);
    // …and no requester got two auto-replies for one mail.
    const autoReplies = inboxes.filter((m) => m.headers.get('auto-submitted')?.startsWith('auto-replied'));
    const perMail = new Map<string, number>();
    for (const m of autoReplies) perMail.set(`${m.to.join(',')} ${m.inReplyTo}`, (perMail.get(`${m.to.join(',')} ${m.inReplyTo}`) ?? 0) + 1);
    expect([...perMail].filter(([, n]) => n > 1)).toEqual([]);
    const cases = await count('SELECT COUNT(*) AS n FROM cases');
    const uncertain = outbox.filter((r) => r.status !== 'sent');
    process.stdout.write(
      `fleet test: ${MAILS} mails → ${cases} cases, ${sentRows.length} replies sent once each (${autoReplies.length} auto-replies), ${uncertain.length} not sent (${uncertain.map((r) => r.status).join(', ') || 'none'})\n`,
    );
    expect(autoReplies.length).toBeGreaterThan(0);
  }, 1_800_000);
});
