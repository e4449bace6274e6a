// Recomputes a case's SLA when something about it changes: a new category or priority (which may pick
// another policy), or a status change that pauses the clock (waiting on the requester) or resumes it.
// Pure: returns the new fields, the events and whether the promised time moved; the shell commits them.

import type { CaseEvent, CaseRecord, CaseStatus } from '../domain/case.js';
import type { Priority, RoutingDecision } from '../domain/routing.js';
import type { CaseUpdate } from '../ports.js';
import { SportelloError } from '../errors.js';
import { dueAt } from '../sla/index.js';
import type { DeskRules } from '../rules/index.js';
import { slaPolicyFor } from '../rules/sla-policy.js';

export interface CaseChanges {
  readonly category?: string;
  readonly priority?: Priority;
  readonly status?: CaseStatus;
  /** An agent (address, local part or name) or "none"/null; applied by the shell (assignCase), not rescheduled. */
  readonly assignee?: string | null;
}

export type CasePatch = CaseUpdate;

export interface Rescheduled {
  readonly patch: CasePatch;
  readonly events: readonly CaseEvent[];
  /** Set when the promised resolution time changed because category or priority changed. */
  readonly dueMoved: { readonly from: string | null; readonly to: string | null } | null;
}

// The clock runs while someone on the desk owes work; it stops while we wait on the requester.
const PAUSED: readonly CaseStatus[] = ['waiting', 'resolved', 'closed'];

export function reschedule(desk: DeskRules | undefined, kase: CaseRecord, changes: CaseChanges, now: Date, actor: string): Rescheduled {
  if (changes.category !== undefined && desk && !desk.categories.some((c) => c.id === changes.category)) {
    throw new SportelloError('USAGE', `desk ${kase.desk} has no category "${changes.category}"`, {
      hint: `use one of ${desk.categories.map((c) => c.id).join(', ')}`,
    });
  }
  const category = changes.category ?? kase.category;
  const priority = changes.priority ?? kase.priority;
  const status = changes.status ?? kase.status;
  const previous = (kase.routing ?? {}) as Partial<RoutingDecision>;
  const routing = { ...previous, category: category ?? 'triage', priority: priority as Priority, slaPolicy: previous.slaPolicy ?? null };

  let clock = kase.slaClock;
  const pauseNow = PAUSED.includes(status) && !PAUSED.includes(kase.status);
  const resumeNow = !PAUSED.includes(status) && PAUSED.includes(kase.status);
  if (clock && pauseNow) clock = { ...clock, pauses: [...clock.pauses, { from: now.toISOString(), to: null }] };
  if (clock && resumeNow) {
    clock = { ...clock, pauses: clock.pauses.map((p, i) => (i === clock!.pauses.length - 1 && p.to === null ? { ...p, to: now.toISOString() } : p)) };
  }

  const policy = desk ? slaPolicyFor(desk, routing) : null;
  if (clock && policy) clock = { ...clock, firstResponseMinutes: policy.firstResponseMinutes, resolutionMinutes: policy.resolutionMinutes };
  const cal = desk?.calendar;
  // A finished case keeps the due time that was in force when it finished (its open pause counted up to
  // now), so "resolved on time?" can still be answered; a waiting case has none until the clock runs.
  const finished = status === 'resolved' || status === 'closed';
  const due = (minutes: number | undefined, current: string | null) =>
    cal && clock && minutes !== undefined
      ? dueAt(cal, {
          start: new Date(clock.start),
          targetMinutes: minutes,
          pauses: clock.pauses.map((p) => ({ from: new Date(p.from), to: p.to ? new Date(p.to) : finished ? now : null })),
        })?.toISOString() ?? null
      : current;
  const newDue = clock ? due(clock.resolutionMinutes, kase.dueAt) : kase.dueAt;
  const newFirst = clock ? due(clock.firstResponseMinutes, kase.firstResponseDueAt) : kase.firstResponseDueAt;

  const events: CaseEvent[] = [];
  const changed = Object.fromEntries(
    (['category', 'priority', 'status'] as const)
      .filter((k) => changes[k] !== undefined && changes[k] !== kase[k])
      .map((k) => [k, { from: kase[k], to: changes[k] }]),
  );
  if (Object.keys(changed).length) events.push({ type: 'updated', actor, data: changed });
  // Only a case with an SLA clock has anything to pause or resume.
  if (clock && pauseNow) events.push({ type: 'sla-paused', actor: 'sportello', data: { status } });
  if (clock && resumeNow) events.push({ type: 'sla-resumed', actor: 'sportello', data: { status, dueAt: newDue } });
  const rerouted = changed.category !== undefined || changed.priority !== undefined;
  const moved = newDue !== kase.dueAt;
  if (moved) events.push({ type: 'due-changed', actor: 'sportello', data: { from: kase.dueAt, to: newDue, policy: policy?.name ?? kase.slaPolicy } });

  return {
    patch: { category, priority, status, slaPolicy: policy?.name ?? kase.slaPolicy, dueAt: newDue, firstResponseDueAt: newFirst, slaClock: clock, routing },
    events,
    dueMoved: rerouted && moved && newDue !== null ? { from: kase.dueAt, to: newDue } : null,
  };
}
