// Sends queued replies a few at once: claims each group "sending" (one commit) before its SMTP transactions
// and "sent" after, so a crash in between parks those rows as uncertain, never sends them twice. 4xx/network
// failures retry with jittered backoff; 5xx or too many attempts fail the reply; a refused login (535) pauses.

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
}

export async function drainOutbox(deps: OutboxDeps, shouldStop: () => boolean = () => false, batch = 50): Promise<DrainResult> {
  const result: { sent: number; retrying: number; failed: number; paused?: string } = { sent: 0, retrying: 0, failed: 0 };
  const pause = deps.authPause ?? smtpAuthPause();
  if (pause.until && deps.clock.now() < pause.until) return { ...result, paused: pause.error ?? 'SMTP_AUTH' };
  const width = Math.max(1, deps.concurrency ?? 1);
  // The first reply of a drain goes alone: a refused login then costs one claim, not a group's.
  let proven = false;
  for (;;) {
    const due = await deps.store.dueOutbox(deps.clock.now(), batch);
    for (let i = 0; i < due.length; ) {
      if (shouldStop()) return result;
      const group = due.slice(i, i + (proven ? width : 1));
      i += group.length;
      // Claimed together (one commit) just before their sends: a crash now parks at most this group as uncertain.
      const ids = new Set(await deps.store.markSending(group.map((e) => e.id), deps.clock.now()));
      const claimed = group.filter((e) => ids.has(e.id)); // the others were taken by another process
      const outcomes = await Promise.all(claimed.map((e) => deps.sender.send(e.mail, e.envelopeFrom).then(() => null, (err: unknown) => err)));
      const sent = claimed.filter((_, k) => outcomes[k] === null);
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
      let refused: unknown = null;
      for (const [k, entry] of claimed.entries()) {
        const err = outcomes[k];
        if (err === null) continue;
        if (isSportelloError(err, 'SMTP_AUTH')) {
          // Our login, not this reply: back to the queue without counting the attempt.
          refused = err;
          await deps.store.unclaim(entry.id, describeError(err), deps.clock.now());
          continue;
        }
        await recordFailure(deps, entry, err, result);
      }
      if (refused) {
        pause.failures++;
        pause.error = describeError(refused);
        pause.until = new Date(deps.clock.now().getTime() + backoffMs(pause.failures, AUTH_RETRY, deps.random));
        const obj = { err: pause.error, retryAt: pause.until.toISOString(), failures: pause.failures };
        if (pause.failures === 1) deps.log.error(obj, 'SMTP login rejected: sending paused until smtp.user/smtp.password are fixed; replies stay queued');
        else deps.log.debug(obj, 'SMTP login still rejected');
        return { ...result, paused: pause.error };
      }
    }
    if (due.length < batch) return result;
  }
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
