// extractNewText over the upstream reply fixtures (es/it/en first) and hand-written mails for each quote-header
// and signature form Sportello must handle; plus odd input, the size cap and a catastrophic-backtracking probe.
import { describe, expect, it } from 'vitest';
import { extractNewText, trimForRelay } from '../../../src/quotes/index.js';
import { ORACLE_CORPORA, actualFor, loadOracleCases, normalise, readCorpus } from './oracle.js';
import { withoutCorpora } from '../../support/corpora.js';

const NO_CORPORA = withoutCorpora(import.meta.url, ORACLE_CORPORA);
/** Tests that read the upstream fixtures; the hand-written ones run without the corpora. */
const itCorpus = it.skipIf(NO_CORPORA);
const cases = NO_CORPORA ? [] : await loadOracleCases();
const byName = (set: string, name: string) => {
  const c = cases.find((x) => x.set === set && x.name === name);
  if (!c) throw new Error(`no oracle case ${set}/${name}`);
  return c;
};

describe.skipIf(NO_CORPORA)('extractNewText on upstream fixtures', () => {
  // es / it / en quote headers and signatures among the real fixtures.
  it.each([
    ['discourse', 'embedded_email_spanish_1'], // "El jueves, 21 de noviembre de 2013, X escribió:"
    ['discourse', 'embedded_email_spanish_2'], // "-----Mensaje original-----" + De:/Enviado:/Para:/Asunto:
    ['discourse', 'embedded_email_italian'], // "> Il 26 marzo 2016 alle 13.16 X ha scritto:"
    ['crisp', 'email_italian'], // "In data 11 ottobre 2017 … ha scritto:"
    ['crisp', 'email_7'], // "Il giovedì, 8 dicembre 2016, X <…>\nha scritto:"
    ['crisp', 'email_13'], // "Da: … Inviato: … A: … Oggetto:"
    ['crisp', 'email_original_message'],
    ['crisp', 'email_with_regards'], // "Regards,\n\nJohn Doe\nCEO @ Acme !" is a signature
    ['discourse', 'email_headers_1'], // Outlook "*From:* … *Sent:*"
    ['discourse', 'signatures'], // "Sent from my iPhone" and a dozen other device lines
    ['discourse', 'usenet'], // "--" delimiter
    ['discourse', 'quote_and_text'], // a leading quote answered below stays
    ['discourse', 'quote_only'], // nothing but a quote: show it rather than nothing
    ['github', 'email_sent_from_my_not_signature'], // a sentence starting "Sent from my" is text
    ['github', 'correct_sig'],
    ['github', 'email_1_7'], // CRLF
    ['talon', 'iphone'],
    ['talon', 'thunderbird'], // bottom post under "On … wrote:"
  ])('%s/%s matches the upstream expectation', (set, name) => {
    const c = byName(set, name);
    expect(normalise(actualFor(c, extractNewText(c.input)))).toBe(normalise(c.expected));
  });

  it('handles at least 95% of all 142 oracle cases exactly (regression floor; 136 at the time of writing)', () => {
    const exact = cases.filter((c) => normalise(actualFor(c, extractNewText(c.input))) === normalise(c.expected));
    expect(cases.length).toBe(142);
    expect(exact.length / cases.length).toBeGreaterThanOrEqual(0.95);
  });

  it('moves the cut history into `quoted` and the sign-off into `signature`', () => {
    const r = extractNewText(byName('discourse', 'embedded_email_spanish_2').input, { language: 'es' });
    expect(r.quoted).toMatch(/^-----Mensaje original-----\nDe: "Miguel"/);
    const s = extractNewText(byName('crisp', 'email_with_regards').input);
    expect(s.signature).toBe('Regards,\n\nJohn Doe\nCEO @ Acme !');
    expect(s.quoted).toBeNull();
  });
});

const REPLY = 'Ok, lo reviso mañana.';

describe('extractNewText on each quote header form', () => {
  it.each([
    ['en On … wrote:', 'On Mon, Jun 3, 2024 at 10:00 AM Ann Lee <ann@example.com> wrote:\n> Does it work?'],
    ['en On … wrote: wrapped', 'On Mon, Jun 3, 2024 at 10:00 AM Ann Lee <\nann@example.com> wrote:\n\n> Does it work?'],
    ['es El … escribió:', 'El lun, 3 jun 2024 a las 10:00, Ana Ruiz (<ana@example.es>) escribió:\n> ¿Funciona?'],
    ['es El … escribió: wrapped', 'El lun, 3 jun 2024 a las 10:00, Ana Ruiz <ana@example.es>\nescribió:\n\n> ¿Funciona?'],
    ['it Il giorno … ha scritto:', 'Il giorno lun 3 giu 2024 alle ore 10:00 Anna Rossi <anna@example.it> ha scritto:\n> Funziona?'],
    ['it Il … ha scritto: wrapped', 'Il giorno lun 3 giu 2024 alle ore 10:00 Anna Rossi <\nanna@example.it> ha scritto:\n\n> Funziona?'],
    ['en Outlook From/Sent', 'From: Ann Lee <ann@example.com>\nSent: Monday, June 3, 2024 10:00 AM\nTo: Desk <desk@example.com>\nSubject: Printer\n\nDoes it work?'],
    ['es Outlook De/Enviado', 'De: Ana Ruiz <ana@example.es>\nEnviado: lunes, 3 de junio de 2024 10:00\nPara: Soporte\nAsunto: Impresora\n\n¿Funciona?'],
    ['it Outlook Da/Inviato', 'Da: Anna Rossi <anna@example.it>\nInviato: lunedì 3 giugno 2024 10:00\nA: Assistenza\nOggetto: Stampante\n\nFunziona?'],
    ['Outlook without addresses', '________________________________\nDe: Ana Ruiz\nEnviado: lunes, 3 de junio de 2024 10:00\nPara: Soporte\n\n¿Funciona?'],
    ['en -----Original Message-----', '-----Original Message-----\nFrom: Ann\nDoes it work?'],
    ['es -----Mensaje original-----', '-----Mensaje original-----\nDe: Ana\n¿Funciona?'],
    ['it -----Messaggio originale-----', '-----Messaggio originale-----\nDa: Anna\nFunziona?'],
    ['> quoting without header', '> Does it work?\n> Second line'],
  ])('cuts %s', (_label, history) => {
    const r = extractNewText(`${REPLY}\n\n${history}\n`);
    expect(r.text).toBe(REPLY);
    expect(r.quoted).toBe(history);
    expect(r.signature).toBeNull();
  });

  it('keeps inline answers between quoted lines', () => {
    const body = 'On Mon, Jun 3, 2024 at 10:00 AM Ann <ann@example.com> wrote:\n> Which printer?\n\nThe one on floor 2.\n\n> Since when?\n\nSince Monday.';
    expect(extractNewText(body).text).toBe('The one on floor 2.\n\n> Since when?\n\nSince Monday.');
  });

  it('takes the forwarded body as the text when a forward is all there is', () => {
    const body = '---------- Forwarded message ---------\nFrom: Ann <ann@example.com>\nDate: Mon, Jun 3, 2024\nSubject: Printer\nTo: <desk@example.com>\n\n\nThe printer is broken.';
    const r = extractNewText(body);
    expect(r.text).toBe('The printer is broken.');
    expect(r.quoted).toMatch(/^---------- Forwarded message/);
  });
});

describe('extractNewText on each signature form', () => {
  it.each([
    ['en device', 'Sent from my iPhone', 'en'],
    ['es device', 'Enviado desde mi iPhone', 'es'],
    ['it device', 'Inviato da iPhone', 'it'],
    ['it device (app)', 'Inviato dal mio dispositivo Android', 'it'],
    ['Outlook app', 'Get Outlook for Android', 'en'],
    ['-- delimiter', '-- \nAna Ruiz\nSoporte IT · ext. 4412', 'es'],
    ['es sign-off', 'Saludos,\nAna Ruiz\nDepartamento de Compras', 'es'],
    ['es sign-off (un cordial saludo)', 'Un cordial saludo,\n\nAna', 'es'],
    ['it sign-off', 'Cordiali saluti,\nAnna Rossi\nUfficio Acquisti', 'it'],
    ['it sign-off (distinti saluti)', 'Distinti saluti\nAnna', 'it'],
    ['en sign-off', 'Best regards,\nAnn Lee', 'en'],
    ['sign-off then device', 'Saludos,\nAna\n\nEnviado desde mi iPhone', 'es'],
  ] as const)('strips %s', (_label, sig, language) => {
    const body = `La impresora de la planta 2 no imprime.\n\n${sig}`;
    const r = extractNewText(body, { language });
    expect(r.text).toBe('La impresora de la planta 2 no imprime.');
    expect(r.signature).toBe(sig.trimEnd());
  });

  it.each([
    ['thanks stays', 'Thanks,\nAnn'],
    ['a sentence about a device stays', 'Sent from my desk, because the phone died.'],
    ['an em dash is not a delimiter', '—\nAnn'],
    ['a rule under a table header stays', 'Name  Qty\n---------\nToner  2'],
  ])('does not strip: %s', (_label, tail) => {
    const body = `Please order toner.\n\n${tail}`;
    const r = extractNewText(body);
    expect(r.text).toBe(body);
    expect(r.signature).toBeNull();
  });
});

describe('extractNewText on odd input', () => {
  it.each([
    ['empty', '', ''],
    ['blank', '  \n\n\t', ''],
    ['CRLF', 'Hi\r\n\r\nOn Mon, Jun 3, 2024 Ann <a@example.com> wrote:\r\n> x', 'Hi'],
    ['BOM', '\uFEFFHi', 'Hi'],
    ['lone quote marks', '>\n>\n>', '>\n>\n>'],
    ['NUL bytes', 'a\u0000b', 'a\u0000b'],
  ])('%s', (_label, input, text) => {
    expect(extractNewText(input).text).toBe(text);
  });

  it('never throws on a non-string', () => {
    expect(extractNewText(undefined as unknown as string)).toEqual({ text: '', quoted: null, signature: null });
  });
});

describe('size cap', () => {
  it('still cuts headers and ">" blocks by line rules beyond maxBytes', () => {
    const history = Array.from({ length: 2000 }, (_, i) => `> line ${i} of a very long quoted history`).join('\n');
    const body = `Nuevo texto.\n\nEnviado desde mi iPhone\n\nEl lun, 3 jun 2024 a las 10:00, Ana <ana@example.es> escribió:\n${history}`;
    const r = extractNewText(body, { maxBytes: 1024 });
    expect(r.text).toBe('Nuevo texto.');
    expect(r.signature).toBe('Enviado desde mi iPhone');
    expect(r.quoted?.endsWith('> line 1999 of a very long quoted history')).toBe(true);
  });

  itCorpus('handles the 767 kB github long-quote fixture', () => {
    const body = readCorpus('reply-github-email-reply-parser', 'email_long_quote.txt');
    const r = extractNewText(body);
    expect(r.text.length).toBeGreaterThan(0);
    expect(r.text.length).toBeLessThan(body.length);
  });
});

describe('catastrophic backtracking', () => {
  // Without RE2 the parser's `.+\son.*at.*wrote:` pattern is cubic: 9.6 kB took ~1 s (deps.md §5), so these
  // ~60 kB would take minutes and the test would time out. Kept below DEFAULT_MAX_BYTES so the parser runs.
  const line = ' on at wrote'.repeat(5000);

  it('finishes on a long pathological line and keeps it as text', () => {
    // "Ticket:" ends with a colon, so the reply parser (and its risky pattern) does run on these lines.
    const r = extractNewText(`Ticket:\n${line}\n\n> quoted`);
    expect(r.text).toBe(`Ticket:\n${line}`);
    expect(r.quoted).toBe('> quoted');
  });

  itCorpus('finishes on the github pathological fixture', () => {
    const body = readCorpus('reply-github-email-reply-parser', 'pathological.txt');
    expect(extractNewText(body, { maxBytes: Number.POSITIVE_INFINITY }).text.length).toBeGreaterThan(0);
  });

  it('the reply parser resolved re2 (it falls back to backtracking RegExp silently otherwise)', async () => {
    const href = new URL('../../../node_modules/email-reply-parser/dist/regex.js', import.meta.url).href;
    const mod = (await import(href)) as { default: { hasRE2: boolean } };
    expect(mod.default.hasRE2).toBe(true);
  });
});

describe('trimForRelay', () => {
  it('drops the signature and notes the removed history in the mail language', () => {
    const body = 'Grazie, risolto.\n\nCordiali saluti,\nAnna\n\nIl giorno lun 3 giu 2024 alle ore 10:00 Desk <desk@example.it> ha scritto:\n> Risolto?';
    expect(trimForRelay(body, { language: 'it' })).toBe('Grazie, risolto.\n\n[testo citato rimosso]');
  });

  it('adds no note when nothing was quoted', () => {
    expect(trimForRelay('Just text.')).toBe('Just text.');
  });
});
