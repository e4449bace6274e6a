// Desk plus-addresses: it+note@ is the IT desk with tag "note"; other domains, empty tags and plain addresses are not.
import { describe, expect, it } from 'vitest';
import { firstPlusTag, plusAddress, plusTag, splitPlus } from '../../../src/agents/plus-address.js';

const DESKS = ['it@example.test', 'HR@Example.test'];

describe('plusTag', () => {
  it.each([
    ['it+note@example.test', { desk: 'it@example.test', tag: 'note' }],
    ['IT+Note@EXAMPLE.test', { desk: 'it@example.test', tag: 'note' }],
    ['hr+resolve@example.test', { desk: 'hr@example.test', tag: 'resolve' }],
    ['it+a+b@example.test', { desk: 'it@example.test', tag: 'a+b' }],
    [' it+note@example.test ', { desk: 'it@example.test', tag: 'note' }],
    ['it@example.test', null],
    ['it+@example.test', null],
    ['it+note@example.org', null],
    ['ops+note@example.test', null],
    ['not-an-address', null],
  ])('%j → %j', (address, expected) => {
    expect(plusTag(address, DESKS)).toEqual(expected);
  });

  it('finds the first desk tag among recipients', () => {
    expect(firstPlusTag(['ana@example.test', 'hr+note@example.test', 'it+close@example.test'], DESKS)).toEqual({ desk: 'hr@example.test', tag: 'note' });
    expect(firstPlusTag(['ana@example.test'], DESKS)).toBeNull();
  });

  it.each([
    ['maria+it@example.test', 'maria@example.test', 'it'],
    ['maria@example.test', 'maria@example.test', null],
    ['@example.test', '@example.test', null],
  ])('splitPlus(%j)', (address, base, tag) => {
    expect(splitPlus(address)).toEqual({ base, tag });
  });

  it('builds the plus-address a help block advertises', () => {
    expect(plusAddress('IT@example.test', 'note')).toBe('it+note@example.test');
    expect(plusAddress('it+x@example.test', 'note')).toBe('it+note@example.test');
    expect(plusAddress('nodomain', 'note')).toBeNull();
  });
});
