// Runs the sportello command line as a real child process (tsx, the repository's src), the way people
// and scripts call it, and returns its exit status and both streams; never throws on a non-zero exit.

import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO } from './app.js';

const run = promisify(execFile);
export const CLI = path.join(REPO, 'src/cli/main.ts');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCli(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: REPO, env: { ...process.env, SPORTELLO_LOG_LEVEL: 'warn', ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

export const sportello = (...args: string[]): Promise<CliResult> => runCli(args);
