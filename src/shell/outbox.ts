// Sends queued replies: marks each row "sending" before the SMTP transaction and "sent" after, so a
// crash in between parks the row as uncertain instead of sending it twice. 4xx/network failures are
// retried with capped, jittered backoff; 5xx or too many attempts mark the reply failed on its case.
// A rejected SMTP login (535) is nobody's reply's fault: sending pauses (slowly retried), no attempt counts.

import type { CaseStore, Clock, MailSender, Metrics } from '../ports.js';
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
  for (;;) {
    const due = await deps.store.dueOutbox(deps.clock.now(), batch);
    for (const entry of due) {
      if (shouldStop()) return result;
      const log = deps.log.child({ outbox: entry.id, caseId: entry.caseId, kind: entry.kind });
      if (!(await deps.store.markSending(entry.id, deps.clock.now()))) continue; // taken by another process
      try {
        await deps.sender.send(entry.mail, entry.envelopeFrom);
      } catch (err) {
        if (isSportelloError(err, 'SMTP_AUTH')) {
          pause.failures++;
          pause.error = describeError(err);
          pause.until = new Date(deps.clock.now().getTime() + backoffMs(pause.failures, AUTH_RETRY, deps.random));
          await deps.store.unclaim(entry.id, pause.error, deps.clock.now());
          const obj = { err: pause.error, retryAt: pause.until.toISOString(), failures: pause.failures };
          if (pause.failures === 1) deps.log.error(obj, 'SMTP login rejected: sending paused until smtp.user/smtp.password are fixed; replies stay queued');
          else deps.log.debug(obj, 'SMTP login still rejected');
          return { ...result, paused: pause.error };
        }
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
        continue;
      }
      if (pause.failures > 0) deps.log.info({ after: pause.failures }, 'SMTP login accepted again; sending resumed');
      pause.failures = 0;
      pause.until = null;
      pause.error = null;
      await deps.store.markSent(entry.id, deps.clock.now());
      deps.metrics?.reply(entry.kind, 'sent');
      log.info({ to: entry.mail.to.map((a) => a.address), subject: entry.mail.subject }, 'reply sent');
      result.sent++;
    }
    if (due.length < batch) return result;
  }
}
