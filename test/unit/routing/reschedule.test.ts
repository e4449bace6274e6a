// Rescheduling a case's SLA on a plain UTC calendar (Mon–Fri 09–17): waiting stops the clock (no due time),
// answering resumes it (due moved by the business time paused), a new priority or category may pick another
// policy (dueMoved, so the requester is told), a finished case keeps the due time in force, bad input refuses.

import { describe, expect, it } from 'vitest';
import { reschedule } from '../../../src/routing/reschedule.js';
import { SportelloError } from '../../../src/errors.js';
import type { CaseRecord, SlaClockRecord } from '../../../src/ports.js';
import type { DeskRules } from '../../../src/rules/index.js';
import { caseRecord, routing } from '../../support/fakes.js';
import { loadValid } from '../rules/helpers.js';

const RULES = `
desks:
  IT:
    threshold: 0.5
    categories:
      - { id: hardware, names: { es: h, it: h, en: h } }
      - { id: network, names: { es: n, it: n, en: n } }
      - { id: security, names: { es: s, it: s, en: s } }
    rules:
      - name: anything
        when: {}
        then: { category: hardware }
    calendar:
      timezone: UTC
      hours:
        mon: ['09:00-17:00']
        tue: ['09:00-17:00']
        wed: ['09:00-17:00']
        thu: ['09:00-17:00']
        fri: ['09:00-17:00']
    sla:
      policies:
        standard: { firstResponse: 4h, resolution: 16h }
        urgent: { firstResponse: 30m, resolution: 4h }
      default: standard
      byPriority: { urgent: urgent }
      byCategory: { security: urgent }
`;
const desk: DeskRules = (await loadValid({ 'it.yml': RULES })).desks['IT']!;

// Opened Monday 2 March 09:00 UTC on the standard policy: first response Mon 13:00, resolution Tue 17:00.
const OPENED = '2026-03-02T09:00:00.000Z';
const DUE = '2026-03-03T17:00:00.000Z';
const FIRST_DUE = '2026-03-02T13:00:00.000Z';
const at = (iso: string) => new Date(iso);

const clock = (pauses: SlaClockRecord['pauses'] = []): SlaClockRecord => ({ start: OPENED, firstResponseMinutes: 240, resolutionMinutes: 960, pauses });
const kase = (over: Partial<CaseRecord> = {}): CaseRecord =>
  caseRecord({ status: 'open', createdAt: OPENED, dueAt: DUE, firstResponseDueAt: FIRST_DUE, slaPolicy: 'standard', slaClock: clock(), routing: routing(), ...over });

const types = (events: readonly { type: string }[]) => events.map((e) => e.type);

describe('reschedule: waiting pauses the clock, answering resumes it', () => {
  it.each(['new', 'open'] as const)('a %s case put to waiting has no due time while the clock is stopped', (status) => {
    const r = reschedule(desk, kase({ status }), { status: 'waiting' }, at('2026-03-02T11:00:00.000Z'), 'bob@example.test');
    expect(r.patch).toMatchObject({ status: 'waiting', dueAt: null, slaPolicy: 'standard' });
    expect(r.patch.slaClock?.pauses).toEqual([{ from: '2026-03-02T11:00:00.000Z', to: null }]);
    expect(types(r.events)).toEqual(['updated', 'sla-paused', 'due-changed']);
    expect(r.events[0]).toMatchObject({ actor: 'bob@example.test', data: { status: { from: status, to: 'waiting' } } });
    expect(r.events[2]).toMatchObject({ data: { from: DUE, to: null } });
    // The requester is not told: the promise was not broken, only suspended.
    expect(r.dueMoved).toBeNull();
  });

  it.each([
    // paused Mon 11:00, resumed at:             business hours paused → due moves from Tue 17:00 to:
    ['Mon 15:00 (4 h paused)', '2026-03-02T15:00:00.000Z', '2026-03-04T13:00:00.000Z'],
    ['Tue 11:00 (6 h + 2 h = 8 h paused)', '2026-03-03T11:00:00.000Z', '2026-03-04T17:00:00.000Z'],
    ['Sat 10:00 (Mon 6 h + Tue–Fri 32 h = 38 h paused, the weekend is free)', '2026-03-07T10:00:00.000Z', '2026-03-10T15:00:00.000Z'],
  ])('resumed %s: the due time moves by the business time paused', (_label, now, due) => {
    const waiting = kase({ status: 'waiting', dueAt: null, slaClock: clock([{ from: '2026-03-02T11:00:00.000Z', to: null }]) });
    const r = reschedule(desk, waiting, { status: 'open' }, at(now), 'alice@example.test');
    expect(r.patch).toMatchObject({ status: 'open', dueAt: due });
    expect(r.patch.slaClock?.pauses).toEqual([{ from: '2026-03-02T11:00:00.000Z', to: now }]);
    expect(types(r.events)).toEqual(['updated', 'sla-resumed', 'due-changed']);
    expect(r.events[1]).toMatchObject({ actor: 'sportello', data: { status: 'open', dueAt: due } });
    expect(r.dueMoved).toBeNull();
  });

  it('earlier, closed pauses stay as they were', () => {
    const pauses = [{ from: '2026-03-02T10:00:00.000Z', to: '2026-03-02T11:00:00.000Z' }, { from: '2026-03-02T12:00:00.000Z', to: null }];
    const r = reschedule(desk, kase({ status: 'waiting', slaClock: clock(pauses) }), { status: 'open' }, at('2026-03-02T13:00:00.000Z'), 'x');
    expect(r.patch.slaClock?.pauses).toEqual([pauses[0], { from: '2026-03-02T12:00:00.000Z', to: '2026-03-02T13:00:00.000Z' }]);
    // Two hours paused in all: Tue 17:00 + 2 business hours = Wed 11:00.
    expect(r.patch.dueAt).toBe('2026-03-04T11:00:00.000Z');
  });

  it('waiting → waiting (another #wait) adds no second pause', () => {
    const waiting = kase({ status: 'waiting', dueAt: null, slaClock: clock([{ from: '2026-03-02T11:00:00.000Z', to: null }]) });
    const r = reschedule(desk, waiting, { status: 'waiting' }, at('2026-03-02T12:00:00.000Z'), 'bob@example.test');
    expect(r.patch.slaClock?.pauses).toHaveLength(1);
    expect(r.events).toEqual([]);
  });
});

describe('reschedule: a new priority or category', () => {
  it('priority urgent picks the urgent policy: due earlier, and the requester is to be told', () => {
    const r = reschedule(desk, kase(), { priority: 'urgent' }, at('2026-03-02T10:00:00.000Z'), 'bob@example.test');
    expect(r.patch).toMatchObject({ priority: 'urgent', slaPolicy: 'urgent', dueAt: '2026-03-02T13:00:00.000Z', firstResponseDueAt: '2026-03-02T09:30:00.000Z' });
    expect(r.patch.slaClock).toMatchObject({ start: OPENED, firstResponseMinutes: 30, resolutionMinutes: 240 });
    expect(r.dueMoved).toEqual({ from: DUE, to: '2026-03-02T13:00:00.000Z' });
    expect(types(r.events)).toEqual(['updated', 'due-changed']);
    expect(r.events[0]!.data).toEqual({ priority: { from: 'normal', to: 'urgent' } });
    expect(r.events[1]!.data).toEqual({ from: DUE, to: '2026-03-02T13:00:00.000Z', policy: 'urgent' });
    expect(r.patch.routing).toMatchObject({ category: 'hardware', priority: 'urgent' });
  });

  it('category security picks the urgent policy too', () => {
    const r = reschedule(desk, kase(), { category: 'security' }, at('2026-03-02T10:00:00.000Z'), 'bob@example.test');
    expect(r.patch).toMatchObject({ category: 'security', slaPolicy: 'urgent', dueAt: '2026-03-02T13:00:00.000Z' });
    expect(r.dueMoved).toEqual({ from: DUE, to: '2026-03-02T13:00:00.000Z' });
  });

  it.each([
    ['priority high (no policy of its own)', { priority: 'high' as const }],
    ['category network (no policy of its own)', { category: 'network' }],
  ])('%s keeps the standard policy: nothing moves, nobody is told', (_label, changes) => {
    const r = reschedule(desk, kase(), changes, at('2026-03-02T10:00:00.000Z'), 'bob@example.test');
    expect(r.patch).toMatchObject({ slaPolicy: 'standard', dueAt: DUE });
    expect(r.dueMoved).toBeNull();
    expect(types(r.events)).toEqual(['updated']);
  });

  it('setting the priority it already has changes nothing at all', () => {
    const r = reschedule(desk, kase(), { priority: 'normal' }, at('2026-03-02T10:00:00.000Z'), 'bob@example.test');
    expect(r.events).toEqual([]);
    expect(r.dueMoved).toBeNull();
    expect(r.patch.dueAt).toBe(DUE);
  });

  it('a priority change while waiting records the new policy but promises no time until the clock runs', () => {
    const waiting = kase({ status: 'waiting', dueAt: null, slaClock: clock([{ from: '2026-03-02T11:00:00.000Z', to: null }]) });
    const r = reschedule(desk, waiting, { priority: 'urgent' }, at('2026-03-02T12:00:00.000Z'), 'bob@example.test');
    expect(r.patch).toMatchObject({ slaPolicy: 'urgent', dueAt: null });
    expect(r.dueMoved).toBeNull();
  });

  it('unknown category → USAGE error naming the valid ones', () => {
    let thrown: unknown;
    try {
      reschedule(desk, kase(), { category: 'plumbing' }, at('2026-03-02T10:00:00.000Z'), 'bob@example.test');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(SportelloError);
    expect(thrown).toMatchObject({ code: 'USAGE', message: 'desk IT has no category "plumbing"' });
    expect((thrown as SportelloError).hint).toMatch(/hardware, network, security/);
  });
});

describe('reschedule: finishing a case', () => {
  it.each([
    ['resolved', 'open', clock(), DUE],
    ['closed', 'open', clock(), DUE],
    // Waiting since Mon 11:00, resolved Tue 11:00: the 8 paused hours count, as they would have had it resumed.
    ['resolved', 'waiting', clock([{ from: '2026-03-02T11:00:00.000Z', to: null }]), '2026-03-04T17:00:00.000Z'],
  ] as const)('%s from %s keeps the due time in force when it finished', (to, from, slaClock, due) => {
    const r = reschedule(desk, kase({ status: from, slaClock, dueAt: from === 'waiting' ? null : DUE }), { status: to }, at('2026-03-03T11:00:00.000Z'), 'bob@example.test');
    expect(r.patch).toMatchObject({ status: to, dueAt: due });
    expect(r.dueMoved).toBeNull();
    expect(types(r.events)).toContain('updated');
  });

  it('resolving an open case pauses the clock at that moment', () => {
    const r = reschedule(desk, kase(), { status: 'resolved' }, at('2026-03-03T11:00:00.000Z'), 'bob@example.test');
    expect(r.patch.slaClock?.pauses).toEqual([{ from: '2026-03-03T11:00:00.000Z', to: null }]);
    expect(types(r.events)).toEqual(['updated', 'sla-paused']);
  });

  it('a late resolution keeps the (missed) due time, so "resolved on time?" reads no', () => {
    const r = reschedule(desk, kase(), { status: 'resolved' }, at('2026-03-05T11:00:00.000Z'), 'bob@example.test');
    expect(r.patch.dueAt).toBe(DUE);
  });
});

describe('reschedule: without SLA', () => {
  it('a desk without rules keeps the due fields as they are', () => {
    const r = reschedule(undefined, kase(), { status: 'waiting', priority: 'urgent', category: 'anything' }, at('2026-03-02T11:00:00.000Z'), 'bob@example.test');
    expect(r.patch).toMatchObject({ status: 'waiting', priority: 'urgent', category: 'anything', slaPolicy: 'standard', dueAt: DUE });
    expect(r.dueMoved).toBeNull();
  });

  // BUG (src/routing/reschedule.ts, `due()`): without a calendar it falls back to kase.dueAt for every target, so
  // a case that has a clock gets firstResponseDueAt := dueAt (the resolution time). Reached whenever updateCase
  // runs with rules undefined, e.g. autoClose(deps, null) or a desk whose rules file has no calendar.
  it('a desk without rules keeps the first-response due time too', () => {
    const r = reschedule(undefined, kase(), { status: 'waiting' }, at('2026-03-02T11:00:00.000Z'), 'bob@example.test');
    expect(r.patch.firstResponseDueAt).toBe(FIRST_DUE);
  });

  it('a case without a clock (opened before the desk had an SLA) keeps its due time', () => {
    const r = reschedule(desk, kase({ slaClock: null, dueAt: null, slaPolicy: null }), { priority: 'urgent' }, at('2026-03-02T10:00:00.000Z'), 'bob@example.test');
    expect(r.patch).toMatchObject({ slaPolicy: 'urgent', dueAt: null, slaClock: null });
    expect(r.dueMoved).toBeNull();
  });
});
