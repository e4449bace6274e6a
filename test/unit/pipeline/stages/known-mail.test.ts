// Duplicate or reused Message-ID, decided from the rows a store reports (no store involved): the same
// position or Message-ID from the same sender is a duplicate, another sender's reuse is set aside.

import { describe, expect, it } from 'vitest';
import { knownMail } from '../../../../src/pipeline/stages/known-mail.js';
import type { Facts } from '../../../../src/domain/facts.js';
import { facts } from '../../../support/fakes.js';

const position = { desk: 'IT', folder: 'INBOX', uidValidity: 7, uid: 5 };

describe('knownMail', () => {
  it.each<[string, Partial<Facts>, string | null, ReturnType<typeof knownMail>]>([
    ['nothing recorded', {}, 'alice@example.test', null],
    ['the mailbox position, before anything else', { processedPosition: { position, outcome: 'created' }, knownMessage: { caseId: 'IT-1', from: 'bob@example.test' } }, 'alice@example.test',
      { duplicate: 'mailbox position INBOX/7/5 already processed (created)' }],
    ['the Message-ID in a case, same sender', { knownMessage: { caseId: 'IT-1', from: 'alice@example.test' } }, 'alice@example.test', { duplicate: 'Message-ID m1 already recorded in IT-1' }],
    ['the Message-ID, same sender plus-addressed', { knownMessage: { caseId: 'IT-1', from: 'Alice+work@example.test' } }, 'alice@example.test', { duplicate: 'Message-ID m1 already recorded in IT-1' }],
    ['the Message-ID without a case', { knownMessage: { caseId: null, from: 'alice@example.test' } }, 'alice@example.test', { duplicate: 'Message-ID m1 already recorded' }],
    ['the Message-ID, recorded without a sender', { knownMessage: { caseId: 'IT-1', from: null } }, 'alice@example.test', { duplicate: 'Message-ID m1 already recorded in IT-1' }],
    ['the Message-ID, this mail without a sender', { knownMessage: { caseId: 'IT-1', from: 'bob@example.test' } }, null, { duplicate: 'Message-ID m1 already recorded in IT-1' }],
    ['the Message-ID from another sender', { knownMessage: { caseId: 'IT-1', from: 'bob@example.test' }, quarantinedId: 3 }, 'alice@example.test',
      { reusedMessageId: 'Message-ID m1 was already used by a mail from bob@example.test' }],
    ['a held quarantine row', { quarantinedId: 3, purgedByRetention: true }, 'alice@example.test', { duplicate: 'Message-ID m1 already quarantined (#3)' }],
    ['a case deleted by retention', { purgedByRetention: true }, 'alice@example.test', { duplicate: 'Message-ID m1 belonged to a case deleted by retention' }],
  ])('%s', (_label, over, sender, expected) => {
    expect(knownMail(facts({ messageKey: 'm1', ...over }), sender)).toEqual(expected);
  });
});
