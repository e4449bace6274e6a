// Agent trust over real mail from the corpora (Gmail, Ethereal, Mimecast-fed and Italian ISP headers) and
// synthetic forgeries: only our authserv-id counts, alignment with the From domain, trusted relays by IP/rDNS only.
import { describe, expect, it } from 'vitest';
import { parseMail } from '../../../src/adapters/mime-parser.js';
import { parseAuthResults } from '../../../src/agents/auth-results.js';
import { firstExternalHop, hopMatches, parseRelay, receivedHop } from '../../../src/agents/received.js';
import { agentTrust, aligned, type TrustOptions } from '../../../src/agents/trust.js';
import { corpus, inbound } from './helpers.js';
import { withoutCorpora } from '../../support/corpora.js';

const opts = (over: Partial<TrustOptions>): TrustOptions => ({ agents: [], trustAuthResults: true, trustedRelays: [], ...over });

describe.skipIf(withoutCorpora(import.meta.url, ['mime-postal-mime', 'mime-nodemailer-mailparser', 'mime-flanker', 'mime-spamscope-mail-parser', 'bounces-sisimai', 'mime-mikel-mail']))('agentTrust over corpus mail', () => {
  it.each([
    // file, agent (= its From), authserv-id, trusted, method / refusal code
    ['mime-postal-mime/calendar-event.eml', 'andris@postalsys.com', 'mx.ethereal.email', true, 'dkim'],
    ['mime-postal-mime/calendar-event.eml', 'andris@postalsys.com', 'mx.example.test', false, 'no-auth-results'],
    ['mime-postal-mime/calendar-event.eml', 'andris@postalsys.com', undefined, true, 'dkim'],
    ['mime-nodemailer-mailparser/nodemailer.eml', 'andris@kreata.ee', 'mx.google.com', false, 'not-aligned'],
    ['mime-flanker/iphone.eml', 'someone@somewhere.com', 'mx.google.com', true, 'spf'],
    ['mime-flanker/enclosed.eml', 'bob@example.net', 'mx.google.com', true, 'dkim'],
    ['mime-flanker/bilingual-simple.eml', 'hello@example.com', 'mx.google.com', true, 'spf'],
    ['mime-spamscope-mail-parser/mail_test_6', 'noreply@ggg.com', 'mxs.test.it', true, 'dkim'],
    ['bounces-sisimai/bsd/rfc3834-06.eml', 'noreply@example.com', 'feed.ef.example.org', true, 'dkim'],
    ['mime-mikel-mail/plain_emails/basic_email.eml', null, 'mx.google.com', false, 'no-pass'],
  ])('%s as %s, authserv-id %s → trusted %s (%s)', async (file, agent, authservId, trusted, how) => {
    const mail = await parseMail(corpus(file));
    const agents = [agent ?? mail.from!.address];
    const t = agentTrust(mail, opts({ agents, authservId: authservId ?? null }));
    expect(t.agent).toBe(agents[0]);
    expect(t.trusted).toBe(trusted);
    expect(trusted ? t.method : t.code).toBe(how);
    expect(t.reason.length).toBeGreaterThan(10);
  });

  it('explains a missing pass with what the server did report', async () => {
    const mail = await parseMail(corpus('mime-nodemailer-mailparser/nodemailer.eml'));
    const t = agentTrust(mail, opts({ agents: ['andris@kreata.ee'], authservId: 'mx.google.com' }));
    expect(t.reason).toBe(
      'andris@kreata.ee could not be verified: mx.google.com reports dkim=pass (srs1.zonevs.eu), dmarc=fail (kreata.ee), spf=pass (srs1.zonevs.eu), but none for the From domain kreata.ee',
    );
  });

  it('trusts a relay by the IP our server recorded, never by the name the client gave (HELO)', async () => {
    const mail = await parseMail(corpus('bounces-sisimai/bsd/rfc3834-06.eml'));
    const base = { agents: ['noreply@example.com'], trustAuthResults: false } as const;
    expect(agentTrust(mail, opts({ ...base, trustedRelays: ['192.0.2.25'] }))).toMatchObject({ trusted: true, method: 'relay' });
    expect(agentTrust(mail, opts({ ...base, trustedRelays: ['192.0.2.0/24'] }))).toMatchObject({ trusted: true, method: 'relay' });
    // "from relaying1.ef.example.org (unknown [192.0.2.25])": the name is the HELO, reverse DNS was unknown.
    expect(agentTrust(mail, opts({ ...base, trustedRelays: ['relaying1.ef.example.org'] }))).toMatchObject({ trusted: false, code: 'untrusted-relay' });
    // The second hop (192.0.2.250) is below the first: a sender could have written it.
    expect(agentTrust(mail, opts({ ...base, trustedRelays: ['192.0.2.250'] }))).toMatchObject({ trusted: false });
  });

  it('either proof is enough when both are configured', async () => {
    const mail = await parseMail(corpus('bounces-sisimai/bsd/rfc3834-06.eml'));
    const t = agentTrust(mail, opts({ agents: ['noreply@example.com'], trustedRelays: ['10.9.9.9'], authservId: 'feed.ef.example.org' }));
    expect(t).toMatchObject({ trusted: true, method: 'dkim' });
  });
});

const AR = 'authentication-results';

describe('agentTrust on synthetic mail', () => {
  const agents = ['maria@example.test', { address: 'luca@example.test', name: 'Luca' }];

  it.each([
    ['a requester', { from: { address: 'ana@else.test', name: '' } }, null, 'not-an-agent'],
    ['no From', { from: null }, null, 'not-an-agent'],
    ['no A-R header', { headers: {} }, 'maria@example.test', 'no-auth-results'],
    ['a forged pass below ours', { headers: { [AR]: ['mx.example.test; dkim=fail header.d=example.test', 'mx.example.test.evil; dkim=pass header.d=example.test'] } }, 'maria@example.test', 'no-pass'],
    ['a pass from another server only', { headers: { [AR]: ['mx.evil.test; dkim=pass header.d=example.test; spf=pass smtp.mailfrom=example.test'] } }, 'maria@example.test', 'no-auth-results'],
    ['a subdomain signature (may be delegated)', { headers: { [AR]: ['mx.example.test; dkim=pass header.d=evil.example.test'] } }, 'maria@example.test', 'not-aligned'],
    ['dkim=pass without a domain', { headers: { [AR]: ['mx.example.test; dkim=pass'] } }, 'maria@example.test', 'not-aligned'],
    ['spf=softfail', { headers: { [AR]: ['mx.example.test; spf=softfail smtp.mailfrom=maria@example.test'] } }, 'maria@example.test', 'no-pass'],
  ])('refuses %s', (_label, over, agent, code) => {
    const t = agentTrust(inbound(over), opts({ agents, authservId: 'mx.example.test' }));
    expect(t).toMatchObject({ agent, trusted: false, code, method: null });
  });

  it.each([
    ['dkim header.d', 'mx.example.test; dkim=pass header.d=example.test', 'dkim'],
    ['dkim header.i', 'MX.Example.Test; dkim=pass (2048-bit key) header.i=@example.test', 'dkim'],
    ['the parent domain signs', 'mx.example.test; dkim=pass header.d=test.example', null],
    ['spf mailfrom address', 'mx.example.test; spf=pass smtp.mailfrom=bounces@example.test', 'spf'],
    ['spf mailfrom domain', 'mx.example.test 1; spf=pass smtp.mailfrom=example.test', 'spf'],
    ['dmarc', 'mx.example.test; dmarc=pass header.from=example.test', 'dmarc'],
    ['quoted and commented', 'mx.example.test; dkim = pass (good (nested) sig) header.d="example.test"', 'dkim'],
  ])('accepts %s', (_label, header, method) => {
    const t = agentTrust(inbound({ headers: { [AR]: [header] } }), opts({ agents, authservId: 'mx.example.test' }));
    if (method === null) expect(t.trusted).toBe(false);
    else expect(t).toMatchObject({ agent: 'maria@example.test', trusted: true, method, code: null });
  });

  it('a plus-address variant of the agent is the agent', () => {
    const mail = inbound({ from: { address: 'maria+it@example.test', name: '' }, headers: { [AR]: ['mx.example.test; dkim=pass header.d=example.test'] } });
    expect(agentTrust(mail, opts({ agents, authservId: 'mx.example.test' }))).toMatchObject({ agent: 'maria@example.test', trusted: true });
  });

  it('a subdomain From is covered by the parent domain', () => {
    const mail = inbound({ from: { address: 'ops@it.example.test', name: '' }, headers: { [AR]: ['mx.example.test; dkim=pass header.d=example.test'] } });
    expect(agentTrust(mail, opts({ agents: ['ops@it.example.test'], authservId: 'mx.example.test' }))).toMatchObject({ trusted: true });
  });

  it('without a configured authserv-id only the topmost header\'s id is believed', () => {
    const headers = { [AR]: ['mx.example.test; dkim=none', 'forged.test; dkim=pass header.d=example.test'] };
    expect(agentTrust(inbound({ headers }), opts({ agents }))).toMatchObject({ trusted: false, code: 'no-pass' });
  });

  it('with verification off, the address alone identifies the agent', () => {
    const t = agentTrust(inbound(), opts({ agents, trustAuthResults: false }));
    expect(t).toMatchObject({ agent: 'maria@example.test', trusted: true, method: 'unverified' });
  });
});

describe('parseAuthResults', () => {
  it.each([
    ['mx.example.test; none', 'mx.example.test', []],
    ['mx.example.test 1; spf=pass smtp.mailfrom=a@b.test', 'mx.example.test', [['spf', 'pass', { 'smtp.mailfrom': 'a@b.test' }]]],
    // Exchange Online writes no authserv-id.
    ['spf=none (sender IP is ) smtp.mailfrom=<>;', null, [['spf', 'none', { 'smtp.mailfrom': '<>' }]]],
    ['"quoted.id"; dkim/1=PASS reason="good; sig" header.d=x.test header.d=y.test', 'quoted.id', [['dkim', 'pass', { 'header.d': 'x.test' }]]],
    ['a; (only (a comment)) ; dkim=fail', 'a', [['dkim', 'fail', {}]]],
    ['', null, []],
  ])('%j', (value, id, results) => {
    const h = parseAuthResults(value);
    expect(h.authservId).toBe(id);
    expect(h.results.map((r) => [r.method, r.result, r.props])).toEqual(results);
  });

  it('keeps the reason', () => {
    expect(parseAuthResults('a; dkim=fail reason="bad sig" header.d=x.test').results[0]!.reason).toBe('bad sig');
  });

  it('stays fast on hostile input (unbalanced comments, long runs of blanks)', () => {
    const t0 = performance.now();
    parseAuthResults(`a; ${'('.repeat(5000)}${' '.repeat(100_000)}=${'x'.repeat(10_000)}`);
    expect(performance.now() - t0).toBeLessThan(200);
  });
});

describe('Received hops', () => {
  it.each([
    ['from mail.example.test (mail.example.test [192.0.2.1]) by mx with ESMTPS', { ips: ['192.0.2.1'], rdns: 'mail.example.test' }],
    ['from helo (unknown [192.0.2.1]) by mx', { ips: ['192.0.2.1'], rdns: null }],
    // Exchange puts only the IP in parentheses; the name before them is the HELO, which is never believed.
    ['from host.outlook.com (2603:10a6:20b:5a::17) by x.outlook.com', { ips: ['2603:10a6:20b:5a::17'], rdns: null }],
    ['from x ([IPv6:2001:db8::1]) by y', { ips: ['2001:db8::1'], rdns: null }],
    ['from x by y', { ips: [], rdns: null }],
  ])('%s', (value, hop) => {
    expect(receivedHop(value)).toEqual(hop);
  });

  it('has no hop for a header without a from clause', () => {
    expect(receivedHop('by rubyforge.org (Postfix, from userid 502)')).toBeNull();
  });

  it('skips loopback re-injection but stops at an unreadable hop', () => {
    const loop = 'from localhost (localhost [127.0.0.1]) by mx';
    const relay = 'from relay (relay.example.test [10.0.0.5]) by mx';
    expect(firstExternalHop([loop, 'by mx (Postfix, from userid 0)', relay])).toEqual({ ips: ['10.0.0.5'], rdns: 'relay.example.test' });
    expect(firstExternalHop(['from weird by mx', relay])).toEqual({ ips: [], rdns: null });
  });

  it.each([
    [['10.0.0.5'], '10.0.0.5'],
    [['10.0.0.0/8'], '10.0.0.0/8'],
    [['relay.example.test'], 'relay.example.test'],
    [['.example.test'], '.example.test'],
    [['10.0.0.6', 'other.test', '11.0.0.0/8', 'example.test'], null],
  ])('hopMatches %j', (relays, match) => {
    expect(hopMatches({ ips: ['10.0.0.5'], rdns: 'relay.example.test' }, relays)).toBe(match);
  });

  it.each([
    // relay entry, hop IPs, matches
    ['2001:db8::/32', ['2001:db8::7'], true],
    ['2001:db8::/32', ['2001:0db8:0000::0007'], true],
    ['2001:db8::7', ['2001:0DB8::7'.toLowerCase()], true],
    ['2001:db8::/32', ['2001:db9::7'], false],
    ['[2001:db8::7]', ['2001:db8::7'], true],
    ['10.0.0.0/8', ['::ffff:10.1.2.3'], true],
    ['192.0.2.0/24', ['192.0.3.1'], false],
    ['0.0.0.0/0', ['203.0.113.9'], true],
  ])('relay %s against hop %j → %s (node:net BlockList, IPv6 included)', (relay, ips, match) => {
    expect(hopMatches({ ips, rdns: null }, [relay])).toBe(match ? relay : null);
  });

  it.each([
    ['10.0.0.5', 'ip'],
    ['2001:db8::/32', 'cidr'],
    ['relay.example.test', 'host'],
    ['.example.test', 'suffix'],
  ])('parseRelay accepts %s as %s', (relay, kind) => {
    expect(parseRelay(relay)).toMatchObject({ kind });
  });

  it.each([
    ['10.0.0.0/33', /not a CIDR/],
    ['10.0.0/8', /not a CIDR/],
    ['2001:db8::/129', /not a CIDR/],
    ['300.1.1.1', /not a valid IP/],
    ['2001:db8:::7', /not a valid IP/],
    ['relay example', /not an IP address, a CIDR or a host name/],
    ['relay_1.example.test', /not an IP address, a CIDR or a host name/],
  ])('parseRelay refuses %s', (relay, why) => {
    expect(parseRelay(relay)).toMatch(why);
  });

  it.each([
    ['example.test', 'example.test', true],
    ['example.test', 'it.example.test', true],
    ['it.example.test', 'example.test', false],
    ['ample.test', 'example.test', false],
  ])('aligned(%s, %s) = %s', (vouched, from, ok) => {
    expect(aligned(vouched, from)).toBe(ok);
  });
});
