// Decides which host handed a message to our mail system, from the Received headers (RFC 5321 §4.4) that our
// own servers prepended: only the address and reverse-DNS name in parentheses, which the receiving server
// looked up itself. Must never trust the HELO name (the client chooses it) or a header below the first real hop.

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

/**
 * Whether a hop is one of the configured relays: an IP ("192.0.2.7", "2001:db8::7"), an IPv4 CIDR
 * ("10.0.0.0/8"), a host name ("relay.example.test") or a domain suffix (".example.test").
 */
export function hopMatches(hop: ReceivedHop, relays: readonly string[]): string | null {
  for (const raw of relays) {
    const relay = raw.trim().toLowerCase();
    if (relay === '') continue;
    if (relay.includes('/')) {
      if (hop.ips.some((ip) => inCidr(ip, relay))) return raw;
    } else if (IPV4.test(relay) || relay.includes(':')) {
      if (hop.ips.includes(relay)) return raw;
    } else if (hop.rdns !== null && (hop.rdns === relay || (relay.startsWith('.') && hop.rdns.endsWith(relay)))) {
      return raw;
    }
  }
  return null;
}

function ipv4ToInt(ip: string): number | null {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return null;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

function inCidr(ip: string, cidr: string): boolean {
  const [net = '', bitsText = ''] = cidr.split('/');
  const bits = Number(bitsText);
  const a = ipv4ToInt(ip);
  const b = ipv4ToInt(net);
  if (a === null || b === null || !Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (a & mask) === (b & mask);
}
