// Test-side access to the local mail stack (scripts/mailstack.sh): run the script, send over SMTP,
// read and inject over IMAP. Trusts what Dovecot/Postfix report (STATUS, FETCH BODY[]), never a timer.
// Must never treat a sleep as synchronisation, leave an IMAP connection open, or talk to a non-loopback host.
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { ImapFlow } from 'imapflow';
import { simpleParser, type AddressObject } from 'mailparser';
import { createTransport } from 'nodemailer';
import { SportelloError } from '../../src/errors.js';
import { runScript, type RunOptions, type RunResult, type ScriptSpec } from './run-script.js';

export type { RunOptions, RunResult } from './run-script.js';

export const MAILSTACK_SCRIPT = fileURLToPath(new URL('../../scripts/mailstack.sh', import.meta.url));

export interface StackInfo {
  readonly imapHost: string;
  readonly imapPort: number;
  readonly smtpHost: string;
  readonly smtpPort: number;
  readonly domain: string;
  readonly password: string;
  readonly users: readonly string[];
  /** `'it'` → `'it@example.test'`; anything that already holds an `@` is returned unchanged. */
  addr(user: string): string;
}

/** The stack as scripts/mailstack.sh configures it, honouring the same MAILSTACK_* overrides. */
export function stackFromEnv(env: NodeJS.ProcessEnv = process.env): StackInfo {
  const domain = 'example.test';
  return Object.freeze({
    imapHost: '127.0.0.1',
    imapPort: Number(env.MAILSTACK_IMAP_PORT ?? 1143),
    smtpHost: '127.0.0.1',
    smtpPort: Number(env.MAILSTACK_SMTP_PORT ?? 2525),
    domain,
    password: env.MAILSTACK_PASSWORD ?? 'secret',
    users: Object.freeze(['it', 'hr', 'alice', 'carlo', 'bob', 'maria', 'dora', 'enzo', 'fiona', 'gael', 'hana', 'ivo']),
    addr: (user: string) => (user.includes('@') ? user : `${user}@${domain}`),
  });
}

export const STACK: StackInfo = stackFromEnv();

// ---------------------------------------------------------------- the script

/** Runs `bash scripts/mailstack.sh ...args` with stdin closed and piped output, bounded by a timeout. */
export function runMailstack(args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return runScript(MAILSTACK, args, opts);
}

export const MAILSTACK: ScriptSpec = Object.freeze({
  name: 'mailstack',
  path: MAILSTACK_SCRIPT,
  codePrefix: 'MAILSTACK',
  logsHint: '`bash scripts/mailstack.sh logs` shows the daemons',
});

/** Empties the given mailboxes (all six when none are given), the Postfix queue and vacation history. */
export async function resetMailboxes(...users: string[]): Promise<void> {
  await runMailstack(['reset', ...users.map(STACK.addr)]);
}

export interface VacationOptions {
  subject?: string;
  message?: string;
  /** Minimum interval between replies to one sender; the script's default is 0 s (answer everything). */
  seconds?: number;
  days?: number;
}

/** Turns the Sieve vacation responder (RFC 5230, replies per RFC 3834) on or off for one user. */
export async function vacation(on: boolean, user: string, opts: VacationOptions = {}): Promise<void> {
  const args = ['vacation', on ? 'on' : 'off', STACK.addr(user)];
  if (on) {
    if (opts.subject !== undefined) args.push('--subject', opts.subject);
    if (opts.message !== undefined) args.push('--message', opts.message);
    if (opts.seconds !== undefined) args.push('--seconds', String(opts.seconds));
    if (opts.days !== undefined) args.push('--days', String(opts.days));
  }
  await runMailstack(args);
}

// ---------------------------------------------------------------- SMTP

export interface OutgoingMail {
  from: string;
  to: string | readonly string[];
  cc?: string | readonly string[];
  subject: string;
  text: string;
  html?: string;
  headers?: Record<string, string>;
  inReplyTo?: string;
  references?: string | readonly string[];
  messageId?: string;
}

const asList = (v: string | readonly string[] | undefined): string[] =>
  v === undefined ? [] : (typeof v === 'string' ? [v] : [...v]).map(STACK.addr);

/**
 * Submits one message to the stack's Postfix and returns the Message-ID it carried. Throws
 * SMTP_PERMANENT (5xx) or SMTP_TRANSIENT when any recipient is refused: a test should never
 * mistake a half-delivered message for a delivered one.
 */
export async function sendMail(mail: OutgoingMail): Promise<string> {
  const transport = createTransport({
    host: STACK.smtpHost,
    port: STACK.smtpPort,
    secure: false,
    ignoreTLS: true,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  const to = asList(mail.to);
  const context: Record<string, unknown> = { from: mail.from, to, subject: mail.subject };
  try {
    const info = await transport.sendMail({
      from: STACK.addr(mail.from),
      to,
      cc: asList(mail.cc),
      subject: mail.subject,
      text: mail.text,
      ...(mail.html !== undefined && { html: mail.html }),
      ...(mail.headers !== undefined && { headers: mail.headers }),
      ...(mail.inReplyTo !== undefined && { inReplyTo: mail.inReplyTo }),
      ...(mail.references !== undefined && { references: [...asRefs(mail.references)] }),
      ...(mail.messageId !== undefined && { messageId: mail.messageId }),
    });
    const rejected = (info.rejected ?? []).map(String);
    if (rejected.length > 0) {
      throw new SportelloError('SMTP_PERMANENT', `SMTP refused ${rejected.join(', ')} (the other recipients got the message)`, {
        context: { ...context, rejected, accepted: info.accepted, messageId: info.messageId },
      });
    }
    return info.messageId;
  } catch (err) {
    if (err instanceof SportelloError) throw err;
    const e = err as { responseCode?: number; response?: string; code?: string; message?: string };
    const code = e.responseCode !== undefined && e.responseCode >= 500 ? 'SMTP_PERMANENT' : 'SMTP_TRANSIENT';
    throw new SportelloError(code, `SMTP refused the message: ${e.response ?? e.message ?? String(err)}`, {
      cause: err,
      context: { ...context, responseCode: e.responseCode, smtpCode: e.code },
      hint: code === 'SMTP_TRANSIENT' ? 'is the stack up? bash scripts/mailstack.sh status' : undefined,
    });
  } finally {
    transport.close();
  }
}

const asRefs = (v: string | readonly string[]): readonly string[] => (typeof v === 'string' ? [v] : v);

// ---------------------------------------------------------------- IMAP

/** Opens a fresh IMAP session as `user`, runs `fn`, and always logs out (connections are per user+IP capped). */
export async function withImap<T>(user: string, fn: (client: ImapFlow) => Promise<T>): Promise<T> {
  const client = new ImapFlow({
    host: STACK.imapHost,
    port: STACK.imapPort,
    secure: false,
    auth: { user: STACK.addr(user), pass: STACK.password },
    logger: false,
    disableAutoIdle: true,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  // imapflow emits 'error' on socket trouble; unhandled, it would crash the test worker.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (cause) {
    client.close();
    throw new SportelloError('IMAP_CONNECT', `cannot log in to IMAP ${STACK.imapHost}:${STACK.imapPort} as ${STACK.addr(user)}`, {
      cause,
      context: { user: STACK.addr(user) },
      hint: 'is the stack up? bash scripts/mailstack.sh status',
    });
  }
  try {
    return await fn(client);
  } finally {
    await client.logout().catch(() => client.close());
  }
}

async function inboxCount(client: ImapFlow): Promise<number> {
  // STATUS on a mailbox this session has not SELECTed is always current in Dovecot (NOTES pitfall 7).
  const status = await client.status('INBOX', { messages: true });
  return status ? (status.messages ?? 0) : 0;
}

export function countInbox(user: string): Promise<number> {
  return withImap(user, inboxCount);
}

export interface WaitOptions {
  timeoutMs?: number;
  /** Interval between STATUS polls; delivery is visible within ~10-25 ms on this stack. */
  pollMs?: number;
}

/** Resolves with the INBOX size once it is >= `count`; otherwise throws MAILSTACK_TIMEOUT listing the INBOX. */
export async function waitForMessages(user: string, count: number, opts: WaitOptions = {}): Promise<number> {
  const { timeoutMs = 10_000, pollMs = 25 } = opts;
  const deadline = performance.now() + timeoutMs;
  return withImap(user, async (client) => {
    for (;;) {
      const n = await inboxCount(client);
      if (n >= count) return n;
      if (performance.now() >= deadline) break;
      await delay(pollMs);
    }
    const present = await summarizeInbox(client);
    throw new SportelloError(
      'MAILSTACK_TIMEOUT',
      `waited ${timeoutMs} ms for ${count} message(s) in ${STACK.addr(user)}'s INBOX; it has ${present.length}` +
        (present.length ? `:\n  ${present.join('\n  ')}` : ''),
      {
        context: { user: STACK.addr(user), expected: count, actual: present.length, messages: present },
        hint: 'bash scripts/mailstack.sh logs shows whether Postfix accepted and Dovecot delivered the mail',
      },
    );
  });
}

async function summarizeInbox(client: ImapFlow): Promise<string[]> {
  const lock = await client.getMailboxLock('INBOX', { readOnly: true });
  try {
    if (!client.mailbox || client.mailbox.exists === 0) return [];
    const msgs = await client.fetchAll('1:*', { uid: true, envelope: true });
    return msgs.map((m) => {
      const from = m.envelope?.from?.[0]?.address ?? '?';
      return `uid ${m.uid} from ${from}: ${JSON.stringify(m.envelope?.subject ?? '')}`;
    });
  } finally {
    lock.release();
  }
}

export interface InboxMessage {
  uid: number;
  subject: string;
  /** Lower-case address of the first From mailbox, '' when there is none. */
  from: string;
  /** Lower-case addresses, groups flattened. */
  to: string[];
  cc: string[];
  messageId: string | undefined;
  inReplyTo: string | undefined;
  references: string[];
  /** Lower-case header name → unfolded raw value of its first (topmost) occurrence. */
  headers: ReadonlyMap<string, string>;
  text: string;
  html: string | undefined;
  raw: Buffer;
}

/** Every message in `user`'s INBOX, oldest UID first, parsed with mailparser's simpleParser. */
export async function readInbox(user: string): Promise<InboxMessage[]> {
  const fetched = await withImap(user, async (client) => {
    const lock = await client.getMailboxLock('INBOX', { readOnly: true });
    try {
      if (!client.mailbox || client.mailbox.exists === 0) return [];
      // fetchAll, not a `for await` fetch loop: no other command may run while a fetch streams.
      return await client.fetchAll('1:*', { uid: true, source: true });
    } finally {
      lock.release();
    }
  });
  const messages = await Promise.all(
    fetched.map(async ({ uid, source }) => {
      const raw = source ?? Buffer.alloc(0);
      const p = await simpleParser(raw);
      return {
        uid,
        subject: p.subject ?? '',
        from: addresses(p.from)[0] ?? '',
        to: addresses(p.to),
        cc: addresses(p.cc),
        messageId: p.messageId,
        inReplyTo: p.inReplyTo,
        references: p.references === undefined ? [] : typeof p.references === 'string' ? [p.references] : p.references,
        headers: headerMap(p.headerLines),
        text: p.text ?? '',
        html: typeof p.html === 'string' ? p.html : undefined,
        raw,
      } satisfies InboxMessage;
    }),
  );
  return messages.sort((a, b) => a.uid - b.uid);
}

type AddressField = AddressObject | AddressObject[] | undefined;
type Mailbox = AddressObject['value'][number];

function addresses(field: AddressField): string[] {
  const objects = field === undefined ? [] : Array.isArray(field) ? field : [field];
  const flat = (list: readonly Mailbox[]): string[] =>
    list.flatMap((m) => (m.group ? flat(m.group) : m.address ? [m.address.toLowerCase()] : []));
  return objects.flatMap((o) => flat(o.value));
}

function headerMap(lines: ReadonlyArray<{ key: string; line: string }>): Map<string, string> {
  const map = new Map<string, string>();
  for (const { key, line } of lines) {
    const name = key.toLowerCase();
    if (map.has(name)) continue;
    const colon = line.indexOf(':');
    map.set(name, line.slice(colon + 1).replace(/\r?\n[ \t]+/g, ' ').trim());
  }
  return map;
}

/** IMAP APPENDs an exact message (e.g. a corpus .eml) to `user`'s INBOX; returns its UID. */
export async function appendRaw(user: string, raw: Buffer | string, opts: { flags?: string[]; internalDate?: Date } = {}): Promise<number> {
  return withImap(user, async (client) => {
    const res = await client.append('INBOX', raw, opts.flags, opts.internalDate);
    if (!res || res.uid === undefined) {
      throw new SportelloError('IMAP_MAILBOX', `APPEND to ${STACK.addr(user)}'s INBOX returned no UID`, {
        context: { user: STACK.addr(user), bytes: raw.length },
        hint: 'Dovecot announces UIDPLUS; check bash scripts/mailstack.sh logs',
      });
    }
    return res.uid;
  });
}
