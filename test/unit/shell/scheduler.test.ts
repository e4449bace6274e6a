// The scheduler: one housekeeping pass for `once` and `run` (escalate → promise watch → auto-close → daily jobs → send), in
// which a failing step is reported with its error and the others still run; and the daemon's timers, driven
// here by injected timers that wait until the daemon stops, so nothing depends on the real clock.

import { describe, expect, it } from 'vitest';
import { housekeepingPass, runOnce, runScheduler, type HousekeepingSteps, type SchedulerDeps, type Timers } from '../../../src/shell/scheduler.js';
import { silentLogger } from '../../../src/log.js';
import { SportelloError } from '../../../src/errors.js';
import { fakeMailbox, manualClock, testConfig } from '../../support/fakes.js';

const DRAINED = { sent: 2, retrying: 0, failed: 0 };

/** Steps that record their order; `failing` names the ones that throw. */
function steps(calls: string[], failing: readonly string[] = []): HousekeepingSteps {
  const step = <T>(name: string, value: T) => async () => {
    calls.push(name);
    if (failing.includes(name)) throw new SportelloError('STORE', `${name} broke`, { cause: new Error('disk full') });
    return value;
  };
  return {
    escalate: step('escalate', { sent: 1, next: null }),
    promises: step('promises', { updates: 1, digests: 0 }),
    autoClose: step('autoClose', 3),
    daily: step('daily', { purged: null, notices: 1 }),
    drain: step('drain', DRAINED),
  };
}

describe('housekeepingPass', () => {
  it('runs escalate, the promise watch, auto-close, the daily jobs and the outbox, in that order', async () => {
    const calls: string[] = [];
    const failed: string[] = [];
    const pass = await housekeepingPass(steps(calls), (step) => failed.push(step));
    expect(calls).toEqual(['escalate', 'promises', 'autoClose', 'daily', 'drain']);
    expect(pass).toEqual({ escalations: { sent: 1, next: null }, promises: { updates: 1, digests: 0 }, closed: 3, housekeeping: { purged: null, notices: 1 }, outbox: DRAINED });
    expect(failed).toEqual([]);
  });

  it.each([['escalate'], ['promises'], ['autoClose'], ['daily'], ['drain']])('a failing %s is reported with its error and the other steps still run', async (broken) => {
    const calls: string[] = [];
    const failed: [string, unknown][] = [];
    const pass = await housekeepingPass(steps(calls, [broken]), (step, err) => failed.push([step, err]));
    expect(calls).toEqual(['escalate', 'promises', 'autoClose', 'daily', 'drain']);
    expect(failed).toHaveLength(1);
    expect(failed[0]![1]).toMatchObject({ code: 'STORE', message: `${broken} broke`, cause: new Error('disk full') });
    if (broken === 'drain') expect(pass.outbox).toBeNull();
    else expect(pass.outbox).toEqual(DRAINED);
  });

  it('leaves the daily jobs out when told (the daemon wakes them hourly)', async () => {
    const calls: string[] = [];
    const pass = await housekeepingPass(steps(calls), () => undefined, { daily: false });
    expect(calls).toEqual(['escalate', 'promises', 'autoClose', 'drain']);
    expect(pass.housekeeping).toEqual({ purged: null, notices: 0 });
  });
});

/** Timers that never fire by themselves: every wait ends when the daemon stops. */
const untilStopped: Timers = {
  sleep: (_ms, signal) => new Promise<void>((resolve) => (signal?.aborted ? resolve() : signal?.addEventListener('abort', () => resolve(), { once: true }))),
};

function schedulerDeps(calls: string[], over: Partial<SchedulerDeps> = {}): SchedulerDeps {
  return {
    log: silentLogger(),
    clock: manualClock(),
    timers: untilStopped,
    desks: [],
    sourceFor: () => fakeMailbox(),
    random: () => 0.5,
    reconcile: async () => 0,
    deskPass: async () => ({ seen: 0, created: 0, appended: 0, duplicates: 0, quarantined: 0 }),
    steps: steps(calls),
    saveStatus: async (stoppedAt) => void calls.push(stoppedAt ? 'status stopped' : 'status'),
    statusSaved: () => undefined,
    reports: { connected: () => undefined, passed: () => undefined, failed: () => undefined },
    metrics: { imapReconnect: () => undefined },
    backgroundFailed: (what) => () => void calls.push(`failed: ${what}`),
    watchers: () => [{ close: async () => void calls.push('watcher closed') }],
    sending: () => undefined,
    intervals: { pollMs: 60_000, retryMs: 30_000, statusMs: 15_000, dailyMs: 3_600_000, slaMaxMs: 60_000, flushMs: 10_000 },
    ...over,
  };
}

/** Starts the daemon, waits for its first housekeeping pass to send, stops it, and returns what it did. */
async function runUntilFirstPass(leaseLost: boolean): Promise<string[]> {
  const calls: string[] = [];
  const stop = new AbortController();
  let passDone!: () => void;
  const drained = new Promise<void>((resolve) => (passDone = resolve));
  const deps = schedulerDeps(calls);
  const daemon = runScheduler({ ...deps, steps: { ...deps.steps, drain: async () => (calls.push('drain'), passDone(), DRAINED) } }, stop.signal, () => leaseLost);
  await drained;
  stop.abort();
  await daemon;
  return calls;
}

describe('runScheduler', () => {
  it('runs the housekeeping pass and the status report at start; on stop closes the watchers, flushes the outbox and reports the stop', async () => {
    const calls = await runUntilFirstPass(false);
    expect(calls.filter((c) => c !== 'status')).toEqual(['escalate', 'promises', 'autoClose', 'daily', 'drain', 'watcher closed', 'drain', 'status stopped']);
    expect(calls).toContain('status');
  });

  it('does not flush after the writer lease was lost: the outbox belongs to the new holder', async () => {
    const calls = await runUntilFirstPass(true);
    expect(calls.filter((c) => c === 'drain')).toHaveLength(1);
    expect(calls).not.toContain('status stopped');
  });
});

describe('runOnce', () => {
  it('passes every desk, reports one that cannot be opened, then the housekeeping pass with its failures named', async () => {
    const calls: string[] = [];
    const config = testConfig();
    const working = fakeMailbox();
    const summary = await runOnce({
      ...schedulerDeps(calls, { steps: steps(calls, ['autoClose']) }),
      desks: config.desks,
      sourceFor: (desk) => (desk.id === 'HR' ? { open: async () => Promise.reject(new Error('connection refused')) } : working),
    });
    expect(summary.desks).toEqual({ IT: { seen: 0, created: 0, appended: 0, duplicates: 0, quarantined: 0 }, HR: { error: 'connection refused' } });
    expect(summary).toMatchObject({ escalations: 1, closed: 0, outbox: DRAINED, housekeeping: { purged: null, notices: 1 }, failed: ['auto-close pass'] });
    expect(calls).toEqual(['escalate', 'promises', 'autoClose', 'failed: auto-close pass', 'daily', 'drain']);
  });
});

describe('runScheduler in a fleet (mailbox leases)', () => {
  it('runs a loop per held mailbox, stops one whose lease is gone, stops an excess one before giving it back, stops all when a heartbeat fails, and leaves after stopping them', async () => {
    const events: string[] = [];
    const waiters: { text: string; resolve: () => void }[] = [];
    const note = (e: string) => {
      events.push(e);
      for (const w of waiters.splice(0)) (w.text === e ? w.resolve : () => waiters.push(w))();
    };
    const seen = (e: string) => new Promise<void>((resolve) => (events.includes(e) ? resolve() : waiters.push({ text: e, resolve })));
    // Heartbeats (and the housekeeping check riding on them) are spaced by the injected timers: beat() lets the next come.
    let sleepers: (() => void)[] = [];
    let sleeping: () => void = () => undefined;
    /** Wakes the heartbeat loop once it is asleep again (and whatever else waits one heartbeat). */
    const beat = async () => {
      if (!sleepers.length) await new Promise<void>((resolve) => (sleeping = resolve));
      const due = sleepers;
      sleepers = [];
      for (const wake of due) wake();
    };
    const timers: Timers = {
      sleep: (ms, signal) =>
        new Promise<void>((resolve) => {
          if (signal?.aborted) return resolve();
          signal?.addEventListener('abort', () => resolve(), { once: true });
          if (ms === 1_000) {
            sleepers.push(resolve);
            sleeping();
          }
        }),
    };
    const held = (entries: Record<string, number>, giveBack: string[] = []) => ({ held: new Map(Object.entries(entries)), giveBack });
    const plans: (ReturnType<typeof held> | Error)[] = [
      held({ IT: 1, HR: 1 }),
      held({ IT: 1, HR: 1 }, ['HR']),
      held({}),
      new Error('database gone'),
      held({ IT: 2 }),
    ];
    let beats = 0;
    const config = testConfig();
    const calls: string[] = [];
    const base = schedulerDeps(calls);
    const stop = new AbortController();
    const daemon = runScheduler(
      {
        ...base,
        timers,
        // The housekeeping check sleeps its own (shorter) interval, so beat() wakes only the heartbeat loop.
        intervals: { ...base.intervals, slaMaxMs: 500 },
        desks: config.desks,
        sourceFor: (desk) => ({
          open: async () => {
            const session = await fakeMailbox().open();
            note(`open ${desk.id}`);
            return {
              ...session,
              waitForChange: (_ms: number, signal: AbortSignal) => new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true }))),
              close: async () => note(`close ${desk.id}`),
            };
          },
        }),
        fleet: {
          heartbeatMs: 1_000,
          heartbeat: async () => {
            const plan = plans[beats++]!;
            note(`heartbeat ${beats}`);
            if (plan instanceof Error) throw plan;
            return plan;
          },
          giveBack: async (desk, epoch) => note(`give back ${desk} ${epoch}`),
          housekeeping: () => false,
          elsewhere: (desk) => note(`elsewhere ${desk}`),
          leave: async () => note('leave'),
        },
      },
      stop.signal,
      () => false,
    );
    await Promise.all([seen('open IT'), seen('open HR')]);
    await beat();
    await seen('give back HR 1');
    expect(events.indexOf('close HR')).toBeLessThan(events.indexOf('give back HR 1'));
    expect(events.filter((e) => e === 'open IT')).toHaveLength(1);
    await beat();
    await seen('close IT');
    await beat();
    await seen('heartbeat 4');
    await beat();
    await seen('heartbeat 5');
    await new Promise<void>((resolve) => (events.filter((e) => e === 'open IT').length === 2 ? resolve() : waiters.push({ text: 'open IT', resolve })));
    stop.abort();
    await daemon;
    expect(events.slice(-2)).toEqual(['close IT', 'leave']);
    expect(calls).toContain('failed: mailbox lease heartbeat');
    // Housekeeping is another instance's: no escalation, promise watch, auto-close or daily jobs here.
    expect(calls.filter((c) => ['escalate', 'promises', 'autoClose', 'daily'].includes(c))).toEqual([]);
    expect(events).toContain('elsewhere HR');
  });
});
