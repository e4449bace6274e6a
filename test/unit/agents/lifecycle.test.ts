// Every (status, event) pair of the lifecycle table: where it leads, which events are logged, when the SLA
// clock pauses, and the refusals (#resolve on a closed case …) with their text. Time is fixed, never read.
import { describe, expect, it } from 'vitest';
import { CASE_STATUSES, type CaseStatus } from '../../../src/domain/case.js';
import {
  DEFAULT_LIFECYCLE,
  LIFECYCLE,
  allowedEvents,
  isAutoCloseDue,
  transition,
  withinReopenWindow,
  type LifecycleEvent,
  type LifecycleEventType,
  type LifecycleFacts,
} from '../../../src/agents/lifecycle.js';

const NOW = new Date('2026-03-10T12:00:00.000Z');
const DAY = 86_400_000;
const daysAgo = (d: number) => new Date(NOW.getTime() - d * DAY);
const facts = (over: Partial<LifecycleFacts> = {}): LifecycleFacts => ({ now: NOW, actor: 'maria@example.test', resolvedAt: daysAgo(1), ...over });
const UNTIL = new Date('2026-03-12T12:00:00.000Z');
const ev = (type: LifecycleEventType): LifecycleEvent => (type === 'wait' ? { type, until: UNTIL } : { type });

// status, event, next status (or 'new-linked-case'), pause
const VALID: [CaseStatus, LifecycleEventType, CaseStatus | 'new-linked-case', 'start' | 'end' | null][] = [
  ['new', 'agent-reply', 'waiting', 'start'],
  ['open', 'agent-reply', 'waiting', 'start'],
  ['waiting', 'agent-reply', 'waiting', null],
  ['resolved', 'agent-reply', 'resolved', null],
  ['closed', 'agent-reply', 'closed', null],
  ['new', 'requester-reply', 'new', null],
  ['open', 'requester-reply', 'open', null],
  ['waiting', 'requester-reply', 'open', 'end'],
  ['resolved', 'requester-reply', 'open', 'end'],
  ['closed', 'requester-reply', 'new-linked-case', null],
  ['new', 'resolve', 'resolved', 'start'],
  ['open', 'resolve', 'resolved', 'start'],
  ['waiting', 'resolve', 'resolved', null],
  ['new', 'close', 'closed', 'start'],
  ['open', 'close', 'closed', 'start'],
  ['waiting', 'close', 'closed', null],
  ['resolved', 'close', 'closed', null],
  ['resolved', 'reopen', 'open', 'end'],
  ['closed', 'reopen', 'open', 'end'],
  ['new', 'wait', 'waiting', 'start'],
  ['open', 'wait', 'waiting', 'start'],
  ['waiting', 'wait', 'waiting', null],
  ['waiting', 'wait-expired', 'open', 'end'],
];

// status, event, code, message
const INVALID: [CaseStatus, LifecycleEventType, 'already' | 'invalid', string][] = [
  ['resolved', 'resolve', 'already', 'the case is already resolved'],
  ['closed', 'resolve', 'invalid', 'cannot resolve a case that is closed; possible here: agent-reply, requester-reply, reopen'],
  ['closed', 'close', 'already', 'the case is already closed'],
  ['open', 'reopen', 'already', 'the case is already open'],
  ['new', 'reopen', 'invalid', 'cannot reopen a case that is new; possible here: agent-reply, requester-reply, resolve, close, wait'],
  ['waiting', 'reopen', 'invalid', 'cannot reopen a case that is waiting; possible here: agent-reply, requester-reply, resolve, close, wait, wait-expired'],
  ['new', 'auto-close', 'invalid', 'cannot auto-close a case that is new; possible here: agent-reply, requester-reply, resolve, close, wait'],
  ['open', 'auto-close', 'invalid', 'cannot auto-close a case that is open; possible here: agent-reply, requester-reply, resolve, close, wait'],
  ['waiting', 'auto-close', 'invalid', 'cannot auto-close a case that is waiting; possible here: agent-reply, requester-reply, resolve, close, wait, wait-expired'],
  ['closed', 'auto-close', 'invalid', 'cannot auto-close a case that is closed; possible here: agent-reply, requester-reply, reopen'],
  ['resolved', 'wait', 'invalid', 'cannot wait a case that is resolved; possible here: agent-reply, requester-reply, close, reopen, auto-close'],
  ['closed', 'wait', 'invalid', 'cannot wait a case that is closed; possible here: agent-reply, requester-reply, reopen'],
  ['new', 'wait-expired', 'invalid', 'cannot wait-expired a case that is new; possible here: agent-reply, requester-reply, resolve, close, wait'],
  ['open', 'wait-expired', 'invalid', 'cannot wait-expired a case that is open; possible here: agent-reply, requester-reply, resolve, close, wait'],
  ['resolved', 'wait-expired', 'invalid', 'cannot wait-expired a case that is resolved; possible here: agent-reply, requester-reply, close, reopen, auto-close'],
  ['closed', 'wait-expired', 'invalid', 'cannot wait-expired a case that is closed; possible here: agent-reply, requester-reply, reopen'],
];

describe('transition', () => {
  it('the tables above cover every status × event pair exactly once', () => {
    const events = Object.keys(LIFECYCLE) as LifecycleEventType[];
    const covered = [...VALID, ['resolved', 'auto-close'], ...INVALID].map(([s, e]) => `${s}/${e}`);
    expect(new Set(covered).size).toBe(covered.length);
    expect(covered.length).toBe(CASE_STATUSES.length * events.length);
  });

  it.each(VALID)('%s + %s → %s (pause %s)', (status, type, to, pause) => {
    const t = transition(status, ev(type), facts());
    expect(t).toMatchObject({ ok: true, from: status, to, pause, changed: to !== status && to !== 'new-linked-case' });
    if (!t.ok) return;
    const change = t.events.find((e) => e.type === 'status-changed');
    if (t.changed) expect(change).toMatchObject({ data: { from: status, to } });
    else expect(change).toBeUndefined();
  });

  it.each(INVALID)('%s + %s is refused (%s)', (status, type, code, message) => {
    const t = transition(status, ev(type), facts());
    expect(t).toEqual({ ok: false, from: status, event: type, code, message, allowed: allowedEvents(status) });
  });

  it('logs the first response when an agent answers a new case', () => {
    const t = transition('new', { type: 'agent-reply' }, facts());
    expect(t.ok && t.events.map((e) => e.type)).toEqual(['status-changed', 'first-response']);
    const later = transition('open', { type: 'agent-reply' }, facts());
    expect(later.ok && later.events.map((e) => e.type)).toEqual(['status-changed']);
  });

  it.each([
    ['new', 'open'],
    ['open', 'open'],
    ['waiting', 'waiting'],
  ] as const)('with agentReplySetsWaiting off, an agent reply on %s leads to %s', (status, to) => {
    const settings = { ...DEFAULT_LIFECYCLE, agentReplySetsWaiting: false };
    expect(transition(status, { type: 'agent-reply' }, facts({ settings }))).toMatchObject({ ok: true, to, pause: null });
  });

  it('records the wait deadline', () => {
    const t = transition('open', { type: 'wait', until: UNTIL }, facts());
    expect(t.ok && t.events).toEqual([
      { type: 'status-changed', actor: 'maria@example.test', data: { from: 'open', to: 'waiting', why: 'an agent is waiting on the requester' } },
      { type: 'waiting-until', actor: 'maria@example.test', data: { until: '2026-03-12T12:00:00.000Z' } },
    ]);
  });

  it.each([
    [0, 'open'],
    [6.9, 'open'],
    [7, 'open'],
    [7.01, 'new-linked-case'],
    [30, 'new-linked-case'],
  ] as const)('a requester reply %s days after resolution → %s (window 7 days)', (days, to) => {
    const t = transition('resolved', { type: 'requester-reply' }, facts({ resolvedAt: daysAgo(days), actor: 'ana@example.test' }));
    expect(t).toMatchObject({ ok: true, to });
    if (!t.ok) return;
    expect(t.events.map((e) => e.type)).toEqual(to === 'open' ? ['status-changed', 'reopened'] : ['follow-up-after-close']);
  });

  it('an unknown resolution time reopens rather than splitting the conversation', () => {
    expect(transition('resolved', { type: 'requester-reply' }, facts({ resolvedAt: null }))).toMatchObject({ ok: true, to: 'open' });
  });

  it.each([
    [13.9, false],
    [14, true],
    [20, true],
  ] as const)('auto-close %s days after resolution: due %s (after 14 days)', (days, due) => {
    const t = transition('resolved', { type: 'auto-close' }, facts({ resolvedAt: daysAgo(days) }));
    if (due) expect(t).toMatchObject({ ok: true, to: 'closed', pause: null, events: [{ actor: 'sportello', data: { why: 'resolved more than 14 days ago' } }] });
    else expect(t).toMatchObject({ ok: false, code: 'not-due', message: `resolved ${daysAgo(days).toISOString()}, closes after 14 days` });
  });

  it('timers act as the system, not as the actor passed in', () => {
    const t = transition('waiting', { type: 'wait-expired' }, facts());
    expect(t.ok && t.events[0]!.actor).toBe('sportello');
  });
});

describe('window helpers', () => {
  it.each([
    [daysAgo(3), 3, true],
    [daysAgo(3.001), 3, false],
    [null, 0, true],
  ] as const)('withinReopenWindow(%s, %d) = %s', (at, days, ok) => {
    expect(withinReopenWindow(at, NOW, days)).toBe(ok);
  });

  it('isAutoCloseDue is inclusive at the boundary', () => {
    expect(isAutoCloseDue(daysAgo(2), NOW, 2)).toBe(true);
    expect(isAutoCloseDue(new Date(daysAgo(2).getTime() + 1), NOW, 2)).toBe(false);
  });
});
