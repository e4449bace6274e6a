// The one place that watches the file system (chokidar): calls `reload` once writes to a directory
// settle — editors save in bursts and by rename — and runs reloads one at a time, in order, so a slow
// reload never reports after a newer one. It decides nothing about what a failed reload means.

import { watch } from 'chokidar';

export interface DirWatcher {
  /** Resolves once the initial scan is done; changes before that may be missed. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

export interface WatchDirOptions {
  /** Files whose changes matter; directories are always traversed unless `skipDir` says otherwise. */
  readonly accept: (file: string) => boolean;
  readonly skipDir?: (dir: string) => boolean;
  /** Quiet time after the last change before reloading, in ms. */
  readonly debounceMs?: number;
  /** How long a file's size must stay unchanged before it counts as written, in ms. */
  readonly stabilityMs?: number;
  /** Watcher failures and reloads that throw. */
  readonly onError?: (error: unknown) => void;
}

export function watchDir(dir: string, reload: () => Promise<void>, opts: WatchDirOptions): DirWatcher {
  const watcher = watch(dir, {
    ignoreInitial: true,
    awaitWriteFinish: { stabilityThreshold: opts.stabilityMs ?? 100, pollInterval: 25 },
    ignored: (file, stats) => (stats?.isFile() === true ? !opts.accept(file) : opts.skipDir?.(file) === true),
  });
  const fail = (error: unknown) => opts.onError?.(error);
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let running: Promise<void> = Promise.resolve();
  watcher.on('all', (event) => {
    if (closed || !['add', 'change', 'unlink'].includes(event)) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      running = running.then(reload).catch(fail);
    }, opts.debounceMs ?? 150);
  });
  watcher.on('error', fail);
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return {
    ready,
    async close() {
      closed = true;
      clearTimeout(timer);
      await watcher.close();
      await running.catch(() => undefined);
    },
  };
}
