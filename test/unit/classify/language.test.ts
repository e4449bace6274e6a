import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLanguageDetector, detectLanguage } from '../../../src/classify/language.js';
import { HELD_OUT, TRAIN } from './phrases.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/mail', import.meta.url));

describe('detectLanguage', () => {
  const detector = createLanguageDetector();

  it.each([
    ['No puedo imprimir el documento desde ayer', 'es'],
    ['El wifi de la oficina no va', 'es'],
    ['La impresora del tercer piso no funciona', 'es'],
    ['He olvidado mi contraseña del correo', 'es'],
    ['Non riesco a stampare il documento', 'it'],
    ['La stampante del terzo piano non funziona', 'it'],
    ['Ho dimenticato la password della posta', 'it'],
    ['Il wifi in ufficio non funziona da stamattina', 'it'],
    ['The printer on the third floor is broken', 'en'],
    ['I forgot my email password again', 'en'],
    ['Please reset my account, I cannot log in', 'en'],
  ] as const)('%j → %s', (text, language) => {
    expect(detector.detect(text, language === 'en' ? 'es' : 'en')).toEqual({ language, confident: true });
  });

  it.each(['', 'Hola', 'VPN', 'OK!!', '12345 67890', 'Grazie'])('too little text (%j) → fallback, not confident', (text) => {
    expect(detector.detect(text, 'it')).toEqual({ language: 'it', confident: false });
  });

  it('the one-off helper agrees with a detector instance', () => {
    expect(detectLanguage('Non riesco ad accedere alla VPN', 'en')).toEqual({ language: 'it', confident: true });
  });

  it('detector instances do not share state with each other', () => {
    const a = createLanguageDetector();
    const b = createLanguageDetector();
    const text = 'La impresora no funciona';
    expect(a.detect(text, 'en')).toEqual(b.detect(text, 'en'));
  });
});

describe('the three-language n-gram table (src/classify/eld-ngrams.ts)', () => {
  it('decides exactly as eld medium restricted to es/it/en: same language, same scores, same confidence', async () => {
    const { eld } = await import('eld/medium');
    const full = eld.newInstance();
    full.setLanguageSubset(['es', 'it', 'en']);
    const ours = createLanguageDetector();
    const texts = [
      ...TRAIN.map((d) => d.text),
      ...HELD_OUT.map(([text]) => text),
      ...readdirSync(FIXTURES).filter((f) => f.endsWith('.eml')).map((f) => readFileSync(path.join(FIXTURES, f), 'latin1')),
      'Bonjour, mon imprimante ne marche plus', 'Guten Tag, der Drucker ist kaputt', 'ok', '12345 67890 !!!', 'Obrigado pela ajuda com a impressora',
    ];
    for (const text of texts) {
      const r = full.detect(text.slice(0, 1000));
      const expected = r.language === 'es' || r.language === 'it' || r.language === 'en' ? r.language : null;
      const scores = Object.values(r.getScores()).sort((a, b) => b - a);
      const fallback = 'en' as const;
      const guess = ours.detect(text, fallback);
      const letters = text.slice(0, 1000).match(/\p{L}/gu)?.length ?? 0;
      if (letters < 12 || expected === null) continue; // the fallback path, the same either way
      expect(guess, text.slice(0, 60)).toEqual({ language: expected, confident: (scores[0] ?? 0) - (scores[1] ?? 0) >= 0.05 });
    }
    expect(texts.length).toBeGreaterThan(40);
  });
});
