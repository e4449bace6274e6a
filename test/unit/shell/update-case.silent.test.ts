// A reschedule that moves the promised time tells the requester — except for imported mail (an agent's
// "#priority urgent" written before the desk's first start): then the change and its reason are recorded,
// and nothing is queued.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../../src/adapters/sqlite-store.js';
import { updateCase } from '../../../src/shell/update-case.js';
import type { CaseStore } from '../../../src/ports.js';
import type { SlaPlan } from '../../../src/pipeline/types.js';
import { deskRuntime, echoRenderer, routing, sequentialIds, testConfig } from '../../support/fakes.js';
import { UTC_SLA_RULES, loadValid } from '../rules/helpers.js';


let store: CaseStore | null = null;
afterEach(async () => {
  await store?.close();
  store = null;
});

describe('updateCase on a reroute that moves the due time', () => {
  it.each([
    ['live: the requester is told', false, { pending: 1 }, 'due-update'],
    ['silent (imported): recorded, nobody mailed', true, {}, 'due-update-withheld'],
  ] as const)('%s', async (_label, silent, outbox, marker) => {
    const rules = (await loadValid({ 'it.yml': UTC_SLA_RULES })).desks['IT']!;
    const desk = testConfig().desks.find((d) => d.id === 'IT')!;
    store = await openSqliteStore(path.join(mkdtempSync(path.join(tmpdir(), 'sportello-update-')), 's.db'));
    const opened = new Date('2026-03-02T09:00:00.000Z');
    const sla: SlaPlan = { policy: 'standard', firstResponseMinutes: 240, resolutionMinutes: 960, firstResponseDueAt: '2026-03-02T13:00:00.000Z', dueAt: '2026-03-03T17:00:00.000Z', timezone: 'UTC', open: true, opensAt: null, onCall: null };
    const s = store;
    const result = await s.transaction(async (tx) => {
      const kase = await tx.createCase({ desk: 'IT', prefix: 'IT', subject: 'Printer jammed', requester: { address: 'alice@example.test', name: 'Alice' }, routing: routing(), sla }, opened);
      const compose = { renderer: echoRenderer(), instance: 'sportello-test', newId: sequentialIds('r') };
      return updateCase(tx, deskRuntime(testConfig(), desk, { rulesOf: () => rules }), { compose, kase, changes: { priority: 'urgent' }, now: new Date('2026-03-02T10:00:00.000Z'), actor: 'bob@example.test', silent });
    });
    expect(result).toMatchObject({ dueMoved: true, dueAt: '2026-03-02T13:00:00.000Z', queued: silent ? 0 : 1 });
    expect(await s.outboxSummary()).toEqual(outbox);
    const detail = (await s.getCaseDetail('IT-1'))!;
    const seen = [...detail.events.map((e) => e.type), ...detail.messages.map((m) => m.kind)];
    expect(seen).toContain(marker);
    expect(seen).not.toContain(silent ? 'due-update' : 'due-update-withheld');
  });
});
