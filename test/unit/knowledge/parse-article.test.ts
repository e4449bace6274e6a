import { describe, expect, it } from 'vitest';

import { parseArticle, type KnowledgeDesk } from '../../../src/knowledge/parse-article.js';

const DESKS: Record<string, KnowledgeDesk> = {
  IT: { defaultLanguage: 'en', categories: [{ id: 'access' }, { id: 'network' }, { id: 'triage' }] },
  HR: { defaultLanguage: 'es', categories: [{ id: 'payroll' }] },
};

const FRONT = ['---', 'id: vpn', 'desk: IT', 'categories: [network]', 'title: { en: VPN drops, it: La VPN cade }', 'keywords:', '  en: [vpn]', '---'];
const article = (...lines: string[]) => lines.join('\n');

describe('parseArticle', () => {
  it('reads front matter and one body per language section', () => {
    const parsed = parseArticle(
      'knowledge/vpn.md',
      article(...FRONT, '<!-- en -->', 'Restart the client.', '', '<!-- it -->', 'Riavvii il client.', '<!--es-->', 'Reinicie.'),
      DESKS,
    );
    expect(parsed.problems).toEqual([]);
    expect(parsed.content).toMatchObject({
      id: 'vpn',
      desk: 'IT',
      categories: ['network'],
      title: { en: 'VPN drops', it: 'La VPN cade' },
      keywords: { en: ['vpn'] },
      url: null,
      body: { en: 'Restart the client.', it: 'Riavvii il client.', es: 'Reinicie.' },
      defaultLanguage: 'en',
      line: 2,
    });
  });

  it('gives a body without language sections to the desk’s default language', () => {
    const text = article('---', 'id: payslip', 'desk: HR', 'title: { es: Nómina }', 'url: https://intranet.example.test/kb/1', '---', '', 'Se publica el día 28.');
    expect(parseArticle('k/payslip.md', text, DESKS).content).toMatchObject({
      categories: [],
      keywords: {},
      body: { es: 'Se publica el día 28.' },
      url: 'https://intranet.example.test/kb/1',
      defaultLanguage: 'es',
    });
  });

  it('accepts CRLF line endings and a byte-order mark', () => {
    const text = '\uFEFF' + article(...FRONT, '<!-- en -->', 'Body.').replace(/\n/g, '\r\n');
    expect(parseArticle('k/vpn.md', text, DESKS).content?.body).toEqual({ en: 'Body.' });
  });

  it.each<[string, string, [number, number, string, RegExp]]>([
    ['no front matter', article('# VPN', 'text'), [1, 1, 'NO_FRONT_MATTER', /starts with YAML front matter/]],
    ['an unclosed front matter', article('---', 'id: vpn'), [1, 1, 'NO_FRONT_MATTER', /no closing/]],
    ['YAML syntax', article('---', 'id: vpn', 'title: { en: x', '---'), [3, 15, 'YAML_SYNTAX', /./]],
    ['a duplicate key', article('---', 'id: vpn', 'id: vpn2', '---'), [3, 1, 'DUPLICATE_KEY', /unique/i]],
    [
      'a misspelt key, with a suggestion',
      article('---', 'id: vpn', 'desk: IT', 'title: { en: x }', 'keyowrds: { en: [vpn] }', '---'),
      [5, 1, 'UNKNOWN_KEY', /unknown key "keyowrds" \(did you mean "keywords"\?\)/],
    ],
    [
      'an unknown title language',
      article('---', 'id: vpn', 'desk: IT', 'title: { en: x, fr: y }', '---'),
      [4, 17, 'UNKNOWN_KEY', /unknown key "fr"/],
    ],
    ['a missing desk', article('---', 'id: vpn', 'title: { en: x }', '---'), [2, 1, 'MISSING_FIELD', /"desk"/]],
    [
      'a bad id',
      article('---', 'id: Reset Password', 'desk: IT', 'title: { en: x }', '---'),
      [2, 5, 'INVALID_VALUE', /lower-case letters/],
    ],
    [
      'a javascript: url',
      article('---', 'id: vpn', 'desk: IT', 'title: { en: x }', 'url: "javascript:alert(1)"', '---'),
      [5, 6, 'INVALID_VALUE', /http\(s\)/],
    ],
    [
      'keywords as a string',
      article('---', 'id: vpn', 'desk: IT', 'title: { en: x }', 'keywords: { en: vpn }', '---'),
      [5, 17, 'INVALID_TYPE', /keywords\.en: expected a list/],
    ],
    [
      'a title missing in the desk’s default language',
      article('---', 'id: vpn', 'desk: IT', 'title: { it: La VPN }', '---'),
      [4, 8, 'MISSING_TITLE', /title\.en/],
    ],
    [
      'an unknown desk, with a suggestion',
      article('---', 'id: vpn', 'desk: ITT', 'title: { en: x }', '---'),
      [3, 7, 'UNKNOWN_DESK', /unknown desk "ITT" \(did you mean "IT"\?\)/],
    ],
    [
      'a category the desk does not have',
      article('---', 'id: vpn', 'desk: IT', 'categories: [network, acess]', 'title: { en: x }', '---'),
      [4, 23, 'UNKNOWN_CATEGORY', /no category "acess" \(did you mean "access"\?\)/],
    ],
    [
      'a keyword made only of stop words',
      article('---', 'id: vpn', 'desk: IT', 'title: { en: x }', 'keywords:', '  en: [vpn, "it is"]', '---'),
      [6, 13, 'EMPTY_KEYWORD', /"it is" has only en stop words/],
    ],
    [
      'text before the first section',
      article(...FRONT, 'Intro.', '<!-- en -->', 'Body.'),
      [9, 1, 'TEXT_OUTSIDE_SECTION', /belongs to no language/],
    ],
    ['an unknown section language', article(...FRONT, '<!-- en -->', 'a', '<!-- fr -->', 'b'), [11, 1, 'UNKNOWN_LANGUAGE', /"fr"/]],
    ['a repeated section', article(...FRONT, '<!-- en -->', 'a', '<!-- en -->', 'b'), [11, 1, 'DUPLICATE_SECTION', /second "en"/]],
  ])('reports %s at file:line:column', (_name, text, [line, column, code, message]) => {
    const parsed = parseArticle('knowledge/x.md', text, DESKS);
    expect(parsed.content).toBeNull();
    expect(parsed.problems[0]).toMatchObject({ file: 'knowledge/x.md', line, column, code, message: expect.stringMatching(message) });
  });

  it('without desks from the rules, requires an English title and skips desk checks', () => {
    const text = article('---', 'id: vpn', 'desk: Anything', 'categories: [whatever]', 'title: { es: La VPN }', '---');
    expect(parseArticle('k.md', text).problems.map((p) => p.code)).toEqual(['MISSING_TITLE']);
  });

  it('reports every problem of a file, not only the first', () => {
    const text = article('---', 'id: vpn', 'desk: IT', 'categories: [acess]', 'title: { it: x }', '---', 'stray', '<!-- en -->', 'b');
    expect(parseArticle('k.md', text, DESKS).problems.map((p) => p.code).sort()).toEqual(['MISSING_TITLE', 'TEXT_OUTSIDE_SECTION', 'UNKNOWN_CATEGORY']);
  });
});
