// Reply templates: the shipped set loads and renders in every language, a broken one is reported with
// file:line before any mail goes out, HTML escapes what the requester wrote, and languages fall back.

import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { templateDir } from '../../support/template-dir.js';
import { loadTemplates } from '../../../src/adapters/templates.js';
import { LANGUAGES } from '../../../src/domain/routing.js';
import type { SportelloError } from '../../../src/errors.js';
import { REPO_ROOT } from '../../support/fakes.js';

const SHIPPED = path.join(REPO_ROOT, 'templates');

const vars = (subject = 'Printer jammed', name = 'Alice') => ({
  subject: `[IT-1] ${subject}`,
  case: { id: 'IT-1', subject, category: 'hardware', priority: 'normal', dueAt: null, dueText: null },
  requester: { name, address: 'alice@example.test' },
  desk: { id: 'IT', name: 'IT Service Desk', address: 'it@example.test' },
});

describe('the shipped templates', () => {
  it('load, with an auto-reply in every language', async () => {
    const t = await loadTemplates(SHIPPED);
    expect(t.names()).toEqual(expect.arrayContaining(LANGUAGES.map((l) => `${l}/auto-reply`)));
  });

  it.each(LANGUAGES)('%s auto-reply names the case and the desk, in text and HTML', async (lang) => {
    const r = (await loadTemplates(SHIPPED)).render('auto-reply', lang, vars());
    expect(r.subject).toBe('[IT-1] Printer jammed');
    for (const body of [r.text, r.html]) {
      expect(body).toContain('IT-1');
      expect(body).toContain('Printer jammed');
      expect(body).toContain('it@example.test');
      expect(body.endsWith('\n')).toBe(true);
    }
    expect(r.text).not.toMatch(/\n{3,}/);
    expect(r.text).not.toMatch(/[{}%]{2}/);
  });

  it('escapes markup in the HTML part and keeps it literal in the text part', async () => {
    const r = (await loadTemplates(SHIPPED)).render('auto-reply', 'en', vars('<script>alert(1)</script> & "x"', '<b>Eve</b>'));
    expect(r.html).not.toContain('<script>');
    expect(r.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp;');
    expect(r.html).toContain('&lt;b&gt;Eve&lt;/b&gt;');
    expect(r.text).toContain('<script>alert(1)</script> & "x"');
    expect(r.subject).toBe('[IT-1] <script>alert(1)</script> & "x"');
  });
});

describe('broken or missing templates', () => {
  it('an unclosed tag is TEMPLATE_INVALID with file:line', async () => {
    const dir = templateDir({
      'en/auto-reply.text.liquid': 'Hello {{ requester.name }},\n\n{% if case.dueText %}\nsoon\n',
      'en/auto-reply.html.liquid': '<p>ok</p>',
    });
    const err = (await loadTemplates(dir).catch((e: unknown) => e)) as SportelloError;
    expect(err.code).toBe('TEMPLATE_INVALID');
    expect(err.message).toContain(`${path.join(dir, 'en', 'auto-reply.text.liquid')}:3:`);
    expect(err.context.problems).toContainEqual(expect.objectContaining({ file: path.join(dir, 'en', 'auto-reply.text.liquid'), line: 3, message: expect.stringMatching(/not closed/) }));
    // Known noise: the broken half is reported a second time as "missing" (line null); see the report.
    expect((err.context.problems as unknown[]).length).toBeLessThanOrEqual(2);
  });

  it('reports every broken file at once, and a template without its HTML half', async () => {
    const dir = templateDir({
      'en/auto-reply.text.liquid': '{% for x in y %}',
      'en/auto-reply.html.liquid': '{{ unclosed',
      'es/auto-reply.text.liquid': 'Hola',
    });
    const err = (await loadTemplates(dir).catch((e: unknown) => e)) as SportelloError;
    expect(err.code).toBe('TEMPLATE_INVALID');
    const problems = err.context.problems as { file: string; message: string }[];
    expect(problems.map((p) => path.relative(dir, p.file)).sort()).toEqual(['en/auto-reply.html.liquid', 'en/auto-reply.text.liquid', 'es/auto-reply.html.liquid']);
    expect(problems.find((p) => p.file.endsWith('es/auto-reply.html.liquid'))?.message).toMatch(/both a \.text\.liquid and an \.html\.liquid/);
  });

  it('an unknown filter is rejected at load (strictFilters)', async () => {
    const dir = templateDir({ 'en/auto-reply.text.liquid': '{{ case.id | shout }}', 'en/auto-reply.html.liquid': '<p></p>' });
    await expect(loadTemplates(dir)).rejects.toMatchObject({ code: 'TEMPLATE_INVALID' });
  });
});

describe('language fallback', () => {
  const dir = () =>
    templateDir({
      'en/auto-reply.text.liquid': 'EN {{ case.id }}',
      'en/auto-reply.html.liquid': '<p>EN {{ case.id }}</p>',
      'es/auto-reply.text.liquid': 'ES {{ case.id }}',
      'es/auto-reply.html.liquid': '<p>ES {{ case.id }}</p>',
      'es/only-es.text.liquid': 'SOLO {{ case.id }}',
      'es/only-es.html.liquid': '<p>SOLO</p>',
    });

  it.each([
    ['es', 'en', 'auto-reply', 'ES IT-1'],
    ['it', 'en', 'auto-reply', 'EN IT-1'],
    ['it', 'es', 'auto-reply', 'ES IT-1'],
    ['it', 'es', 'only-es', 'SOLO IT-1'],
  ] as const)('%s with fallback %s: %s → %j', async (lang, fallback, name, text) => {
    const t = await loadTemplates(dir(), fallback);
    expect(t.render(name, lang, vars()).text).toBe(`${text}\n`);
  });

  it('a template no language has is TEMPLATE_INVALID at render', async () => {
    const t = await loadTemplates(dir());
    expect(() => t.render('only-es', 'it', vars())).toThrow(expect.objectContaining({ code: 'TEMPLATE_INVALID' }));
  });

  it('an empty or missing directory loads with no templates', async () => {
    const t = await loadTemplates(path.join(tmpdir(), 'sportello-no-such-dir-for-templates'));
    expect(t.names()).toEqual([]);
  });
});

describe('partials stay inside the templates directory', () => {
  /** A templates directory whose auto-reply renders the partial `target(dir)` names. */
  const partialUser = (target: (dir: string) => string) => {
    const dir = templateDir({ 'en/auto-reply.html.liquid': '<p>Case {{ case.id }}</p>\n', 'en/footer.txt': 'The IT team' });
    writeFileSync(path.join(dir, 'en/auto-reply.text.liquid'), `Case {{ case.id }}\n{% render '${target(dir)}' %}\n`);
    return dir;
  };
  // A file outside the directory that a template tries to pull into a mail (think: the config's secrets).
  const secret = path.join(templateDir({ 'secret.liquid': 'PASSWORD=hunter2' }), 'secret.liquid');

  it('a partial beside the templates is rendered', async () => {
    const r = (await loadTemplates(partialUser(() => 'en/footer.txt'))).render('auto-reply', 'en', vars());
    expect(r.text).toBe('Case IT-1\nThe IT team\n');
  });

  it.each([
    ['a file of the working directory', () => 'package.json'],
    ['an absolute path', () => secret],
    ['a relative path', (dir: string) => path.relative(dir, secret)],
  ])('%s outside the directory is refused when rendered, never read', async (_label, target) => {
    const t = await loadTemplates(partialUser(target));
    expect(() => t.render('auto-reply', 'en', vars())).toThrow(/Failed to lookup/);
  });
});
