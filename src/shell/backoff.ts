// Retry delays as a pure function of the attempt number: exponential, capped, with jitter so that
// many queued replies do not hit a recovering server at the same instant. The random source is injected.

export interface BackoffPolicy {
  readonly baseMs: number;
  readonly maxMs: number;
}

/** Delay before attempt `attempt + 1` (attempt counts from 1): between half and all of min(max, base·2^(n−1)). */
export function backoffMs(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const n = Math.max(1, Math.floor(attempt));
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(n - 1, 30));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

/** Rejected credentials (IMAP login, SMTP 535) stay wrong until someone edits the config: retry slowly, at most every 15 min. */
export const AUTH_RETRY: BackoffPolicy = { baseMs: 60_000, maxMs: 15 * 60_000 };
