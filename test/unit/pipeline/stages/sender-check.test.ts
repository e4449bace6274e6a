// Sender check: who of the desk's agents wrote (plain, plus-addressed, any case), whether we believe them
// (verification off → 'unverified'; on → only OUR authserv-id's aligned pass, real corpus mail included),
// and the desk plus-tag read from To/Cc and, for a Bcc, from the envelope headers our MTA wrote.

import { describe, expect, it } from 'vitest';
import { senderCheck } from '../../../../src/pipeline/stages/sender-check.js';
import { INITIAL_ANNOTATIONS, type Annotations, type DeskView, type PipelineContext } from '../../../../src/pipeline/types.js';
import type { Address, InboundMail } from '../../../../src/domain/mail.js';
import { parseMail } from '../../../../src/adapters/mime-parser.js';
import { context, mail } from '../../../support/fakes.js';
import { corpusFile, withoutCorpora } from '../../../support/corpora.js';

const BOB: Address = { address: 'bob@example.test', name: 'Bob Builder' };
const MARIA: Address = { address: 'maria@example.test', name: 'María' };

const deskCtx = (over: Partial<DeskView> = {}): PipelineContext => {
  const base = context();
  return context({ desk: { ...base.desk, agents: [BOB, MARIA], ...over } });
};
const strict = (authservId = 'mx.example.test') => deskCtx({ trust: { trustAuthResults: true, trustedRelays: [], authservId } });

const check = (m: InboundMail, ctx: PipelineContext = deskCtx()): Partial<Annotations> => {
  const r = senderCheck.run(m, INITIAL_ANNOTATIONS, ctx);
  if (!('next' in r)) throw new Error('sender-check never stops the pipeline');
  return r.next;
};
const from = (address: string, over: Partial<InboundMail> = {}) => mail({ from: { address, name: '' }, ...over });

describe('sender-check: who wrote', () => {
  it.each([
    ['plain', 'bob@example.test', BOB],
    ['plus-addressed', 'bob+it@example.test', BOB],
    ['mixed case', 'Bob@Example.TEST', BOB],
    ['mixed case and plus-addressed', 'MARIA+Desk@example.test', MARIA],
  ])('a configured agent, %s (%s), is the sender with the configured name; trusted as unverified', (_label, address, agent) => {
    const next = check(from(address));
    expect(next.sender).toEqual({ agent, trusted: true, reason: `${agent.address} is an agent; sender verification is not configured` });
  });

  it.each([
    ['a requester', 'alice@example.test'],
    ['a look-alike domain', 'bob@example.test.evil.example'],
    ['a look-alike local part', 'bobby@example.test'],
  ])('%s (%s) is nobody special', (_label, address) => {
    expect(check(from(address)).sender).toBeNull();
  });

  it('a mail without From has no sender', () => {
    expect(check(mail({ from: null })).sender).toBeNull();
  });

  it('falls back to the plain agents list (no names) when the desk has no agentRefs', () => {
    const ctx = context(); // agents: ['bob@example.test'], no agentRefs
    expect(check(from('bob@example.test'), ctx).sender).toMatchObject({ agent: { address: 'bob@example.test', name: '' }, trusted: true });
  });
});

describe('sender-check: verification on (trustAuthResults + authservId)', () => {
  const ar = (...values: string[]) => ({ 'authentication-results': values });

  it.each([
    ['aligned dkim pass', ['mx.example.test; dkim=pass header.d=example.test'], true, /dkim=pass for example\.test by mx\.example\.test/],
    ['aligned spf pass', ['mx.example.test; spf=pass smtp.mailfrom=bob@example.test'], true, /spf=pass for example\.test/],
    ['dkim pass for a bare top-level domain vouches for nobody', ['mx.example.test; dkim=pass header.d=test'], false, /none for the From domain example\.test/],
    ['dkim pass for a mailing service, not aligned', ['mx.example.test; dkim=pass header.d=mailer.example.net'], false, /none for the From domain example\.test/],
    ['dkim fail', ['mx.example.test; dkim=fail header.d=example.test'], false, /reports dkim=fail/],
    ['a forged header with another authserv-id', ['mx.evil.example; dkim=pass header.d=example.test'], false, /no Authentication-Results header from mx\.example\.test/],
    ['a forged pass below our fail', ['mx.example.test; dkim=fail header.d=example.test', 'mx.evil.example; dkim=pass header.d=example.test'], false, /reports dkim=fail/],
    ['no header at all', [], false, /no Authentication-Results header from mx\.example\.test/],
  ] as const)('%s → trusted: %s', (_label, headers, trusted, reason) => {
    const next = check(from('bob@example.test', { headers: ar(...headers) }), strict());
    expect(next.sender).toMatchObject({ agent: BOB, trusted });
    expect(next.sender!.reason).toMatch(reason);
  });

  it('a non-agent with a perfect pass is still nobody special', () => {
    expect(check(from('alice@example.test', { headers: ar('mx.example.test; dkim=pass header.d=example.test') }), strict()).sender).toBeNull();
  });

  // Real mail: Ethereal's MX signed this message's DKIM for postalsys.com (mime-postal-mime/calendar-event.eml).
  it.skipIf(withoutCorpora(import.meta.url, ['mime-postal-mime'])).each([
    ['the authserv-id that wrote the header', 'mx.ethereal.email', true],
    ['our own authserv-id, which is not on the mail', 'mx.example.test', false],
  ])('corpus mail with %s → trusted: %s', async (_label, authservId, trusted) => {
    const real = await parseMail(corpusFile('mime-postal-mime/calendar-event.eml'));
    const agent = real.from!.address;
    const ctx = deskCtx({ agents: [{ address: agent, name: 'Andris' }], trust: { trustAuthResults: true, trustedRelays: [], authservId } });
    expect(check(real, ctx).sender).toMatchObject({ agent: { address: agent, name: 'Andris' }, trusted });
  });
});

describe('sender-check: the desk plus-tag', () => {
  const to = (...addresses: string[]) => addresses.map((address): Address => ({ address, name: '' }));

  it.each([
    ['To it+note@', { to: to('it+note@example.test') }, 'note'],
    ['To, mixed case', { to: to('IT+Note@Example.test') }, 'note'],
    ['Cc it+note@ (To someone else)', { to: to('alice@example.test'), cc: to('it+note@example.test') }, 'note'],
    ['To wins over Cc', { to: to('it+resolve@example.test'), cc: to('it+note@example.test') }, 'resolve'],
    ['Bcc, seen in Delivered-To', { to: to('it@example.test'), headers: { 'delivered-to': ['it+note@example.test'] } }, 'note'],
    ['Bcc, seen in X-Original-To with brackets', { to: to('vendor@supplier.example'), headers: { 'x-original-to': [' <IT+note@example.test> '] } }, 'note'],
    ['Delivered-To of another mailbox', { headers: { 'delivered-to': ['bob+note@example.test'] } }, null],
    ['a plus-tag on another desk of ours', { to: to('hr+note@example.test') }, null],
    ['a plus-tag on a foreign domain', { to: to('it+note@other.example') }, null],
    ['an empty tag', { to: to('it+@example.test') }, null],
    ['the plain desk address', {}, null],
  ] as const)('%s → %s', (_label, over, tag) => {
    expect(check(from('bob@example.test', over as Partial<InboundMail>)).plusTag).toBe(tag);
  });

  it('reads the tag for anyone: whether it counts is decided later, for trusted agents only', () => {
    const next = check(from('alice@example.test', { to: to('it+note@example.test') }));
    expect(next).toEqual({ sender: null, plusTag: 'note' });
  });
});
