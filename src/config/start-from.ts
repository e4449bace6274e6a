// What `desks[].startFrom` means: `now` (the default: touch nothing that is already in the mailbox),
// `all` (take every mail), or an ISO date or date-time (take mail the server received on or after it).
// A bare date is midnight in the configured time zone. Never guesses: anything else is a config error.

import { DateTime } from 'luxon';

export type StartFrom = { readonly kind: 'now' } | { readonly kind: 'all' } | { readonly kind: 'date'; readonly at: Date };

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Why `value` is not a valid startFrom, or null when it is. */
export function startFromProblem(value: string): string | null {
  if (value === 'now' || value === 'all') return null;
  if (!DATE_ONLY.test(value) && !DATE_TIME.test(value)) {
    return `startFrom "${value}" is not now, all or an ISO date such as 2026-01-15 (or 2026-01-15T08:00:00+01:00)`;
  }
  const parsed = DateTime.fromISO(value, { zone: 'UTC' });
  if (!parsed.isValid) return `startFrom "${value}" is not a real date (${parsed.invalidExplanation ?? parsed.invalidReason})`;
  return null;
}

/** The meaning of a validated startFrom; a bare date is midnight in `timezone`. */
export function parseStartFrom(value: string, timezone: string): StartFrom {
  if (value === 'now') return { kind: 'now' };
  if (value === 'all') return { kind: 'all' };
  const at = DateTime.fromISO(value, { zone: DATE_ONLY.test(value) ? timezone : 'UTC', setZone: false });
  if (!at.isValid) throw new Error(`startFrom "${value}" passed validation but does not parse (a bug)`);
  return { kind: 'date', at: at.toJSDate() };
}
