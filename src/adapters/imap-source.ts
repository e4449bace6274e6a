// One desk mailbox over IMAP with imapflow: a fresh client per session (imapflow never reconnects and
// an instance is single-use), UIDVALIDITY as a Number, UID-only commands, and explicit IDLE (RFC 2177)
// where offered, polling otherwise. Never issues a command inside a fetch iterator (imapflow#110).

import { ImapFlow } from 'imapflow';
import { SportelloError } from '../errors.js';
import type { DeskConfig } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { FetchedMessage, MailboxSession, MailSource } from '../ports.js';

const CONNECT_TIMEOUT_MS = 20_000;
const GREETING_TIMEOUT_MS = 16_000;
const SOCKET_TIMEOUT_MS = 5 * 60_000;
const DAY_MS = 86_400_000;
/** Sources fetched per FETCH command at most (bytes): bounds what one batch holds in memory. */
const FETCH_BYTES = 32 * 1024 * 1024;

/** Consecutive groups whose sizes add up to at most `budget` (a single larger item is a group alone). */
export function byteGroups<T extends { readonly size: number }>(items: readonly T[], budget: number): T[][] {
  const groups: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    if (current.length && bytes + item.size > budget) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += item.size;
  }
  if (current.length) groups.push(current);
  return groups;
}

function asDate(v: Date | string | undefined): Date | null {
  if (!v) return null;
  const d = v instanceof Date ? v : new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** A UID set in ranges ("1:40,42,50:51"): a long backlog stays within the server's command-line limit. */
export function uidSet(uids: readonly number[]): string {
  const sorted = [...new Set(uids)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}:${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** The SEARCH criterion for "does not carry the processed flag": system flags have their own keys. */
function lacksFlag(flag: string): Record<string, boolean | string> {
  const system: Record<string, string> = { '\\seen': 'seen', '\\flagged': 'flagged', '\\answered': 'answered', '\\draft': 'draft', '\\deleted': 'deleted' };
  const key = system[flag.toLowerCase()];
  return key ? { [key]: false } : { unKeyword: flag };
}

export interface ImapSourceOptions {
  readonly idleRestartMs: number;
  /** Called once when the connection drops, so the shell can reconnect with a fresh session. */
  readonly onClose?: () => void;
  /** EXAMINE instead of SELECT: for looking (sportello status), never for processing. */
  readonly readOnly?: boolean;
}

export function createImapSource(desk: DeskConfig, log: Logger, flag: string, moveTo: string | null, opts: ImapSourceOptions): MailSource {
  return {
    async open(): Promise<MailboxSession> {
      const { imap } = desk;
      const where = { desk: desk.id, host: imap.host, port: imap.port, user: imap.user, folder: imap.folder };
      const client = new ImapFlow({
        host: imap.host,
        port: imap.port,
        secure: imap.tls,
        auth: { user: imap.user, pass: imap.password },
        tls: { rejectUnauthorized: imap.tlsVerify },
        logger: false,
        disableAutoIdle: true,
        connectionTimeout: CONNECT_TIMEOUT_MS,
        greetingTimeout: GREETING_TIMEOUT_MS,
        socketTimeout: SOCKET_TIMEOUT_MS,
      });
      let closed = false;
      // New mail announced while nobody waits (during a pass) is remembered, not lost.
      let changed = false;
      const changeWaiters = new Set<() => void>();
      const wake = () => {
        changed = true;
        for (const w of changeWaiters) w();
        changeWaiters.clear();
      };
      // Attach before connect(): an unhandled 'error' event would crash the process (imapflow docs).
      client.on('error', (err: Error) => log.warn({ ...where, err: err.message }, 'IMAP connection error'));
      client.on('close', () => {
        closed = true;
        wake();
        opts.onClose?.();
      });
      client.on('exists', wake);

      try {
        await client.connect();
      } catch (cause) {
        const auth = (cause as { authenticationFailed?: boolean }).authenticationFailed === true;
        throw new SportelloError(auth ? 'IMAP_AUTH' : 'IMAP_CONNECT', auth
          ? `IMAP server ${imap.host}:${imap.port} rejected the login of ${imap.user}`
          : `cannot connect to IMAP server ${imap.host}:${imap.port}: ${(cause as Error).message}`, {
          cause,
          context: where,
          hint: auth ? `check desks[${desk.id}].imap.user and desks[${desk.id}].imap.password in the configuration` : 'check that the server is running and desks[].imap.host/port/tls are right',
        });
      }

      let uidValidity: number;
      try {
        const box = await client.mailboxOpen(imap.folder, { readOnly: opts.readOnly === true });
        uidValidity = Number(box.uidValidity);
      } catch (cause) {
        await client.logout().catch(() => undefined);
        throw new SportelloError('IMAP_MAILBOX', `cannot open folder "${imap.folder}" of ${imap.user}: ${(cause as Error).message}`, {
          cause,
          context: where,
          hint: 'check desks[].imap.folder (folder names are case-sensitive except INBOX)',
        });
      }
      const idleSupported = client.capabilities.has('IDLE');

      return {
        uidValidity,

        async listNewUids(afterUid, limit) {
          // NOOP first: Dovecot's SEARCH does not see mail that arrived since the last sync.
          await client.noop();
          const found = await client.search({ uid: `${afterUid + 1}:*` }, { uid: true });
          // "N:*" always includes the highest UID even when it is below N (RFC 3501 §6.4.8).
          return (found || []).filter((u) => u > afterUid).sort((a, b) => a - b).slice(0, limit);
        },

        async countAbove(afterUid) {
          await client.noop();
          const found = await client.search({ uid: `${afterUid + 1}:*` }, { uid: true });
          return (found || []).filter((u) => u > afterUid).length;
        },

        async fetch(uids, maxBytes): Promise<FetchedMessage[]> {
          if (!uids.length) return [];
          // Sizes and dates first, one command for the batch: oversized mail is never downloaded.
          const metas: { uid: number; size: number; receivedAt: Date | null }[] = [];
          for await (const m of client.fetch(uidSet(uids), { uid: true, size: true, internalDate: true }, { uid: true })) {
            metas.push({ uid: m.uid, size: m.size ?? 0, receivedAt: asDate(m.internalDate) });
          }
          const asked = new Set(uids);
          const wanted = metas.filter((m) => asked.has(m.uid)).sort((a, b) => a.uid - b.uid);
          const sources = new Map<number, Buffer>();
          // Then the sources, streamed in groups of at most FETCH_BYTES so a batch of large mail stays bounded.
          for (const group of byteGroups(wanted.filter((m) => m.size <= maxBytes), FETCH_BYTES)) {
            for await (const m of client.fetch(uidSet(group.map((g) => g.uid)), { uid: true, source: true }, { uid: true })) {
              if (m.source) sources.set(m.uid, m.source);
            }
          }
          return wanted.flatMap((m): FetchedMessage[] => {
            if (m.size > maxBytes) return [{ uid: m.uid, size: m.size, source: null, receivedAt: m.receivedAt }];
            const source = sources.get(m.uid);
            // Expunged between the two FETCHes: left out, like a UID that was never there.
            return source ? [{ uid: m.uid, size: source.length, source, receivedAt: m.receivedAt }] : [];
          });
        },

        async highestUid() {
          await client.noop();
          const box = client.mailbox;
          if (!box) throw new Error('no folder is selected');
          if (box.exists === 0) return Math.max(0, Number(box.uidNext) - 1);
          const last = await client.fetchOne('*', { uid: true });
          return last ? last.uid : Math.max(0, Number(box.uidNext) - 1);
        },

        async listUidsSince(afterUid, upToUid, since, limit) {
          if (upToUid <= afterUid) return [];
          // SINCE compares dates only, in the server's zone: ask from the day before, callers filter by INTERNALDATE.
          const found = await client.search({ uid: `${afterUid + 1}:${upToUid}`, since: new Date(since.getTime() - DAY_MS) }, { uid: true });
          return (found || []).filter((u) => u > afterUid && u <= upToUid).sort((a, b) => a - b).slice(0, limit);
        },

        async receivedDates(uids) {
          const dates = new Map<number, Date>();
          if (!uids.length) return dates;
          // Collected first, used after the iterator ends: no command may run inside it (imapflow#110).
          for await (const msg of client.fetch(uidSet(uids), { uid: true, internalDate: true }, { uid: true })) {
            const at = asDate(msg.internalDate);
            if (at) dates.set(msg.uid, at);
          }
          return dates;
        },

        async unprocessed(uids) {
          if (!uids.length) return [];
          // With moveTo, a processed mail is no longer here at all; otherwise it is here without the flag.
          const query = { uid: uidSet(uids), ...(moveTo ? {} : lacksFlag(flag)) };
          const found = await client.search(query, { uid: true });
          const asked = new Set(uids);
          return (found || []).filter((u) => asked.has(u)).sort((a, b) => a - b);
        },

        async markProcessed(uids) {
          if (!uids.length) return;
          const set = uidSet(uids);
          await client.messageFlagsAdd(set, [flag], { uid: true });
          if (moveTo) await client.messageMove(set, moveTo, { uid: true });
        },

        async waitForChange(timeoutMs, signal) {
          if (closed || signal.aborted || changed) {
            changed = false;
            return;
          }
          await new Promise<void>((resolve) => {
            let done = false;
            const finish = () => {
              if (done) return;
              done = true;
              changed = false;
              clearTimeout(timer);
              signal.removeEventListener('abort', finish);
              changeWaiters.delete(finish);
              resolve();
            };
            const timer = setTimeout(finish, Math.min(timeoutMs, idleSupported ? opts.idleRestartMs : timeoutMs));
            signal.addEventListener('abort', finish, { once: true });
            changeWaiters.add(finish);
            // IDLE ends by itself when the next command is sent; errors surface through 'close'.
            if (idleSupported) client.idle().catch(() => undefined);
          });
        },

        async close() {
          if (closed) return;
          closed = true;
          await client.logout().catch(() => client.close());
        },
      };
    },
  };
}
