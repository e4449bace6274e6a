// Starts the worker_threads scripts that sit beside this module (parse-worker, send-worker): the built
// .js under dist/, or the .ts source through tsx's ESM hooks when running from the sources (tests).
// Decides only how a script is loaded; what runs in it and when it stops belong to its owner.

import { Worker, type WorkerOptions } from 'node:worker_threads';

/** A worker script beside this module by base name: `name`.js once built, `name`.ts from the sources. */
export function workerScriptUrl(name: string): URL {
  return new URL(import.meta.url.endsWith('.ts') ? `./${name}.ts` : `./${name}.js`, import.meta.url);
}

/** A worker for a script; TypeScript (running from the sources, tests) is loaded through tsx's ESM hooks. */
export function startWorker(url: URL, opts: Pick<WorkerOptions, 'workerData' | 'resourceLimits'> = {}): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, opts);
  // Resolved from the working directory (the clone, where tsx is a dev dependency).
  return new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`, { ...opts, eval: true });
}
