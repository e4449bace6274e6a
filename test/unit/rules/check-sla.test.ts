import { describe, expect, it } from 'vitest';

import { formatProblem } from '../../../src/rules/index.js';
import { loadSources, SLA_DESK } from './helpers.js';

/** SLA_DESK with lines `from`..`to` (1-based, inclusive) removed. */
const without = (from: number, to: number) => SLA_DESK.split('\n').filter((_, i) => i + 1 < from || i + 1 > to).join('\n');

const problemsOf = async (source: string) => {
  const result = await loadSources({ 'it.yml': source });
  expect(result.ruleSet).toBeUndefined();
  return result.problems!.map(formatProblem);
};

describe('SLA cross-references name the policy or category that is missing', () => {
  it.each([
    [
      'rule action names an unknown policy',
      SLA_DESK.replace('then: { sla: urgent }', 'then: { sla: urgnet }'),
      ['rules/it.yml:10:22: rule "outage" names SLA policy "urgnet", which desk IT does not have (did you mean "urgent"?)'],
    ],
    [
      'default names an unknown policy',
      SLA_DESK.replace('default: standard', 'default: standrad'),
      ['rules/it.yml:21:16: sla.default names SLA policy "standrad", which desk IT does not have (did you mean "standard"?)'],
    ],
    [
      'byPriority names an unknown policy',
      SLA_DESK.replace('low: standard }', 'low: slow }'),
      ['rules/it.yml:22:42: sla.byPriority.low names SLA policy "slow", which desk IT does not have'],
    ],
    [
      'byCategory names an unknown policy',
      SLA_DESK.replace('{ security: urgent }', '{ security: urgnt }'),
      ['rules/it.yml:23:31: sla.byCategory.security names SLA policy "urgnt", which desk IT does not have (did you mean "urgent"?)'],
    ],
    [
      'byCategory names an unknown category',
      SLA_DESK.replace('{ security: urgent }', '{ securty: urgent }'),
      ['rules/it.yml:23:21: sla.byCategory names category "securty", which desk IT does not have (did you mean "security"?)'],
    ],
    [
      'a rule names a policy but the desk has no sla section',
      without(17, 25),
      ['rules/it.yml:10:22: rule "outage" names SLA policy "urgent", but desk IT has no sla section'],
    ],
    [
      'SLA policies without a calendar',
      without(11, 16),
      ['rules/it.yml:11:5: desk IT has SLA policies but no calendar to count business time on'],
    ],
    [
      'escalation without SLA policies',
      without(17, 23).replace('then: { sla: urgent }', 'then: { priority: high }'),
      ['rules/it.yml:17:5: desk IT has an escalation address but no sla policies whose targets could be reached'],
    ],
  ])('%s', async (_kind, source, expected) => {
    expect(await problemsOf(source)).toEqual(expected);
  });

  it('gives codes and hints listing what exists', async () => {
    const result = await loadSources({ 'it.yml': SLA_DESK.replace('default: standard', 'default: fast').replace('{ security: urgent }', '{ secret: urgent }') });
    expect(result.problems).toEqual([
      expect.objectContaining({ line: 21, code: 'UNKNOWN_SLA_POLICY', hint: 'policies of IT: standard, urgent' }),
      expect.objectContaining({ line: 23, code: 'UNKNOWN_CATEGORY', hint: 'categories of IT: hardware, security, triage' }),
    ]);
  });

  it('checks a desk declared twice only once (the duplicate is its own problem)', async () => {
    const broken = SLA_DESK.replace('default: standard', 'default: nope');
    const result = await loadSources({ 'a.yml': broken, 'b.yml': broken });
    expect(result.problems!.map(formatProblem)).toEqual([
      'rules/a.yml:21:16: sla.default names SLA policy "nope", which desk IT does not have',
      'rules/b.yml:2:3: desk "IT" is already declared at rules/a.yml:2:3',
    ]);
  });
});

describe('SLA and escalation settings are checked by the schema at their exact key', () => {
  it.each([
    [
      'a target in days',
      SLA_DESK.replace('resolution: 16h', 'resolution: 2d'),
      ['rules/it.yml:19:52: resolution: "2d" is in days, which have no fixed length in business time; write hours, e.g. "16h" for two 8-hour days'],
    ],
    [
      'a target without a unit (a YAML number)',
      SLA_DESK.replace('firstResponse: 4h,', 'firstResponse: 4,'),
      ['rules/it.yml:19:36: firstResponse: expected a string, got number 4'],
    ],
    [
      'resolution shorter than first response',
      SLA_DESK.replace('firstResponse: 30m, resolution: 4h', 'firstResponse: 30m, resolution: 20m'),
      ['rules/it.yml:20:51: resolution: "20m" is shorter than firstResponse "30m"'],
    ],
    [
      'misspelt policy field (reported once)',
      SLA_DESK.replace('{ firstResponse: 4h, resolution: 16h }', '{ firstRespone: 4h, resolution: 16h }'),
      ['rules/it.yml:19:21: unknown policy field "firstRespone" (did you mean "firstResponse"?)'],
    ],
    [
      'misspelt SLA setting',
      SLA_DESK.replace('byCategory:', 'byCategroy:'),
      ['rules/it.yml:23:7: unknown SLA setting "byCategroy" (did you mean "byCategory"?)'],
    ],
    [
      'unknown priority in byPriority',
      SLA_DESK.replace('low: standard', 'lwo: standard'),
      ['rules/it.yml:22:37: unknown priority "lwo" (did you mean "low"?)'],
    ],
    [
      'bad escalation address',
      SLA_DESK.replace('address: it-lead@example.test', 'address: it-lead'),
      ['rules/it.yml:25:16: address: "it-lead" is not an email address'],
    ],
    [
      'threshold fraction of 0',
      `${SLA_DESK}      thresholds: [{ name: warning, fraction: 0 }]\n`,
      ['rules/it.yml:26:47: fraction: must be more than 0'],
    ],
    [
      'repeated threshold names',
      `${SLA_DESK}      thresholds: [{ name: w, fraction: 0.5 }, { name: w, fraction: 1 }]\n`,
      ['rules/it.yml:26:19: thresholds: threshold names must be unique'],
    ],
    [
      'misspelt threshold field',
      `${SLA_DESK}      thresholds: [{ name: w, fracton: 0.5 }]\n`,
      ['rules/it.yml:26:31: unknown threshold field "fracton" (did you mean "fraction"?)'],
    ],
  ])('%s', async (_kind, source, expected) => {
    expect(await problemsOf(source)).toEqual(expected);
  });
});
