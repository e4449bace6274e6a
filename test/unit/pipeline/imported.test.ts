// Imported mail (received before the desk's first start): the decision by INTERNALDATE at whole-second
// precision, and plans leaving the pipeline without any outgoing mail whichever stage decided, with an
// `imported` event naming what was withheld; live mail is untouched.

import { describe, expect, it } from 'vitest';
import { importedMail, silenceImported } from '../../../src/pipeline/imported.js';
import { runPipeline, type CandidatesLookup, type Lookup } from '../../../src/pipeline/run.js';
import { PIPELINE } from '../../../src/pipeline/stages.js';
import type { Plan } from '../../../src/domain/plan.js';
import { context, facts, mail } from '../../support/fakes.js';

const START = '2026-03-02T09:00:00.000Z';
const noLookup: Lookup = async () => facts();
const noCandidates: CandidatesLookup = async () => ({});
const imported = { receivedAt: new Date('2025-11-20T10:00:00Z'), firstStart: new Date(START) };

describe('importedMail', () => {
  it.each([
    ['received a year before the first start', '2025-03-02T09:00:00Z', START, true],
    ['received one second before', '2026-03-02T08:59:59Z', START, true],
    ['received in the very second of the first start', '2026-03-02T09:00:00Z', START, false],
    ['received after', '2026-03-02T09:00:01Z', START, false],
    ['no INTERNALDATE known', null, START, false],
    ['folder read before first starts were recorded', '2020-01-01T00:00:00Z', null, false],
  ] as const)('%s', (_label, received, start, expected) => {
    const out = importedMail(received ? new Date(received) : null, start);
    expect(out !== null).toBe(expected);
    if (out) expect(out).toEqual({ receivedAt: new Date(received!), firstStart: new Date(start!) });
  });
});

describe('the pipeline on imported mail', () => {
  it('opens the case without an auto-reply or a notification, records why, and marks the case imported', async () => {
    const ctx = context({ desk: { ...context().desk, notify: 'all' }, imported, now: imported.receivedAt });
    const live = await runPipeline(PIPELINE, mail(), { ...ctx, imported: null }, noLookup, noCandidates);
    expect(live.plan.action === 'create' && live.plan.replies.map((r) => r.kind)).toEqual(['auto-reply', 'notification']);

    const out = await runPipeline(PIPELINE, mail(), ctx, noLookup, noCandidates);
    expect(out.plan.action).toBe('create');
    if (out.plan.action !== 'create') return;
    expect(out.plan.replies).toEqual([]);
    expect(out.plan.newCase.imported).toBe(START);
    const types = out.plan.events.map((e) => e.type);
    expect(types).toContain('auto-reply-withheld');
    expect(types).not.toContain('auto-reply-queued');
    expect(out.plan.events.find((e) => e.type === 'auto-reply-withheld')!.data.reason).toBe(
      "imported: received 2025-11-20T10:00:00.000Z, before the desk's first start 2026-03-02T09:00:00.000Z",
    );
    expect(out.plan.events.at(-1)).toEqual({
      type: 'imported',
      actor: 'sportello',
      data: { receivedAt: '2025-11-20T10:00:00.000Z', firstStart: START, withheld: ['notification'] },
    });
  });

  it('strips an agent\'s relay and confirmation from an append plan, and asks for a quiet reschedule', () => {
    const append: Plan = {
      action: 'append',
      caseId: 'IT-1',
      messageKind: 'agent',
      statusTo: 'resolved',
      events: [{ type: 'status-changed', actor: 'bob@example.test', data: {} }],
      replies: [
        { kind: 'relay', template: 'relay', to: [{ address: 'alice@example.test', name: '' }], language: 'en', vars: {}, threadTo: 'requester', automatic: false },
        { kind: 'rating-request', template: 'rating-request', to: [{ address: 'alice@example.test', name: '' }], language: 'en', vars: {}, threadTo: 'requester', automatic: true },
      ],
    };
    const out = silenceImported(append, imported);
    expect(out).toMatchObject({ action: 'append', caseId: 'IT-1', statusTo: 'resolved', replies: [], quiet: true });
    expect(out.action === 'append' && out.events.map((e) => [e.type, e.data.withheld])).toEqual([
      ['status-changed', undefined],
      ['imported', ['relay', 'rating-request']],
    ]);
  });

  it.each([
    { action: 'ignore', reason: 'duplicate' },
    { action: 'quarantine', reason: 'own mail', code: 'OWN_MAIL', stage: 'reply-policy' },
  ] as Plan[])('leaves a $action plan as it is', (plan) => {
    expect(silenceImported(plan, imported)).toBe(plan);
  });
});
