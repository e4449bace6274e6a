// The declared variables per template kind are what the code really passes (so `templates check` can
// trust them), a template using anything else is refused at load with file:line:col and a did-you-mean,
// and rendering hands a template only the declared variables.

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { templateDir } from '../../support/template-dir.js';
import { loadTemplates } from '../../../src/adapters/templates.js';
import { relayVars } from '../../../src/agents/agent-replies.js';
import { buildAgentNotification } from '../../../src/agents/notification.js';
import { ratingRequestVars } from '../../../src/agents/rating-mail.js';
import { TEMPLATE_VARIABLES, declaredVars, templateVariables, type VarShape } from '../../../src/domain/template-vars.js';
import type { RenderedReply, ReplyRenderer } from '../../../src/ports.js';
import { composeMessage, composeReply } from '../../../src/shell/compose.js';
import { noticeVars } from '../../../src/housekeeping/uncertain-notice.js';
import { caseRecord, mail, sequentialIds, testView } from '../../support/fakes.js';

/** The key tree of what a template would get: objects descend, everything else (text, list, null) is a leaf. */
function shapeOf(value: unknown): VarShape | true {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return true;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shapeOf(v)]));
}

/** Every passed key is declared, every declared key is passed (where the passed value is an object). */
function mismatches(declared: VarShape, passed: VarShape | true, at = ''): string[] {
  if (passed === true) return [];
  const out: string[] = [];
  for (const key of new Set([...Object.keys(declared), ...Object.keys(passed)])) {
    if (!Object.hasOwn(passed, key)) out.push(`declared, never passed: ${at}${key}`);
    else if (!Object.hasOwn(declared, key)) out.push(`passed, not declared: ${at}${key}`);
    else if (declared[key] !== true) out.push(...mismatches(declared[key] as VarShape, passed[key]!, `${at}${key}.`));
  }
  return out;
}

function capture(): ReplyRenderer & { vars: Record<string, unknown>[] } {
  const vars: Record<string, unknown>[] = [];
  return {
    vars,
    render(_name, _language, v): RenderedReply {
      vars.push({ ...v });
      return { subject: String(v.subject ?? ''), text: '', html: '' };
    },
  };
}

const desk = testView('IT');
const deskRef = { id: 'IT', name: 'IT Service Desk', address: 'it@example.test' };
const person = { name: 'Alice', address: 'alice@example.test' };
const sla = {
  policy: 'standard', dueAt: '2026-03-03T17:00:00.000Z', firstResponseDueAt: '2026-03-02T13:00:00.000Z', open: false,
  opensAt: '2026-03-03T08:00:00.000Z', timezone: 'Europe/Madrid', onCall: { address: 'oncall@example.test', phone: '+34 1' },
} as unknown as Parameters<typeof composeReply>[2]['intent']['sla'];

describe('declared template variables match what the code passes', () => {
  it('auto-reply (composeReply)', () => {
    const r = capture();
    composeReply({ renderer: r, instance: 't', newId: sequentialIds('r') }, desk, { intent: { kind: 'auto-reply', template: 'auto-reply', to: person, language: 'es', sla, articles: [] }, kase: caseRecord(), mail: mail() });
    expect(mismatches(TEMPLATE_VARIABLES['auto-reply'], shapeOf(r.vars[0]))).toEqual([]);
  });

  it.each([
    ['agent-notification', 'notification', buildAgentNotification({
      language: 'en', kind: 'new-case', case: { id: 'IT-7', subject: 'x', status: 'new', category: 'hardware', priority: 'normal', assignee: null },
      requester: person, explanation: null, dueText: null, text: 'hi', author: person, desk: deskRef, help: { categories: ['hardware'], agents: ['bob'] },
    })],
    ['relay', 'relay', relayVars({ language: 'en', case: { id: 'IT-7', subject: 'x' }, requester: person, agent: person, desk: deskRef, text: 'hi' })],
    ['rating-request', 'rating-request', ratingRequestVars({ language: 'en', case: { id: 'IT-7', subject: 'x' }, requester: person, desk: deskRef })],
  ] as const)('%s (composeMessage)', (template, kind, vars) => {
    const r = capture();
    composeMessage({ renderer: r, instance: 't', newId: sequentialIds('r') }, desk, { intent: { kind, template, to: [person], language: 'en', vars, threadTo: 'this-mail', automatic: true }, kase: caseRecord(), mail: mail(), requesterMessageId: null });
    expect(mismatches(TEMPLATE_VARIABLES[template], shapeOf(r.vars[0]))).toEqual([]);
  });

  it('uncertain-notice (noticeVars)', () => {
    const notice = { desk: 'IT', to: [person], rows: [{ id: 3, caseId: 'IT-7', desk: 'IT', from: 'it@example.test', kind: 'auto-reply', recipient: 'alice@example.test', createdAt: '2026-03-02T09:00:00.000Z' }] };
    expect(mismatches(TEMPLATE_VARIABLES['uncertain-notice'], shapeOf(noticeVars(notice, deskRef, 'en')))).toEqual([]);
  });

  it('a template a rule names gets the auto-reply variables', () => {
    expect(templateVariables('printer-reply')).toBe(TEMPLATE_VARIABLES['auto-reply']);
    expect(templateVariables('relay')).toBe(TEMPLATE_VARIABLES.relay);
  });

  it('rendering passes only the declared top-level variables', () => {
    expect(declaredVars('relay', { subject: 's', text: 't', secret: 'x' })).toEqual({ subject: 's', text: 't' });
  });
});

describe('templates check: undefined variables', () => {
  it('reports each with file:line:col, a did-you-mean and what the kind gets', async () => {
    const dir = templateDir({
      'en/auto-reply.text.liquid': 'Hello {{ requester.name }}\n{{ text_typo }} by {{ case.dueTxt }}\n',
      'en/auto-reply.html.liquid': '<p>{{ desk.nmae }}</p>',
    });
    type Problems = { code: string; context: { problems: { file: string; line: number; column: number; message: string }[] } };
    const err = (await loadTemplates(dir).then(() => null, (e: unknown) => e)) as Problems;
    expect(err).toMatchObject({ code: 'TEMPLATE_INVALID' });
    expect(err.context.problems.map((p) => `${path.relative(dir, p.file)}:${p.line}:${p.column}: ${p.message}`)).toEqual([
      'en/auto-reply.html.liquid:1:7: unknown variable "desk.nmae" (did you mean "desk.name"?); auto-reply templates get: desk.{id, name, address}',
      'en/auto-reply.text.liquid:2:4: unknown variable "text_typo"; auto-reply templates get: subject, language, case, promise, schedule, articles, requester, desk',
      'en/auto-reply.text.liquid:2:23: unknown variable "case.dueTxt" (did you mean "case.dueText"?); auto-reply templates get: case.{id, subject, category, priority, dueAt, dueText, slaDueText, firstResponseText}',
    ]);
  });

  it('accepts loop variables, assigned locals, filters and list properties', async () => {
    const body = '{% assign n = articles.size %}{% for a in articles %}{{ a.title | upcase }}{{ forloop.index }}{% endfor %}{{ n }}{{ case.subject.size }}';
    const dir = templateDir({ 'en/auto-reply.text.liquid': body, 'en/auto-reply.html.liquid': body });
    await expect(loadTemplates(dir)).resolves.toBeDefined();
  });

  it('checks each kind against its own variables (escalation has no requester)', async () => {
    const dir = templateDir({ 'en/escalation.text.liquid': '{{ requester.name }}', 'en/escalation.html.liquid': '{{ sla.overdue }}' });
    await expect(loadTemplates(dir)).rejects.toThrow(/escalation\.text\.liquid:1:4: unknown variable "requester"/);
  });
});
