// sleep: resolves after its time or at once on abort (fake timers, no real waiting); singleFlight: one run
// at a time, and calls during a run coalesce into exactly one more run afterwards.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { singleFlight, sleep } from '../../../src/shell/sleep.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('sleep', () => {
  it('resolves after the delay', async () => {
    vi.useFakeTimers();
    let done = false;
    const p = sleep(1_000).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await p;
    expect(done).toBe(true);
  });

  it('resolves at once when the signal aborts, and clears its timer', async () => {
    vi.useFakeTimers();
    const ac = new AbortController();
    const p = sleep(60_000, ac.signal);
    ac.abort();
    await p;
    expect(vi.getTimerCount()).toBe(0);
  });

  it('resolves immediately with an already aborted signal', async () => {
    vi.useFakeTimers();
    await sleep(60_000, AbortSignal.abort());
    expect(vi.getTimerCount()).toBe(0);
  });
});

function deferred() {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('singleFlight', () => {
  it('runs once at a time; calls during a run share exactly one follow-up run', async () => {
    const runs: ReturnType<typeof deferred>[] = [];
    let active = 0;
    let maxActive = 0;
    const flight = singleFlight(async () => {
      const d = deferred();
      runs.push(d);
      active++;
      maxActive = Math.max(maxActive, active);
      await d.promise;
      active--;
      return runs.length;
    });

    const first = flight();
    const second = flight();
    const third = flight();
    expect(runs).toHaveLength(1);
    expect(second).toBe(third);

    runs[0]!.resolve();
    expect(await first).toBe(1);
    await vi.waitFor(() => expect(runs).toHaveLength(2));
    runs[1]!.resolve();
    expect(await second).toBe(2);
    expect(await third).toBe(2);
    expect(runs).toHaveLength(2);
    expect(maxActive).toBe(1);

    const fourth = flight();
    expect(runs).toHaveLength(3);
    runs[2]!.resolve();
    expect(await fourth).toBe(3);
  });

  it('a failed run does not block the next one', async () => {
    const gate = deferred();
    let calls = 0;
    const flight = singleFlight(async () => {
      calls++;
      if (calls === 1) {
        await gate.promise;
        throw new Error('first failed');
      }
      return 'ok';
    });
    const first = flight();
    const again = flight();
    gate.resolve();
    await expect(first).rejects.toThrow('first failed');
    await expect(again).resolves.toBe('ok');
    await expect(flight()).resolves.toBe('ok');
    expect(calls).toBe(3);
  });
});
