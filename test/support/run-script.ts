// Runs one of the project's daemon scripts (scripts/mailstack.sh, scripts/pgstack.sh) from tests:
// stdin closed, output piped, bounded by a timeout. Trusts the exit code and the pipes reaching EOF.
// Must never hang on a daemon that inherited the pipes, or treat a non-zero exit as success unasked.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { SportelloError } from '../../src/errors.js';

export interface ScriptSpec {
  /** Short name in messages, e.g. `mailstack`. */
  readonly name: string;
  /** Absolute path of the bash script. */
  readonly path: string;
  /** Error codes are `<prefix>_TIMEOUT`, `<prefix>_SCRIPT`, `<prefix>_STDIO`. */
  readonly codePrefix: string;
  /** Where to look next when the script hangs, e.g. "`bash scripts/pgstack.sh logs` shows the server". */
  readonly logsHint: string;
}

export interface RunOptions {
  /** Kill the script after this long (ms). `up` on a fresh machine runs apt-get: give it minutes. */
  timeoutMs?: number;
  /** Copy the script's stderr (its progress log) to ours as it arrives. */
  echo?: boolean;
  /** Exit codes that are not failures (e.g. `[0, 3]` for `status`). */
  okCodes?: readonly number[];
  /** Extra environment (e.g. another MAILSTACK_DIR) on top of ours. */
  env?: Readonly<Record<string, string>>;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

// After the script exits, its pipes must reach EOF at once. If they don't, a daemon inherited them
// (NOTES pitfall 3) and every caller that waits for EOF (execSync, `| tail`, CI log capture) hangs.
const STDIO_GRACE_MS = 2_000;

/** Runs `bash <script> ...args`; rejects with a SportelloError naming the script's own cause and fix. */
export function runScript(spec: ScriptSpec, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const { timeoutMs = 120_000, echo = false, okCodes = [0], env } = opts;
  const started = performance.now();
  const label = `${spec.name}.sh ${args.join(' ')}`;
  const context = { args: args.join(' '), script: spec.path };
  return new Promise<RunResult>((resolve, reject) => {
    const child = spawn('bash', [spec.path, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    let settled = false;
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
      if (echo) process.stderr.write(s);
    });
    const finish = (err: SportelloError | undefined, code: number) => {
      if (settled) return;
      settled = true;
      clearTimeout(killTimer);
      if (err) reject(err);
      else resolve({ code, stdout, stderr, ms: Math.round(performance.now() - started) });
    };
    const killTimer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(
        new SportelloError(`${spec.codePrefix}_TIMEOUT`, `${label} did not finish within ${timeoutMs} ms`, {
          context: { ...context, stderr: tail(stderr) },
          hint: `run the same command by hand to see where it stops; ${spec.logsHint}`,
        }),
        -1,
      );
    }, timeoutMs);
    child.on('error', (cause) =>
      finish(new SportelloError(`${spec.codePrefix}_SCRIPT`, `cannot run bash ${spec.path}`, { cause, context }), -1),
    );
    child.on('exit', (code, signal) => {
      const exitCode = code ?? -1;
      const failure = okCodes.includes(exitCode)
        ? undefined
        : new SportelloError(
            `${spec.codePrefix}_SCRIPT`,
            `${label} failed (${signal ? `signal ${signal}` : `exit ${exitCode}`}): ${tail(stderr, 3)}`,
            { context: { ...context, exitCode, stderr: tail(stderr) }, hint: 'the script printed the cause and the fix above' },
          );
      if (child.stdout.readableEnded && child.stderr.readableEnded) return finish(failure, exitCode);
      const grace = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish(
          failure ??
            new SportelloError(`${spec.codePrefix}_STDIO`, `${label} exited but its output pipes stayed open`, {
              context,
              hint: 'a daemon inherited the caller\'s stdio; start daemons with </dev/null >/dev/null 2>>log',
            }),
          exitCode,
        );
      }, STDIO_GRACE_MS);
      child.on('close', () => {
        clearTimeout(grace);
        finish(failure, exitCode);
      });
    });
  });
}

function tail(text: string, lines = 20): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

// First `up` on a fresh machine runs apt-get update + install (~25 s measured, minutes on a slow mirror).
export const UP_TIMEOUT_MS = 600_000;
const STEP_TIMEOUT_MS = 120_000;

/**
 * A vitest globalSetup pair for a daemon script: `up` then `reset` before the project's files run,
 * `down` after them unless `<PREFIX>_KEEP=1` asks to leave the daemons up for a look.
 */
export function scriptLifecycle(spec: ScriptSpec): { setup(): Promise<void>; teardown(): Promise<void> } {
  const keep = `${spec.codePrefix}_KEEP`;
  return {
    async setup() {
      await runScript(spec, ['up'], { timeoutMs: UP_TIMEOUT_MS, echo: true });
      await runScript(spec, ['reset'], { timeoutMs: STEP_TIMEOUT_MS, echo: true });
    },
    async teardown() {
      if (process.env[keep] === '1') {
        process.stderr.write(`${spec.name}: ${keep}=1, leaving it up\n`);
        return;
      }
      await runScript(spec, ['down'], { timeoutMs: STEP_TIMEOUT_MS, echo: true });
    },
  };
}
