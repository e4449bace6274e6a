// `sportello status` data on a real SQLite file, fake mailboxes and a manual clock: the daemons' stored
// reports are used while fresh (several merged, each desk from its owner), otherwise each desk is looked at
// directly; outbox, quarantine, oldest case and the writer-lease hook; and the text a person reads.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../../src/adapters/sqlite-store.js';
import { gatherStatus, type StatusDeps } from '../../../src/shell/status.js';
import { createHealth, type HealthRecorder } from '../../../src/shell/health.js';
import { forgetReportsBefore } from '../../../src/health/daemon-reports.js';
import { statusText } from '../../../src/cli/status-command.js';
import { SportelloError } from '../../../src/errors.js';
import type { CaseStore, MailSource } from '../../../src/ports.js';
import { fakeMailbox, manualClock, routing, testConfig } from '../../support/fakes.js';

let store: CaseStore;
afterEach(async () => {
  await store?.close();
});

async function setup(over: Partial<StatusDeps> = {}) {
  store = await openSqliteStore(path.join(mkdtempSync(path.join(tmpdir(), 'sportello-status-')), 's.db'));
  const clock = manualClock('2026-03-02T09:00:00.000Z');
  const boxes = { IT: fakeMailbox(7), HR: fakeMailbox(8) };
  const opened: string[] = [];
  const config = testConfig();
  const deps: StatusDeps = {
    store,
    clock,
    desks: config.desks,
    pollSeconds: 60,
    sourceFor: (desk): MailSource => ({
      open: async () => {
        opened.push(desk.id);
        if (desk.id === 'HR') throw new SportelloError('IMAP_AUTH', 'IMAP server 127.0.0.1:1143 rejected the login of hr@example.test');
        return boxes.IT.open();
      },
    }),
    checkRules: async () => null,
    checkTemplates: async () => null,
    staleAfterMs: 50_000,
    ...over,
  };
  return { clock, boxes, opened, deps };
}

/** Saves a daemon's report as the daemon does: keyed by its identity, from its health recorder. */
const save = (health: HealthRecorder, clock: ReturnType<typeof manualClock>, stoppedAt: string | null = null) => {
  const snapshot = health.snapshot();
  return store.saveDaemonStatus(snapshot.daemon!, JSON.stringify({ ...snapshot, stoppedAt }), clock.now(), forgetReportsBefore(clock.now()));
};

const saveReport = async (clock: ReturnType<typeof manualClock>, stoppedAt: string | null = null) => {
  const health = createHealth(clock, ['IT', 'HR'], 60, { host: 'desk-vm', pid: 4242, startedAt: '2026-03-02T08:00:00.000Z' });
  health.deskPassed('IT');
  health.deskBacklog('IT', 0);
  health.deskFailed('HR', 'IMAP_AUTH', 'rejected by the daemon');
  await save(health, clock, stoppedAt);
};

describe('gatherStatus', () => {
  it('without a daemon report: looks at each mailbox read-only and counts the backlog above the checkpoint', async () => {
    const { boxes, opened, deps } = await setup();
    boxes.IT.add('Subject: a\r\n\r\nx');
    boxes.IT.add('Subject: b\r\n\r\nx');
    boxes.IT.add('Subject: c\r\n\r\nx');
    await store.resetCheckpoint('IT', 'INBOX', 7, new Date());
    await store.transaction((tx) => tx.markPosition({ desk: 'IT', folder: 'INBOX', uidValidity: 7, uid: 1 }, null, 'ignored', null, new Date()));
    const r = await gatherStatus(deps);
    expect(opened).toEqual(['IT', 'HR']);
    expect(r.desksFrom).toBe('check');
    expect(r.daemon).toEqual({ state: 'unknown', host: null, pid: null, since: null, reportedAt: null });
    expect(r.desks.map((d) => [d.id, d.state, d.backlog, d.problem?.code ?? null])).toEqual([
      ['IT', 'connected', 2, null],
      ['HR', 'down', null, 'IMAP_AUTH'],
    ]);
    expect(r.ready).toBe(false);
    expect(r.problems).toEqual([{ desk: 'HR', component: 'desk', code: 'IMAP_AUTH', message: 'IMAP server 127.0.0.1:1143 rejected the login of hr@example.test' }]);
  });

  it('uses a fresh daemon report instead of logging in; stale or stopped reports are said so', async () => {
    const { clock, opened, deps } = await setup();
    await saveReport(clock);
    clock.advance(50_000);
    const fresh = await gatherStatus(deps);
    expect(opened).toEqual([]);
    expect(fresh.desksFrom).toBe('daemon');
    expect(fresh.daemon).toEqual({ state: 'running', host: 'desk-vm', pid: 4242, since: '2026-03-02T08:00:00.000Z', reportedAt: '2026-03-02T09:00:00.000Z' });
    expect(fresh.desks.find((d) => d.id === 'HR')!.problem!.message).toBe('rejected by the daemon');
    clock.advance(1);
    const stale = await gatherStatus(deps);
    expect([stale.daemon.state, stale.desksFrom]).toEqual(['silent', 'check']);
    await saveReport(clock, clock.now().toISOString());
    expect((await gatherStatus(deps)).daemon.state).toBe('stopped');
  });

  it('names the writer-lease holder when the store offers one', async () => {
    const { deps } = await setup({ lease: async () => ({ host: 'other-vm', pid: 99, since: '2026-03-01T00:00:00.000Z' }) });
    expect((await gatherStatus(deps)).daemon).toMatchObject({ state: 'running', host: 'other-vm', pid: 99 });
  });

  it('counts outbox by status, quarantine, the oldest open case, and failing rules', async () => {
    const { deps, clock } = await setup({ checkRules: async () => ({ code: 'RULES_INVALID', message: 'it.yml:3:1: bad' }) });
    await store.transaction(async (tx) => {
      const c = await tx.createCase({ desk: 'IT', prefix: 'IT', subject: 'Printer jammed', requester: { address: 'alice@example.test', name: '' }, routing: routing(), sla: null }, clock.now());
      await tx.enqueue({ caseId: c.id, kind: 'auto-reply', envelopeFrom: '', mail: { from: { address: 'it@example.test', name: '' }, to: [{ address: 'alice@example.test', name: '' }], subject: 's', messageId: 'm@x', inReplyTo: null, references: [], headers: {}, text: 't', html: null } }, null, clock.now());
      await tx.quarantine({ position: null, messageId: null, code: 'MAIL_PARSE', reason: 'bad', stage: 'parse', raw: null }, clock.now());
    });
    const r = await gatherStatus(deps);
    expect(r.outbox).toEqual({ pending: 1, sending: 0, failed: 0, uncertain: 0 });
    expect(r.quarantine).toBe(1);
    expect(r.oldestOpenCase).toEqual({ id: 'IT-1', status: 'new', createdAt: '2026-03-02T09:00:00.000Z', subject: 'Printer jammed' });
    expect(r.rules).toEqual({ code: 'RULES_INVALID', message: 'it.yml:3:1: bad', since: '2026-03-02T09:00:00.000Z' });
    expect(r.problems.map((p) => p.code)).toContain('RULES_INVALID');
  });
});

describe('statusText', () => {
  it('says who runs, each desk, and every problem', async () => {
    const { clock, deps } = await setup();
    await saveReport(clock);
    clock.advance(5_000);
    const text = statusText(await gatherStatus(deps), 'UTC');
    expect(text.split('\n').slice(0, 2)).toEqual(['Sportello NOT READY at 2026-03-02 09:00 (UTC)', 'daemon      running on host desk-vm pid 4242 since 2026-03-02 08:00 (last report 5 s ago)']);
    expect(text).toMatch(/^IT\s+connected\s+0\s+2026-03-02 09:00 \(5 s ago\)\s+-$/m);
    expect(text).toMatch(/^HR\s+down\s+-\s+-\s+IMAP_AUTH: rejected by the daemon$/m);
    expect(text).toContain('outbox      0 pending, 0 failed, 0 uncertain');
    expect(text).toContain('oldest open none');
    expect(text).toMatch(/problems:\n {2}HR: IMAP_AUTH: rejected by the daemon$/);
  });
});

describe('the fleet in status (several daemons on one store)', () => {
  it('is null without lease rows; names the owner of each mailbox, the live instances and the housekeeping holder; a desk worked elsewhere is no problem', async () => {
    const { clock, deps } = await setup();
    expect((await gatherStatus(deps)).fleet).toBeNull();
    const until = '2026-03-02T09:00:20.000Z';
    const row = (name: string, owner: string | null, host: string | null, pid: number | null, leaseUntil: string | null, epoch: number) => ({ name, owner, host, pid, heartbeatAt: '2026-03-02T09:00:00.000Z', leaseUntil, epoch });
    await store.transaction(async (tx) => {
      await tx.putFleetLease(row('instance:A', 'A', 'vm-a', 11, until, 0));
      await tx.putFleetLease(row('instance:B', 'B', 'vm-b', 22, '2026-03-02T08:59:00.000Z', 0));
      await tx.putFleetLease(row('mailbox:IT', 'A', 'vm-a', 11, until, 3));
      await tx.putFleetLease(row('mailbox:HR', 'B', 'vm-b', 22, '2026-03-02T08:59:00.000Z', 2));
      await tx.putFleetLease(row('housekeeping', 'A', 'vm-a', 11, until, 1));
    });
    const health = createHealth(clock, ['IT', 'HR'], 60, { host: 'vm-a', pid: 11, startedAt: '2026-03-02T08:00:00.000Z' });
    health.deskPassed('IT');
    health.deskElsewhere('HR');
    await save(health, clock);
    const r = await gatherStatus(deps);
    expect(r.fleet).toEqual({
      instances: [{ instance: 'A', host: 'vm-a', pid: 11, leaseUntil: until }],
      mailboxes: [
        { desk: 'IT', owner: 'A', host: 'vm-a', pid: 11, epoch: 3, leaseUntil: until },
        { desk: 'HR', owner: null, host: null, pid: null, epoch: 2, leaseUntil: null },
      ],
      housekeeping: { instance: 'A', host: 'vm-a', pid: 11 },
    });
    expect(r.ready).toBe(true);
    const text = statusText(r, 'UTC');
    expect(text).toContain('fleet (several daemons; 1 live: vm-a pid 11; housekeeping on vm-a pid 11):');
    expect(text).toMatch(/^IT\s+vm-a pid 11\s+A\s+3\s+2026-03-02 09:00$/m);
    expect(text).toMatch(/^HR\s+nobody \(taken within one lease period\)\s+-\s+2\s+-$/m);
    expect(text).toMatch(/^HR\s+elsewhere\s+/m);
  });
});

describe('status with several daemons reporting (a fleet on one store)', () => {
  it('shows each desk from the daemon that works it, and a desk down on the other daemon as a problem', async () => {
    const { clock, opened, deps } = await setup();
    const a = createHealth(clock, ['IT', 'HR'], 60, { host: 'vm-a', pid: 11, startedAt: '2026-03-02T08:00:00.000Z' });
    const b = createHealth(clock, ['IT', 'HR'], 60, { host: 'vm-b', pid: 22, startedAt: '2026-03-02T08:30:00.000Z' });
    a.deskPassed('IT');
    a.deskBacklog('IT', 3);
    a.deskElsewhere('HR');
    b.deskElsewhere('IT');
    b.deskFailed('HR', 'IMAP_AUTH', 'rejected on vm-b');
    await save(b, clock);
    clock.advance(5_000);
    await save(a, clock);
    clock.advance(5_000);

    const r = await gatherStatus(deps);

    expect(opened).toEqual([]);
    expect(r.desksFrom).toBe('daemon');
    expect(r.daemon).toEqual({ state: 'running', host: 'vm-a', pid: 11, since: '2026-03-02T08:00:00.000Z', reportedAt: '2026-03-02T09:00:05.000Z' });
    expect(r.desks.map((d) => [d.id, d.state, d.backlog, d.lastPassAt, d.problem?.message ?? null])).toEqual([
      ['IT', 'connected', 3, '2026-03-02T09:00:00.000Z', null],
      ['HR', 'down', null, null, 'rejected on vm-b'],
    ]);
    expect(r.ready).toBe(false);
    expect(r.problems).toEqual([{ desk: 'HR', component: 'desk', code: 'IMAP_AUTH', message: 'rejected on vm-b' }]);
    const text = statusText(r, 'UTC');
    expect(text).toMatch(/^IT\s+connected\s+3\s+2026-03-02 09:00 \(10 s ago\)\s+-$/m);
    expect(text).toMatch(/^HR\s+down\s+-\s+-\s+IMAP_AUTH: rejected on vm-b$/m);
  });

  it('a daemon gone silent no longer speaks for its desks; the running one does', async () => {
    const { clock, deps } = await setup();
    const gone = createHealth(clock, ['IT', 'HR'], 60, { host: 'vm-b', pid: 22, startedAt: '2026-03-02T08:30:00.000Z' });
    gone.deskFailed('HR', 'IMAP_AUTH', 'rejected on vm-b');
    await save(gone, clock);
    clock.advance(60_000);
    const a = createHealth(clock, ['IT', 'HR'], 60, { host: 'vm-a', pid: 11, startedAt: '2026-03-02T08:00:00.000Z' });
    a.deskPassed('IT');
    a.deskPassed('HR');
    await save(a, clock);

    const r = await gatherStatus(deps);

    expect(r.desks.map((d) => [d.id, d.state])).toEqual([['IT', 'connected'], ['HR', 'connected']]);
    expect(r.ready).toBe(true);
  });
});
