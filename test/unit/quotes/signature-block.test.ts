// findSignature, isDeviceLine, isSignOff: the trailing block we cut, per language, and the lookalikes we keep.
import { describe, expect, it } from 'vitest';
import { findSignature, isDeviceLine, isSignOff } from '../../../src/quotes/signature-block.js';

describe('isDeviceLine', () => {
  it.each([
    ['Sent from my iPhone', true],
    ['Enviado desde mi iPhone', true],
    ['Enviado desde mi Samsung Galaxy', true],
    ['Inviato da iPhone', true],
    ['Inviato dal mio Huawei', true],
    ['Get Outlook for iOS<https://aka.ms/o0ukef>', true],
    ['Sent from my cell, please excuse any typos.', true],
    ['Sent from my desk, is much easier then my mobile phone.', false],
    ['The report was sent from my laptop yesterday evening to the whole team and nobody saw it', false],
  ])('%s → %s', (line, expected) => {
    expect(isDeviceLine(line)).toBe(expected);
  });
});

describe('isSignOff', () => {
  it.each([
    ['Saludos,', 'es', true],
    ['Un saludo', 'es', true],
    ['Atentamente,', 'es', true],
    ['Cordiali saluti', 'it', true],
    ['Distinti saluti,', 'it', true],
    ['Kind regards,', 'it', true], // English closings apply to Italian mail too
    ['Saludos,', 'it', false],
    ['Thanks,', 'en', false],
    ['Regards to the team for the payment fix', 'en', false],
  ] as const)('%s (%s) → %s', (line, language, expected) => {
    expect(isSignOff(line, language)).toBe(expected);
  });
});

describe('findSignature', () => {
  it.each([
    ['"-- " with no blank line above', 'text\n-- \nrick', { start: 1, end: 3 }],
    ['sign-off plus name', 'text\n\nSaludos,\nAna\nCompras', { start: 2, end: 5 }],
    ['device line above unmarked history', 'text\n\nSent from my Wiko\n\nOld text.', { start: 2, end: 3 }],
    ['separator with blank line above', 'text\n\n______\nList footer', { start: 2, end: 4 }],
    ['none', 'text\nmore text', null],
    ['separator directly under text', 'Name Qty\n--------\nToner 2', null],
    ['sign-off with a long tail', `text\n\nRegards,\n${'line\n'.repeat(8)}`, null],
  ])('%s', (_label, text, expected) => {
    expect(findSignature(text.split('\n'))).toEqual(expected);
  });
});
