// Retention decisions without a store: cutoffs from the config at an injected moment, the calendar day a
// once-a-day claim belongs to (in the configured zone), and how an erased address is found and replaced.

import { describe, expect, it } from 'vitest';
import { dayKey, erasedPlaceholder, erasureTarget, isAddress, retentionConfigured, retentionCutoffs, scrubAddresses } from '../../../src/housekeeping/retention.js';

const NOW = new Date('2026-12-05T08:00:00.000Z');

describe('retentionCutoffs', () => {
  it.each([
    [{}, { rawBefore: null, closedBefore: null }, false],
    [{ rawMailDays: 30 }, { rawBefore: '2026-11-05T08:00:00.000Z', closedBefore: null }, true],
    [{ closedCaseDays: 365 }, { rawBefore: null, closedBefore: '2025-12-05T08:00:00.000Z' }, true],
    [{ rawMailDays: 1, closedCaseDays: 2 }, { rawBefore: '2026-12-04T08:00:00.000Z', closedBefore: '2026-12-03T08:00:00.000Z' }, true],
  ])('%j gives %j', (retention, cutoffs, configured) => {
    expect(retentionCutoffs(retention, NOW)).toEqual(cutoffs);
    expect(retentionConfigured(retentionCutoffs(retention, NOW))).toBe(configured);
  });
});

describe('dayKey', () => {
  it.each([
    ['2026-12-05T08:00:00Z', 'UTC', '2026-12-05'],
    ['2026-12-05T23:30:00Z', 'UTC', '2026-12-05'],
    ['2026-12-05T23:30:00Z', 'Europe/Madrid', '2026-12-06'], // already past midnight in Madrid
    ['2026-12-06T03:00:00Z', 'America/New_York', '2026-12-05'],
  ])('%s in %s is %s', (at, tz, day) => {
    expect(dayKey(new Date(at), tz)).toBe(day);
  });
});

describe('erasureTarget', () => {
  const t = erasureTarget('Alice@Example.test', erasedPlaceholder('0123456789abcdef0123'));

  it('uses a reserved .invalid placeholder from the hash', () => {
    expect(t.placeholder).toBe('erased-0123456789ab@invalid');
    expect(t.base).toBe('alice@example.test');
    expect(t.domainNeedle).toBe('@example.test');
  });

  it.each([
    ['alice@example.test', true],
    ['ALICE@EXAMPLE.TEST', true],
    ['alice+hr@example.test', true],
    ['malice@example.test', false],
    ['alice@example.test.evil', false],
    ['bob@example.test', false],
    [null, false],
  ])('matches(%s) is %s', (address, expected) => {
    expect(t.matches(address)).toBe(expected);
  });

  it('replaces every occurrence in free text and JSON, and nothing else', () => {
    expect(t.scrub('From: Alice <alice@example.test>, cc ALICE+x@Example.Test; malice@example.test and alice@example.testing stay'))
      .toBe('From: Alice <erased-0123456789ab@invalid>, cc erased-0123456789ab@invalid; malice@example.test and alice@example.testing stay');
    expect(t.scrub(JSON.stringify({ to: 'alice@example.test' }))).toBe('{"to":"erased-0123456789ab@invalid"}');
  });

  it('replaces an address in a list and drops its display name', () => {
    const r = scrubAddresses([{ address: 'bob@example.test', name: 'Bob' }, { address: 'Alice@example.test', name: 'Alice Ruiz' }], t);
    expect(r).toEqual({ changed: true, list: [{ address: 'bob@example.test', name: 'Bob' }, { address: 'erased-0123456789ab@invalid', name: '' }] });
    expect(scrubAddresses([{ address: 'bob@example.test', name: 'Bob' }], t).changed).toBe(false);
  });

  it.each([['alice@example.test', true], ['alice', false], ['a b@example.test', false], ['alice@localhost', false]])('isAddress(%s) is %s', (s, ok) => {
    expect(isAddress(s)).toBe(ok);
  });
});
