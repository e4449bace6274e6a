// Committing incident plans on the real SQLite store: forming links the members and opens the incident at
// the first report; #incident / #unlink move a case; the store hands grouping its live cases.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../../src/adapters/sqlite-store.js';
import { commitPlan } from '../../../src/shell/commit-plan.js';
import type { MailboxPosition, Plan } from '../../../src/domain/plan.js';
import type { CaseStore } from '../../../src/ports.js';
import { deskRuntime, echoRenderer, mail, routing, sequentialIds, testConfig, testDesk } from '../../support/fakes.js';

const T0 = new Date('2026-11-24T09:00:00.000Z');
const at = (min: number) => new Date(T0.getTime() + min * 60_000);
const pos = (uid: number): MailboxPosition => ({ desk: 'IT', folder: 'INBOX', uidValidity: 7, uid });
const desk = deskRuntime(testConfig(), testDesk('IT'));
const compose = { renderer: echoRenderer(), instance: 'sportello-test', newId: sequentialIds('r') };

let store: CaseStore;
afterEach(async () => {
  await store?.close();
});

const newCase = (who: string): Extract<Plan, { action: 'create' }> => ({
  action: 'create',
  newCase: { desk: 'IT', subject: 'wifi down', requester: { address: `${who}@example.test`, name: who }, routing: routing({ category: 'network' }), sla: null },
  messageKind: 'requester',
  events: [],
  replies: [],
});
const agentPlan = (caseId: string, incident: Extract<Plan, { action: 'append' }>['incident']): Plan => ({ action: 'append', caseId, messageKind: 'agent', statusTo: null, events: [], replies: [], ...(incident ? { incident } : {}) });

async function opened(): Promise<CaseStore> {
  store = await openSqliteStore(path.join(mkdtempSync(path.join(tmpdir(), 'sportello-incident-')), 's.db'));
  await store.resetCheckpoint('IT', 'INBOX', 7, T0);
  await commitPlan({ store: store, compose: compose }, desk, { position: pos(1), mail: mail({ messageId: 'a@x', text: 'no wifi on floor 3' }), raw: Buffer.from('a'), plan: newCase('ana'), now: at(0) });
  await commitPlan({ store: store, compose: compose }, desk, { position: pos(2), mail: mail({ messageId: 'b@x', text: 'wifi down floor 3' }), raw: Buffer.from('b'), plan: newCase('ben'), now: at(3) });
  const form: Plan = {
    ...newCase('cat'),
    incident: {
      kind: 'form', startedAt: at(0).toISOString(), members: ['IT-1', 'IT-2'], events: [{ type: 'incident-formed', actor: 'sportello', data: {} }],
      newCase: { desk: 'IT', subject: 'wifi down', requester: { address: 'it@example.test', name: 'IT' }, routing: routing({ category: 'network' }), sla: null, kind: 'incident' },
      replies: [{ kind: 'notification', template: 'incident-notification', to: [{ address: 'bob@example.test', name: 'Bob' }], language: 'en', threadTo: 'this-mail', automatic: true, vars: { members: [{ id: 'IT-1' }, { id: null }] } }],
    },
  };
  await commitPlan({ store: store, compose: compose }, desk, { position: pos(3), mail: mail({ messageId: 'c@x', text: 'no wifi 3rd floor' }), raw: Buffer.from('c'), plan: form, now: at(6) });
  return store;
}

describe('committing incidents', () => {
  it('forming: the incident opens at the first report, the members point at it, one notification on the incident', async () => {
    const s = await opened();
    const inc = (await s.getCaseDetail('IT-4'))!;
    expect(inc).toMatchObject({ kind: 'incident', createdAt: at(0).toISOString(), requester: { address: 'it@example.test' } });
    expect(inc.members!.map((m) => m.id)).toEqual(['IT-1', 'IT-2', 'IT-3']);
    expect(inc.messages.map((m) => [m.kind, m.to.map((a) => a.address)])).toEqual([['notification', ['bob@example.test']]]);
    expect((await s.dueOutbox(at(7), 10)).map((o) => [o.caseId, o.kind])).toEqual([['IT-4', 'notification']]);
    expect((await s.getCaseDetail('IT-1'))!.events.map((e) => e.type)).toContain('incident-joined');
  });

  it('incidentCandidates: live cases in the window, live incidents and their members of any age, with their first text', async () => {
    const s = await opened();
    const later = await s.incidentCandidates('IT', at(100));
    expect(later.map((c) => [c.id, c.kind, c.incident])).toEqual([['IT-1', 'case', 'IT-4'], ['IT-4', 'incident', null], ['IT-2', 'case', 'IT-4'], ['IT-3', 'case', 'IT-4']]);
    expect(later.find((c) => c.id === 'IT-1')).toMatchObject({ text: 'wifi down\nno wifi on floor 3', lastRequesterMessageId: 'a@x', language: 'en' });
    expect(await s.incidentCandidates('HR', at(0))).toEqual([]);
  });

  it('#unlink, #incident IT-4 and #incident new move a case and leave a trace on both sides', async () => {
    const s = await opened();
    await commitPlan({ store: s, compose: compose }, desk, { position: pos(4), mail: mail({ messageId: 'd@x' }), raw: Buffer.from('d'), plan: agentPlan('IT-2', { kind: 'leave' }), now: at(10) });
    expect((await s.getCaseDetail('IT-2'))!.incident).toBeNull();
    expect((await s.getCaseDetail('IT-4'))!.events.map((e) => e.type)).toContain('member-left');
    await commitPlan({ store: s, compose: compose }, desk, { position: pos(5), mail: mail({ messageId: 'e@x' }), raw: Buffer.from('e'), plan: agentPlan('IT-2', { kind: 'join', incident: 'IT-4' }), now: at(11) });
    expect((await s.getCaseDetail('IT-2'))!.incident).toBe('IT-4');
    const fresh = { desk: 'IT', subject: 'wifi down', requester: { address: 'it@example.test', name: 'IT' }, routing: routing(), sla: null, kind: 'incident' as const };
    await commitPlan({ store: s, compose: compose }, desk, { position: pos(6), mail: mail({ messageId: 'f@x' }), raw: Buffer.from('f'), plan: agentPlan('IT-3', { kind: 'new', newCase: fresh }), now: at(12) });
    expect((await s.getCaseDetail('IT-3'))!.incident).toBe('IT-5');
    expect((await s.getCaseDetail('IT-5'))!.members!.map((m) => m.id)).toEqual(['IT-3']);
    expect((await s.getCaseDetail('IT-4'))!.members!.map((m) => m.id)).toEqual(['IT-1', 'IT-2']);
  });
});
