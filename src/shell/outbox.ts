// Sends queued replies: marks each row "sending" before the SMTP transaction and "sent" after, so a
// crash in between parks the row as uncertain instead of sending it twice. 4xx/network failures are
// retried with capped, jittered backoff; 5xx or too many attempts mark the reply failed on its case.

import type { CaseStore, Clock, MailSender } from '../ports.js';
import type { Logger } from '../log.js';
import { SportelloError, describeError } from '../errors.js';
import { backoffMs, type BackoffPolicy } from './backoff.js';

export interface OutboxDeps {
  readonly store: CaseStore;
  readonly sender: MailSender;
  readonly clock: Clock;
  readonly log: Logger;
  readonly policy: BackoffPolicy & { readonly maxAttempts: number };
  readonly random: () => number;
}

export interface DrainResult {
  readonly sent: number;
  readonly retrying: number;
  readonly failed: number;
}

export async function drainOutbox(deps: OutboxDeps, shouldStop: () => boolean = () => false, batch = 50): Promise<DrainResult> {
  const result = { sent: 0, retrying: 0, failed: 0 };
  for (;;) {
    const due = await deps.store.dueOutbox(deps.clock.now(), batch);
    for (const entry of due) {
      if (shouldStop()) return result;
      const log = deps.log.child({ outbox: entry.id, caseId: entry.caseId, kind: entry.kind });
      if (!(await deps.store.markSending(entry.id, deps.clock.now()))) continue; // taken by another process
      try {
        await deps.sender.send(entry.mail, entry.envelopeFrom);
      } catch (err) {
        const attempts = entry.attempts + 1;
        const permanent = err instanceof SportelloError && err.code === 'SMTP_PERMANENT';
        if (permanent || attempts >= deps.policy.maxAttempts) {
          await deps.store.markFailed(entry.id, describeError(err), deps.clock.now());
          log.error({ attempts, err: describeError(err) }, 'reply failed for good');
          result.failed++;
        } else {
          const next = new Date(deps.clock.now().getTime() + backoffMs(attempts, deps.policy, deps.random));
          await deps.store.markRetry(entry.id, describeError(err), next);
          log.warn({ attempts, retryAt: next.toISOString(), err: describeError(err) }, 'reply not sent; will retry');
          result.retrying++;
        }
        continue;
      }
      await deps.store.markSent(entry.id, deps.clock.now());
      log.info({ to: entry.mail.to.map((a) => a.address), subject: entry.mail.subject }, 'reply sent');
      result.sent++;
    }
    if (due.length < batch) return result;
  }
}
