// Decides which host handed a message to our mail system, from the Received headers (RFC 5321 §4.4) that our
// own servers prepended: only the address and reverse-DNS name in parentheses, which the receiving server
// looked up itself. Must never trust the HELO name (the client chooses it) or a header below the first real hop.

import { BlockList, isIP } from 'node:net';

export interface ReceivedHop {
  /** Connecting IPs the receiving server recorded, lower-case, without "IPv6:". */
  readonly ips: readonly string[];
  /** Reverse-DNS name the receiving server recorded, lower-case; null when "unknown" or absent. */
  readonly rdns: string | null;
}

/** Only this many Received headers are read: our own hops sit at the top. */
const MAX_HOPS = 10;
const IPV4 = /^(?:\d{1,3}\.){3}\d{1,3}$/;
const IPV6 = /^[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?::(?:\d{1,3}\.){3}\d{1,3})?$/i;

/**
 * The hop recorded in one Received header's "from" clause, or null when it has none (local pickup, reinjection).
 * Understands "from helo (rdns [ip])" (Postfix, Sendmail, Exim) and "from host (ip)" (Exchange).
 */
export function receivedHop(value: string): ReceivedHop | null {
  const v = value.replace(/\s+/g, ' ').trim();
  if (!/^from /i.test(v)) return null;
  const by = v.search(/ by /i);
  const clause = by < 0 ? v : v.slice(0, by);
  const open = clause.indexOf('(');
  const close = open < 0 ? -1 : clause.indexOf(')', open);
  if (open < 0 || close < 0) return { ips: [], rdns: null };
  const inside = clause.slice(open + 1, close).split(' ').filter((t) => t !== '');
  const ips: string[] = [];
  let rdns: string | null = null;
  for (const [i, tok] of inside.entries()) {
    const bare = tok.replace(/^\[/, '').replace(/\]$/, '').replace(/^ipv6:/i, '').toLowerCase();
    if (IPV4.test(bare) || IPV6.test(bare)) ips.push(bare);
    else if (i === 0 && /^[a-z0-9.-]+$/i.test(tok) && tok.toLowerCase() !== 'unknown') rdns = tok.toLowerCase();
  }
  return { ips, rdns };
}

/** A hop we cannot read is not loopback: skipping it would let a forged header further down decide. */
function isLoopback(hop: ReceivedHop): boolean {
  if (hop.ips.length === 0) return hop.rdns === 'localhost';
  return hop.ips.every((ip) => ip.startsWith('127.') || ip === '::1');
}

/**
 * The first hop from outside this machine, reading Received headers top-down (the order they appear in).
 * Headers without a "from" clause and loopback hops (content filters re-injecting mail) are skipped.
 */
export function firstExternalHop(received: readonly string[]): ReceivedHop | null {
  for (const value of received.slice(0, MAX_HOPS)) {
    const hop = receivedHop(value);
    if (hop === null || isLoopback(hop)) continue;
    return hop;
  }
  return null;
}

/** One configured relay, as parseRelay understands it. */
export type RelaySpec =
  | { readonly kind: 'ip' | 'cidr'; readonly raw: string; readonly list: BlockList }
  | { readonly kind: 'host' | 'suffix'; readonly raw: string; readonly name: string };

const HOST = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/**
 * Reads one `trust.relays` entry: an IP ("192.0.2.7", "2001:db8::7"), a CIDR ("10.0.0.0/8",
 * "2001:db8::/32"), a host name ("relay.example.test") or a domain suffix (".example.test").
 * Returns why it is none of these (a string) instead: the config refuses such entries at load.
 */
export function parseRelay(raw: string): RelaySpec | string {
  const relay = raw.trim().toLowerCase().replace(/^\[|\]$/g, '');
  const list = new BlockList();
  if (relay.includes('/')) {
    const [net = '', bits = '', ...rest] = relay.split('/');
    const family = isIP(net);
    const max = family === 4 ? 32 : 128;
    const prefix = /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
    if (family === 0 || rest.length > 0 || !(prefix >= 0 && prefix <= max)) {
      return `"${raw}" is not a CIDR (expected an address and a prefix length, e.g. 10.0.0.0/8 or 2001:db8::/32)`;
    }
    list.addSubnet(net, prefix, family === 4 ? 'ipv4' : 'ipv6');
    return { kind: 'cidr', raw, list };
  }
  const family = isIP(relay);
  if (family !== 0) {
    list.addAddress(relay, family === 4 ? 'ipv4' : 'ipv6');
    return { kind: 'ip', raw, list };
  }
  if (/^[\d.]+$/.test(relay) || relay.includes(':')) return `"${raw}" is not a valid IP address`;
  const suffix = relay.startsWith('.');
  if (HOST.test(suffix ? relay.slice(1) : relay)) return { kind: suffix ? 'suffix' : 'host', raw, name: relay };
  return `"${raw}" is not an IP address, a CIDR or a host name`;
}

/** Whether an address the receiving server recorded is covered; IPv4-mapped IPv6 counts as its IPv4. */
function ipIn(list: BlockList, ip: string): boolean {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(ip)?.[1];
  const family = isIP(mapped ?? ip);
  if (family === 0) return false;
  return list.check(mapped ?? ip, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Whether a hop is one of the configured relays (see parseRelay). IP and CIDR entries are compared
 * with node:net's BlockList, so "2001:db8::7" matches "2001:db8::/32" whatever the spelling;
 * entries that do not parse match nothing (the config schema has already refused them).
 */
export function hopMatches(hop: ReceivedHop, relays: readonly string[]): string | null {
  for (const raw of relays) {
    const relay = parseRelay(raw);
    if (typeof relay === 'string') continue;
    if ('list' in relay) {
      const { list } = relay;
      if (hop.ips.some((ip) => ipIn(list, ip))) return raw;
    } else if (hop.rdns !== null && (hop.rdns === relay.name || (relay.kind === 'suffix' && hop.rdns.endsWith(relay.name)))) {
      return raw;
    }
  }
  return null;
}
