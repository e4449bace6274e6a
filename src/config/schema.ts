// The shape of sportello.yml: desks (address, IMAP mailbox, case prefix, agents), SMTP, store, time zone.
// Validated once at start-up with zod; every default lives here, with its unit in the name or comment.
// Must never hold secrets in defaults: passwords come from the file or from ${ENV} interpolation.

import { z } from 'zod';
import { LANGUAGES } from '../domain/routing.js';
import { startFromProblem } from './start-from.js';
import { parseRelay } from '../agents/received.js';

const email = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[^\s@<>]+@[^\s@<>]+$/, 'expected an e-mail address like it@example.com');

const port = z.number().int().min(1).max(65535);

// A relay the trust check could never match would silently leave agents unverified: refuse it here.
const relay = z.string().superRefine((value, ctx) => {
  const parsed = parseRelay(value);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: `${parsed}; use an IP, a CIDR such as 10.0.0.0/8 or 2001:db8::/32, a host name or .domain`, input: value });
});

const agentSchema = z.union([
  email.transform((address) => ({ address, name: address.split('@')[0] ?? address })),
  z.strictObject({ address: email, name: z.string().min(1) }),
]);

const imapSchema = z.strictObject({
  host: z.string().min(1),
  port: port.default(993),
  /** Implicit TLS (993). false = plain or STARTTLS when offered. */
  tls: z.boolean().default(true),
  /** Verify the server certificate; switch off only for self-signed test servers. */
  tlsVerify: z.boolean().default(true),
  user: z.string().min(1),
  password: z.string().min(1),
  folder: z.string().min(1).default('INBOX'),
});

const deskSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'expected a short id such as IT or HR'),
  name: z.string().min(1).optional(),
  address: email,
  /** Case numbers read PREFIX-N, e.g. IT-12. Defaults to the desk id. */
  prefix: z
    .string()
    .regex(/^[A-Z][A-Z0-9]{0,9}$/, 'expected 1–10 upper-case letters or digits, starting with a letter')
    .optional(),
  language: z.enum(LANGUAGES).default('en'),
  imap: imapSchema,
  agents: z.array(agentSchema).default([]),
  /** Who hears about new cases and requester replies: every agent, the assignee only, or nobody. */
  notify: z.enum(['all', 'assignee', 'none']).default('all'),
  lifecycle: z
    .strictObject({
      /** An agent's reply puts the case in "waiting" on the requester (pausing the SLA clock). */
      agentReplySetsWaiting: z.boolean().default(true),
      /** A requester reply this many days after resolution reopens the case; later ones open a linked case. */
      reopenWindowDays: z.number().nonnegative().default(7),
      /** Resolved cases close by themselves after this many days. */
      autoCloseDays: z.number().positive().default(14),
    })
    .prefault({}),
  /** How agents' mail is verified before their commands and replies are honoured. */
  trust: z
    .strictObject({
      /** Require a DKIM/SPF/DMARC pass aligned with From in our server's Authentication-Results. */
      authResults: z.boolean().default(false),
      /** The authserv-id our receiving server writes; A-R headers with another id are ignored (forgeable). */
      authservId: z.string().min(1).nullable().default(null),
      /** Internal relays whose hand-off is proof enough: IPs, CIDRs (IPv4 or IPv6), host names or ".domain" suffixes. */
      relays: z.array(relay).default([]),
    })
    .refine((t) => !t.authResults || t.authservId !== null, {
      message: 'authResults needs authservId: without it a sender can add their own Authentication-Results header and be believed',
      path: ['authservId'],
    })
    .prefault({}),
  /** First contact with the mailbox: `now` (take nothing already there), `all`, or an ISO date (mail received since). */
  startFrom: z
    .string()
    .trim()
    .superRefine((v, ctx) => {
      const problem = startFromProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .default('now'),
});

const smtpSchema = z.strictObject({
  host: z.string().min(1),
  port: port.default(587),
  /** Implicit TLS (465). */
  tls: z.boolean().default(false),
  tlsVerify: z.boolean().default(true),
  /** Never upgrade with STARTTLS (only for loopback test servers). */
  ignoreStartTls: z.boolean().default(false),
  user: z.string().optional(),
  password: z.string().optional(),
});

const limitsSchema = z.strictObject({
  /** Mail larger than this is quarantined without being parsed. */
  maxMessageBytes: z.number().int().positive().default(25 * 1024 * 1024),
  /** Messages fetched per mailbox per cycle. */
  fetchBatch: z.number().int().positive().default(50),
  /** Worker threads parsing mail off the main thread (0: parse on the main thread, no budget). */
  parseWorkers: z.number().int().min(0).max(16).default(1),
  /** Longest one mail may take to parse before it is quarantined as MAIL_PARSE_TIMEOUT (needs parseWorkers ≥ 1). */
  parseTimeoutMs: z.number().int().positive().default(10_000),
  /** Auto-replies to one address per rolling hour before we stop answering (loop brake). */
  autoRepliesPerAddressPerHour: z.number().int().positive().default(5),
  /** Polling interval when the server has no IDLE, and the safety-net poll otherwise. */
  pollSeconds: z.number().positive().default(60),
  /** IDLE is restarted at this interval so dead connections surface (NAT/firewall timeouts). */
  idleRestartSeconds: z.number().positive().default(300),
  /** Outbox retry backoff: first delay, cap, and attempts before a reply is marked failed. */
  sendRetryBaseSeconds: z.number().positive().default(30),
  sendRetryMaxSeconds: z.number().positive().default(3600),
  sendMaxAttempts: z.number().int().positive().default(12),
  /**
   * Several daemons on one PostgreSQL store: the longest a dead instance's mailboxes stay unworked. Leases
   * run for half of it and are renewed every quarter (one missed heartbeat is survived), so a takeover
   * comes within three quarters of it after the dead instance's last heartbeat, a quarter to spare for a
   * slow heartbeat. Ignored on SQLite (one writer per store).
   */
  leaseSeconds: z.number().min(3).default(30),
  /** Replies sent at once over that many pooled SMTP connections (a crash parks at most that many as uncertain). */
  sendConcurrency: z.number().int().positive().max(32).default(4),
  /** Compose and send replies in one worker thread (false: on the main thread; auto: with 4 CPUs or more, see wantsSendWorker). */
  sendWorker: z.union([z.boolean(), z.literal('auto')], { error: 'expected true, false or auto' }).default('auto'),
});

/** Personal data kept no longer than needed (GDPR art. 5(1)(e)); absent = kept forever. */
const retentionSchema = z.strictObject({
  /** Raw sources of stored mail (messages.raw, released quarantine, bodies of sent outbox rows) dropped after this many days. */
  rawMailDays: z.number().int().positive().optional(),
  /** Closed cases deleted this many days after closing; an anonymous tombstone keeps their numbers for statistics. */
  closedCaseDays: z.number().int().positive().optional(),
});

/**
 * "host:port", "[v6]:port" or a bare port (then loopback only). 0 picks a free port (tests).
 * A host other than loopback is honoured only because someone wrote it out.
 */
const listenSchema = z
  .union([z.number(), z.string()])
  .transform((value, ctx) => {
    const text = String(value).trim();
    const m = /^(?:(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):)?(\d{1,5})$/.exec(text);
    const port = m ? Number(m[2]) : NaN;
    if (!m || port > 65535) {
      ctx.addIssue({ code: 'custom', message: `expected "host:port" or a port such as "127.0.0.1:9464", got "${text}"` });
      return z.NEVER;
    }
    return { host: m[1]?.replace(/^\[|\]$/g, '') ?? '127.0.0.1', port };
  });

const httpSchema = z.strictObject({
  /** Where /healthz, /readyz and /metrics are served; off when absent. */
  listen: listenSchema.nullable().default(null),
});

export const configSchema = z
  .strictObject({
    /** Value of our loop header; distinguishes several Sportello instances sharing a mail system. */
    instance: z.string().regex(/^[A-Za-z0-9._-]+$/).default('sportello'),
    timezone: z
      .string()
      .refine(isValidTimeZone, { error: (iss) => `unknown time zone "${String(iss.input)}" (use an IANA name such as Europe/Madrid)` })
      .default('UTC'),
    database: z.string().min(1).default('var/sportello.db'),
    rulesDir: z.string().min(1).default('rules'),
    templatesDir: z.string().min(1).default('templates'),
    /** Where the mail that has been processed is flagged; moving is optional. */
    processed: z
      .strictObject({
        flag: z.string().min(1).default('\\Seen'),
        moveTo: z.string().min(1).nullable().default(null),
      })
      .prefault({}),
    smtp: smtpSchema,
    limits: limitsSchema.prefault({}),
    http: httpSchema.prefault({}),
    desks: z.array(deskSchema).min(1, 'declare at least one desk'),
    retention: retentionSchema.prefault({}),
  });

function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export type ConfigInput = z.input<typeof configSchema>;
type Parsed = z.output<typeof configSchema>;
export type DeskConfig = Readonly<Omit<Parsed['desks'][number], 'prefix'> & { prefix: string }>;
export type Agent = DeskConfig['agents'][number];
export type Config = Readonly<
  Omit<Parsed, 'desks'> & {
    desks: readonly DeskConfig[];
    configPath: string | null;
    /** ${VAR}s left unset by an offline load (their fields keep the literal text); [] otherwise. */
    unsetVariables: readonly string[];
  }
>;
