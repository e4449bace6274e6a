// Runs the real command line in a child process (tsx, from the repository root) and returns its exit
// status and output, never throwing on a non-zero exit: CLI tests assert on all three.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO } from './app.js';

const run = promisify(execFile);
const CLI = path.join(REPO, 'src/cli/main.ts');

export async function runCli(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: REPO, env: { ...process.env, SPORTELLO_LOG_LEVEL: 'warn', ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
