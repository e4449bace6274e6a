// Reconcile on a new session: mail committed as processed whose flag never reached the server (a crash
// between the commit and the flag, or a failed STORE) is flagged; flagged mail, mail never processed and
// other UIDVALIDITYs are left alone, and a flag that still fails is retried the next session.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../../src/adapters/sqlite-store.js';
import { ingestMailbox } from '../../../src/shell/ingest.js';
import { reconcileProcessed } from '../../../src/shell/reconcile.js';
import { silentLogger } from '../../../src/log.js';
import type { CaseStore } from '../../../src/ports.js';
import { deskRuntime, fakeMailbox, ingestDeps, testConfig } from '../../support/fakes.js';

const config = testConfig();
const IT = config.desks.find((d) => d.id === 'IT')!;

let store: CaseStore | null = null;
afterEach(async () => {
  await store?.close();
  store = null;
});

const request = (n: number) => `From: p${n}@example.test\r\nTo: it@example.test\r\nSubject: R${n}\r\nMessage-ID: <r${n}@client.example>\r\n\r\nhelp ${n}\r\n`;

/** `fetchBatch` 1 flags each mail with its own STORE, so one failing UID leaves the others flagged. */
async function processed(count: number, fetchBatch = 1) {
  store = await openSqliteStore(path.join(mkdtempSync(path.join(tmpdir(), 'sportello-reconcile-')), 's.db'));
  const box = fakeMailbox(1000);
  for (let i = 1; i <= count; i++) box.add(request(i));
  const deps = ingestDeps(store, { fetchBatch });
  return { box, deps, s: store };
}

describe('reconcileProcessed', () => {
  it('flags what was committed but left unflagged, and only that', async () => {
    const { box, deps, s } = await processed(4);
    box.failMarkFor.add(2);
    await ingestMailbox(deps, deskRuntime(config, IT), await box.open());
    expect(box.marked).toEqual([1, 3, 4]);
    box.unflag(4); // as if killed between the commit of UID 4 and its flag
    box.add(request(5)); // arrived later, never processed: not ours to flag

    box.failMarkFor.clear();
    expect(await reconcileProcessed({ store: s, log: silentLogger() }, IT, await box.open())).toBe(2);
    expect(box.marked).toEqual([1, 3, 4, 2, 4]);
    expect(await reconcileProcessed({ store: s, log: silentLogger() }, IT, await box.open())).toBe(0);
  });

  it('keeps trying in later sessions while the flag fails, and looks only at the newest positions', async () => {
    const { box, deps, s } = await processed(3);
    box.failMarkFor.add(1);
    await ingestMailbox(deps, deskRuntime(config, IT), await box.open());
    expect(await reconcileProcessed({ store: s, log: silentLogger() }, IT, await box.open())).toBe(0);
    // A window of 2 sees UIDs 3 and 2 only: UID 1 is out of reach, by design (bounded work per session).
    box.failMarkFor.clear();
    expect(await reconcileProcessed({ store: s, log: silentLogger() }, IT, await box.open(), 2)).toBe(0);
    expect(await reconcileProcessed({ store: s, log: silentLogger() }, IT, await box.open())).toBe(1);
    expect(box.marked).toEqual([2, 3, 1]);
  });

  it('mends a whole batch whose one STORE failed after its commit', async () => {
    const { box, deps, s } = await processed(4, 10);
    box.failMarkFor.add(2);
    expect(await ingestMailbox(deps, deskRuntime(config, IT), await box.open())).toMatchObject({ seen: 4, created: 4 });
    expect(box.marked).toEqual([]);
    box.failMarkFor.clear();
    expect(await reconcileProcessed({ store: s, log: silentLogger() }, IT, await box.open())).toBe(4);
    expect(box.marked).toEqual([1, 2, 3, 4]);
  });

  it('ignores positions of another UIDVALIDITY', async () => {
    const { box, deps, s } = await processed(2);
    box.failMarkFor.add(2);
    await ingestMailbox(deps, deskRuntime(config, IT), await box.open());
    box.failMarkFor.clear();
    box.uidValidity = 2000;
    expect(await reconcileProcessed({ store: s, log: silentLogger() }, IT, await box.open())).toBe(0);
    expect(box.marked).toEqual([1]);
  });
});
