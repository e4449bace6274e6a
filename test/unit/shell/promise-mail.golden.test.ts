// The mails about promises as people receive them, in es/it/en, kept as golden files reviewed as diffs:
// the auto-reply whose date comes from the desk's history (later than the SLA target), the update
// before a promise is missed (requester and agents) and the daily forecast digest. Shipped templates,
// fixed instants. Regenerate with UPDATE_GOLDEN=1 and review `git diff`.

import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseMail } from '../../../src/adapters/mime-parser.js';
import { loadTemplates } from '../../../src/adapters/templates.js';
import { deskRulesOf, loadRulesOrThrow } from '../../../src/rules/index.js';
import { buildRouting, type RoutingEngine } from '../../../src/routing/router.js';
import { withPromise } from '../../../src/routing/promise-plan.js';
import { composeReply } from '../../../src/shell/compose.js';
import { digestVars, promiseUpdateVars } from '../../../src/forecast/notice-vars.js';
import type { HistoryCase } from '../../../src/forecast/index.js';
import { addBusinessMinutes } from '../../../src/sla/index.js';
import { silentLogger } from '../../../src/log.js';
import type { CaseRecord, RenderedReply, ReplyRenderer } from '../../../src/ports.js';
import type { Language } from '../../../src/domain/routing.js';
import { testDesk, testView } from '../../support/fakes.js';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const GOLDEN = path.join(REPO, 'test/fixtures/golden');
const LANGUAGES: readonly Language[] = ['es', 'it', 'en'];
const desk = { id: 'IT', name: 'IT Service Desk', address: 'it@example.test' };

let engine: RoutingEngine;
let renderer: ReplyRenderer;
beforeAll(async () => {
  engine = await buildRouting(await loadRulesOrThrow(path.join(REPO, 'rules')), mkdtempSync(path.join(tmpdir(), 'sportello-cache-')), silentLogger());
  renderer = await loadTemplates(path.join(REPO, 'templates'));
});

function golden(name: string, out: RenderedReply): void {
  const actual = { text: `Subject: ${out.subject}\n\n${out.text}`, html: out.html };
  for (const part of ['text', 'html'] as const) {
    const file = path.join(GOLDEN, `${name}.${part === 'text' ? 'txt' : 'html'}`);
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) writeFileSync(file, actual[part]);
    expect(actual[part], `${file} differs; if the change is intended run UPDATE_GOLDEN=1 and review git diff`).toBe(readFileSync(file, 'utf8'));
  }
}

const kase = { id: 'IT-42', subject: 'La impresora del segundo piso no imprime', category: 'hardware', priority: 'normal', requester: { name: 'Alice', address: 'alice@example.test' } };

describe('promise mails (golden files)', () => {
  it.each(LANGUAGES)('promise-update and promise-alert, %s', (language) => {
    const vars = (audience: 'requester' | 'agents') =>
      promiseUpdateVars({ case: kase, desk, language, timezone: 'Europe/Madrid', before: '2026-11-25T17:00:00Z', after: '2026-11-27T11:00:00Z', share: 0.8, now: new Date('2026-11-25T14:00:00Z'), audience });
    golden(`promise-update-${language}`, renderer.render('promise-update', language, vars('requester')));
    golden(`promise-alert-${language}`, renderer.render('promise-alert', language, vars('agents')));
  });

  it.each(LANGUAGES)('forecast-digest, %s', (language) => {
    const rows = [
      { category: 'hardware', priority: 'normal', policy: 'standard', slaMinutes: 960, forecastMinutes: 1_890, comparable: 43 },
      { category: 'access', priority: 'high', policy: 'high', slaMinutes: 240, forecastMinutes: 300, comparable: 21 },
    ];
    golden(`forecast-digest-${language}`, renderer.render('forecast-digest', language, digestVars(rows, desk, language, 0.8)));
  });

  it('the auto-reply states the forecast date and says it is later than the SLA target', async () => {
    const now = new Date('2026-11-24T09:00:00Z'); // Tuesday 10:00 Madrid
    const d = testDesk('IT');
    const mail = await parseMail(await readFile(path.join(REPO, 'rules/fixtures', 'it-01-laptop-en.eml')));
    const routing = engine.router(d, mail);
    const rules = deskRulesOf(engine.ruleSet, 'IT')!;
    // 30 past cases like this one, each resolved in 30 business hours.
    const history: HistoryCase[] = Array.from({ length: 30 }, (_, i) => {
      const created = addBusinessMinutes(rules.calendar!, new Date('2026-09-01T08:00:00Z'), i * 120);
      return { category: routing.category, priority: routing.priority, status: 'resolved', createdAt: created.toISOString(), resolvedAt: addBusinessMinutes(rules.calendar!, created, 30 * 60).toISOString(), pauses: [] };
    });
    const sla = withPromise(engine.sla(d, routing, now), rules, routing, history, now)!;
    expect(sla.promise).toMatchObject({ source: 'forecast', slaDueAt: sla.dueAt });
    expect(sla.promise!.at > sla.dueAt!).toBe(true);
    const record: CaseRecord = {
      id: 'IT-42', desk: 'IT', number: 42, status: 'new', category: routing.category, priority: routing.priority, language: routing.language,
      requester: mail.from!, subject: mail.subject, createdAt: now.toISOString(), updatedAt: now.toISOString(),
      dueAt: sla.dueAt, firstResponseDueAt: sla.firstResponseDueAt, slaPolicy: sla.policy, slaClock: null, routing,
      assignee: null, firstResponseAt: null, resolvedAt: null, closedAt: null, rating: null, waitUntil: null, promise: sla.promise ?? null,
    };
    const out = composeReply({ renderer, instance: 'sportello-test', newId: () => 'golden' }, testView('IT'), { intent: { kind: 'auto-reply', template: 'auto-reply', to: mail.from!, language: routing.language, sla, articles: [] }, kase: record, mail });
    expect(out.text).toContain('similar requests were resolved in that time, which is later than our usual target');
    golden('auto-reply-en-forecast', { subject: out.subject, text: out.text, html: out.html ?? '' });
  });
});
