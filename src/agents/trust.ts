// Decides whether a mail comes from one of the desk's agents and whether we believe it: From (plus-tags ignored)
// names the agent; proof is an aligned dkim/spf/dmarc pass in OUR server's Authentication-Results (RFC 8601) or
// a trusted relay in the top Received hop. Must never read an A-R header another server wrote: senders forge them.

import type { InboundMail } from '../domain/mail.js';
import type { TrustSettings } from '../domain/desk-settings.js';
import { parseAuthResults, type AuthResult, type AuthResultsHeader } from './auth-results.js';
import type { AgentRef } from './commands.js';
import { splitPlus } from './plus-address.js';
import { firstExternalHop, hopMatches } from './received.js';

/** The desk's trust settings (src/domain/desk-settings.ts) and its agents. */
export interface TrustOptions extends TrustSettings {
  readonly agents: readonly (string | AgentRef)[];
}

export type TrustMethod = 'dkim' | 'spf' | 'dmarc' | 'relay' | 'unverified';

export type DistrustCode = 'not-an-agent' | 'no-auth-results' | 'no-pass' | 'not-aligned' | 'untrusted-relay';

export interface AgentTrust {
  /** The configured agent address From names (lower-case), even when not trusted; null for everyone else. */
  readonly agent: string | null;
  readonly trusted: boolean;
  /** One English sentence for the log and the agent-not-trusted mail. */
  readonly reason: string;
  /** How trust was established, null when it was not. */
  readonly method: TrustMethod | null;
  /** Why trust was refused, null when trusted. */
  readonly code: DistrustCode | null;
}

/**
 * @example agentTrust(mail, { agents: ['maria@example.test'], trustAuthResults: true, trustedRelays: [], authservId: 'mx.example.test' })
 *   // From maria+it@example.test, "Authentication-Results: mx.example.test; dkim=pass header.d=example.test"
 *   // → { agent: 'maria@example.test', trusted: true, method: 'dkim', reason: 'dkim=pass header.d=example.test …' }
 */
export function agentTrust(mail: Pick<InboundMail, 'from' | 'headers'>, opts: TrustOptions): AgentTrust {
  const from = mail.from ? splitPlus(mail.from.address).base : null;
  const agent = from === null ? null : (agentAddresses(opts.agents).find((a) => a === from) ?? null);
  if (agent === null) {
    return refuse(null, 'not-an-agent', from === null ? 'the mail has no From address' : `${from} is not an agent of this desk`);
  }
  const checkAr = opts.trustAuthResults;
  const checkRelay = opts.trustedRelays.length > 0;
  if (!checkAr && !checkRelay) {
    // Verification is off by configuration: the From address alone identifies the agent.
    return { agent, trusted: true, method: 'unverified', code: null, reason: `${agent} is an agent; sender verification is not configured` };
  }

  const why: string[] = [];
  let code: DistrustCode = 'no-auth-results';
  if (checkRelay) {
    const hop = firstExternalHop(mail.headers['received'] ?? []);
    const relay = hop ? hopMatches(hop, opts.trustedRelays) : null;
    if (relay !== null) {
      return { agent, trusted: true, method: 'relay', code: null, reason: `received from trusted relay ${relay}` };
    }
    code = 'untrusted-relay';
    why.push(hop ? `it was handed over by ${[hop.rdns, ...hop.ips].filter(Boolean).join(' ') || 'an unnamed host'}, not a trusted relay` : 'no Received header names the relay');
  }
  if (checkAr) {
    const fromDomain = agent.slice(agent.lastIndexOf('@') + 1);
    const verdict = authVerdict(ourHeaders(mail.headers['authentication-results'] ?? [], opts.authservId ?? null), fromDomain);
    if (verdict.pass) return { agent, trusted: true, method: verdict.method, code: null, reason: verdict.text };
    code = verdict.code;
    why.push(verdict.text);
  }
  return refuse(agent, code, `${agent} could not be verified: ${why.join('; ')}`);
}

function refuse(agent: string | null, code: DistrustCode, reason: string): AgentTrust {
  return { agent, trusted: false, method: null, code, reason };
}

function agentAddresses(agents: TrustOptions['agents']): string[] {
  return agents.map((a) => splitPlus(typeof a === 'string' ? a : a.address).base);
}

/**
 * The A-R headers our own server wrote. RFC 8601 §5: a receiver must only believe headers carrying its own
 * authserv-id, because anyone upstream (or the sender) can add one; compliant MTAs delete incoming copies with
 * their id. Without a configured id, the topmost header (prepended last, by the final hop) names the id to believe.
 */
export function ourHeaders(values: readonly string[], authservId: string | null): { headers: AuthResultsHeader[]; id: string | null } {
  const parsed = values.map(parseAuthResults);
  const id = authservId !== null ? authservId.trim().toLowerCase() : (parsed[0]?.authservId ?? null);
  if (id === null) return { headers: parsed.slice(0, 1), id: null };
  return { headers: parsed.filter((h) => h.authservId === id), id };
}

type Verdict =
  | { readonly pass: true; readonly method: 'dkim' | 'spf' | 'dmarc'; readonly text: string }
  | { readonly pass: false; readonly code: DistrustCode; readonly text: string };

function authVerdict(ours: { headers: AuthResultsHeader[]; id: string | null }, fromDomain: string): Verdict {
  const by = ours.id === null ? 'the receiving server' : ours.id;
  if (ours.headers.length === 0) {
    return { pass: false, code: 'no-auth-results', text: `no Authentication-Results header from ${by}` };
  }
  const results = ours.headers.flatMap((h) => h.results);
  const seen: string[] = [];
  for (const method of ['dkim', 'dmarc', 'spf'] as const) {
    for (const r of results.filter((x) => x.method === method)) {
      const domain = identityDomain(r);
      seen.push(`${method}=${r.result}${domain ? ` (${domain})` : ''}`);
      if (r.result === 'pass' && domain !== null && aligned(domain, fromDomain)) {
        return { pass: true, method, text: `${method}=pass for ${domain} by ${by}, aligned with the From domain ${fromDomain}` };
      }
    }
  }
  const anyPass = results.some((r) => ['dkim', 'spf', 'dmarc'].includes(r.method) && r.result === 'pass');
  if (anyPass) {
    return { pass: false, code: 'not-aligned', text: `${by} reports ${seen.join(', ')}, but none for the From domain ${fromDomain}` };
  }
  return { pass: false, code: 'no-pass', text: `${by} reports ${seen.length ? seen.join(', ') : 'no dkim, spf or dmarc result'}` };
}

/** The domain a result vouches for: DKIM's d= (or i='s domain), SPF's MAIL FROM domain, DMARC's From domain. */
function identityDomain(r: AuthResult): string | null {
  const p = r.props;
  const raw =
    r.method === 'dkim' ? (p['header.d'] ?? p['header.i']) :
    r.method === 'spf' ? (p['smtp.mailfrom'] ?? p['smtp.mail']) : // "smtp.mail" is what Gmail wrote before RFC 7001
    p['header.from'];
  if (raw === undefined) return null;
  const domain = raw.slice(raw.lastIndexOf('@') + 1).replace(/^<|>$/g, '').trim().toLowerCase();
  return domain.includes('.') ? domain : null;
}

/**
 * Same domain, or the From domain is a subdomain of the vouched one (example.test vouches for it.example.test:
 * whoever holds the parent holds the children). The reverse is refused: a subdomain may be delegated elsewhere.
 */
export function aligned(vouched: string, fromDomain: string): boolean {
  return vouched === fromDomain || fromDomain.endsWith(`.${vouched}`);
}
