// Sportello CLI commands as real child processes for integration tests: a daemon whose log can be
// waited on (synchronised on log lines and exit events, never on sleeps), one-shot commands, and a
// clean-up that SIGKILLs whatever a test left running. Must never outlive the test that started it.

import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO } from './app.js';

const CLI = path.join(REPO, 'src/cli/main.ts');

export interface Daemon {
  readonly child: ChildProcess;
  readonly log: () => string;
  /** Resolves when the log shows `text` (rejects if the process exits first or the time runs out: start-up trains the classifier). */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  readonly exited: Promise<number | null>;
}

export function cliProcesses(env: NodeJS.ProcessEnv = {}) {
  const daemons: ChildProcess[] = [];
  function start(...args: string[]): Daemon {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SPORTELLO_LOG_LEVEL: 'info', ...env },
    });
    daemons.push(child);
    let log = '';
    const waiters: { text: string; resolve: () => void }[] = [];
    const onData = (d: Buffer) => {
      log += d.toString();
      for (const w of waiters.splice(0)) (log.includes(w.text) ? w.resolve : () => waiters.push(w))();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return {
      child,
      log: () => log,
      exited,
      waitFor: (text, timeoutMs = 120_000) =>
        new Promise<void>((resolve, reject) => {
          if (log.includes(text)) return resolve();
          const timer = setTimeout(() => reject(new Error(`"${text}" did not appear within ${timeoutMs} ms; log:\n${log}`)), timeoutMs);
          waiters.push({ text, resolve: () => (clearTimeout(timer), resolve()) });
          void exited.then((code) => {
            clearTimeout(timer);
            if (!log.includes(text)) reject(new Error(`exited with ${code} before "${text}"; log:\n${log}`));
          });
        }),
    };
  }
  /** A one-shot command: its exit status and output. */
  async function sportello(...args: string[]): Promise<{ code: number | null; out: string }> {
    const d = start(...args);
    const code = await d.exited;
    return { code, out: d.log() };
  }
  function killAll(): void {
    for (const c of daemons.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }
  return { start, sportello, killAll };
}
