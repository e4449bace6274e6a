import { describe, expect, it } from 'vitest';
import { createLanguageDetector, detectLanguage } from '../../../src/classify/language.js';

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
