// The schedule stage: only a new case gets SLA due times and article suggestions, computed from the
// routing decision at the injected processing instant; follow-ups and our own mail are left alone.

import { describe, expect, it } from 'vitest';
import { schedule } from '../../../../src/pipeline/stages/schedule.js';
import { INITIAL_ANNOTATIONS, type SlaPlan } from '../../../../src/pipeline/types.js';
import { context, mail, routing } from '../../../support/fakes.js';

const plan: SlaPlan = {
  policy: 'standard', firstResponseMinutes: 240, resolutionMinutes: 960,
  firstResponseDueAt: '2026-03-02T13:00:00.000Z', dueAt: '2026-03-03T17:00:00.000Z',
  timezone: 'Europe/Madrid', open: true, opensAt: null, onCall: null,
};

describe('schedule', () => {
  it('annotates a new case with the SLA plan for its routing at ctx.now, and the suggested articles', () => {
    const seen: unknown[] = [];
    const ctx = context({
      now: new Date('2026-03-02T09:00:00Z'),
      sla: (r, now) => (seen.push([r.category, now.toISOString()]), plan),
      articles: (_m, r) => [{ id: `kb-${r.category}`, title: 'Reset your password', url: null, body: null }],
    });
    const r = schedule.run(mail(), { ...INITIAL_ANNOTATIONS, routing: routing({ category: 'access' }) }, ctx);
    expect(r).toEqual({ next: { sla: plan, articles: [{ id: 'kb-access', title: 'Reset your password', url: null, body: null }] } });
    expect(seen).toEqual([['access', '2026-03-02T09:00:00.000Z']]);
  });

  it.each([
    ['a follow-up', { match: { caseId: 'IT-1', status: 'open' as const, via: 'references' as const } }],
    ['our own mail', { ownMail: 'sent from our own address' }],
    ['a mail without routing', { routing: null }],
  ])('leaves %s alone', (_label, over) => {
    const ctx = context({ sla: () => plan, articles: () => [] });
    expect(schedule.run(mail(), { ...INITIAL_ANNOTATIONS, routing: routing(), ...over }, ctx)).toEqual({ next: {} });
  });
});
