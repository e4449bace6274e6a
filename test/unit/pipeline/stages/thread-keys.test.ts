// Thread keys: In-Reply-To first, then References newest first, de-duplicated; only this desk's tags.

import { describe, expect, it } from 'vitest';
import { threadKeys } from '../../../../src/pipeline/stages/thread-keys.js';
import { INITIAL_ANNOTATIONS } from '../../../../src/pipeline/types.js';
import type { InboundMail } from '../../../../src/domain/mail.js';
import { context, mail } from '../../../support/fakes.js';

const keysOf = (over: Partial<InboundMail>) => {
  const r = threadKeys.run(mail(over), INITIAL_ANNOTATIONS, context());
  if (!('next' in r)) throw new Error('thread-keys must never stop');
  return r.next.threadKeys;
};

describe('thread-keys', () => {
  it.each([
    ['no threading headers', { inReplyTo: [], references: [] }, []],
    ['In-Reply-To only', { inReplyTo: ['p@x'], references: [] }, ['p@x']],
    ['References newest first', { inReplyTo: [], references: ['a@x', 'b@x', 'c@x'] }, ['c@x', 'b@x', 'a@x']],
    ['In-Reply-To before References, de-duplicated', { inReplyTo: ['c@x'], references: ['a@x', 'b@x', 'c@x'] }, ['c@x', 'b@x', 'a@x']],
    ['empty ids dropped', { inReplyTo: [''], references: ['a@x', ''] }, ['a@x']],
  ] as const)('%s', (_label, over, expected) => {
    expect(keysOf(over)?.messageIds).toEqual(expected);
  });

  it.each([
    ['[IT-12] Printer', ['IT-12']],
    ['Re: [it-12] Printer', ['IT-12']],
    ['[HR-3] Payslip', []],
    ['[IT-12] Re: [HR-3] [IT-12] [IT-7]', ['IT-12', 'IT-7']],
    ['[ITX-4] not our prefix', []],
    ['IT-12 without brackets', []],
    ['', []],
  ] as const)('tags of %j', (subject, expected) => {
    expect(keysOf({ subject })?.tags).toEqual(expected);
  });
});
