// A cancellable wait for the daemon's loops: resolves early when the signal aborts, so shutdown never
// waits out a backoff. Used only for pacing retries, never to synchronise with other work.

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}

/** Runs `work` at most once at a time; a call during a run schedules exactly one more run after it. */
export function singleFlight<T>(work: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | null = null;
  let again: Promise<T> | null = null;
  const start = (): Promise<T> => {
    running = work().finally(() => {
      running = null;
    });
    return running;
  };
  return () => {
    if (!running) return start();
    again ??= running.catch(() => undefined).then(() => {
      again = null;
      return start();
    });
    return again;
  };
}
