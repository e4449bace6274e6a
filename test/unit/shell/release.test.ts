// Releasing quarantined mail over a fake mailbox with the real pipeline, MIME parser and SQLite store:
// one case and one auto-reply after the cause is fixed, never a second case (released twice or
// concurrently), the row updated when it fails again, oversized mail fetched again by UID, clear errors.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../../src/adapters/sqlite-store.js';
import { parseMail } from '../../../src/adapters/mime-parser.js';
import { ingestMailbox, type IngestDeps } from '../../../src/shell/ingest.js';
import { releaseOne, type ReleaseDeps } from '../../../src/shell/release.js';
import { PIPELINE } from '../../../src/pipeline/stages.js';
import { SportelloError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/log.js';
import type { CaseStore, ReplyRenderer } from '../../../src/ports.js';
import type { RoutingDecision } from '../../../src/domain/routing.js';
import { deskRuntime, echoRenderer, fakeMailbox, manualClock, routing, sequentialIds, testConfig } from '../../support/fakes.js';

const config = testConfig();
const desk = config.desks.find((d) => d.id === 'IT')!;

let stores: CaseStore[] = [];
afterEach(async () => {
  for (const s of stores) await s.close();
  stores = [];
});

const raw = (from: string, subject: string, id: string) =>
  `From: ${from}\r\nTo: it@example.test\r\nSubject: ${subject}\r\nMessage-ID: <${id}>\r\nDate: Mon, 02 Mar 2026 08:00:00 +0000\r\n\r\nBody of ${id}\r\n`;

/** The world of one test: a template that may be missing, a rule that may quarantine, a size limit. */
async function setup() {
  const store = await openSqliteStore(path.join(mkdtempSync(path.join(tmpdir(), 'sportello-release-')), 's.db'));
  stores.push(store);
  const world = { templateMissing: false, ruleQuarantine: null as string | null };
  const echo = echoRenderer();
  const renderer: ReplyRenderer = {
    render(name, language, vars) {
      if (world.templateMissing) throw new SportelloError('TEMPLATE_INVALID', `no template "${name}"`);
      return echo.render(name, language, vars);
    },
  };
  const route = (): RoutingDecision => routing({ language: 'en', quarantine: world.ruleQuarantine });
  const deps: IngestDeps = {
    store,
    clock: manualClock(),
    log: silentLogger(),
    parse: (bytes, maxBytes) => parseMail(bytes, { maxBytes }),
    compose: { renderer, instance: config.instance, newId: sequentialIds('r') },
    steps: PIPELINE,
    maxMessageBytes: 1_000_000,
    fetchBatch: 10,
  };
  const box = fakeMailbox(1000);
  const runtime = deskRuntime(config, desk, { route });
  const pass = async (d: IngestDeps = deps) => ingestMailbox(d, runtime, await box.open());
  const release = (id: number, d: IngestDeps = deps, desks = config.desks) =>
    releaseOne({ ingest: d, desks: desks.map((c) => (c.id === desk.id ? runtime : deskRuntime(config, c, { route }))), sourceFor: () => box } satisfies ReleaseDeps, id, 'cli:ana');
  return { store, world, deps, box, pass, release };
}

const codeOf = (p: Promise<unknown>) => p.then(() => 'resolved', (e: unknown) => (e instanceof SportelloError ? String(e.code) : String(e)));

describe('releaseOne', () => {
  it('turns a COMMIT_FAILED mail into one case with one auto-reply once the template exists, recorded on the case and the row', async () => {
    const { store, world, box, pass, release } = await setup();
    world.templateMissing = true;
    box.add(raw('Alice <alice@example.test>', 'Printer', 'p1@client.example'));
    expect(await pass()).toMatchObject({ quarantined: 1 });
    const [held] = await store.listQuarantine(10);
    expect(held).toMatchObject({ id: 1, code: 'COMMIT_FAILED', stage: 'commit', state: 'held', messageId: 'p1@client.example' });

    world.templateMissing = false;
    expect(await release(1)).toEqual({ id: 1, outcome: 'created', caseId: 'IT-1', queued: 1 });
    expect(await store.outboxSummary()).toEqual({ pending: 1 });
    const detail = (await store.getCaseDetail('IT-1'))!;
    expect(detail.messages.map((m) => [m.direction, m.kind])).toEqual([['in', 'requester'], ['out', 'auto-reply']]);
    expect(detail.events.at(-1)).toMatchObject({ type: 'released-from-quarantine', actor: 'cli:ana', data: { quarantine: 1, code: 'COMMIT_FAILED' } });
    expect(await store.getQuarantine(1)).toMatchObject({ state: 'released', releasedBy: 'cli:ana', releasedCaseId: 'IT-1', releasedAt: '2026-03-02T09:00:00.000Z' });
    expect(await store.listQuarantine(10)).toEqual([]);
    expect(await store.listQuarantine(10, { all: true })).toHaveLength(1);

    // Released twice: refused, still one case and one reply; the mailbox pass does not take it again either.
    await expect(release(1)).rejects.toMatchObject({ code: 'QUARANTINE_NOT_HELD', message: expect.stringContaining('already released into IT-1 by cli:ana') });
    expect(await pass()).toMatchObject({ seen: 0 });
    expect(await store.listCases({})).toHaveLength(1);
    expect(await store.outboxSummary()).toEqual({ pending: 1 });
  });

  it('two concurrent releases of one row make exactly one case', async () => {
    const { store, world, box, pass, release } = await setup();
    world.templateMissing = true;
    box.add(raw('alice@example.test', 'VPN', 'v1@client.example'));
    await pass();
    world.templateMissing = false;
    const results = await Promise.all([codeOf(release(1)), codeOf(release(1))]);
    expect(results.sort()).toEqual(['QUARANTINE_NOT_HELD', 'resolved']);
    expect(await store.listCases({})).toHaveLength(1);
    expect(await store.outboxSummary()).toEqual({ pending: 1 });
  });

  it('a release that fails again keeps the one row, with the new reason and the attempt counted', async () => {
    const { store, world, box, pass, release } = await setup();
    world.ruleQuarantine = 'rules/it.yml:3 suspicious';
    box.add(raw('alice@example.test', 'Link', 'l1@client.example'));
    await pass();
    expect(await store.getQuarantine(1)).toMatchObject({ code: 'RULE_QUARANTINE', stage: 'classify' });

    // The rule is gone but a template is now broken: set aside again, as COMMIT_FAILED, same row.
    world.ruleQuarantine = null;
    world.templateMissing = true;
    const again = await release(1);
    expect(again).toMatchObject({ id: 1, outcome: 'quarantined', caseId: null, quarantinedAgain: { code: 'COMMIT_FAILED' } });
    expect(again.quarantinedAgain!.reason).toContain('no template "auto-reply"');
    const rows = await store.listQuarantine(10, { all: true });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: 1, state: 'held', code: 'COMMIT_FAILED', stage: 'commit', attempts: 1 });

    // Its own row does not make it a duplicate of itself: fixed, it becomes a case.
    world.templateMissing = false;
    expect(await release(1)).toMatchObject({ outcome: 'created', caseId: 'IT-1' });
  });

  it('applies the usual loop check: our own mail released is quarantined again, never answered', async () => {
    const { store, box, pass, release } = await setup();
    box.add(raw('IT Service Desk <it@example.test>', '[IT-9] looped', 'sportello.IT-9.x@example.test'));
    await pass();
    expect(await store.getQuarantine(1)).toMatchObject({ code: 'OWN_MAIL' });
    expect(await release(1)).toMatchObject({ outcome: 'quarantined', quarantinedAgain: { code: 'OWN_MAIL' } });
    expect(await store.outboxSummary()).toEqual({});
  });

  it('fetches an oversized mail again by UID once limits.maxMessageBytes allows it, and flags it', async () => {
    const { store, deps, box, pass, release } = await setup();
    const big = raw('alice@example.test', 'Scan', 'big@client.example') + 'x'.repeat(3_000) + '\r\n';
    box.add(big);
    await pass({ ...deps, maxMessageBytes: 2_000 });
    expect(await store.getQuarantine(1)).toMatchObject({ code: 'MAIL_TOO_LARGE', raw: null });

    const stillTooLarge = release(1, { ...deps, maxMessageBytes: 2_000 });
    await expect(stillTooLarge).rejects.toMatchObject({ code: 'QUARANTINE_NOT_RELEASABLE', hint: expect.stringContaining('raise limits.maxMessageBytes above') });
    await expect(release(1, { ...deps, maxMessageBytes: 2_000 })).rejects.toThrow(/still on the server at IT\/INBOX\/1/);

    expect(await release(1)).toMatchObject({ outcome: 'created', caseId: 'IT-1' });
    expect(box.marked).toContain(1);
    expect((await store.getCaseDetail('IT-1'))!.messages[0]!.text).toContain('Body of big@client.example');
  });

  it('refuses an oversized mail whose mailbox was rebuilt (UIDVALIDITY changed): the UID no longer names it', async () => {
    const { store, deps, box, pass, release } = await setup();
    box.add(raw('alice@example.test', 'Scan', 'big2@client.example') + 'x'.repeat(3_000));
    await pass({ ...deps, maxMessageBytes: 2_000 });
    box.uidValidity = 2000;
    await expect(release(1)).rejects.toMatchObject({ code: 'QUARANTINE_NOT_RELEASABLE', message: expect.stringContaining('UIDVALIDITY 1000 → 2000') });
    expect(await store.getQuarantine(1)).toMatchObject({ state: 'held' });
  });

  it.each([
    ['an unknown row', 99, 'QUARANTINE_NOT_FOUND'],
    ['a row of a desk no longer configured', 1, 'QUARANTINE_NOT_RELEASABLE'],
  ] as const)('explains why it cannot release %s', async (_label, id, code) => {
    const { world, box, pass, release, deps } = await setup();
    world.templateMissing = true;
    box.add(raw('alice@example.test', 'Mouse', 'm1@client.example'));
    await pass();
    await expect(release(id, deps, config.desks.filter((d) => d.id !== 'IT'))).rejects.toMatchObject({ code });
  });

  it('a dropped row keeps its record, loses its raw, and cannot be released or dropped again', async () => {
    const { store, world, box, pass, release } = await setup();
    world.templateMissing = true;
    box.add(raw('alice@example.test', 'Spam', 's1@client.example'));
    await pass();
    expect(await store.dropQuarantine(1, 'spam', 'cli:ana', new Date('2026-03-02T10:00:00Z'))).toBe(true);
    expect(await store.dropQuarantine(1, 'again', 'cli:ana', new Date('2026-03-02T10:00:00Z'))).toBe(false);
    expect(await store.getQuarantine(1)).toMatchObject({ state: 'dropped', raw: null, droppedBy: 'cli:ana', dropReason: 'spam', droppedAt: '2026-03-02T10:00:00.000Z' });
    expect(await store.heldQuarantineIds()).toEqual([]);
    world.templateMissing = false;
    await expect(release(1)).rejects.toMatchObject({ code: 'QUARANTINE_NOT_HELD', message: expect.stringContaining('dropped by cli:ana') });
    expect(await store.listCases({})).toEqual([]);
  });

  it('lists held ids by code for --code and --all', async () => {
    const { store, world, box, pass } = await setup();
    world.templateMissing = true;
    box.add(raw('alice@example.test', 'A', 'a@client.example'));
    await pass();
    world.templateMissing = false;
    world.ruleQuarantine = 'rule';
    box.add(raw('alice@example.test', 'B', 'b@client.example'));
    await pass();
    expect(await store.heldQuarantineIds()).toEqual([1, 2]);
    expect(await store.heldQuarantineIds('COMMIT_FAILED')).toEqual([1]);
    expect(await store.heldQuarantineIds('RULE_QUARANTINE')).toEqual([2]);
  });
});
