// What bench/ingest.ts feeds Sportello: English ticket mails built from the it-service-tickets corpus
// (one RFC 5322 text/plain mail per ticket, from the stack's requester users), their follow-ups
// (In-Reply-To the first mail), and older cases seeded straight through the store API. Writes no corpus.

import type { CaseStore } from '../../src/ports.js';
import type { RoutingDecision } from '../../src/domain/routing.js';
import { readTickets } from './corpus.js';

/** Stack users that play requesters (auto-replies land in their INBOX; agents are bob and maria). */
export const REQUESTERS = ['alice', 'carlo', 'dora', 'enzo', 'fiona', 'gael', 'hana', 'ivo'] as const;

export interface BenchMail {
  readonly messageId: string;
  readonly from: string;
  readonly subject: string;
  readonly raw: Buffer;
}

const fold = (s: string) => s.replace(/[\r\n]+/g, ' ').trim();

function rfc5322(h: { from: string; to: string; subject: string; messageId: string; inReplyTo?: string; date: Date }, body: string): Buffer {
  const lines = [
    `From: ${h.from}`,
    `To: ${h.to}`,
    `Subject: ${fold(h.subject)}`,
    `Date: ${h.date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${h.messageId}>`,
    ...(h.inReplyTo ? [`In-Reply-To: <${h.inReplyTo}>`, `References: <${h.inReplyTo}>`] : []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    // Wrapped at 76 columns (RFC 5322 §2.1.1 recommends 78).
    ...(body.match(/.{1,76}(\s|$)|\S+/g) ?? [body]).map((l) => l.trimEnd()),
    '',
  ];
  return Buffer.from(lines.join('\r\n'));
}

/** `n` new ticket mails (tickets `offset`…), unique per run through `tag`. */
export function ticketMails(n: number, tag: string, offset = 0): BenchMail[] {
  const tickets = readTickets();
  const out: BenchMail[] = [];
  for (let i = 0; i < n; i++) {
    const t = tickets[(offset + i) % tickets.length]!;
    const from = `${REQUESTERS[i % REQUESTERS.length]}@example.test`;
    const words = t.text.split(/\s+/).filter(Boolean);
    const subject = words.slice(0, 7).join(' ') || 'help';
    const messageId = `bench-${tag}-${i}@example.test`;
    out.push({ messageId, from, subject, raw: rfc5322({ from, to: 'it@example.test', subject, messageId, date: new Date() }, `Hello,\n\n${t.text}\n\nThanks`) });
  }
  return out;
}

/** One follow-up per original mail: same sender, "Re:" subject, In-Reply-To the original. */
export function followUps(originals: readonly BenchMail[], tag: string): BenchMail[] {
  const tickets = readTickets();
  return originals.map((o, i) => {
    const messageId = `bench-${tag}-re-${i}@example.test`;
    const text = tickets[(i * 7 + 3) % tickets.length]!.text;
    return { messageId, from: o.from, subject: `Re: ${o.subject}`, raw: rfc5322({ from: o.from, to: 'it@example.test', subject: `Re: ${o.subject}`, messageId, inReplyTo: o.messageId, date: new Date() }, `Any news on this?\n\n${text}`) };
  });
}

/**
 * `count` older cases written through the store API (no IMAP, no pipeline), 1,000 per transaction:
 * opened 60 days ago, each with its first message; 95 % closed, the rest open (a desk's usual mix).
 */
export async function seedCases(store: CaseStore, count: number, onProgress?: (done: number) => void): Promise<void> {
  const tickets = readTickets();
  const opened = new Date(Date.now() - 60 * 86_400_000);
  const routing: RoutingDecision = {
    category: 'hardware', priority: 'normal', language: 'en', confidence: null,
    explanation: { kind: 'default', reason: 'seeded by bench/ingest.ts' },
    matchedRules: [], assignee: null, tags: [], slaPolicy: null, template: null, suppressAutoReply: false, quarantine: null, notify: [],
  };
  for (let done = 0; done < count; ) {
    const n = Math.min(1000, count - done);
    await store.transaction(async (tx) => {
      for (let i = 0; i < n; i++) {
        const k = done + i;
        const t = tickets[k % tickets.length]!;
        const requester = { name: '', address: `${REQUESTERS[k % REQUESTERS.length]}@example.test` };
        const subject = t.text.split(/\s+/).slice(0, 7).join(' ');
        const kase = await tx.createCase({ desk: 'IT', prefix: 'IT', subject, requester, routing, sla: null }, opened);
        const mail = { from: requester, to: [{ name: '', address: 'it@example.test' }], cc: [], subject, date: opened.toISOString(), text: t.text, inReplyTo: [], references: [] };
        await tx.addMessage({ caseId: kase.id, desk: 'IT', direction: 'in', kind: 'requester', messageId: `seed-${k}@example.test`, mail, raw: null }, opened);
        if (k % 20 !== 0) {
          await tx.setCaseFields(kase.id, { resolvedAt: opened.toISOString(), closedAt: opened.toISOString() }, opened);
          await tx.setStatus(kase.id, 'closed', opened);
        }
      }
    });
    done += n;
    onProgress?.(done);
  }
}
