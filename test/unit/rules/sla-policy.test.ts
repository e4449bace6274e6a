import { describe, expect, it } from 'vitest';

import type { Priority } from '../../../src/domain/routing.js';
import { slaPolicyFor } from '../../../src/rules/index.js';
import { loadValid, SLA_DESK } from './helpers.js';

const desk = (await loadValid({ 'it.yml': SLA_DESK })).desks['IT']!;

describe('slaPolicyFor: rule action > byCategory > byPriority > default', () => {
  // SLA_DESK: byPriority { urgent: urgent, low: standard }, byCategory { security: urgent }, default standard.
  it.each<[string, string | null, string, Priority, string, string]>([
    ['a rule action beats everything', 'urgent', 'hardware', 'low', 'urgent', 'rule'],
    ['a rule action beats a category mapping', 'standard', 'security', 'urgent', 'standard', 'rule'],
    ['the category beats the priority', null, 'security', 'low', 'urgent', 'category'],
    ['the priority when the category has no mapping', null, 'hardware', 'urgent', 'urgent', 'priority'],
    ['a priority mapped to the default policy still counts as priority', null, 'hardware', 'low', 'standard', 'priority'],
    ['the default when nothing else maps', null, 'hardware', 'normal', 'standard', 'default'],
    ['triage falls to the default too', null, 'triage', 'high', 'standard', 'default'],
    ['a policy name the desk no longer has is skipped', 'vendor', 'hardware', 'normal', 'standard', 'default'],
    ['an inherited object key is not a category mapping', null, 'constructor', 'normal', 'standard', 'default'],
  ])('%s', (_why, slaPolicy, category, priority, name, chosenBy) => {
    expect(slaPolicyFor(desk, { slaPolicy, category, priority })).toMatchObject({ name, chosenBy });
  });

  it('returns the targets in business minutes', () => {
    expect(slaPolicyFor(desk, { slaPolicy: null, category: 'security', priority: 'normal' })).toEqual({
      name: 'urgent',
      firstResponseMinutes: 30,
      resolutionMinutes: 240,
      chosenBy: 'category',
    });
  });

  it('returns null for a desk without an sla section', async () => {
    const plain = (await loadValid({ 'it.yml': 'desks:\n  IT:\n    threshold: 0.5\n    categories: [{ id: a, names: { es: a, it: a, en: a } }]\n' })).desks['IT']!;
    expect(plain.sla).toBeNull();
    expect(slaPolicyFor(plain, { slaPolicy: 'urgent', category: 'a', priority: 'urgent' })).toBeNull();
  });
});
