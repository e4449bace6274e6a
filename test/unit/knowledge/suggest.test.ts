import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { parseMail } from '../../../src/adapters/mime-parser.js';
import type { Language } from '../../../src/domain/routing.js';
import type { Article } from '../../../src/knowledge/article.js';
import { loadArticles, loadArticleSources } from '../../../src/knowledge/load.js';
import { MIN_SCORE, suggestArticles, type SuggestQuery } from '../../../src/knowledge/suggest.js';
import { loadRulesOrThrow } from '../../../src/rules/load.js';
import { CORPORA, withoutCorpora } from '../../support/corpora.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

let shipped: readonly Article[] = [];
beforeAll(async () => {
  const rules = await loadRulesOrThrow(path.join(repoRoot, 'rules'));
  const loaded = await loadArticles(path.join(repoRoot, 'rules', 'knowledge'), { desks: rules.desks });
  expect(loaded.problems).toEqual([]);
  shipped = loaded.articles;
});

const ids = (query: Omit<SuggestQuery, 'subject'> & { subject?: string }, max?: number) =>
  suggestArticles(shipped, { subject: '', ...query }, max).map((s) => s.id);

describe('suggestArticles on the shipped articles', () => {
  it.each<[string, string, string, Language, string, string[]]>([
    ['es: cannot get into mail', 'IT', 'access', 'es', 'no puedo entrar en el correo', ['reset-password']],
    ['es: accents and case do not matter', 'IT', 'access', 'es', 'OLVIDÉ MI CONTRASENA y no puedo INICIAR SESION', ['reset-password']],
    ['it: the printer does not print', 'IT', 'hardware', 'it', 'la stampante non stampa', ['printer']],
    ['en: VPN keeps disconnecting', 'IT', 'network', 'en', 'VPN keeps disconnecting', ['vpn']],
    ['en: new phone for MFA', 'IT', 'access', 'en', 'I got a new phone and the authenticator app has no codes', ['mfa']],
    ['es: no wifi in the meeting room', 'IT', 'network', 'es', 'En la sala 3 no hay wifi', ['wifi']],
    ['it: suspicious mail', 'IT', 'security', 'it', 'ho ricevuto una mail sospetta con un link strano', ['phishing']],
    ['en: new laptop for a starter', 'IT', 'hardware', 'en', 'Could we order a new laptop for Anna who starts on Monday?', ['new-laptop']],
    ['es: payslip question', 'HR', 'payroll', 'es', 'Tengo una duda con las horas extra de mi nómina de marzo', ['payslip']],
    ['it: holiday request', 'HR', 'leave', 'it', 'vorrei chiedere tre giorni di ferie ad agosto', ['leave-request']],
    ['en: certificate for a mortgage', 'HR', 'documents', 'en', 'The bank needs an employment certificate for my mortgage', ['company-certificate']],
    ['en: unrelated HR mail gets nothing', 'HR', 'benefits', 'en', 'I would like to add my partner to the health insurance plan', []],
    ['es: unrelated HR mail in a category with an article', 'HR', 'payroll', 'es', 'Quiero apuntarme al curso de inglés de la empresa', []],
    ['en: IT mail about something no article covers', 'IT', 'access', 'en', 'Please give Marta write access to the Finance share', []],
    ['the category is required: a printer mail routed to network', 'IT', 'network', 'it', 'la stampante non stampa', []],
    ['another desk’s articles are never offered', 'HR', 'hardware', 'it', 'la stampante non stampa', []],
    ['a mail in a language the keywords are not in does not match', 'IT', 'hardware', 'en', 'la stampante non stampa', []],
  ])('%s', (_name, desk, category, language, text, expected) => {
    expect(ids({ desk, category, language, text })).toEqual(expected);
  });

  it('ranks the article whose keywords are in the subject first, and explains the match', () => {
    const [first, ...rest] = suggestArticles(shipped, {
      desk: 'IT',
      category: 'access',
      language: 'en',
      subject: 'Locked out after password reset',
      text: 'Since I got a new phone the authenticator app shows no codes and now I am locked out.',
    });
    expect(first).toMatchObject({ id: 'reset-password', title: 'Reset a forgotten or expired password', url: null });
    expect(first?.matched).toEqual(expect.arrayContaining(['password', 'locked out', 'password reset']));
    expect(first?.body).toMatch(/self-service password portal/);
    expect(rest.map((s) => s.id)).toEqual(['mfa']);
    expect(first!.score).toBeGreaterThan(rest[0]!.score);
  });

  it('"log in" is a phrase: the words apart do not match', () => {
    expect(ids({ desk: 'IT', category: 'access', language: 'en', text: 'please log the request in the system' })).toEqual([]);
    expect(ids({ desk: 'IT', category: 'access', language: 'en', text: 'I cannot log in since Monday' })).toEqual(['reset-password']);
  });
});

describe('suggestArticles ranking rules', () => {
  const kb = loadArticleSources(
    [
      ['a.md', 'id: alpha\ndesk: IT\ncategories: [net]\ntitle: { en: Router guide }\nkeywords: { en: [router] }'],
      ['b.md', 'id: beta\ndesk: IT\ncategories: [net]\ntitle: { en: Switch guide }\nkeywords: { en: [router] }'],
      ['c.md', 'id: gamma\ndesk: IT\ntitle: { en: Desk-wide router tips }\nkeywords: { en: [router, reboot] }'],
      ['d.md', 'id: delta\ndesk: IT\ncategories: [net]\ntitle: { en: Router reboot guide }\nkeywords: { en: [modem] }'],
    ].map(([file, front]) => ({ file: file!, text: `---\n${front}\n---\nbody\n` })),
  ).articles;
  const query = { desk: 'IT', language: 'en' as const, subject: '' };

  it('breaks equal scores by id, so the order never depends on file order', () => {
    const forward = suggestArticles(kb, { ...query, category: 'net', text: 'the router' });
    const backward = suggestArticles([...kb].reverse(), { ...query, category: 'net', text: 'the router' });
    // alpha and gamma: keyword + one title word; beta: keyword only ("Switch guide" shares nothing).
    expect(forward.map((s) => [s.id, s.score])).toEqual([
      ['alpha', 1.5],
      ['gamma', 1.5],
      ['beta', 1],
    ]);
    expect(backward).toEqual(forward);
  });

  it('offers desk-wide articles for any category, and only them without a category', () => {
    expect(suggestArticles(kb, { ...query, category: 'hardware', text: 'router' }).map((s) => s.id)).toEqual(['gamma']);
    expect(suggestArticles(kb, { ...query, category: null, text: 'router' }).map((s) => s.id)).toEqual(['gamma']);
  });

  it('never qualifies an article on title words alone', () => {
    // "delta" shares three title words with the mail but none of its keywords.
    expect(suggestArticles(kb, { ...query, category: 'net', text: 'reboot guide' }).map((s) => s.id)).toEqual(['gamma']);
  });

  it.each([
    [0, []],
    [1, ['alpha']],
    [3, ['alpha', 'gamma', 'beta']],
  ])('returns at most max=%i', (max, expected) => {
    expect(suggestArticles(kb, { ...query, category: 'net', text: 'router' }, max).map((s) => s.id)).toEqual(expected);
  });

  it('keeps every score at or above MIN_SCORE', () => {
    for (const s of suggestArticles(kb, { ...query, category: 'net', text: 'router reboot guide modem' })) {
      expect(s.score).toBeGreaterThanOrEqual(MIN_SCORE);
    }
  });
});

describe('the routing fixtures (rules/fixtures/*.eml) get the article their problem calls for', () => {
  // Language from the fixture name; desk and category from expected.yml, as routing would decide.
  const EXPECTED: Record<string, string[]> = {
    'it-01-laptop-en.eml': [], // a broken laptop is a repair, not a new-laptop request
    'it-02-impresora-es.eml': ['printer'],
    'it-03-password-it.eml': ['reset-password'],
    'it-04-vpn-urgent-es.eml': ['vpn'],
    'it-05-phishing-en.eml': ['phishing'],
    'it-06-invoice-exe-en.eml': [], // the phishing mail itself, not a report about one
    'it-07-outage-it.eml': ['wifi'],
    'it-08-excel-it.eml': [],
    'it-09-vague-en.eml': [],
    'it-10-contrasena-es.eml': ['reset-password'],
    'hr-01-nomina-es.eml': ['payslip'],
    'hr-02-ferie-it.eml': ['leave-request'],
    'hr-03-certificado-es.eml': ['company-certificate'],
    'hr-04-insurance-en.eml': [],
    'hr-05-new-hire-en.eml': [],
    'hr-06-busta-paga-it.eml': ['payslip'],
  };

  it.each(Object.entries(EXPECTED))('%s → %j', async (file, expected) => {
    const dir = path.join(repoRoot, 'rules', 'fixtures');
    const routing = (parse(await readFile(path.join(dir, 'expected.yml'), 'utf8')) as Record<string, { desk: string; category: string }>)[file]!;
    const mail = await parseMail(await readFile(path.join(dir, file)));
    const language = /-(es|it|en)\.eml$/.exec(file)![1] as Language;
    expect(ids({ desk: routing.desk, category: routing.category, language, subject: mail.subject, text: mail.text })).toEqual(expected);
  });

  it('covers every fixture there is', async () => {
    const emls = (await readdir(path.join(repoRoot, 'rules', 'fixtures'))).filter((f) => f.endsWith('.eml')).sort();
    expect(Object.keys(EXPECTED).sort()).toEqual(emls);
  });
});

describe.skipIf(withoutCorpora(import.meta.url, ['it-service-tickets']))('real tickets (corpora/it-service-tickets, English, every 10th row)', () => {
  // Measured when the articles shipped, on these 4,784 rows: 51 of 2,518 non-IT tickets (2.0 %) were
  // offered an IT article in at least one of four IT categories; 127 of 728 Access tickets routed to
  // `access` (17.4 %) got one. (All 47,837 rows: 1.9 % and 19.2 %.) The bounds leave room for keyword
  // edits, not for a matcher that offers articles to everything or to nothing.
  it('rarely offers an IT article to tickets about something else, and often helps access tickets', async () => {
    const csv = await readFile(path.join(CORPORA, 'it-service-tickets', 'all_tickets_processed_improved_v3.csv'), 'utf8');
    const rows = csv.split('\r\n').slice(1).filter((l, i) => l !== '' && i % 10 === 0);
    const other = { n: 0, offered: 0 };
    const access = { n: 0, offered: 0 };
    for (const line of rows) {
      const comma = line.lastIndexOf(',');
      const text = line.slice(0, comma).replace(/^"|"$/g, '');
      const label = line.slice(comma + 1);
      const offered = (category: string) => ids({ desk: 'IT', category, language: 'en', text }).length > 0;
      if (label === 'Access') {
        access.n++;
        if (offered('access')) access.offered++;
      } else if (['HR Support', 'Internal Project', 'Storage', 'Purchase', 'Miscellaneous'].includes(label)) {
        other.n++;
        if (['access', 'hardware', 'network', 'security'].some(offered)) other.offered++;
      }
    }
    expect(other.n + access.n).toBeGreaterThan(2_500);
    expect(other.offered / other.n).toBeLessThan(0.05);
    expect(access.offered / access.n).toBeGreaterThan(0.12);
  }, 60_000); // ~5 s on an idle machine; a loaded 2-core CI box needs room, the bounds above are the test
});
