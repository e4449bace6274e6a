// Mails the desk's escalation address when a case's SLA clock reaches a threshold (e.g. 75 % used,
// breached): one mail per threshold per case, claimed in the same transaction that queues it, so a
// restart never sends it twice. Paused (waiting) and finished cases never escalate; thresholds an imported
// case reached before the desk's first start are recorded without a mail.

import type { CaseStore, Clock, Metrics } from '../ports.js';
import { runtimeOf, type DeskRuntime } from './desk-runtime.js';
import { deskRef } from '../domain/desk.js';
import type { Logger } from '../log.js';
import { dueEscalations, escalationVars, nextEscalationAt, splitAtFirstStart, type EscalationState } from '../sla/escalation.js';
import type { ComposeDeps } from './compose.js';
import { NEW_CONVERSATION, outgoingMail, queueOutbound } from './outbound.js';

export interface EscalateDeps {
  readonly store: CaseStore;
  readonly clock: Clock;
  readonly log: Logger;
  readonly compose: ComposeDeps;
  readonly desks: readonly DeskRuntime[];
  readonly metrics?: Pick<Metrics, 'escalation'>;
}

export interface EscalationPass {
  readonly sent: number;
  /** When the next threshold comes due, for the scheduler to sleep until; null when nothing is pending. */
  readonly next: Date | null;
}

export async function runEscalations(deps: EscalateDeps): Promise<EscalationPass> {
  const now = deps.clock.now();
  let sent = 0;
  let next: Date | null = null;
  const cases = await deps.store.slaCases();
  const live = new Set(cases.map((c) => c.record.id));
  for (const { record, notified } of cases) {
    // A member of a live incident is promised the incident's time: the incident escalates, once, not each member.
    if (record.incident && live.has(record.incident)) continue;
    const desk = runtimeOf(deps.desks, record.desk);
    const rules = desk?.rules();
    const clock = record.slaClock;
    if (!rules?.escalation || !rules.calendar || !desk || !clock) continue;
    const state: EscalationState = {
      calendar: rules.calendar,
      clock: { start: new Date(clock.start), targetMinutes: clock.resolutionMinutes, pauses: clock.pauses.map((p) => ({ from: new Date(p.from), to: p.to ? new Date(p.to) : null })) },
      status: record.status,
      thresholds: rules.escalation.thresholds,
      notified,
    };
    const { silent, live: dues } = splitAtFirstStart(dueEscalations(state, now), record.imported);
    for (const before of silent) {
      await deps.store.transaction(async (tx) => {
        if (!(await tx.recordEscalation(record.id, before.threshold.name, before.at, now))) return;
        await tx.addEvents(record.id, [{ type: `sla-${before.threshold.name}`, actor: 'sportello', data: { threshold: before.threshold.fraction, reachedAt: before.at.toISOString(), beforeFirstStart: record.imported } }], now);
      });
    }
    // After downtime several thresholds can be due at once: the warning is moot once breached, so only
    // the last one is mailed; the earlier ones are recorded as superseded and never mailed later.
    for (const skipped of dues.slice(0, -1)) {
      await deps.store.transaction(async (tx) => {
        if (!(await tx.recordEscalation(record.id, skipped.threshold.name, skipped.at, now))) return;
        await tx.addEvents(record.id, [{ type: `sla-${skipped.threshold.name}`, actor: 'sportello', data: { threshold: skipped.threshold.fraction, reachedAt: skipped.at.toISOString(), superseded: true } }], now);
      });
    }
    for (const due of dues.slice(-1)) {
      const vars = escalationVars({
        case: { id: record.id, subject: record.subject, desk: record.desk, category: record.category, priority: record.priority, requester: record.requester },
        calendar: rules.calendar,
        clock: state.clock,
        threshold: due.threshold,
        language: rules.defaultLanguage,
        now,
      });
      const rendered = deps.compose.renderer.render('escalation', rules.defaultLanguage, { ...vars, desk: deskRef(desk.view) });
      const to = { address: rules.escalation.address, name: '' };
      const mail = outgoingMail(deps.compose, { kind: 'escalation', desk: desk.view, caseId: record.id, to: [to], content: rendered, thread: NEW_CONVERSATION });
      const claimed = await deps.store.transaction(async (tx) => {
        if (!(await tx.recordEscalation(record.id, due.threshold.name, due.at, now))) return false;
        // Machine mail: the null reverse-path like every notice (it used to carry the desk address).
        await queueOutbound(tx, { kind: 'escalation', desk: desk.view, caseId: record.id, mail, now });
        await tx.addEvents(record.id, [{ type: `sla-${due.threshold.name}`, actor: 'sportello', data: { threshold: due.threshold.fraction, reachedAt: due.at.toISOString(), to: to.address } }], now);
        return true;
      });
      if (claimed) {
        sent++;
        deps.metrics?.escalation(record.desk, due.threshold.name);
        deps.log.warn({ caseId: record.id, threshold: due.threshold.name, to: to.address }, 'SLA escalation queued');
      }
    }
    const upcoming = nextEscalationAt({ ...state, notified: [...notified, ...silent.map((d) => d.threshold.name), ...dues.map((d) => d.threshold.name)] }, now);
    if (upcoming && (!next || upcoming < next)) next = upcoming;
  }
  return { sent, next };
}
