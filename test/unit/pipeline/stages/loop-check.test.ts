// Our own mail coming back: our desk addresses (plus-tags and case ignored), our loop header only with
// our instance name, and our Message-ID format only from our own domains.

import { describe, expect, it } from 'vitest';
import { baseAddress, loopCheck } from '../../../../src/pipeline/stages/loop-check.js';
import { INITIAL_ANNOTATIONS } from '../../../../src/pipeline/types.js';
import type { InboundMail } from '../../../../src/domain/mail.js';
import { context, mail } from '../../../support/fakes.js';

const ownMail = (m: InboundMail): string | null => {
  const r = loopCheck.run(m, INITIAL_ANNOTATIONS, context());
  if (!('next' in r)) throw new Error('loop-check must never stop the pipeline');
  return r.next.ownMail ?? null;
};

describe('baseAddress', () => {
  it.each([
    ['it@example.test', 'it@example.test'],
    ['IT@Example.TEST', 'it@example.test'],
    ['it+urgent@example.test', 'it@example.test'],
    ['It+A+B@example.test', 'it@example.test'],
    ['no-at-sign', 'no-at-sign@'],
  ])('%s → %s', (input, expected) => {
    expect(baseAddress(input)).toBe(expected);
  });
});

describe('loop-check', () => {
  it.each([
    ['our desk address', 'it@example.test', /own address it@example\.test/],
    ['another desk of this instance', 'hr@example.test', /own address hr@example\.test/],
    ['our desk address, plus-addressed', 'it+ticket@example.test', /own address it@example\.test/],
    ['our desk address, mixed case', 'It@Example.Test', /own address it@example\.test/],
    ['a colleague on our domain', 'alice@example.test', null],
    ['a look-alike domain', 'it@example.test.evil.example', null],
    ['a look-alike local part', 'it-support@example.test', null],
  ] as const)('From %s (%s)', (_label, address, expected) => {
    const reason = ownMail(mail({ from: { address, name: '' } }));
    if (expected === null) expect(reason).toBeNull();
    else expect(reason).toMatch(expected);
  });

  it.each([
    ['our instance', ['sportello-test'], true],
    ['our instance, other case and padding', ['  Sportello-Test '], true],
    ['our instance among others', ['other-desk', 'sportello-test'], true],
    ['another Sportello instance', ['sportello-prod'], false],
    ['a prefix of our instance', ['sportello'], false],
    ['empty', [''], false],
  ] as const)('X-Sportello-Loop: %s', (_label, values, own) => {
    const reason = ownMail(mail({ headers: { 'x-sportello-loop': values } }));
    if (own) expect(reason).toMatch(/X-Sportello-Loop: sportello-test/);
    else expect(reason).toBeNull();
  });

  it.each([
    ['our format from our domain', 'sportello.IT-12.u1@example.test', true],
    ['our format from our domain, upper-case domain', 'sportello.HR-3.abc_DEF-9@EXAMPLE.TEST', true],
    ['our format from a look-alike domain', 'sportello.IT-12.u1@example.test.evil.example', false],
    ['our format from another domain', 'sportello.IT-12.u1@elsewhere.example', false],
    ['not a case id', 'sportello.it-12.u1@example.test', false],
    ['case number 0', 'sportello.IT-0.u1@example.test', false],
    ['a client Message-ID on our domain', 'CAF=1234@example.test', false],
  ] as const)('Message-ID: %s', (_label, messageId, own) => {
    const reason = ownMail(mail({ messageId }));
    if (own) expect(reason).toContain(messageId);
    else expect(reason).toBeNull();
  });

  it('a mail without From or Message-ID is not our own', () => {
    expect(ownMail(mail({ from: null, messageId: null }))).toBeNull();
  });
});
