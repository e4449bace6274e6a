// Sends queued replies a few at once, keeping the SMTP pool busy: claims rows "sending" (one commit) just
// before their SMTP transactions and "sent" after, so a crash in between parks those rows as uncertain,
// never sends them twice. 4xx/network failures retry with jittered backoff; 5xx or too many attempts fail
// the reply; a refused login (535) pauses.

import type { CaseStore, Clock, MailSender, Metrics, OutboxEntry } from '../ports.js';
import type { Logger } from '../log.js';
import { SportelloError, describeError, isSportelloError } from '../errors.js';
import { AUTH_RETRY, backoffMs, type BackoffPolicy } from './backoff.js';

/** Sending paused after the SMTP server rejected our login; owned by the caller, updated by drainOutbox. */
export interface SmtpAuthPause {
  until: Date | null;
  failures: number;
  error: string | null;
}

export const smtpAuthPause = (): SmtpAuthPause => ({ until: null, failures: 0, error: null });

export interface OutboxDeps {
  readonly store: CaseStore;
  readonly sender: MailSender;
  readonly clock: Clock;
  readonly log: Logger;
  readonly policy: BackoffPolicy & { readonly maxAttempts: number };
  readonly random: () => number;
  /** Shared across drains so a rejected login pauses every later drain too. */
  readonly authPause?: SmtpAuthPause;
  readonly metrics?: Pick<Metrics, 'reply'>;
  /** Replies sent at once (the SMTP pool's connections); 1 sends one after another. */
  readonly concurrency?: number;
}

export interface DrainResult {
  readonly sent: number;
  readonly retrying: number;
  readonly failed: number;
  /** Set when sending is paused because the SMTP server rejects our login. */
  readonly paused?: string;
  /** Replies handed to the sender that never answered (SMTP_UNCERTAIN): left claimed, to be parked as uncertain. */
  readonly uncertain?: number;
}

export async function drainOutbox(deps: OutboxDeps, shouldStop: () => boolean = () => false, batch = 50): Promise<DrainResult> {
  const result: { sent: number; retrying: number; failed: number; paused?: string } = { sent: 0, retrying: 0, failed: 0 };
  const pause = deps.authPause ?? smtpAuthPause();
  if (pause.until && deps.clock.now() < pause.until) return { ...result, paused: pause.error ?? 'SMTP_AUTH' };
  const window = sendWindow(deps, pause, result, Math.max(1, deps.concurrency ?? 1));
  try {
    for (;;) {
      const due = await deps.store.dueOutbox(deps.clock.now(), batch);
      if (!(await window.send(due, shouldStop))) break;
      if (due.length < batch) break;
    }
  } finally {
    // Whatever happens, the sends under way are waited for and recorded: none is left "sending" needlessly.
    await window.finish();
  }
  const done = window.uncertain ? { ...result, uncertain: window.uncertain } : result;
  return window.refused ? { ...done, paused: pause.error ?? 'SMTP_AUTH' } : done;
}

interface Outcome {
  readonly entry: OutboxEntry;
  readonly err: unknown;
}

/**
 * Keeps the SMTP pool busy across the drain's batches: up to twice `width` sends are under way (the pool
 * sends `width` at once and queues the rest), and whenever `width` slots are free the finished sends are
 * marked sent (one commit) and the next `width` rows claimed (one commit), so no send waits for the slowest
 * of a group and commits stay few. A crash parks at most the rows under way as uncertain. The first reply
 * goes alone, so a refused login costs one claim; two rows for the same case and recipient are never under
 * way together, so one person's mails about a case arrive in queue order.
 */
function sendWindow(deps: OutboxDeps, pause: SmtpAuthPause, result: { sent: number; retrying: number; failed: number }, width: number) {
  const underway = new Map<number, { key: string; done: Promise<void> }>();
  const settled: Outcome[] = [];
  let proven = false;
  const state = { refused: null as unknown, uncertain: 0 };

  const start = (entry: OutboxEntry) => {
    const ended = (err: unknown) => {
      underway.delete(entry.id);
      settled.push({ entry, err });
    };
    const done = deps.sender.send(entry.mail, entry.envelopeFrom).then(() => ended(null), ended);
    underway.set(entry.id, { key: orderKey(entry), done });
  };
  const anyDone = () => Promise.race([...underway.values()].map((u) => u.done));

  /** Records what has finished since the last look: one commit for the sent, each failure on its own. */
  const record = async () => {
    const outcomes = settled.splice(0);
    const sent = outcomes.filter((o) => o.err === null).map((o) => o.entry);
    if (sent.length) {
      await deps.store.markSent(sent.map((e) => e.id), deps.clock.now());
      if (pause.failures > 0) deps.log.info({ after: pause.failures }, 'SMTP login accepted again; sending resumed');
      pause.failures = 0;
      pause.until = null;
      pause.error = null;
      proven = true;
      for (const entry of sent) {
        deps.metrics?.reply(entry.kind, 'sent');
        deps.log.info({ outbox: entry.id, caseId: entry.caseId, kind: entry.kind, to: entry.mail.to.map((a) => a.address), subject: entry.mail.subject }, 'reply sent');
        result.sent++;
      }
    }
    for (const { entry, err } of outcomes) {
      if (err === null) continue;
      if (isSportelloError(err, 'SMTP_UNCERTAIN')) {
        // Handed over, no answer: it may have gone. Left claimed, so it is never sent again by itself; the
        // caller parks it as uncertain once nothing is under way (a fleet, once the claim expires).
        state.uncertain++;
        deps.log.error({ outbox: entry.id, caseId: entry.caseId, kind: entry.kind, err: describeError(err) }, 'reply may or may not have gone out; set aside as uncertain, not resent');
        continue;
      }
      if (isSportelloError(err, 'SMTP_AUTH')) {
        // Our login, not this reply: back to the queue without counting the attempt.
        if (!state.refused) state.refused = err;
        await deps.store.unclaim(entry.id, describeError(err), deps.clock.now());
        continue;
      }
      await recordFailure(deps, entry, err, result);
    }
    if (state.refused && outcomes.some((o) => o.err === state.refused)) {
      pause.failures++;
      pause.error = describeError(state.refused);
      pause.until = new Date(deps.clock.now().getTime() + backoffMs(pause.failures, AUTH_RETRY, deps.random));
      const obj = { err: pause.error, retryAt: pause.until.toISOString(), failures: pause.failures };
      if (pause.failures === 1) deps.log.error(obj, 'SMTP login rejected: sending paused until smtp.user/smtp.password are fixed; replies stay queued');
      else deps.log.debug(obj, 'SMTP login still rejected');
    }
  };

  return {
    get refused() {
      return state.refused !== null;
    },
    get uncertain() {
      return state.uncertain;
    },
    /** Sends a batch of due rows (the window stays open for the next); false when stopping or paused. */
    async send(due: readonly OutboxEntry[], shouldStop: () => boolean): Promise<boolean> {
      for (let i = 0; i < due.length; ) {
        const free = (proven ? 2 * width : 1) - underway.size;
        // Claims go in groups: wait until a pool's worth of slots is free (or nothing is under way).
        if (underway.size && free < Math.min(width, due.length - i)) {
          await anyDone();
          continue;
        }
        await record();
        if (state.refused) return false;
        if (shouldStop()) return false;
        const group = nextGroup(due, i, (proven ? 2 * width : 1) - underway.size, new Set([...underway.values()].map((u) => u.key)));
        if (!group.length) {
          await anyDone(); // the earlier mail to the same person is still under way
          continue;
        }
        i += group.length;
        // Claimed together (one commit) just before their sends: a crash now parks at most the rows under way as uncertain.
        const ids = new Set(await deps.store.markSending(group.map((e) => e.id), deps.clock.now()));
        for (const entry of group) if (ids.has(entry.id)) start(entry); // the others were taken by another process
      }
      return true;
    },
    async finish(): Promise<void> {
      await Promise.all([...underway.values()].map((u) => u.done));
      await record();
    },
  };
}

/** One person's mails about one case keep their queue order: rows with the same key never go together. */
function orderKey(entry: OutboxEntry): string {
  return `${entry.caseId ?? `#${entry.id}`}\u0000${entry.mail.to.map((a) => a.address.toLowerCase()).join(',')}`;
}

/**
 * The next rows to claim, in queue order, at most `width`; the group ends before a row whose key is
 * already under way or already in the group.
 */
function nextGroup(due: readonly OutboxEntry[], from: number, width: number, busy: ReadonlySet<string>): OutboxEntry[] {
  const group: OutboxEntry[] = [];
  const keys = new Set(busy);
  for (const entry of due.slice(from, from + width)) {
    const key = orderKey(entry);
    if (keys.has(key)) break;
    keys.add(key);
    group.push(entry);
  }
  return group;
}

/** A send that failed for this reply: retried with backoff, or failed for good (5xx, too many attempts). */
async function recordFailure(deps: OutboxDeps, entry: OutboxEntry, err: unknown, result: { retrying: number; failed: number }): Promise<void> {
  const log = deps.log.child({ outbox: entry.id, caseId: entry.caseId, kind: entry.kind });
  const attempts = entry.attempts + 1;
  const permanent = err instanceof SportelloError && err.code === 'SMTP_PERMANENT';
  if (permanent || attempts >= deps.policy.maxAttempts) {
    await deps.store.markFailed(entry.id, describeError(err), deps.clock.now());
    log.error({ attempts, err: describeError(err) }, 'reply failed for good');
    deps.metrics?.reply(entry.kind, 'failed');
    result.failed++;
  } else {
    const next = new Date(deps.clock.now().getTime() + backoffMs(attempts, deps.policy, deps.random));
    await deps.store.markRetry(entry.id, describeError(err), next);
    log.warn({ attempts, retryAt: next.toISOString(), err: describeError(err) }, 'reply not sent; will retry');
    deps.metrics?.reply(entry.kind, 'retry');
    result.retrying++;
  }
}
