// scripts/pgstack.sh as tests and CI use it: status and url of the running server, an idempotent
// `up` that keeps the same server, and every refusal naming its cause and fix (in a directory where
// no server was ever started, so nothing here can disturb the shared one).

import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PG, connect, runPgstack } from '../support/pgstack.js';

describe('pgstack.sh on the running server', () => {
  it('status exits 0 and names the pid, the URL and the test database', async () => {
    const res = await runPgstack(['status']);

    expect(res.stdout).toMatch(/^postgres: running \(pid \d+\) on 127\.0\.0\.1:\d+, 15 in /m);
    expect(res.stdout).toContain(`url: ${PG.url()}\n`);
    expect(res.stdout).toMatch(new RegExp(`^databases of ${PG.user}: .*\\b${PG.database}\\b`, 'm'));
  });

  it('url prints the postgres:// URL the tests connect with', async () => {
    const res = await runPgstack(['url']);

    expect(res.stdout).toBe(`${PG.url()}\n`);
  });

  it('a second up keeps the same server and answers on the same URL', async () => {
    const pidBefore = /pid (\d+)/.exec((await runPgstack(['status'])).stdout)?.[1];

    const res = await runPgstack(['up']);
    const client = await connect();
    const { rows } = await client.query<{ who: string; db: string }>('SELECT current_user AS who, current_database() AS db').finally(() => client.end());

    expect(res.stderr).toContain(`postgres: already running (pid ${pidBefore})`);
    expect(rows).toEqual([{ who: PG.user, db: PG.database }]);
  });
});

describe('pgstack.sh refusals', () => {
  let neverUp: string;
  let squatter: Server;
  let squattedPort: number;
  beforeAll(async () => {
    neverUp = await mkdtemp(path.join(tmpdir(), 'pgstack-never-'));
    squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    squattedPort = (squatter.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => squatter.close(() => resolve()));
    await rm(neverUp, { recursive: true, force: true });
  });

  it.each<[string[], Record<string, string>, number, RegExp]>([
    [['status'], {}, 3, /^postgres: stopped$/m],
    [['down'], {}, 0, /postgres: not running/],
    [['frobnicate'], {}, 1, /error: unknown command 'frobnicate'\n.*fix: use one of: up install down reset/],
    [['reset'], {}, 1, /error: the server is not running\n.*fix: run '.*pgstack\.sh up' first/],
    [['logs', 'many'], {}, 1, /error: logs takes a line count, got 'many'/],
    [['up', 'now'], {}, 1, /error: up takes no arguments/],
    [['url'], { PGSTACK_PORT: '80' }, 1, /error: PGSTACK_PORT must be a number from 1024 to 65535, got '80'\n.*fix: export PGSTACK_PORT=15433/],
    [['url'], { PGSTACK_PASSWORD: 'p@ss word' }, 1, /error: PGSTACK_PASSWORD may hold only .*\n.*fix: export PGSTACK_PASSWORD=secret/],
    [['url'], { PGSTACK_DB: 'Test-DB' }, 1, /error: PGSTACK_DB must be a lower-case identifier, got 'Test-DB'/],
    [['url'], { PGSTACK_USER: 'postgres' }, 1, /error: PGSTACK_USER must be a lower-case identifier other than 'postgres'/],
    [['status'], { PGSTACK_DIR: 'relative/dir' }, 1, /error: PGSTACK_DIR is not an absolute path: relative\/dir\n.*fix: export PGSTACK_DIR=\/tmp\/pgstack/],
  ])('pgstack.sh %j with %j exits %i, naming cause and fix', async (args, env, code, said) => {
    const res = await runPgstack(args, { okCodes: [code], env: { PGSTACK_DIR: neverUp, PGSTACK_PORT: '15499', ...env } });

    expect(res.code).toBe(code);
    expect(res.stdout + res.stderr).toMatch(said);
  });

  it('up refuses a port another process listens on, before it creates a cluster', async () => {
    const res = await runPgstack(['up'], { okCodes: [1], env: { PGSTACK_DIR: neverUp, PGSTACK_PORT: String(squattedPort) } });

    expect(res.stderr).toMatch(new RegExp(`error: port 127\\.0\\.0\\.1:${squattedPort} is already in use by a process this script did not start\\n.*fix: .*set PGSTACK_PORT`));
    expect((await runPgstack(['status'], { okCodes: [3], env: { PGSTACK_DIR: neverUp } })).stdout).toMatch(/^postgres: stopped$/m);
  });
});
