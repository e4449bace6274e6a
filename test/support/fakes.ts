// In-memory stand-ins for the ports the shell talks through (mailbox, sender, clock) plus small
// builders for the plain records the pure core reads (InboundMail, routing, facts, context).
// Fakes record what was asked of them; they never sleep, never touch the network, never read the real clock.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CaseRecord } from '../../src/ports.js';
import type { InboundMail } from '../../src/domain/mail.js';
import type { RoutingDecision } from '../../src/domain/routing.js';
import type { Facts, PipelineContext } from '../../src/pipeline/types.js';
import type { Clock, FetchedMessage, MailboxSession, MailSender, MailSource, OutgoingMail, RenderedReply, ReplyRenderer } from '../../src/ports.js';
import { parseConfig } from '../../src/config/load.js';
import type { Config, DeskConfig } from '../../src/config/schema.js';
import type { CaseStore } from '../../src/ports.js';
import type { IngestDeps } from '../../src/shell/ingest.js';
import { buildDeskRuntimes, type DeskContext, type DeskRuntime, type DeskSources } from '../../src/shell/desk-runtime.js';
import type { DeskView } from '../../src/domain/desk.js';
import { DEFAULT_LIFECYCLE } from '../../src/agents/lifecycle.js';
import { parseMail } from '../../src/adapters/mime-parser.js';
import { PIPELINE } from '../../src/pipeline/stages.js';
import { silentLogger } from '../../src/log.js';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Third-party corpora: where they are, and skipping without them, live in corpora.ts. */
export { CORPORA, corpusFile } from './corpora.js';

/** The bytes of one of our own sample mails in test/fixtures/mail (always present, unlike the corpora). */
export function fixtureMail(name: string): Buffer {
  return readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'mail', name));
}

// ---------------------------------------------------------------- clock

/** A clock that only moves when the test says so. */
export function manualClock(startIso = '2026-03-02T09:00:00.000Z'): Clock & { advance(ms: number): void; set(iso: string): void } {
  let t = Date.parse(startIso);
  return {
    now: () => new Date(t),
    advance(ms: number) {
      t += ms;
    },
    set(iso: string) {
      t = Date.parse(iso);
    },
  };
}

export function sequentialIds(prefix = 'u'): () => string {
  let n = 0;
  return () => `${prefix}${++n}`;
}

// ---------------------------------------------------------------- mailbox

export interface FakeMailbox extends MailSource {
  uidValidity: number;
  /** Appends a raw message (received at `receivedAt`, the INTERNALDATE) and returns its UID (UIDs only grow, as on a real server). */
  add(raw: Buffer | string, receivedAt?: Date): number;
  /** UIDs whose processed flag was removed on the "server" (as after a crash before the flag). */
  readonly unflag: (uid: number) => void;
  readonly fetched: number[];
  readonly marked: number[];
  /** Set to make markProcessed reject any call naming one of these UIDs. */
  readonly failMarkFor: Set<number>;
  readonly sessions: MailboxSession[];
}

/** An IMAP folder in memory: UIDs ascending, size checked before the body is "downloaded". */
export function fakeMailbox(uidValidity = 1000): FakeMailbox {
  const messages = new Map<number, Buffer>();
  const received = new Map<number, Date>();
  const flagged = new Set<number>();
  let nextUid = 1;
  const box: FakeMailbox = {
    uidValidity,
    fetched: [],
    marked: [],
    failMarkFor: new Set(),
    sessions: [],
    add(raw, receivedAt) {
      const uid = nextUid++;
      messages.set(uid, Buffer.isBuffer(raw) ? raw : Buffer.from(raw));
      if (receivedAt) received.set(uid, receivedAt);
      return uid;
    },
    unflag(uid) {
      flagged.delete(uid);
    },
    async open() {
      const session: MailboxSession = {
        uidValidity: box.uidValidity,
        async listNewUids(afterUid, limit) {
          return [...messages.keys()].filter((u) => u > afterUid).sort((a, b) => a - b).slice(0, limit);
        },
        async fetch(uids, maxBytes): Promise<FetchedMessage[]> {
          box.fetched.push(...uids);
          return [...uids].sort((a, b) => a - b).flatMap((uid) => {
            const raw = messages.get(uid);
            if (!raw) return [];
            return [{ uid, size: raw.length, source: raw.length > maxBytes ? null : raw, receivedAt: received.get(uid) ?? null }];
          });
        },
        async markProcessed(uids) {
          // Like one UID STORE: refused as a whole when any of its UIDs is.
          const failing = uids.find((uid) => box.failMarkFor.has(uid));
          if (failing !== undefined) throw new Error(`STORE flags failed for UID ${failing}`);
          box.marked.push(...uids);
          for (const uid of uids) flagged.add(uid);
        },
        async highestUid() {
          return nextUid - 1;
        },
        async listUidsSince(afterUid, upToUid, since, limit) {
          // Like SEARCH SINCE: by day only, so the caller must still filter by the exact instant.
          const day = since.toISOString().slice(0, 10);
          return [...messages.keys()]
            .filter((u) => u > afterUid && u <= upToUid && (received.get(u)?.toISOString().slice(0, 10) ?? '') >= day)
            .sort((a, b) => a - b)
            .slice(0, limit);
        },
        async receivedDates(uids) {
          return new Map(uids.filter((u) => received.has(u)).map((u) => [u, received.get(u)!]));
        },
        async unprocessed(uids) {
          return uids.filter((u) => messages.has(u) && !flagged.has(u)).sort((a, b) => a - b);
        },
        async waitForChange() {},
        async close() {},
        async countAbove(afterUid) {
          return [...messages.keys()].filter((u) => u > afterUid).length;
        },
      };
      box.sessions.push(session);
      return session;
    },
  };
  return box;
}

// ---------------------------------------------------------------- sender

export interface RecordingSender extends MailSender {
  readonly sent: { mail: OutgoingMail; envelopeFrom: string }[];
  readonly attempts: number;
  /** Each queued failure is thrown by the next send() instead of sending; then sends succeed. */
  failNext(...errors: unknown[]): void;
}

export function recordingSender(): RecordingSender {
  const failures: unknown[] = [];
  let attempts = 0;
  const sender = {
    sent: [] as { mail: OutgoingMail; envelopeFrom: string }[],
    get attempts() {
      return attempts;
    },
    failNext(...errors: unknown[]) {
      failures.push(...errors);
    },
    async send(mail: OutgoingMail, envelopeFrom: string) {
      attempts++;
      if (failures.length > 0) throw failures.shift();
      sender.sent.push({ mail, envelopeFrom });
    },
    close() {},
  };
  return sender;
}

/** A stored reply of case IT-1 to `to`, as the outbox holds it. */
export function outgoingMail(to = 'alice@example.test'): OutgoingMail {
  return {
    from: { address: 'it@example.test', name: 'IT' },
    to: [{ address: to, name: '' }],
    subject: '[IT-1] Printer',
    messageId: `sportello.IT-1.${to}`,
    inReplyTo: null,
    references: [],
    headers: {},
    text: 'ack',
    html: null,
  };
}

/** A renderer that shows which template, language and variables were asked for. */
export function echoRenderer(): ReplyRenderer {
  return {
    render(template, language, vars): RenderedReply {
      const c = vars.case as { id: string };
      return { subject: String(vars.subject ?? ''), text: `${template}/${language} ${c.id}\n`, html: `<p>${template}/${language} ${c.id}</p>\n` };
    },
  };
}

// ---------------------------------------------------------------- pure-core records

/** A plain InboundMail; every field overridable. Headers are keyed lower-case, as the parser does. */
export function mail(over: Partial<InboundMail> = {}): InboundMail {
  return {
    messageId: 'm1@client.example',
    inReplyTo: [],
    references: [],
    subject: 'Printer on floor 2 is jammed',
    from: { address: 'alice@example.test', name: 'Alice' },
    replyTo: [],
    to: [{ address: 'it@example.test', name: '' }],
    cc: [],
    date: '2026-03-02T08:59:00.000Z',
    headers: {},
    text: 'Hello, the printer is jammed again.',
    html: null,
    attachments: [],
    size: 512,
    returnPath: 'alice@example.test',
    ...over,
  };
}

export function routing(over: Partial<RoutingDecision> = {}): RoutingDecision {
  return {
    category: 'hardware',
    priority: 'normal',
    language: 'en',
    confidence: null,
    explanation: { kind: 'default', reason: 'test' },
    matchedRules: [],
    assignee: null,
    tags: [],
    slaPolicy: null,
    template: null,
    suppressAutoReply: false,
    quarantine: null,
    notify: [],
    ...over,
  };
}

export function facts(over: Partial<Facts> = {}): Facts {
  return {
    messageKey: 'm1@client.example',
    processedPosition: null,
    knownMessage: null,
    quarantinedId: null,
    purgedByRetention: false,
    referencedCase: null,
    taggedCases: [],
    autoRepliesToSenderLastHour: 0,
    ...over,
  };
}

export function context(over: Partial<PipelineContext> = {}): PipelineContext {
  return {
    // What buildDeskRuntimes makes of a desk with nothing but the required keys configured.
    desk: {
      id: 'IT', prefix: 'IT', address: 'it@example.test', language: 'en', name: 'IT desk', agents: [{ address: 'bob@example.test', name: '' }],
      notify: 'all', lifecycle: DEFAULT_LIFECYCLE, trust: { trustAuthResults: false, trustedRelays: [], authservId: null }, categories: [], timezone: 'UTC',
    },
    ownAddresses: ['it@example.test', 'hr@example.test'],
    ownDomains: ['example.test'],
    instance: 'sportello-test',
    autoRepliesPerAddressPerHour: 5,
    route: () => routing(),
    now: new Date('2026-03-02T09:00:00Z'),
    sla: () => null,
    articles: () => [],
    ...over,
  };
}

// ---------------------------------------------------------------- config

export function testConfigYaml(db = 'var/unused-by-unit-tests.db'): string {
  return `
instance: sportello-test
timezone: Europe/Madrid
database: "${db}"
smtp: { host: 127.0.0.1 }
desks:
  - id: IT
    name: IT Service Desk
    address: it@example.test
    imap: { host: 127.0.0.1, user: it@example.test, password: x }
    startFrom: all  # take mail already in the fake mailbox, as the tests were written for (first-contact tests set their own)
    agents: [bob@example.test]
    notify: none  # agent notifications have their own tests; these focus on the requester side
  - id: HR
    name: HR Desk
    address: hr@example.test
    language: es
    imap: { host: 127.0.0.1, user: hr@example.test, password: x }
    startFrom: all
`;
}

export function testConfig(db?: string): Config {
  return parseConfig(testConfigYaml(db), { file: path.join(REPO_ROOT, 'sportello.yml'), env: {} });
}

export function testDesk(id = 'IT', db?: string): DeskConfig {
  const desk = testConfig(db).desks.find((d) => d.id === id);
  if (!desk) throw new Error(`no desk ${id} in the test config`);
  return desk;
}

/**
 * The runtime the app builds for a desk of `config` (the same builder), routed by `route` (default: a
 * fixed decision in the desk's language), with no SLA or articles, and the given rules (default none).
 */
export function deskRuntime(
  config: Config,
  desk: DeskConfig,
  { route = () => routing({ language: desk.language }), rulesOf = () => undefined }: { route?: PipelineContext['route']; rulesOf?: DeskSources['rulesOf'] } = {},
): DeskRuntime {
  // The given desk stands in for its namesake in `config` (tests vary startFrom, lifecycle…).
  const runtimes = buildDeskRuntimes({ ...config, desks: config.desks.map((d) => (d.id === desk.id ? desk : d)) }, { routing: () => ({ router: (_d, m) => route(m), sla: () => null, articles: () => [] }), rulesOf });
  return runtimes.find((d) => d.config.id === desk.id)!;
}

/** The runtimes of every desk of `config`, with the given rules (default none). */
export function deskRuntimes(config: Config, rulesOf: DeskSources['rulesOf'] = () => undefined): DeskRuntime[] {
  return config.desks.map((d) => deskRuntime(config, d, { rulesOf }));
}

/** The pipeline context of a desk of `config` (see deskRuntime). */
export function contextFor(config: Config, desk: DeskConfig, route?: PipelineContext['route']): DeskContext {
  return deskRuntime(config, desk, route ? { route } : {}).context;
}

/** The complete desk view of a desk of the test configuration. */
export function testView(id = 'IT'): DeskView {
  return deskRuntime(testConfig(), testDesk(id)).view;
}

/** A stored case record with every field; tests override what they look at. */
export function caseRecord(over: Partial<CaseRecord> = {}): CaseRecord {
  return {
    id: 'IT-7', desk: 'IT', number: 7, status: 'new', category: 'hardware', priority: 'normal', language: 'en',
    requester: { address: 'alice@example.test', name: 'Alice' }, subject: 'Printer jammed',
    createdAt: '2026-03-02T09:00:00.000Z', updatedAt: '2026-03-02T09:00:00.000Z',
    dueAt: null, firstResponseDueAt: null, slaPolicy: null, slaClock: null, assignee: null, firstResponseAt: null,
    resolvedAt: null, closedAt: null, rating: null, waitUntil: null, routing: null,
    ...over,
  };
}

/** What ingestMailbox needs around a store: the real parser and pipeline, a fixed clock, echoed templates. */
export function ingestDeps(store: CaseStore, over: Partial<IngestDeps> = {}): IngestDeps {
  return {
    store,
    clock: manualClock(),
    log: silentLogger(),
    parse: (raw, maxBytes) => parseMail(raw, { maxBytes }),
    compose: { renderer: echoRenderer(), instance: 'sportello-test', newId: sequentialIds('r') },
    steps: PIPELINE,
    maxMessageBytes: 1_000_000,
    fetchBatch: 2,
    ...over,
  };
}
