// Test-side access to the private PostgreSQL (scripts/pgstack.sh): run the script, and give each test
// file a fresh database of its own on it. Trusts only the PGSTACK_* environment the script also reads.
// Must never connect anywhere but 127.0.0.1, or leave a database or a connection behind.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterEach } from 'vitest';
import { PG_TYPES } from '../../src/adapters/postgres/types.js';
import { runScript, type RunOptions, type RunResult, type ScriptSpec } from './run-script.js';

export const PGSTACK_SCRIPT = fileURLToPath(new URL('../../scripts/pgstack.sh', import.meta.url));

export const PGSTACK: ScriptSpec = Object.freeze({
  name: 'pgstack',
  path: PGSTACK_SCRIPT,
  codePrefix: 'PGSTACK',
  logsHint: '`bash scripts/pgstack.sh logs` shows the server',
});

/** Runs `bash scripts/pgstack.sh ...args` with stdin closed and piped output, bounded by a timeout. */
export function runPgstack(args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return runScript(PGSTACK, args, opts);
}

export interface PgServer {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** The database `pgstack.sh up` and `reset` create; tests create their own beside it. */
  readonly database: string;
  /** postgres:// URL of `database`, or of another database on the same server. */
  url(database?: string): string;
}

/** The server as scripts/pgstack.sh configures it, honouring the same PGSTACK_* overrides. */
export function pgFromEnv(env: NodeJS.ProcessEnv = process.env): PgServer {
  const server = {
    host: '127.0.0.1',
    port: Number(env.PGSTACK_PORT ?? 15433),
    user: env.PGSTACK_USER ?? 'sportello',
    password: env.PGSTACK_PASSWORD ?? 'secret',
    database: env.PGSTACK_DB ?? 'sportello_test',
  };
  return Object.freeze({
    ...server,
    url: (database = server.database) => `postgres://${server.user}:${server.password}@${server.host}:${server.port}/${database}`,
  });
}

export const PG: PgServer = pgFromEnv();

/** A client on `database` (default: the stack's test database) with the store's type parsers. */
export async function connect(database?: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: PG.url(database), types: PG_TYPES, connectionTimeoutMillis: 10_000 });
  // An error emitted while idle (server restart) would otherwise crash the test worker.
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

export interface FreshDatabase {
  readonly name: string;
  readonly url: string;
  /** A new client on this database; `drop` closes every client it handed out. */
  connect(): Promise<pg.Client>;
  /** Closes the clients and drops the database. */
  drop(): Promise<void>;
}

/** Creates an empty database for one test file (`pgstack.sh reset` also drops any left behind). */
export async function freshDatabase(label: string): Promise<FreshDatabase> {
  const name = `t_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase().slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  const admin = await connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const clients: pg.Client[] = [];
  return Object.freeze({
    name,
    url: PG.url(name),
    connect: async () => {
      const c = await connect(name);
      clients.push(c);
      return c;
    },
    drop: async () => {
      await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
      const a = await connect();
      try {
        await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await a.end();
      }
    },
  });
}

/**
 * For a test file: `database()` gives the running test a fresh database, `closing(x)` closes x after it;
 * both are undone after each test (last first), stores before their databases.
 */
export function perTest(label: string): { database(): Promise<FreshDatabase>; closing<T extends { close(): Promise<void> }>(x: T): T } {
  let undo: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const u of undo.reverse()) await u().catch(() => undefined);
    undo = [];
  });
  return {
    async database() {
      const db = await freshDatabase(label);
      undo.push(() => db.drop());
      return db;
    },
    closing(x) {
      undo.push(() => x.close());
      return x;
    },
  };
}
