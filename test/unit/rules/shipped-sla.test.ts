import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

import { parseMail } from '../../../src/adapters/mime-parser.js';
import { formatProblem, loadRules, route, slaPolicyFor } from '../../../src/rules/index.js';
import { addBusinessMinutes, isOpen } from '../../../src/sla/index.js';
import { fakeDeps, rulesDir } from './helpers.js';

const shipped = await loadRules(rulesDir);
const ruleSet = shipped.ruleSet!;
const IT = ruleSet.desks['IT']!;
const HR = ruleSet.desks['HR']!;

describe('shipped desks: calendars, SLA, escalation and knowledge', () => {
  it('load without problems', () => {
    expect((shipped.problems ?? []).map(formatProblem)).toEqual([]);
  });

  it('IT works Madrid hours with Madrid holidays and an on-call contact', () => {
    const split = ['09:00-14:00', '15:00-18:00'];
    expect(IT.calendar?.spec).toMatchObject({
      timezone: 'Europe/Madrid',
      hours: { mon: split, tue: split, wed: split, thu: split, fri: ['08:00-15:00'], sat: [], sun: [] },
      holidays: { country: 'ES', region: 'MD' },
    });
    expect(IT.calendar?.onCall?.address).toBe('oncall-it@example.test');
    expect(IT.calendar?.onCall?.phone).toMatch(/^\+34[\d ]+$/);
  });

  it('HR works Rome hours with Lazio and Rome holidays and no on-call', () => {
    const split = ['09:00-13:00', '14:00-17:00'];
    expect(HR.calendar?.spec).toMatchObject({
      timezone: 'Europe/Rome',
      hours: { mon: split, tue: split, wed: split, thu: split, fri: split, sat: [], sun: [] },
      holidays: { country: 'IT', region: '62', city: 'RM' },
    });
    expect(HR.calendar?.onCall).toBeNull();
  });

  it.each([
    ['IT', 'standard', 240, 960],
    ['IT', 'high', 120, 480],
    ['IT', 'urgent', 30, 240],
    ['IT', 'low', 480, 2400],
    ['HR', 'standard', 480, 1440],
    ['HR', 'high', 240, 840],
    ['HR', 'urgent', 60, 420],
  ])('%s policy %s: first response %i min, resolution %i min', (desk, name, first, resolution) => {
    expect(ruleSet.desks[desk]!.sla?.policies[name]).toEqual({ name, firstResponseMinutes: first, resolutionMinutes: resolution });
  });

  it('escalate to each desk lead at 75 % and at breach', () => {
    const thresholds = [{ name: 'warning', fraction: 0.75 }, { name: 'breach', fraction: 1 }];
    expect(IT.escalation).toEqual({ address: 'it-lead@example.test', thresholds });
    expect(HR.escalation).toEqual({ address: 'hr-lead@example.test', thresholds });
  });

  it('carry the articles of rules/knowledge/<desk>', () => {
    expect(IT.articles.map((a) => a.id)).toEqual(['mfa', 'new-laptop', 'phishing', 'printer', 'reset-password', 'vpn', 'wifi']);
    expect(HR.articles.map((a) => a.id)).toEqual(['company-certificate', 'leave-request', 'payslip']);
    expect(new Set([...IT.articles, ...HR.articles].map((a) => a.file.split('/').slice(0, 3).join('/')))).toEqual(new Set(['rules/knowledge/it', 'rules/knowledge/hr']));
  });

  it.each([
    // Thursday 24 December 17:00: IT has its last hour, then Christmas, a weekend, Monday 8 h, Tuesday 7 h.
    ['IT', '2026-12-24T17:00:00+01:00', 960, '2026-12-29T17:00:00+01:00'],
    // Friday afternoon: IT closes at 15:00 on Fridays.
    ['IT', '2026-03-06T14:00:00+01:00', 120, '2026-03-09T10:00:00+01:00'],
    // Friday 26 June 16:00 in Rome: Monday 29 June (Saints Peter and Paul) is Rome's holiday.
    ['HR', '2026-06-26T16:00:00+02:00', 240, '2026-06-30T12:00:00+02:00'],
    // Lunch break 13:00-14:00 in Rome.
    ['HR', '2026-03-02T12:30:00+01:00', 60, '2026-03-02T14:30:00+01:00'],
  ])('%s business time from %s plus %i min ends at %s', (desk, from, minutes, due) => {
    expect(addBusinessMinutes(ruleSet.desks[desk]!.calendar!, new Date(from), minutes).toISOString()).toBe(new Date(due).toISOString());
  });

  it.each([
    ['Madrid city\'s San Isidro (an extra holiday)', '2026-05-15T10:00:00Z', false, true],
    ['the Community of Madrid\'s day (date-holidays region MD), a Saturday in 2026', '2026-05-02T10:00:00Z', false, false],
    ['Rome\'s Saints Peter and Paul (date-holidays city RM)', '2026-06-29T10:00:00Z', true, false],
    ['Italy\'s Liberation Day, 25 April 2025', '2025-04-25T10:00:00Z', true, false],
    ['Spain\'s Epiphany, also Italy\'s', '2026-01-06T10:00:00Z', false, false],
  ])('%s: IT open %s, HR open %s', (_day, at, itOpen, hrOpen) => {
    expect(isOpen(IT.calendar!, new Date(at))).toBe(itOpen);
    expect(isOpen(HR.calendar!, new Date(at))).toBe(hrOpen);
  });
});

describe('the routing fixtures get the intended SLA policy', () => {
  const deps = fakeDeps(ruleSet);
  it.each([
    ['it-01-laptop-en.eml', 'IT', 'standard', 'default'],
    ['it-04-vpn-urgent-es.eml', 'IT', 'high', 'priority'],
    ['it-05-phishing-en.eml', 'IT', 'urgent', 'category'],
    ['it-06-invoice-exe-en.eml', 'IT', 'urgent', 'category'],
    ['it-07-outage-it.eml', 'IT', 'urgent', 'rule'],
    ['it-09-vague-en.eml', 'IT', 'standard', 'default'],
    ['hr-01-nomina-es.eml', 'HR', 'high', 'category'],
    ['hr-02-ferie-it.eml', 'HR', 'standard', 'default'],
    ['hr-06-busta-paga-it.eml', 'HR', 'high', 'category'],
  ])('%s → %s policy %s (by %s)', async (file, desk, name, chosenBy) => {
    const mail = await parseMail(await readFile(path.join(rulesDir, 'fixtures', file)));
    const decision = route(ruleSet, desk, mail, deps);
    expect(slaPolicyFor(ruleSet.desks[desk]!, decision)).toMatchObject({ name, chosenBy });
  });
});
