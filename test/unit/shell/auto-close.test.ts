// Lifecycle timers on the real SQLite store and a fixed clock: resolved cases close once their own desk's
// quiet period has passed (inclusive), waiting cases whose #wait ran out are open again (SLA clock resumed),
// and a case that changed between listing and its transaction is left exactly as it is.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../../src/adapters/sqlite-store.js';
import { autoClose } from '../../../src/shell/auto-close.js';
import { updateCase } from '../../../src/shell/update-case.js';
import { silentLogger } from '../../../src/log.js';
import type { CaseStatus } from '../../../src/domain/case.js';
import type { DeskConfig } from '../../../src/config/schema.js';
import type { CaseFields, CaseStore, StoreTx } from '../../../src/ports.js';
import type { SlaPlan } from '../../../src/pipeline/types.js';
import type { RuleSet } from '../../../src/rules/index.js';
import { deskRuntime, deskRuntimes, echoRenderer, manualClock, routing, sequentialIds, testConfig } from '../../support/fakes.js';
import { UTC_SLA_RULES, loadValid } from '../rules/helpers.js';

const NOW = '2026-03-20T09:00:00.000Z';
const DAY = 86_400_000;
const before = (ms: number) => new Date(Date.parse(NOW) - ms).toISOString();
const ALICE = { address: 'alice@example.test', name: 'Alice' };

const config = testConfig();
const withAutoClose = (days: Record<string, number>): DeskConfig[] =>
  config.desks.map((d) => (days[d.id] === undefined ? d : { ...d, lifecycle: { ...d.lifecycle, autoCloseDays: days[d.id]! } }));

let stores: CaseStore[] = [];
afterEach(async () => {
  for (const s of stores) await s.close();
  stores = [];
});

const compose = () => ({ renderer: echoRenderer(), instance: 'sportello-test', newId: sequentialIds('r') });

async function setup(desks: readonly DeskConfig[] = config.desks) {
  const store = await openSqliteStore(path.join(mkdtempSync(path.join(tmpdir(), 'sportello-autoclose-')), 's.db'));
  stores.push(store);
  const clock = manualClock(NOW);
  const deps = { store, clock, log: silentLogger(), compose: compose(), desks: deskRuntimes({ ...config, desks }) };
  return { store, clock, deps };
}

/** A case of `desk` in `status` with the given lifecycle fields, created a month before NOW. */
async function seed(store: CaseStore, desk: string, status: CaseStatus, fields: CaseFields, sla: SlaPlan | null = null): Promise<string> {
  const at = new Date(Date.parse(NOW) - 30 * DAY);
  return store.transaction(async (tx) => {
    const c = await tx.createCase({ desk, prefix: desk, subject: 'Printer jammed', requester: ALICE, routing: routing(), sla }, at);
    if (status !== 'new') await tx.setStatus(c.id, status, at);
    await tx.setCaseFields(c.id, fields, at);
    return c.id;
  });
}

const detail = async (store: CaseStore, id: string) => {
  const d = await store.getCaseDetail(id);
  if (!d) throw new Error(`no case ${id}`);
  return d;
};

describe('autoClose: resolved cases', () => {
  it.each([
    ['15 days ago', 15 * DAY, true],
    ['exactly 14 days ago', 14 * DAY, true],
    ['14 days minus a minute ago', 14 * DAY - 60_000, false],
    ['yesterday', DAY, false],
  ])('a case resolved %s (desk closes after 14 days) → closed: %s', async (_label, age, closes) => {
    const { store, deps } = await setup();
    const resolvedAt = before(age);
    const id = await seed(store, 'IT', 'resolved', { resolvedAt });
    expect(await autoClose(deps)).toBe(closes ? 1 : 0);
    const kase = await detail(store, id);
    if (closes) {
      expect(kase).toMatchObject({ status: 'closed', closedAt: NOW, resolvedAt });
      expect(kase.events.map((e) => e.type)).toEqual(['updated', 'auto-closed']);
      expect(kase.events[0]).toMatchObject({ actor: 'sportello', data: { status: { from: 'resolved', to: 'closed' } } });
      expect(kase.events[1]).toMatchObject({ actor: 'sportello', at: NOW, data: { resolvedAt, afterDays: 14 } });
    } else {
      expect(kase).toMatchObject({ status: 'resolved', closedAt: null });
      expect(kase.events).toEqual([]);
    }
    // Closing tells nobody: no mail is queued.
    expect(await store.outboxSummary()).toEqual({});
  });

  it("each desk's own period counts", async () => {
    const { store, deps } = await setup(withAutoClose({ IT: 3, HR: 14 }));
    const it5 = await seed(store, 'IT', 'resolved', { resolvedAt: before(5 * DAY) });
    const hr5 = await seed(store, 'HR', 'resolved', { resolvedAt: before(5 * DAY) });
    const hr20 = await seed(store, 'HR', 'resolved', { resolvedAt: before(20 * DAY) });
    expect(await autoClose(deps)).toBe(2);
    expect((await detail(store, it5)).status).toBe('closed');
    expect((await detail(store, it5)).events.at(-1)).toMatchObject({ type: 'auto-closed', data: { afterDays: 3 } });
    expect((await detail(store, hr5)).status).toBe('resolved');
    expect((await detail(store, hr20)).status).toBe('closed');
  });

  it('a case of a desk no longer configured is left alone', async () => {
    const { store, deps } = await setup();
    const id = await seed(store, 'OLD', 'resolved', { resolvedAt: before(60 * DAY) });
    expect(await autoClose(deps)).toBe(0);
    expect((await detail(store, id)).status).toBe('resolved');
  });

  it.each(['new', 'open', 'waiting', 'closed'] as const)('a %s case with an old resolvedAt is not a resolved case', async (status) => {
    const { store, deps } = await setup();
    const id = await seed(store, 'IT', status, { resolvedAt: before(60 * DAY) });
    expect(await autoClose(deps)).toBe(0);
    expect((await detail(store, id)).status).toBe(status);
  });

  it('running again changes nothing', async () => {
    const { store, deps } = await setup();
    const id = await seed(store, 'IT', 'resolved', { resolvedAt: before(20 * DAY) });
    expect(await autoClose(deps)).toBe(1);
    expect(await autoClose(deps)).toBe(0);
    expect((await detail(store, id)).events.filter((e) => e.type === 'auto-closed')).toHaveLength(1);
  });
});

describe('autoClose: waits that ran out', () => {
  it.each([
    ['an hour ago', before(3_600_000), true],
    ['exactly now', NOW, true],
    ['in an hour', before(-3_600_000), false],
  ])('a waiting case whose #wait ended %s → open again: %s', async (_label, waitUntil, expires) => {
    const { store, deps } = await setup();
    const id = await seed(store, 'IT', 'waiting', { waitUntil });
    // Only auto-closes are counted.
    expect(await autoClose(deps)).toBe(0);
    const kase = await detail(store, id);
    if (expires) {
      expect(kase).toMatchObject({ status: 'open', waitUntil: null });
      const types = kase.events.map((e) => e.type);
      expect(types[0]).toBe('updated');
      expect(types.at(-1)).toBe('wait-expired');
      expect(kase.events.at(-1)).toMatchObject({ actor: 'sportello', at: NOW, data: { waitUntil } });
    } else {
      expect(kase).toMatchObject({ status: 'waiting', waitUntil });
      expect(kase.events).toEqual([]);
    }
  });

  it('a waiting case without a #wait waits for the requester indefinitely', async () => {
    const { store, deps } = await setup();
    const id = await seed(store, 'IT', 'waiting', {});
    await autoClose(deps);
    expect((await detail(store, id)).status).toBe('waiting');
  });

  it("resumes the SLA clock with the desk's rules: the due time moves by the time spent waiting", async () => {
    const ruleSet: RuleSet = await loadValid({ 'it.yml': UTC_SLA_RULES });
    const rules = ruleSet.desks['IT']!;
    const desk = config.desks.find((d) => d.id === 'IT')!;
    const store = await openSqliteStore(path.join(mkdtempSync(path.join(tmpdir(), 'sportello-autoclose-')), 's.db'));
    stores.push(store);
    // Opened Monday 09:00 UTC with 16 business hours (Mon–Fri 09–17): due Tuesday 17:00.
    const opened = new Date('2026-03-02T09:00:00.000Z');
    const sla: SlaPlan = { policy: 'standard', firstResponseMinutes: 240, resolutionMinutes: 960, firstResponseDueAt: '2026-03-02T13:00:00.000Z', dueAt: '2026-03-03T17:00:00.000Z', timezone: 'UTC', open: true, opensAt: null, onCall: null };
    const id = await store.transaction(async (tx) => (await tx.createCase({ desk: 'IT', prefix: 'IT', subject: 'Printer jammed', requester: ALICE, routing: routing(), sla }, opened)).id);
    // Monday 11:00 an agent writes "#wait 1d": the clock stops with 2 of 16 hours used.
    const waitFrom = new Date('2026-03-02T11:00:00.000Z');
    await store.transaction(async (tx: StoreTx) => {
      await updateCase(tx, deskRuntime(config, desk, { rulesOf: () => rules }), { compose: compose(), kase: (await tx.getCase(id))!, changes: { status: 'waiting' }, now: waitFrom, actor: 'bob@example.test' });
      await tx.setCaseFields(id, { waitUntil: '2026-03-03T11:00:00.000Z' }, waitFrom);
    });
    expect((await detail(store, id)).dueAt).toBeNull();

    // Tuesday 12:00 the timer runs: 14 business hours left → Tue 12–17, Wed 09–17, Thu 09–10.
    const clock = manualClock('2026-03-03T12:00:00.000Z');
    await autoClose({ store, clock, log: silentLogger(), compose: compose(), desks: deskRuntimes(config, (id) => ruleSet.desks[id]) });
    const kase = await detail(store, id);
    expect(kase).toMatchObject({ status: 'open', waitUntil: null, dueAt: '2026-03-05T10:00:00.000Z' });
    expect(kase.events.map((e) => e.type)).toEqual(['updated', 'sla-paused', 'due-changed', 'updated', 'sla-resumed', 'due-changed', 'wait-expired']);
    expect(kase.slaClock?.pauses).toEqual([{ from: '2026-03-02T11:00:00.000Z', to: '2026-03-03T12:00:00.000Z' }]);
  });
});

describe('autoClose: a case that changed meanwhile is left alone', () => {
  /** The real store, except that `list` runs `meanwhile` after listing, as a concurrent commit would. */
  const racing = (store: CaseStore, list: 'resolvedBefore' | 'waitExpired', meanwhile: (tx: StoreTx) => Promise<void>): CaseStore =>
    new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === list) {
          return async (at: Date) => {
            const listed = await target[list](at);
            await target.transaction(meanwhile);
            return listed;
          };
        }
        const value: unknown = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });

  it('control: through the same harness with no concurrent change, the case closes', async () => {
    const { store, deps } = await setup();
    const id = await seed(store, 'IT', 'resolved', { resolvedAt: before(20 * DAY) });
    expect(await autoClose({ ...deps, store: racing(store, 'resolvedBefore', async () => {}) })).toBe(1);
    expect((await detail(store, id)).status).toBe('closed');
  });

  it.each([
    ['reopened by a requester reply', async (tx: StoreTx, id: string) => tx.setStatus(id, 'open', new Date(NOW))],
    ['resolved again just now (an agent reopened and resolved it)', async (tx: StoreTx, id: string) => tx.setCaseFields(id, { resolvedAt: NOW }, new Date(NOW))],
    ['closed by an agent', async (tx: StoreTx, id: string) => tx.setStatus(id, 'closed', new Date(NOW))],
  ])('a resolved case %s', async (_label, change) => {
    const { store, deps } = await setup();
    const id = await seed(store, 'IT', 'resolved', { resolvedAt: before(20 * DAY) });
    const d = { ...deps, store: racing(store, 'resolvedBefore', (tx) => change(tx, id)) };
    expect(await autoClose(d)).toBe(0);
    const kase = await detail(store, id);
    expect(kase.closedAt).toBeNull();
    expect(kase.events.map((e) => e.type)).not.toContain('auto-closed');
    expect(kase.events.map((e) => e.type)).not.toContain('updated');
  });

  it.each([
    ['answered by the requester (open, wait cleared)', async (tx: StoreTx, id: string) => {
      await tx.setStatus(id, 'open', new Date(NOW));
      await tx.setCaseFields(id, { waitUntil: null }, new Date(NOW));
    }, 'open'],
    ['given a longer #wait by the agent', async (tx: StoreTx, id: string) => tx.setCaseFields(id, { waitUntil: before(-DAY) }, new Date(NOW)), 'waiting'],
    ['resolved by the agent', async (tx: StoreTx, id: string) => tx.setStatus(id, 'resolved', new Date(NOW)), 'resolved'],
  ] as const)('a waiting case %s', async (_label, change, status) => {
    const { store, deps } = await setup();
    const id = await seed(store, 'IT', 'waiting', { waitUntil: before(3_600_000) });
    const d = { ...deps, store: racing(store, 'waitExpired', (tx) => change(tx, id)) };
    await autoClose(d);
    const kase = await detail(store, id);
    expect(kase.status).toBe(status);
    expect(kase.events).toEqual([]);
  });
});
