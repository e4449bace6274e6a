import { describe, expect, it } from 'vitest';
import { signature, systemsMeet } from '../../../src/incidents/signature.js';

describe('signature: what a report is about, whatever its language', () => {
  it.each([
    ['No hay wifi en la tercera planta', ['wifi'], ['3'], true],
    ['al terzo piano il wifi non funziona', ['wifi'], ['3'], true],
    ['the wifi on floor 3 is down', ['wifi'], ['3'], true],
    ['no internet on the 3rd floor', ['network'], ['3'], true],
    ['la red de la planta baja no funciona', ['network'], ['0'], true],
    ['la impresora del piso 2 no imprime', ['printer'], ['2'], true],
    ['la stampante del secondo piano non stampa', ['printer'], ['2'], true],
    ["What's the password of the guest wifi?", ['wifi'], [], false],
    ['Necesito un portátil nuevo', [], [], false],
    ['my laptop won\'t turn on', [], [], false],
    ['La vpn è giù? Non riesco a collegarmi', ['vpn'], [], true],
    ['Outlook isn\'t syncing, is the mail server down?', ['email'], [], true],
  ])('%s', (text, systems, floors, failure) => {
    const s = signature(text);
    expect([...s.systems].sort()).toEqual(systems);
    expect([...s.floors]).toEqual(floors);
    expect(s.failure).toBe(failure);
  });

  it('reads rooms and buildings', () => {
    expect([...signature('wifi very slow in meeting room 2').rooms]).toEqual(['2']);
    expect([...signature('En el edificio B no tenemos red').buildings]).toEqual(['b']);
  });
});

describe('systemsMeet', () => {
  it.each([
    [['wifi'], ['wifi'], 'same'],
    [['network'], ['wifi'], 'compatible'],
    [['ethernet'], ['network'], 'compatible'],
    [['printer'], ['wifi'], 'conflict'],
    [['vpn'], ['network'], 'conflict'],
    [[], ['wifi'], 'unknown'],
  ] as const)('%j and %j: %s', (a, b, expected) => {
    expect(systemsMeet(new Set(a), new Set(b))).toBe(expected);
  });
});
