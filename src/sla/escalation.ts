// Decides when a case's escalation mails are due: each configured threshold (a fraction of the SLA
// target, 0.75 = "75 % used") fires once per case, at the instant sla-clock's thresholdAt gives.
// Pure: "now" and the already-notified names come in; must never escalate a paused, waiting,
// resolved or closed case, and never return a threshold the store already recorded as sent.
import * as z from 'zod';

import type { CaseStatus } from '../domain/case.js';
import type { Language } from '../domain/routing.js';
import { SportelloError } from '../errors.js';
import { stripReplyPrefixes } from '../mail/subject.js';
import { toMillis, type Instant } from './business-time.js';
import type { BusinessCalendar } from './calendar.js';
import { formatDue, formatDuration } from './format.js';
import { dueAt, elapsedBusinessMinutes, thresholdAt, type SlaClock } from './sla-clock.js';

export interface EscalationThreshold {
  /** Stable id, stored per case once mailed ("warning", "breach"); renaming one re-arms it. */
  readonly name: string;
  /** Share of the target: 0.75 fires when three quarters of the business time are used, 1 at breach. */
  readonly fraction: number;
}

export const DEFAULT_THRESHOLDS: readonly EscalationThreshold[] = Object.freeze([
  Object.freeze({ name: 'warning', fraction: 0.75 }),
  Object.freeze({ name: 'breach', fraction: 1 }),
]);

/** For the rules schema: `escalation: { thresholds: [...] }`; names unique, fractions in (0, 10]. */
export const escalationThresholdsSchema = z
  .array(
    z.strictObject({
      name: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'threshold names are lower-case letters, digits, "-" and "_"'),
      fraction: z.number().positive().max(10).describe('Share of the SLA target: 0.75 = 75 % used, 1 = breached.'),
    }),
  )
  .min(1)
  .refine((list) => new Set(list.map((t) => t.name)).size === list.length, 'threshold names must be unique')
  .default(DEFAULT_THRESHOLDS.map((t) => ({ ...t })));

export interface EscalationState {
  readonly calendar: BusinessCalendar;
  readonly clock: SlaClock;
  readonly status: CaseStatus;
  readonly thresholds: readonly EscalationThreshold[];
  /** Names of the thresholds already mailed for this case, as recorded by the store. */
  readonly notified: ReadonlySet<string> | readonly string[];
}

export interface DueEscalation {
  readonly threshold: EscalationThreshold;
  /** When the threshold was reached (not when we noticed). */
  readonly at: Date;
}

/**
 * Thresholds reached at or before `now` and not yet notified, earliest first (equal instants by
 * fraction, then name). A daemon that was down past both the warning and the breach gets both.
 * @example dueEscalations({ calendar, clock, status: 'open', thresholds: DEFAULT_THRESHOLDS, notified: ['warning'] }, now)
 */
export function dueEscalations(state: EscalationState, now: Instant): DueEscalation[] {
  const nowMs = toMillis(now, 'now');
  if (pausedUntil(state, nowMs) !== undefined) return [];
  return pending(state).filter((e) => e.at.getTime() <= nowMs);
}

/**
 * The next instant after `now` at which dueEscalations would return something new, for the scheduler
 * to sleep until; null when nothing can fire until the case changes (all sent, resolved, waiting,
 * paused without end). Thresholds already due at `now` are dueEscalations' business, not this one's,
 * except during a pause with a known end, when they come due at that end.
 */
export function nextEscalationAt(state: EscalationState, now: Instant): Date | null {
  const nowMs = toMillis(now, 'now');
  const pause = pausedUntil(state, nowMs);
  if (pause === null) return null;
  let next = Infinity;
  for (const { at } of pending(state)) {
    const ms = at.getTime();
    if (ms > nowMs) next = Math.min(next, ms);
    else if (pause !== undefined) next = Math.min(next, pause);
  }
  return next === Infinity ? null : new Date(next);
}

/**
 * undefined: the clock runs at `now`. null: stopped with no known end (waiting status, open pause,
 * or the case is finished). A number: paused until that instant.
 */
function pausedUntil(state: EscalationState, nowMs: number): number | null | undefined {
  if (state.status === 'resolved' || state.status === 'closed' || state.status === 'waiting') return null;
  let until: number | undefined;
  for (const [i, p] of (state.clock.pauses ?? []).entries()) {
    const from = toMillis(p.from, `pauses[${i}].from`);
    if (from > nowMs) continue;
    if (p.to === null) return null;
    const to = toMillis(p.to, `pauses[${i}].to`);
    if (to > nowMs) until = Math.max(until ?? to, to);
  }
  return until;
}

function pending(state: EscalationState): DueEscalation[] {
  checkThresholds(state.thresholds);
  const notified = new Set(state.notified);
  const out: DueEscalation[] = [];
  for (const threshold of state.thresholds) {
    if (notified.has(threshold.name)) continue;
    const at = thresholdAt(state.calendar, state.clock, threshold.fraction);
    if (at) out.push({ threshold, at });
  }
  return out.sort(
    (a, b) =>
      a.at.getTime() - b.at.getTime() ||
      a.threshold.fraction - b.threshold.fraction ||
      (a.threshold.name < b.threshold.name ? -1 : a.threshold.name > b.threshold.name ? 1 : 0),
  );
}

function checkThresholds(thresholds: readonly EscalationThreshold[]): void {
  const names = new Set<string>();
  for (const t of thresholds) {
    if (t.name === '' || names.has(t.name) || !Number.isFinite(t.fraction) || t.fraction <= 0) {
      throw new SportelloError('SLA_INVALID_ARGUMENT', `escalation threshold "${t.name}" (${t.fraction}) is invalid or repeated`, {
        context: { name: t.name, fraction: t.fraction },
        hint: 'threshold names must be unique and fractions greater than 0',
      });
    }
    names.add(t.name);
  }
}

export interface EscalationCase {
  readonly id: string;
  readonly subject: string;
  readonly desk: string;
  readonly category: string | null;
  readonly priority: string;
  readonly requester: { readonly name: string; readonly address: string } | null;
}

export interface EscalationVarsInput {
  readonly case: EscalationCase;
  readonly calendar: BusinessCalendar;
  readonly clock: SlaClock;
  readonly threshold: EscalationThreshold;
  /** The escalation address's language, usually the desk's default. */
  readonly language: Language;
  readonly now: Instant;
}

const LOCALE: Record<Language, string> = { es: 'es-ES', it: 'it-IT', en: 'en-GB' };

/**
 * Variables for templates/<lang>/escalation.{text,html}.liquid: `subject`, `case.*`, `threshold.*`
 * and `sla.*`. Waited time is business time on the case's calendar, pauses excluded.
 */
export function escalationVars(input: EscalationVarsInput): Record<string, unknown> {
  const { calendar, clock, threshold, language } = input;
  const waitedMinutes = elapsedBusinessMinutes(calendar, clock, input.now);
  const due = dueAt(calendar, clock);
  const overdueMinutes = waitedMinutes - clock.targetMinutes;
  const percent = new Intl.NumberFormat(LOCALE[language], { style: 'percent', maximumFractionDigits: 0 });
  const breached = threshold.fraction >= 1;
  const subject = stripReplyPrefixes(input.case.subject);
  return {
    subject: `[${input.case.id}] ${subjectLabel(language, breached, percent.format(threshold.fraction))}: ${subject}`,
    case: {
      id: input.case.id,
      subject,
      desk: input.case.desk,
      category: input.case.category,
      priority: input.case.priority,
      requesterName: input.case.requester?.name ?? '',
      requesterAddress: input.case.requester?.address ?? '',
    },
    threshold: { name: threshold.name, percent: percent.format(threshold.fraction), breached },
    sla: {
      target: formatDuration(clock.targetMinutes, language),
      waited: formatDuration(waitedMinutes, language),
      used: percent.format(clock.targetMinutes > 0 ? waitedMinutes / clock.targetMinutes : 1),
      dueText: due ? formatDue(due, { language, timezone: calendar.timezone, now: input.now }) : null,
      overdue: overdueMinutes >= 1 ? formatDuration(overdueMinutes, language) : null,
    },
  };
}

function subjectLabel(language: Language, breached: boolean, percent: string): string {
  switch (language) {
    case 'es':
      return breached ? 'SLA incumplido' : `Aviso de SLA, ${percent} consumido`;
    case 'it':
      return breached ? 'SLA superato' : `Avviso SLA, ${percent} utilizzato`;
    case 'en':
      return breached ? 'SLA breached' : `SLA warning, ${percent} used`;
  }
}

/**
 * Splits due thresholds of an imported case: those reached before the desk's first start are recorded
 * without a mail (nobody was watching then; a burst of stale breaches helps nobody), the rest escalate.
 */
export function splitAtFirstStart(dues: readonly DueEscalation[], firstStart: string | null | undefined): { readonly silent: DueEscalation[]; readonly live: DueEscalation[] } {
  const start = firstStart ? new Date(firstStart).getTime() : -Infinity;
  return { silent: dues.filter((d) => d.at.getTime() < start), live: dues.filter((d) => d.at.getTime() >= start) };
}
