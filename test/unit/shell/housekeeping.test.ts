// The daily jobs on the real SQLite store with an injected clock: the uncertain-replies notice goes once a
// day per desk (escalation address, else agents) as loop-safe machine mail, stops once the rows are
// retried, survives a restart without repeating; retention runs once a day, in the configured day.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../../src/adapters/sqlite-store.js';
import { loadTemplates } from '../../../src/adapters/templates.js';
import { runHousekeeping, type HousekeepingDeps } from '../../../src/shell/housekeeping.js';
import { silentLogger } from '../../../src/log.js';
import type { CaseStore, OutboxEntry } from '../../../src/ports.js';
import type { DeskRules } from '../../../src/rules/index.js';
import { REPO_ROOT, deskRuntimes, manualClock, routing, sequentialIds, testConfig } from '../../support/fakes.js';
import type { Config } from '../../../src/config/schema.js';

const NOW = '2026-12-05T08:00:00.000Z';
const DAY = 86_400_000;
const config = testConfig();

let stores: CaseStore[] = [];
afterEach(async () => {
  for (const s of stores) await s.close().catch(() => undefined);
  stores = [];
});

const open = async (file: string) => {
  const s = await openSqliteStore(file);
  stores.push(s);
  return s;
};

/** Only the fields housekeeping reads; IT declares an escalation address, HR none. */
const RULES: Record<string, Partial<DeskRules>> = {
  IT: { escalation: { address: 'it-lead@example.test', thresholds: [] }, defaultLanguage: 'en' },
  HR: { escalation: null, defaultLanguage: 'es' },
};

const withRules = (c: Config) => deskRuntimes(c, (id) => RULES[id] as DeskRules | undefined);

async function setup(over: Partial<HousekeepingDeps> = {}) {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'sportello-housekeeping-')), 's.db');
  const store = await open(file);
  const clock = manualClock(NOW);
  const renderer = await loadTemplates(path.join(REPO_ROOT, 'templates'));
  const deps: HousekeepingDeps = {
    store, clock, log: silentLogger(), desks: withRules(config), retention: {}, timezone: 'Europe/Madrid',
    compose: { renderer, instance: 'sportello-test', newId: sequentialIds('n') },
    ...over,
  };
  return { file, store, clock, deps };
}

/** A reply to `to` on a new case of `desk`, interrupted mid-send (as a crash leaves it): uncertain. */
async function uncertainReply(store: CaseStore, desk: 'IT' | 'HR', to: string, at: Date): Promise<number> {
  const id = await store.transaction(async (tx) => {
    const c = await tx.createCase({ desk, prefix: desk, subject: 'Printer', requester: { address: to, name: '' }, routing: routing(), sla: null }, at);
    return tx.enqueue(
      { caseId: c.id, kind: 'auto-reply', envelopeFrom: '', mail: { from: { address: `${desk.toLowerCase()}@example.test`, name: '' }, to: [{ address: to, name: '' }], subject: `[${c.id}] Printer`, messageId: `m.${c.id}@example.test`, inReplyTo: null, references: [], headers: {}, text: 'ack', html: null } },
      null, at,
    );
  });
  await store.markSending([id], at);
  await store.parkInterrupted(at);
  return id;
}

const notices = async (store: CaseStore, at: Date): Promise<OutboxEntry[]> => (await store.dueOutbox(at, 100)).filter((e) => e.kind === 'uncertain-notice');

describe('the daily uncertain-replies notice', () => {
  it('does nothing while no reply is uncertain', async () => {
    const { deps, store, clock } = await setup();
    expect(await runHousekeeping(deps)).toEqual({ purged: null, notices: 0 });
    expect(await notices(store, clock.now())).toEqual([]);
  });

  it('mails the escalation address (IT) or the agents (HR) once a day, as loop-safe machine mail', async () => {
    const { deps, store, clock } = await setup({ desks: withRules({ ...config, desks: config.desks.map((d) => (d.id === 'HR' ? { ...d, agents: [{ address: 'maria@example.test', name: 'Maria' }] } : d)) }) });
    const it1 = await uncertainReply(store, 'IT', 'alice@example.test', new Date(Date.parse(NOW) - 3_600_000));
    const it2 = await uncertainReply(store, 'IT', 'carlo@example.test', new Date(Date.parse(NOW) - 3_600_000));
    await uncertainReply(store, 'HR', 'carlo@example.test', new Date(Date.parse(NOW) - 3_600_000));

    expect(await runHousekeeping(deps)).toEqual({ purged: null, notices: 2 });
    const [itNotice, hrNotice] = await notices(store, clock.now());
    expect(itNotice!.mail.to).toEqual([{ address: 'it-lead@example.test', name: '' }]);
    expect(itNotice!.mail.subject).toBe('[IT] 2 uncertain replies waiting for a check');
    expect(itNotice!.mail.text).toContain(`sportello outbox retry ${it1}`);
    expect(itNotice!.mail.text).toContain(`sportello outbox retry ${it2}`);
    expect(itNotice!.mail.text).toContain('carlo@example.test');
    expect(itNotice!.mail.headers).toEqual({ 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All', 'X-Sportello-Loop': 'sportello-test' });
    expect(itNotice!.envelopeFrom).toBe('');
    expect(itNotice!.caseId).toBeNull();
    expect(hrNotice!.mail.to).toEqual([{ address: 'maria@example.test', name: 'Maria' }]);
    expect(hrNotice!.mail.subject).toBe('[HR] 1 respuesta(s) en estado incierto esperan revisión');

    // Later the same day (hourly wake-ups): nothing more.
    clock.advance(10 * 3_600_000);
    expect(await runHousekeeping(deps)).toEqual({ purged: null, notices: 0 });
    expect(await notices(store, clock.now())).toHaveLength(2);
    // Next day in Madrid (00:30 local), still waiting: told again.
    clock.set('2026-12-05T23:30:00.000Z');
    expect((await runHousekeeping(deps)).notices).toBe(2);
  });

  it('stops once the admin retried the rows, and a restart the same day does not repeat it', async () => {
    const { deps, store, clock, file } = await setup();
    const id = await uncertainReply(store, 'IT', 'alice@example.test', new Date(NOW));
    expect((await runHousekeeping(deps)).notices).toBe(1);
    await store.close();
    const reopened = await open(file);
    expect((await runHousekeeping({ ...deps, store: reopened })).notices).toBe(0);
    expect(await reopened.requeue(id, clock.now(), 'cli:test')).toBe(true);
    clock.advance(DAY);
    expect((await runHousekeeping({ ...deps, store: reopened })).notices).toBe(0);
  });

  it('queues nothing for a desk with no escalation address and no agents', async () => {
    const { deps, store, clock } = await setup();
    await uncertainReply(store, 'HR', 'carlo@example.test', new Date(NOW)); // HR of the test config has no agents
    expect((await runHousekeeping(deps)).notices).toBe(0);
    expect(await notices(store, clock.now())).toEqual([]);
  });
});

describe('daily retention', () => {
  it('runs once per day in the configured time zone, with its counts', async () => {
    const { deps, clock } = await setup({ retention: { rawMailDays: 30 } });
    clock.set('2026-12-05T22:00:00.000Z'); // 23:00 in Madrid
    expect((await runHousekeeping(deps)).purged).toMatchObject({ rawSources: 0, cases: 0 });
    clock.set('2026-12-05T22:50:00.000Z');
    expect((await runHousekeeping(deps)).purged).toBeNull();
    clock.set('2026-12-05T23:10:00.000Z'); // 00:10 on the 6th in Madrid
    expect((await runHousekeeping(deps)).purged).not.toBeNull();
    expect((await deps.store.auditLog(10)).map((e) => [e.action, e.actor, e.at])).toEqual([
      ['purge', 'sportello', '2026-12-05T23:10:00.000Z'],
      ['purge', 'sportello', '2026-12-05T22:00:00.000Z'],
    ]);
  });

  it('leaves no audit trail when retention is not configured', async () => {
    const { deps } = await setup();
    expect((await runHousekeeping(deps)).purged).toBeNull();
    expect(await deps.store.auditLog(10)).toEqual([]);
  });
});
