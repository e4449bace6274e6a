// The auto-reply people actually receive, in each language, kept as golden files reviewed as diffs:
// real sample mails, the shipped rules (classifier, calendar, SLA, articles) and the shipped templates,
// at fixed instants (one out of hours). Regenerate with UPDATE_GOLDEN=1 and review `git diff`.

import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseMail } from '../../../src/adapters/mime-parser.js';
import { loadTemplates } from '../../../src/adapters/templates.js';
import { loadRulesOrThrow } from '../../../src/rules/index.js';
import { buildRouting, type RoutingEngine } from '../../../src/routing/router.js';
import { composeReply } from '../../../src/shell/compose.js';
import { silentLogger } from '../../../src/log.js';
import type { CaseRecord, ReplyRenderer } from '../../../src/ports.js';
import { testDesk, testView } from '../../support/fakes.js';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const GOLDEN = path.join(REPO, 'test/fixtures/golden');

const CASES = [
  // [golden name, fixture, arrival instant]
  ['auto-reply-es-out-of-hours', 'it-10-contrasena-es.eml', '2026-11-20T15:30:00Z'], // Friday 16:30 Madrid
  ['auto-reply-it', 'it-03-password-it.eml', '2026-11-24T09:00:00Z'], // Tuesday 10:00 Madrid
  ['auto-reply-en', 'it-01-laptop-en.eml', '2026-11-24T09:00:00Z'],
] as const;

let engine: RoutingEngine;
let renderer: ReplyRenderer;
beforeAll(async () => {
  engine = await buildRouting(await loadRulesOrThrow(path.join(REPO, 'rules')), mkdtempSync(path.join(tmpdir(), 'sportello-cache-')), silentLogger());
  renderer = await loadTemplates(path.join(REPO, 'templates'));
});

describe('rendered auto-replies (golden files)', () => {
  it.each(CASES)('%s', async (name, fixture, instant) => {
    const now = new Date(instant);
    const desk = testDesk('IT');
    const mail = await parseMail(await readFile(path.join(REPO, 'rules/fixtures', fixture)));
    const routing = engine.router(desk, mail);
    const sla = engine.sla(desk, routing, now);
    const articles = engine.articles(desk, mail, routing);
    const kase: CaseRecord = {
      id: 'IT-42', desk: 'IT', number: 42, status: 'new', category: routing.category, priority: routing.priority, language: routing.language,
      requester: mail.from!, subject: mail.subject, createdAt: now.toISOString(), updatedAt: now.toISOString(),
      dueAt: sla?.dueAt ?? null, firstResponseDueAt: sla?.firstResponseDueAt ?? null, slaPolicy: sla?.policy ?? null, slaClock: null, routing,
      assignee: null, firstResponseAt: null, resolvedAt: null, closedAt: null, rating: null, waitUntil: null,
    };
    const out = composeReply({ renderer, instance: 'sportello-test', newId: () => 'golden' }, testView('IT'), { intent: { kind: 'auto-reply', template: 'auto-reply', to: mail.from!, language: routing.language, sla, articles }, kase, mail });
    const actual = { text: `Subject: ${out.subject}\n\n${out.text}`, html: out.html ?? '' };
    for (const part of ['text', 'html'] as const) {
      const file = path.join(GOLDEN, `${name}.${part === 'text' ? 'txt' : 'html'}`);
      if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) writeFileSync(file, actual[part]);
      expect(actual[part], `${file} differs; if the change is intended run UPDATE_GOLDEN=1 and review git diff`).toBe(readFileSync(file, 'utf8'));
    }
  });
});
