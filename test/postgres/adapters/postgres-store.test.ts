// What only the PostgreSQL store does, on the real server: migrating an empty database at a write open
// (and not again), read-only opening for read commands (a missing or not yet upgraded database refused,
// nothing created, a write refused as STORE), driver failures as STORE without the password, `backup`
// pointing at pg_dump, and the composition root choosing the store from `database:`.
// Everything both stores must do is in the store contract (test/support/store-contract.ts).
import { describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../../src/adapters/postgres-store.js';
import { PG_MIGRATIONS } from '../../../src/adapters/postgres/migrations.js';
import { openExistingStore, openStore } from '../../../src/app.js';
import { PG, perTest } from '../../support/pgstack.js';
import { testConfig } from '../../support/fakes.js';
import { T0, at, newCase, outgoing, seedCase } from '../../support/store-contract.js';

const { database, closing } = perTest('pgstore');
const errorOf = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as { code: string; message: string; hint: string; context: Record<string, unknown> });

describe('opening a PostgreSQL store', () => {
  it('a write open migrates an empty database once; reopening keeps the data and re-runs nothing', async () => {
    const db = await database();
    const first = await openPostgresStore(db.url);
    await seedCase(first);
    await first.close();
    const again = closing(await openPostgresStore(db.url));
    expect((await again.listCases({})).map((c) => c.id)).toEqual(['IT-1']);
    const c = await db.connect();
    const { rows } = await c.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name');
    expect(rows.map((r) => r.name)).toEqual(PG_MIGRATIONS.map((m) => m.name));
  });

  it('read mode: a missing database, or one not set up yet, is STORE_NOT_FOUND and stays empty', async () => {
    const missing = await errorOf(openPostgresStore(PG.url('t_no_such_database'), { mode: 'read' }));
    expect(missing).toMatchObject({ code: 'STORE_NOT_FOUND', message: `the database ${PG.url('t_no_such_database').replace(':secret@', ':***@')} does not exist` });
    const db = await database();
    const empty = await errorOf(openPostgresStore(db.url, { mode: 'read' }));
    expect(empty).toMatchObject({ code: 'STORE_NOT_FOUND', message: expect.stringContaining('is not a Sportello database yet (no schema_migrations table)') });
    const c = await db.connect();
    expect((await c.query(`SELECT to_regclass('schema_migrations') AS t`)).rows[0]).toEqual({ t: null });
  });

  it('read mode refuses a database not yet upgraded to this version, naming what is missing', async () => {
    const db = await database();
    const c = await db.connect();
    await c.query(`CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL); INSERT INTO schema_migrations VALUES ('001-initial', now())`);
    const err = await errorOf(openPostgresStore(db.url, { mode: 'read' }));
    expect(err).toMatchObject({ code: 'STORE' });
    expect(err!.message).toContain('has not been upgraded to this version (missing 002-sla');
    expect(err!.message).not.toContain('secret');
  });

  it('read mode reads what a writer stored beside it; a write through it fails as STORE with the read-only hint', async () => {
    const db = await database();
    const writer = closing(await openPostgresStore(db.url));
    const reader = closing(await openPostgresStore(db.url, { mode: 'read' }));
    await seedCase(writer);
    expect(await reader.listCases({})).toHaveLength(1);
    expect(await reader.transaction((tx) => tx.getCase('IT-1'))).toMatchObject({ id: 'IT-1' }); // no row lock asked of a read-only transaction
    const err = await errorOf(reader.resetCheckpoint('IT', 'INBOX', 1, T0));
    expect(err).toMatchObject({ code: 'STORE', message: expect.stringContaining('read-only transaction') });
    expect(err!.hint).toContain('read-only');
    expect(err!.message).not.toContain('secret');
  });

  it('a refused login or an unreachable server is STORE naming the database without its password', async () => {
    const badLogin = await errorOf(openPostgresStore(PG.url().replace(':secret@', ':wrong@')));
    expect(badLogin).toMatchObject({ code: 'STORE' });
    expect(badLogin!.message).not.toContain('wrong');
    expect(badLogin!.hint).toMatch(/user and password/);
    const down = await errorOf(openPostgresStore(`postgres://sportello:secret@127.0.0.1:1/x`));
    expect(down).toMatchObject({ code: 'STORE' });
    expect(down!.message).toContain('postgres://sportello:***@127.0.0.1:1/x');
    expect(down!.hint).toContain('running and reachable');
  });

  it('backup is refused with the pg_dump hint; close is safe twice', async () => {
    const db = await database();
    const store = await openPostgresStore(db.url);
    expect(await errorOf(store.backup('/tmp/x.db'))).toMatchObject({ code: 'USAGE', hint: expect.stringContaining('pg_dump') });
    await store.close();
    await store.close();
  });

  it('the composition root opens PostgreSQL for a postgres:// database; an existing-only open finds none before set-up', async () => {
    const db = await database();
    expect(await openExistingStore(testConfig(db.url))).toBeNull();
    expect(await openExistingStore(testConfig(PG.url('t_no_such_database')))).toBeNull();
    const store = closing(await openStore(testConfig(db.url), 'write'));
    await seedCase(store);
    const c = await db.connect();
    expect((await c.query('SELECT id FROM cases')).rows).toEqual([{ id: 'IT-1' }]);
    const existing = closing((await openExistingStore(testConfig(db.url)))!);
    expect((await existing.listCases({})).map((x) => x.id)).toEqual(['IT-1']);
  });
});

describe('PostgreSQL transactions', () => {
  it('a serialization failure or deadlock runs the whole work again; another error, or one that persists, is STORE', async () => {
    const db = await database();
    const store = closing(await openPostgresStore(db.url));
    const c = await db.connect();
    // Fails the first insert of a daily claim with 40001; nextval survives the rollback, so the retry passes.
    await c.query(`CREATE SEQUENCE flaky;
      CREATE FUNCTION flaky() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        IF NEW.job = 'always' OR (NEW.job = 'once' AND nextval('flaky') = 1) THEN RAISE EXCEPTION 'conflict' USING ERRCODE = '40001'; END IF;
        IF NEW.job = 'deadlock' THEN RAISE EXCEPTION 'deadlock' USING ERRCODE = '40P01'; END IF;
        IF NEW.job = 'other' THEN RAISE EXCEPTION 'no' USING ERRCODE = '22000'; END IF;
        RETURN NEW; END $$;
      CREATE TRIGGER flaky BEFORE INSERT ON daily_claims FOR EACH ROW EXECUTE FUNCTION flaky();`);
    let runs = 0;
    const claim = (job: string) => store.transaction(async (tx) => {
      runs++;
      await tx.createCase(newCase('IT', 'IT'), T0);
      return tx.claimDaily(job, '2026-03-02', T0);
    });
    expect(await claim('once')).toBe(true);
    expect(runs).toBe(2);
    expect((await store.listCases({})).map((x) => x.id)).toEqual(['IT-1']); // the failed attempt left nothing
    runs = 0;
    const always = await errorOf(claim('always'));
    expect(always).toMatchObject({ code: 'STORE', context: { pgCode: '40001' } });
    expect(always!.hint).toContain('retry');
    expect(runs).toBe(5);
    runs = 0;
    expect(await errorOf(claim('deadlock'))).toMatchObject({ code: 'STORE', context: { pgCode: '40P01' } });
    expect(runs).toBe(5);
    runs = 0;
    expect(await errorOf(claim('other'))).toMatchObject({ code: 'STORE', context: { pgCode: '22000' } });
    expect(runs).toBe(1);
    expect((await store.listCases({})).map((x) => x.id)).toEqual(['IT-1']);
  });

  it('parking interrupted sends is all or nothing: when an event cannot be written, no row is parked', async () => {
    const db = await database();
    const store = closing(await openPostgresStore(db.url));
    const ids: number[] = [];
    await seedCase(store, async (tx, caseId) => {
      for (let i = 0; i < 2; i++) ids.push(await tx.enqueue({ caseId, kind: 'auto-reply', envelopeFrom: '', mail: outgoing(`p${i}@example.test`) }, null, T0));
    });
    for (const id of ids) await store.markSending([id], T0);
    const c = await db.connect();
    await c.query(`CREATE FUNCTION fail_second() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        IF NEW.type = 'send-uncertain' AND (SELECT COUNT(*) FROM events WHERE type = 'send-uncertain') = 1 THEN RAISE EXCEPTION 'disk trouble'; END IF;
        RETURN NEW; END $$;
      CREATE TRIGGER fail_second BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION fail_second();`);
    const err = await errorOf(store.parkInterrupted(at(1)));
    expect(err).toMatchObject({ code: 'STORE', message: expect.stringContaining('disk trouble') });
    expect(await store.outboxSummary()).toEqual({ sending: 2 });
    expect((await store.getCaseDetail('IT-1'))!.events.filter((e) => e.type === 'send-uncertain')).toEqual([]);
  });
});
