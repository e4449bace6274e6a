// Retention and erasure decisions that need no store: which cutoffs a retention config gives at a moment,
// which calendar day a once-a-day job belongs to, and how an erased address is replaced (RFC 2606 reserves
// ".invalid", so a placeholder can never reach anyone). Pure; must never read the clock itself.

import type { Address } from '../domain/mail.js';
import type { ErasureTarget, PurgeCutoffs } from '../domain/retention.js';
import { baseAddress } from '../mail/address.js';

const DAY_MS = 86_400_000;

export interface RetentionSettings {
  readonly rawMailDays?: number | undefined;
  readonly closedCaseDays?: number | undefined;
}

export function retentionCutoffs(retention: RetentionSettings, now: Date): PurgeCutoffs {
  const before = (days: number | undefined) => (days ? new Date(now.getTime() - days * DAY_MS).toISOString() : null);
  return { rawBefore: before(retention.rawMailDays), closedBefore: before(retention.closedCaseDays) };
}

export const retentionConfigured = (c: PurgeCutoffs): boolean => c.rawBefore !== null || c.closedBefore !== null;

/** The calendar day (YYYY-MM-DD) of `now` in `timezone`: the key of once-a-day claims. */
export function dayKey(now: Date, timezone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** The stand-in for an erased address, from the salted hash of its base address (stable across runs). */
export function erasedPlaceholder(subjectHash: string): string {
  return `erased-${subjectHash.slice(0, 12)}@invalid`;
}

export const ERASED_TEXT = '[erased]';

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function erasureTarget(address: string, placeholder: string): ErasureTarget {
  const base = baseAddress(address.trim());
  const [local = '', domain = ''] = base.split('@');
  const re = new RegExp(`(?<![A-Za-z0-9._%+-])${escapeRe(local)}(?:\\+[^@\\s"'<>]*)?@${escapeRe(domain)}(?![A-Za-z0-9-])`, 'gi');
  return {
    base,
    placeholder,
    matches: (a) => !!a && baseAddress(a) === base,
    scrub: (text) => text.replace(re, placeholder),
    domainNeedle: `@${domain}`,
  };
}

/** An address list with the erased person replaced by the placeholder (and their display name dropped). */
export function scrubAddresses(list: readonly Address[], target: ErasureTarget): { list: Address[]; changed: boolean } {
  let changed = false;
  const out = list.map((a) => {
    if (!target.matches(a.address)) return a;
    changed = true;
    return { address: target.placeholder, name: '' };
  });
  return { list: out, changed };
}

/** Looks like one e-mail address (what `forget` accepts). */
export const isAddress = (s: string): boolean => /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(s.trim());
