// deploy/with-credentials.sh as systemd runs it (a real child process): every credential file becomes
// the environment variable of the same name for sportello.yml's ${NAME}, trailing newline dropped,
// invalid names skipped with a message, and the command exec'd so SIGTERM reaches the daemon itself.
// The node flags of the `sportello` shebang are the unit's, and node takes them.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO } from '../support/app.js';

const run = promisify(execFile);
const WRAPPER = path.join(REPO, 'deploy', 'with-credentials.sh');
/** Prints the pid and the variables the wrapper should have set, as JSON. */
const SHOW_ENV = `process.stdout.write(JSON.stringify({ pid: process.pid, smtp: process.env.SMTP_PASSWORD, imap: process.env.IT_IMAP_PASSWORD, bad: Object.keys(process.env).filter((k) => k.includes('-')) }))`;

function credentials(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'sportello-creds-'));
  for (const [name, value] of Object.entries(files)) writeFileSync(path.join(dir, name), value, { mode: 0o600 });
  return dir;
}

describe('deploy/with-credentials.sh', () => {
  it('exports each credential under its file name and execs the command in place', async () => {
    const dir = credentials({ SMTP_PASSWORD: 's3cret with spaces\n', IT_IMAP_PASSWORD: "p'w\"$(not run)", 'bad-name': 'x' });
    const child = execFile(WRAPPER, [process.execPath, '-e', SHOW_ENV], { env: { ...process.env, CREDENTIALS_DIRECTORY: dir } });
    const out = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve({ stdout, stderr }) : reject(new Error(`exit ${code}: ${stderr}`))));
    });
    const got = JSON.parse(out.stdout) as { pid: number; smtp: string; imap: string; bad: string[] };
    expect(got).toEqual({ pid: child.pid, smtp: 's3cret with spaces', imap: "p'w\"$(not run)", bad: [] });
    expect(out.stderr).toContain('skipping credential "bad-name": not a valid variable name');
    expect(out.stderr).not.toContain('s3cret');
  });

  it('runs the command unchanged without CREDENTIALS_DIRECTORY (environment-file installs)', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, SMTP_PASSWORD: 'from-env' };
    delete env.CREDENTIALS_DIRECTORY;
    const { stdout } = await run(WRAPPER, [process.execPath, '-e', SHOW_ENV], { env });
    expect(JSON.parse(stdout)).toMatchObject({ smtp: 'from-env' });
  });
});

describe("node's flags for sportello", () => {
  const shebang = readFileSync(path.join(REPO, 'src', 'cli', 'main.ts'), 'utf8').split('\n', 1)[0]!;
  const [env, dashS, node, ...flags] = shebang.slice(2).split(/\s+/);

  it('the systemd unit runs node with the shebang\'s flags', () => {
    expect([env, dashS, node]).toEqual(['/usr/bin/env', '-S', 'node']);
    expect(flags).toEqual(['--max-semi-space-size=2']);
    const unit = readFileSync(path.join(REPO, 'deploy', 'sportello.service'), 'utf8');
    expect(unit).toMatch(new RegExp(`^ExecStart=\\S+ /usr/bin/node ${flags.join(' ')} /opt/sportello/dist/cli/main\\.js run `, 'm'));
  });

  it('node takes them as the kernel passes them: the young generation stays within two 2 MB semi-spaces', async () => {
    const churn = `let k = []; for (let i = 0; i < 1e6; i++) { k.push({ i }); if (k.length > 5e4) k = []; }
process.stdout.write(String(require('node:v8').getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size))`;
    const { stdout } = await run(env!, [dashS!, `${node} ${flags.join(' ')}`, '-e', churn], { env: { ...process.env, PATH: `${path.dirname(process.execPath)}:${process.env.PATH}` } });
    expect(Number(stdout)).toBeLessThanOrEqual(4 * 1024 * 1024);
    const { stdout: plain } = await run(process.execPath, ['-e', churn]);
    expect(Number(plain)).toBeGreaterThan(4 * 1024 * 1024);
  });
});
