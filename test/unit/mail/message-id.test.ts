// Our own Message-IDs round-trip through caseIdFromOwnMessageId, but only from our own domains.

import { describe, expect, it } from 'vitest';
import { caseIdFromOwnMessageId, ownMessageId } from '../../../src/mail/message-id.js';

describe('ownMessageId', () => {
  it('names the case and the desk domain, and round-trips', () => {
    const id = ownMessageId('IT-12', 'it@example.test', 'AbC_d-9');
    expect(id).toBe('sportello.IT-12.AbC_d-9@example.test');
    expect(caseIdFromOwnMessageId(id, ['example.test'])).toBe('IT-12');
  });

  it('different unique parts give different ids', () => {
    expect(ownMessageId('IT-1', 'it@example.test', 'a')).not.toBe(ownMessageId('IT-1', 'it@example.test', 'b'));
  });
});

describe('caseIdFromOwnMessageId', () => {
  it.each([
    ['sportello.HR-3.x1@example.test', ['example.test'], 'HR-3'],
    ['sportello.HR-3.x1@EXAMPLE.test', ['example.test'], 'HR-3'],
    ['sportello.HR-3.x1@example.test', ['other.example', 'example.test'], 'HR-3'],
    ['sportello.HR-3.x1@evil.example', ['example.test'], null],
    ['sportello.HR-3.x1@example.test.evil.example', ['example.test'], null],
    ['sportello.HR-3.x1@sub.example.test', ['example.test'], null],
    ['sportello.hr-3.x1@example.test', ['example.test'], null],
    ['sportello.HR-3@example.test', ['example.test'], null],
    ['xsportello.HR-3.x1@example.test', ['example.test'], null],
    ['sportello.HR-3.x.1@example.test', ['example.test'], null],
    ['sportello.HR-3.x1@example.test', [], null],
  ] as const)('%s from %j → %s', (id, domains, expected) => {
    expect(caseIdFromOwnMessageId(id, domains)).toBe(expected);
  });
});
