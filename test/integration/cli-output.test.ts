// The command line writes all of its output before it exits, whatever stdout is: a pipe into a
// slower reader, a file, or a reader that leaves early (`| head`). Real child processes, real shell
// pipes and a real SQLite file with 1,000 cases (≈1.4 MB of JSON, far more than a 64 KiB pipe buffer).

import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO, stackConfigYaml, tempDb } from '../support/app.js';
import { seedCases } from '../support/case-store.js';

const run = promisify(execFile);
const CASES = 1000;

/** Reads all of stdin, parses it as JSON and prints what it got: the reader side of the pipe. */
const READER = `let s = ''; process.stdin.setEncoding('utf8').on('data', (d) => (s += d)).on('end', () => {
  const list = JSON.parse(s);
  process.stdout.write(JSON.stringify({ bytes: Buffer.byteLength(s), count: list.length, first: list[0].id, last: list.at(-1).id }));
});`;

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

async function shell(script: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('bash', ['-c', `set -o pipefail; ${script}`], { cwd: REPO, env: { ...process.env, SPORTELLO_LOG_LEVEL: 'warn' }, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('CLI output reaches its reader in full', () => {
  let sportello = '';
  let dir = '';
  beforeAll(async () => {
    const db = tempDb();
    dir = path.dirname(db);
    const cfg = path.join(dir, 'sportello.yml');
    writeFileSync(cfg, stackConfigYaml(db));
    await seedCases(db, CASES);
    sportello = `${q(process.execPath)} --import tsx ${q(path.join(REPO, 'src/cli/main.ts'))} --config ${q(cfg)}`;
  });

  it('pipes `cases list --json` for 1,000 cases into a child that parses it', async () => {
    const r = await shell(`${sportello} cases list --json --limit 5000 | ${q(process.execPath)} -e ${q(READER)}`);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const got = JSON.parse(r.stdout) as { bytes: number; count: number; first: string; last: string };
    // Newest first: all of them, from the last opened to the first.
    expect(got).toMatchObject({ count: CASES, first: `IT-${CASES}`, last: 'IT-1' });
    expect(got.bytes).toBeGreaterThan(1_000_000);
  });

  it('writes the same bytes to a file as through the pipe', async () => {
    const file = path.join(dir, 'cases.json');
    const r = await shell(`${sportello} cases list --json --limit 5000 > ${q(file)}`);
    expect(r.code).toBe(0);
    const piped = await shell(`${sportello} cases list --json --limit 5000 | cat`);
    expect(piped.code).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toHaveLength(CASES);
    expect(piped.stdout).toBe(readFileSync(file, 'utf8'));
  });

  it('ends quietly when the reader leaves early (`| head`)', async () => {
    const r = await shell(`${sportello} cases list --limit 5000 | head -n 3`);
    expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(3);
    expect(r.stdout).toMatch(/^ID\s+STATUS/);
    expect(r.stderr).not.toMatch(/EPIPE|Error|at /);
  });
});
