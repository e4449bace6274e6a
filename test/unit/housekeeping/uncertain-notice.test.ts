// Who hears about replies parked as uncertain: per desk, the escalation address if the rules declare one,
// else its agents; rows without a case belong to the desk they were sent from; desks with nobody to tell
// are reported. The shipped templates render the notice in es/it/en with the commands to act.

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { noticeSubject, noticeVars, planUncertainNotices, type NoticeDesk } from '../../../src/housekeeping/uncertain-notice.js';
import { loadTemplates } from '../../../src/adapters/templates.js';
import type { UncertainReply } from '../../../src/ports.js';
import { REPO_ROOT } from '../../support/fakes.js';

const row = (id: number, over: Partial<UncertainReply> = {}): UncertainReply => ({
  id, caseId: `IT-${id}`, desk: 'IT', from: 'it@example.test', kind: 'auto-reply', recipient: 'alice@example.test', createdAt: '2026-12-04T10:15:00.000Z', ...over,
});

const DESKS: NoticeDesk[] = [
  { id: 'IT', address: 'it@example.test', agents: [{ address: 'bob@example.test', name: 'Bob' }], escalation: 'it-lead@example.test' },
  { id: 'HR', address: 'hr@example.test', agents: [{ address: 'maria@example.test', name: 'Maria' }, { address: 'bob@example.test', name: 'Bob' }], escalation: null },
  { id: 'FAC', address: 'fac@example.test', agents: [], escalation: null },
];

describe('planUncertainNotices', () => {
  it('sends nothing when no reply is uncertain', () => {
    expect(planUncertainNotices([], DESKS)).toEqual({ notices: [], unaddressed: [] });
  });

  it('groups per desk: escalation address first, agents otherwise, one notice listing every row', () => {
    const plan = planUncertainNotices(
      [row(1), row(2, { caseId: 'HR-1', desk: 'HR', from: 'hr@example.test' }), row(3), row(4, { caseId: 'HR-2', desk: 'HR', from: 'hr@example.test', kind: 'relay' })],
      DESKS,
    );
    expect(plan.unaddressed).toEqual([]);
    expect(plan.notices.map((n) => [n.desk, n.to.map((a) => a.address), n.rows.map((r) => r.id)])).toEqual([
      ['IT', ['it-lead@example.test'], [1, 3]],
      ['HR', ['maria@example.test', 'bob@example.test'], [2, 4]],
    ]);
  });

  it('places a row without a case by its sender (any letter case or +tag), and skips rows of unknown desks', () => {
    const plan = planUncertainNotices(
      [row(5, { caseId: null, desk: null, from: 'HR+note@example.test' }), row(6, { caseId: null, desk: null, from: 'other@example.test' }), row(7, { desk: 'GONE', from: '' })],
      DESKS,
    );
    expect(plan.notices).toEqual([{ desk: 'HR', to: DESKS[1]!.agents, rows: [expect.objectContaining({ id: 5 })] }]);
  });

  it('reports a desk with waiting rows and nobody to tell', () => {
    const plan = planUncertainNotices([row(8, { caseId: 'FAC-1', desk: 'FAC', from: 'fac@example.test' })], DESKS);
    expect(plan).toEqual({ notices: [], unaddressed: ['FAC'] });
  });
});

describe('the notice mail', () => {
  it.each([
    ['en', 1, '[IT] 1 uncertain reply waiting for a check'],
    ['en', 2, '[IT] 2 uncertain replies waiting for a check'],
    ['es', 2, '[IT] 2 respuesta(s) en estado incierto esperan revisión'],
    ['it', 2, '[IT] 2 risposta/e in stato incerto da verificare'],
  ])('%s subject for %d row(s)', (lang, n, subject) => {
    expect(noticeSubject(lang, 'IT', n)).toBe(subject);
  });

  it.each(['en', 'es', 'it'] as const)('%s template lists case, kind, recipient, queued time and the commands, in text and HTML', async (lang) => {
    const templates = await loadTemplates(path.join(REPO_ROOT, 'templates'));
    const notice = { desk: 'IT', to: [{ address: 'it-lead@example.test', name: '' }], rows: [row(41), row(42, { caseId: null, kind: 'uncertain-notice', recipient: 'x<y>@example.test' })] };
    const vars = noticeVars(notice, { id: 'IT', name: 'IT Service Desk', address: 'it@example.test' }, lang);
    const r = templates.render('uncertain-notice', lang, vars);
    expect(r.subject).toBe(noticeSubject(lang, 'IT', 2));
    for (const body of [r.text, r.html]) {
      for (const s of ['IT-41', 'auto-reply', 'alice@example.test', '2026-12-04 10:15 UTC', 'sportello outbox retry 41', 'sportello outbox retry 42', 'IT Service Desk']) expect(body).toContain(s);
    }
    expect(r.html).toContain('x&lt;y&gt;@example.test');
    expect(r.text).not.toMatch(/[{}%]{2}/);
  });
});
