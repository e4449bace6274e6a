import { describe, expect, it } from 'vitest';
import { foldAccents, tokenize, words } from '../../../src/classify/tokenize.js';

describe('tokenize', () => {
  it.each([
    ['es', 'contraseña', 'contrasena'],
    ['es', 'Información de conexión', 'informacion de conexion'],
    ['es', 'IMPRESIÓN', 'impresion'],
    ['it', 'Perché la città', 'perche la citta'],
    ['it', 'funzionalità', 'funzionalita'],
    ['en', 'naïve café', 'naive cafe'],
  ] as const)('%s: "%s" and "%s" give the same terms', (language, accented, plain) => {
    expect(tokenize(accented, language)).toEqual(tokenize(plain, language));
    expect(tokenize(accented, language).length).toBeGreaterThan(0);
  });

  it.each([
    ['it', 'città perché più', ['citta', 'perche', 'piu']],
    ['es', '¿Dónde está la impresora?', ['donde', 'esta', 'la', 'impresora']],
    ['it', "Non riesco ad accedere all'account", ['non', 'riesco', 'ad', 'accedere', 'all', 'account']],
    ['en', "The printer's toner — ERROR 404!", ['the', 'printer', 's', 'toner', 'error', '404']],
  ] as const)('%s words of %j keep accented letters whole', (language, text, expected) => {
    expect(words(text, language, false)).toEqual(expected);
  });

  it.each([
    ['es', 'No puedo cambiar la contraseña', ['pued', 'cambi', 'contrasen']],
    ['it', 'La stampante del terzo piano', ['stampant', 'terz', 'pian']],
    ['en', 'The printers are not printing', ['printer', 'not', 'print']],
  ] as const)('%s: drops stop words and stems %j', (language, text, expected) => {
    expect(tokenize(text, language)).toEqual(expected);
  });

  it('keeps stop words and surface forms when asked', () => {
    expect(tokenize('La stampante', 'it', { stopWords: false, stem: false })).toEqual(['la', 'stampante']);
  });

  it('stems inflections of one word alike', () => {
    expect(tokenize('impresora', 'es')).toEqual(tokenize('impresoras', 'es'));
    expect(tokenize('stampante', 'it')).toEqual(tokenize('stampanti', 'it'));
  });

  it('yields nothing for empty, blank or punctuation-only text', () => {
    for (const text of ['', '   ', '¡¿?!…—']) expect(tokenize(text, 'es')).toEqual([]);
  });

  it('folds combining marks but leaves base letters', () => {
    expect(foldAccents('ÀÉÎÕÜñç')).toBe('AEIOUnc');
  });
});
