// What scripts and people see: the stable JSON shape of a case (addresses as strings, ISO times) and the
// fixed-width table, small golden examples.

import { describe, expect, it } from 'vitest';
import { caseDetailJson, caseJson, casesCsv, casesTable, table } from '../../../src/cli/present.js';
import { parseSince } from '../../../src/cli/case-commands.js';
import type { CaseDetail, CaseRecord } from '../../../src/ports.js';
import { caseRecord } from '../../support/fakes.js';

const it1: CaseRecord = caseRecord({
  id: 'IT-1', number: 1, status: 'open', priority: 'high', language: 'es', subject: 'El portátil no arranca',
  updatedAt: '2026-03-02T09:05:00.000Z', dueAt: '2026-03-03T17:00:00.000Z', routing: { category: 'hardware' },
});
const hr1: CaseRecord = { ...it1, id: 'HR-1', desk: 'HR', status: 'new', category: null, priority: 'normal', requester: { address: 'bob@example.test', name: '' }, subject: 'Payslip\n  question', dueAt: null };

const detail: CaseDetail = {
  ...it1,
  messages: [
    {
      id: 1, caseId: 'IT-1', direction: 'in', kind: 'requester', messageId: 'a1@client.example',
      from: { address: 'alice@example.test', name: 'Alice' }, to: [{ address: 'it@example.test', name: '' }], cc: [{ address: 'carol@example.test', name: 'Carol' }],
      subject: 'El portátil no arranca', date: '2026-03-02T08:59:00.000Z', text: 'No arranca.', createdAt: '2026-03-02T09:00:00.000Z',
    },
    {
      id: 2, caseId: 'IT-1', direction: 'out', kind: 'auto-reply', messageId: 'sportello.IT-1.r1@example.test',
      from: null, to: [{ address: 'alice@example.test', name: 'Alice' }], cc: [],
      subject: '[IT-1] El portátil no arranca', date: null, text: 'Hemos recibido…', createdAt: '2026-03-02T09:00:00.000Z',
    },
  ],
  events: [{ at: '2026-03-02T09:00:00.000Z', type: 'created', actor: 'alice@example.test', data: { via: 'mail' } }],
  links: [],
};

describe('casesTable', () => {
  it('lays out one row per case with fixed columns, "-" for empty values, whitespace folded', () => {
    expect(casesTable([{ ...it1, assignee: 'maria@example.test' }, hr1]).split('\n')).toEqual([
      'ID    STATUS  CATEGORY  PRIORITY  ASSIGNEE            REQUESTER           CREATED (UTC)     DUE (UTC)         SUBJECT',
      '----  ------  --------  --------  ------------------  ------------------  ----------------  ----------------  ----------------------',
      'IT-1  open    hardware  high      maria@example.test  alice@example.test  2026-03-02 09:00  2026-03-03 17:00  El portátil no arranca',
      'HR-1  new     -         normal    -                   bob@example.test    2026-03-02 09:00  -                 Payslip question',
    ]);
  });

  it('says so when there are no cases', () => {
    expect(casesTable([])).toBe('No cases.');
  });

  it('clips long cells with an ellipsis', () => {
    const out = table(['A'], [['x'.repeat(60)]], 10);
    expect(out.split('\n')[2]).toBe(`${'x'.repeat(9)}…`);
  });
});

describe('caseJson / caseDetailJson', () => {
  it('caseJson has the stable keys, addresses as plain strings', () => {
    expect(caseJson(it1)).toEqual({
      id: 'IT-1', desk: 'IT', status: 'open', category: 'hardware', priority: 'high', language: 'es',
      requester: 'alice@example.test', requesterName: 'Alice', subject: 'El portátil no arranca',
      createdAt: '2026-03-02T09:00:00.000Z', updatedAt: '2026-03-02T09:05:00.000Z', dueAt: '2026-03-03T17:00:00.000Z',
      firstResponseDueAt: null, slaPolicy: null, assignee: null, firstResponseAt: null, resolvedAt: null, closedAt: null, waitUntil: null, rating: null,
      routing: { category: 'hardware' }, imported: null, kind: 'case', incident: null,
    });
    expect(caseJson({ ...it1, imported: '2026-03-01T08:00:00.000Z' }).imported).toBe('2026-03-01T08:00:00.000Z');
  });

  it('caseDetailJson adds messages and events in a flat, script-friendly shape', () => {
    const j = caseDetailJson(detail);
    expect(Object.keys(j)).toEqual([...Object.keys(caseJson(it1)), 'messages', 'events', 'links']);
    expect(j.messages).toEqual([
      {
        direction: 'in', kind: 'requester', from: 'alice@example.test', to: ['it@example.test'], cc: ['carol@example.test'],
        subject: 'El portátil no arranca', messageId: 'a1@client.example', date: '2026-03-02T08:59:00.000Z',
        recordedAt: '2026-03-02T09:00:00.000Z', text: 'No arranca.',
      },
      {
        direction: 'out', kind: 'auto-reply', from: null, to: ['alice@example.test'], cc: [],
        subject: '[IT-1] El portátil no arranca', messageId: 'sportello.IT-1.r1@example.test', date: null,
        recordedAt: '2026-03-02T09:00:00.000Z', text: 'Hemos recibido…',
      },
    ]);
    expect(j.events).toEqual([{ at: '2026-03-02T09:00:00.000Z', type: 'created', actor: 'alice@example.test', data: { via: 'mail' } }]);
    expect(JSON.parse(JSON.stringify(j))).toEqual(j);
  });
});

describe('casesCsv', () => {
  it('is RFC 4180: header row, CRLF line ends, fields with commas, quotes or line breaks quoted and quotes doubled', () => {
    const tricky = { ...hr1, subject: 'Payslip, "March"\nagain', requester: { address: 'bob@example.test', name: 'Bob, Jr.' } };
    expect(casesCsv([{ ...it1, assignee: 'maria@example.test' }, tricky])).toBe(
      'id,desk,status,category,priority,assignee,requester,requesterName,subject,createdAt,dueAt\r\n' +
        'IT-1,IT,open,hardware,high,maria@example.test,alice@example.test,Alice,El portátil no arranca,2026-03-02T09:00:00.000Z,2026-03-03T17:00:00.000Z\r\n' +
        'HR-1,HR,new,,normal,,bob@example.test,"Bob, Jr.","Payslip, ""March""\nagain",2026-03-02T09:00:00.000Z,\r\n',
    );
  });

  it('is only the header for no cases', () => {
    expect(casesCsv([])).toBe('id,desk,status,category,priority,assignee,requester,requesterName,subject,createdAt,dueAt\r\n');
  });
});

describe('parseSince (cases list --since)', () => {
  const now = new Date('2026-03-10T12:00:00Z');
  it.each([
    ['7d', '2026-03-03T12:00:00.000Z'],
    ['12h', '2026-03-10T00:00:00.000Z'],
    ['2w', '2026-02-24T12:00:00.000Z'],
    ['2026-03-01', '2026-02-28T23:00:00.000Z'],
    ['2026-03-01T09:30', '2026-03-01T08:30:00.000Z'],
    ['2026-03-01T09:30:00Z', '2026-03-01T09:30:00.000Z'],
  ])('%s → %s (dates in Europe/Rome)', (text, iso) => {
    expect(parseSince(text, now, 'Europe/Rome').toISOString()).toBe(iso);
  });

  it.each(['last week', '7x', ''])('refuses %j as a usage error', (text) => {
    expect(() => parseSince(text, now, 'UTC')).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });
});
