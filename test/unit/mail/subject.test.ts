// Subject handling: reply/forward prefixes as real clients write them (es/it/en/de/fr and the forward
// prefixes of the crisp corpus), words that only look like a prefix, case tags, tagging and base subjects.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseSubject, caseSubject, findCaseTags, stripReplyPrefixes, tagSubject } from '../../../src/mail/subject.js';
import { CORPORA, withoutCorpora } from '../../support/corpora.js';

describe('stripReplyPrefixes', () => {
  it.each([
    ['Re: Printer', 'Printer'],
    ['RE: Printer', 'Printer'],
    ['re:Printer', 'Printer'],
    ['R: Stampante', 'Stampante'],
    ['RV: Impresora', 'Impresora'],
    ['Rif: Stampante', 'Stampante'],
    ['RIF: Stampante', 'Stampante'],
    ['I: Stampante', 'Stampante'],
    ['Fwd: Printer', 'Printer'],
    ['FW: Printer', 'Printer'],
    ['Fw: Printer', 'Printer'],
    ['Inoltro: Stampante', 'Stampante'],
    ['AW: Drucker', 'Drucker'],
    ['WG: Drucker', 'Drucker'],
    ['Antw: Drucker', 'Drucker'],
    ['SV: Skrivare', 'Skrivare'],
    ['VS: Printer', 'Printer'],
    ['TR: Imprimante', 'Imprimante'],
    ['TR : Imprimante', 'Imprimante'],
    ['Re[2]: Printer', 'Printer'],
    ['Re [3]: Printer', 'Printer'],
    ['AW(3): Drucker', 'Drucker'],
    ['Re： Printer', 'Printer'],
    ['RE: R: I: Fwd: Printer', 'Printer'],
    ['AW: WG[5]: AW[2]: Drucker', 'Drucker'],
    ['  Re:   Printer   on  floor 2 ', 'Printer on floor 2'],
    ['Re:', ''],
    // Words that only start like a prefix must survive.
    ['Rifiuti da smaltire', 'Rifiuti da smaltire'],
    ['Rifiuti: raccolta', 'Rifiuti: raccolta'],
    ['Iscrizione al corso', 'Iscrizione al corso'],
    ['Iscrizione: corso', 'Iscrizione: corso'],
    ['Reset password', 'Reset password'],
    ['Reset: password', 'Reset: password'],
    ['Referenze', 'Referenze'],
    ['Fwding rules', 'Fwding rules'],
    ['Review: Q3 budget', 'Review: Q3 budget'],
    ['Inoltrare la fattura', 'Inoltrare la fattura'],
    ['Printer (Re: floor 2)', 'Printer (Re: floor 2)'],
  ])('%j → %j', (input, expected) => {
    expect(stripReplyPrefixes(input)).toBe(expected);
  });
});

// crisp-oss/email-forward-parser: the subject line each client produced when forwarding, per language.
const CRISP = path.join(CORPORA, 'forward-crisp-email-forward-parser');
const NO_CORPORA = withoutCorpora(import.meta.url, ['forward-crisp-email-forward-parser']);
const crispSubjects = (NO_CORPORA ? [] : readdirSync(CRISP))
  .filter((f) => /_subject(_variant_\d+)?\.txt$/.test(f))
  .sort()
  .map((f) => ({ file: f, lang: /_(cs|cz|da|de|en|es|fi|fr|hr|hu|it|nl|no|pl|pt_br|pt|ro|ru|sk|sv|tr)_subject/.exec(f)?.[1] ?? 'en', subject: readFileSync(path.join(CRISP, f), 'utf8').trim() }));

describe.skipIf(NO_CORPORA)('stripReplyPrefixes over the crisp forward corpus', () => {
  const ORIGINAL = 'Integer consequat non purus';
  // The languages the desk serves (es/it/en) plus the ones the subject module claims (de/fr/da/nl…).
  const SUPPORTED = new Set(['en', 'es', 'it', 'de', 'fr', 'da', 'nl', 'cs', 'hr', 'hu', 'pt', 'ru', 'sk', 'pt_br']);

  it('reads every subject file of the corpus', () => {
    expect(crispSubjects.length).toBeGreaterThanOrEqual(40);
    for (const s of crispSubjects) expect(s.subject.endsWith(ORIGINAL)).toBe(true);
    for (const lang of ['es', 'it', 'en', 'de']) expect(crispSubjects.some((s) => s.lang === lang)).toBe(true);
  });

  it.each(crispSubjects.filter((s) => SUPPORTED.has(s.lang)).map((s) => [s.file, s.subject] as const))('%s: %j', (_file, subject) => {
    expect(stripReplyPrefixes(subject)).toBe(ORIGINAL);
  });
});

describe('findCaseTags', () => {
  it.each([
    ['[IT-12] Printer', ['IT-12']],
    ['Re: [it-12] Printer', ['IT-12']],
    ['[HR-3] and [IT-12]', ['HR-3', 'IT-12']],
    ['[IT-0] zero is not a case', []],
    ['[IT-012] leading zero', []],
    ['[IT12] no dash', []],
    ['IT-12 without brackets', []],
    ['[1T-2] prefix must start with a letter', []],
    ['[ABCDEFGHIJK-1] prefix too long', []],
    ['[ABCDEFGHIJ-1] ten letters', ['ABCDEFGHIJ-1']],
    ['[IT-1234567890] number too long', []],
    ['', []],
  ])('%j → %j', (subject, expected) => {
    expect(findCaseTags(subject)).toEqual(expected);
  });
});

describe('tagSubject', () => {
  it.each([
    ['Printer', '[IT-12] Printer'],
    ['Re: Printer', '[IT-12] Printer'],
    ['[IT-12] Printer', '[IT-12] Printer'],
    ['Re: [IT-12] Printer', '[IT-12] Printer'],
    ['RE: R: [it-12] AW: [IT-12] Printer', '[IT-12] Printer'],
    ['Printer [IT-12]', '[IT-12] Printer'],
    // Other cases' tags are dropped too, so a subject never collects "[IT-7] [IT-2] [IT-1]".
    ['[HR-3] Payslip', '[IT-12] Payslip'],
    ['', '[IT-12]'],
    ['Re:', '[IT-12]'],
    ['Rifiuti da smaltire', '[IT-12] Rifiuti da smaltire'],
  ])('%j → %j', (subject, expected) => {
    expect(tagSubject('IT-12', subject)).toBe(expected);
  });

  it('is idempotent: tagging a tagged subject (or its reply) never doubles the tag', () => {
    for (const s of ['Printer', 'Re: AW: Printer', '[IT-12] x']) {
      const once = tagSubject('IT-12', s);
      expect(tagSubject('IT-12', once)).toBe(once);
      expect(tagSubject('IT-12', `Re: ${once}`)).toBe(once);
      expect(findCaseTags(tagSubject('IT-12', `Re: ${once}`))).toEqual(['IT-12']);
    }
  });

  it('replaces another case\'s tag instead of stacking it (IT-1 vs IT-12)', () => {
    expect(tagSubject('IT-1', '[IT-12] Printer')).toBe('[IT-1] Printer');
  });

  it.each([
    ['Re: [IT-2] [IT-1] Mi portátil no enciende', 'Mi portátil no enciende'],
    ['RV: Fwd: [HR-3] Nómina', 'Nómina'],
    ['Ordinary subject', 'Ordinary subject'],
  ])('caseSubject(%j) is %j', (subject, expected) => {
    expect(caseSubject(subject)).toBe(expected);
  });
});

describe('baseSubject', () => {
  it.each([
    ['Printer', 'printer'],
    ['Re: [IT-12] Printer', 'printer'],
    ['[IT-12] Re: Printer', 'printer'],
    ['[users] Re: Printer', 'printer'],
    ['Re: [users] AW: [IT-3] Printer', 'printer'],
    ['Fwd: Impresora Rota', 'impresora rota'],
    ['Rifiuti', 'rifiuti'],
  ])('%j → %j', (subject, expected) => {
    expect(baseSubject(subject)).toBe(expected);
  });

  it('equal for a thread\'s mails whatever the client added', () => {
    const variants = ['Printer jammed', 'Re: Printer jammed', 'AW: [IT-9] Printer jammed', 'R: I: printer JAMMED', '[list] RE[2]: Printer jammed'];
    expect(new Set(variants.map(baseSubject))).toEqual(new Set(['printer jammed']));
  });
});
