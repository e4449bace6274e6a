// Watches a directory and calls `reload` once writes settle (editors save in bursts and by rename).
// Reloads run one at a time, in order, so a slow reload never reports after a newer one. The caller
// decides what a failed reload means; this module only schedules.

import { watch } from 'chokidar';

export interface DirWatcher {
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

export function watchDir(dir: string, accept: (file: string) => boolean, reload: () => Promise<void>, debounceMs = 150): DirWatcher {
  const watcher = watch(dir, {
    ignoreInitial: true,
    awaitWriteFinish: { stabilityThreshold: 100, pollInterval: 25 },
    ignored: (file, stats) => stats?.isFile() === true && !accept(file),
  });
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let running: Promise<void> = Promise.resolve();
  watcher.on('all', (event) => {
    if (closed || !['add', 'change', 'unlink'].includes(event)) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      running = running.then(reload, reload);
    }, debounceMs);
  });
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
