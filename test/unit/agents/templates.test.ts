// Every agent-flow template parses and renders in es/it/en through loadTemplates, with the variables the
// builders produce: subjects keep the case tag, values are escaped in HTML, mailto links are present.
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTemplates } from '../../../src/adapters/templates.js';
import { commandErrorVars, confirmationVars, notTrustedVars, relayVars } from '../../../src/agents/agent-replies.js';
import { parseCommandBlock } from '../../../src/agents/commands.js';
import { buildAgentNotification } from '../../../src/agents/notification.js';
import { ratingRequestVars, ratingThanksVars } from '../../../src/agents/rating-mail.js';
import { transition } from '../../../src/agents/lifecycle.js';
import type { Language } from '../../../src/domain/routing.js';
import { REPO_ROOT } from './helpers.js';

const LANGS = ['en', 'es', 'it'] as const;
const KASE = { id: 'IT-12', subject: 'Printer <b>jammed</b> & stuck' };
const DESK = { id: 'IT', name: 'IT desk', address: 'it@example.test' };
const REQUESTER = { name: 'Ana Ruiz', address: 'ana@example.test' };
const AGENT = { name: 'María García', address: 'maria@example.test' };
const HELP = { categories: ['network', 'hardware'], agents: ['maria', 'luca'] };
const VOCAB = { categories: HELP.categories, agents: [{ address: 'maria@example.test' }, { address: 'luca@example.test' }] };

function varsFor(name: string, language: Language): Record<string, unknown> {
  switch (name) {
    case 'agent-notification':
      return buildAgentNotification({
        language,
        kind: 'new-case',
        case: { ...KASE, status: 'new', category: 'hardware', priority: 'high', assignee: null },
        requester: REQUESTER,
        explanation: { kind: 'rule', file: 'rules/it.yml', line: 12, rule: 'printers' },
        dueText: 'Tuesday 24 November at 14:00',
        text: 'It says <script>alert(1)</script>\nsecond line',
        author: null,
        desk: DESK,
        help: HELP,
      });
    case 'agent-confirmation': {
      const p = parseCommandBlock('#assign luca #priority high', VOCAB);
      return confirmationVars({ language, case: KASE, agent: AGENT, desk: DESK, applied: p.commands, relayTo: 'requester' });
    }
    case 'agent-command-error': {
      const p = parseCommandBlock('#asign luca', VOCAB);
      const t = transition('closed', { type: 'resolve' }, { now: new Date(0), actor: AGENT.address, resolvedAt: null });
      return commandErrorVars({ language, case: KASE, subject: 'Re: x', agent: AGENT, desk: DESK, commandErrors: p.errors, lifecycleErrors: t.ok ? [] : [t], help: HELP });
    }
    case 'agent-not-trusted':
      return notTrustedVars({ language, case: KASE, subject: 'Re: x', agent: AGENT, desk: DESK, reason: 'no Authentication-Results header from mx.example.test' });
    case 'rating-request':
      return ratingRequestVars({ language, case: KASE, requester: REQUESTER, desk: DESK });
    case 'rating-thanks':
      return ratingThanksVars({ language, case: KASE, requester: REQUESTER, desk: DESK, score: 4, comment: 'Fast <3' });
    case 'relay':
      return relayVars({ language, case: KASE, requester: REQUESTER, agent: AGENT, desk: DESK, text: 'Try again now.\nIt should work.' });
    default:
      throw new Error(name);
  }
}

const NAMES = ['agent-notification', 'agent-confirmation', 'agent-command-error', 'agent-not-trusted', 'rating-request', 'rating-thanks', 'relay'];
let renderer: Awaited<ReturnType<typeof loadTemplates>>;

beforeAll(async () => {
  renderer = await loadTemplates(path.join(REPO_ROOT, 'templates'));
});

describe('agent templates', () => {
  it('all exist in every language', () => {
    for (const lang of LANGS) for (const name of NAMES) expect(renderer.names()).toContain(`${lang}/${name}`);
  });

  const cases = LANGS.flatMap((lang) => NAMES.map((name) => [name, lang] as const));
  it.each(cases)('%s (%s) renders', (name, language) => {
    const out = renderer.render(name, language, varsFor(name, language));
    expect(out.subject).toContain('[IT-12]');
    for (const body of [out.text, out.html]) {
      expect(body).not.toMatch(/undefined|\[object Object\]|\{\{|\{%/);
      expect(body.length).toBeGreaterThan(40);
    }
    // Values are escaped in HTML and left alone in text.
    expect(out.html).not.toContain('<b>jammed</b>');
    expect(out.html).not.toContain('<script>');
  });

  it.each(LANGS)('rating-request (%s) has five mailto links in HTML and the 1-to-5 instruction in text', (language) => {
    const out = renderer.render('rating-request', language, varsFor('rating-request', language));
    const links = [...out.html.matchAll(/href="(mailto:[^"]+)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&'));
    expect(links).toHaveLength(5);
    expect(links[4]).toContain('%5BIT-12%5D%20');
    expect(out.text).toMatch(/1.*5/);
    expect(out.text).not.toContain('mailto:');
  });

  it('the notification carries who asked, why, the due time, the text and the help', () => {
    const out = renderer.render('agent-notification', 'en', varsFor('agent-notification', 'en'));
    expect(out.text).toContain('From:      Ana Ruiz <ana@example.test>');
    expect(out.text).toContain('Category:  hardware (rule "printers" (rules/it.yml:12))');
    expect(out.text).toContain('Due:       Tuesday 24 November at 14:00');
    expect(out.text).toContain('It says <script>alert(1)</script>\nsecond line');
    expect(out.text).toContain('#assign <agent>');
    expect(out.text).toContain('it+note@example.test');
    expect(out.html).toContain('&lt;script&gt;');
  });

  it.each([
    ['en', 'Hello there,'],
    ['es', 'Hola:'],
    ['it', 'Ciao,'],
  ] as const)('greets a requester without a display name cleanly (%s)', (language, greeting) => {
    const vars = ratingRequestVars({ language, case: KASE, requester: { name: '', address: 'x@example.test' }, desk: DESK });
    expect(renderer.render('rating-request', language, vars).text.split('\n')[0]).toBe(greeting);
  });

  it('shows the priority in the reader\'s words', () => {
    expect(renderer.render('agent-notification', 'it', varsFor('agent-notification', 'it')).text).toContain('Priorità:   alta');
  });

  it('the command error lists each error and the help', () => {
    const out = renderer.render('agent-command-error', 'es', varsFor('agent-command-error', 'es'));
    expect(out.text).toContain('- #asign no es un comando. ¿Quería decir #assign?');
    expect(out.text).toContain('- #resolve no es posible: IT-12 está cerrado.');
    expect(out.text).toContain('#asignar <agente>');
  });

  it('the relay signs with the agent and never shows command lines', () => {
    const out = renderer.render('relay', 'it', varsFor('relay', 'it'));
    expect(out.text).toContain('Try again now.\nIt should work.\n\n--\nMaría García · ');
    expect(out.text).not.toContain('#');
  });
});
