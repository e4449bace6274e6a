import { fileURLToPath } from 'node:url';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';

import { loadTemplates } from '../../../src/adapters/templates.js';
import type { CaseStatus } from '../../../src/domain/case.js';
import {
  DEFAULT_THRESHOLDS,
  dueEscalations,
  escalationThresholdsSchema,
  escalationVars,
  nextEscalationAt,
  splitAtFirstStart,
  type EscalationState,
} from '../../../src/sla/escalation.js';
import { createCalendar, type SlaPause } from '../../../src/sla/index.js';

const ZONE = 'Europe/Madrid';
const at = (iso: string) => DateTime.fromISO(iso, { zone: ZONE }).toJSDate();
const local = (d: Date | null) => (d ? DateTime.fromJSDate(d, { zone: ZONE }).toFormat("ccc yyyy-MM-dd'T'HH:mm") : null);
const hours = ['09:00-13:00', '14:00-18:00'];
const calendar = createCalendar({
  id: 'madrid',
  timezone: ZONE,
  hours: { mon: hours, tue: hours, wed: hours, thu: hours, fri: hours },
  holidays: { country: 'ES', region: 'MD' },
});

// Monday 10:00, 8 business hours: 75 % (6 h) is Monday 17:00, 100 % is Tuesday 10:00.
const START = '2026-11-23T10:00';
const WARNING = 'Mon 2026-11-23T17:00';
const BREACH = 'Tue 2026-11-24T10:00';

function state(over: { status?: CaseStatus; notified?: string[]; pauses?: SlaPause[]; target?: number } = {}): EscalationState {
  return {
    calendar,
    clock: { start: at(START), targetMinutes: over.target ?? 480, pauses: over.pauses ?? [] },
    status: over.status ?? 'open',
    thresholds: DEFAULT_THRESHOLDS,
    notified: over.notified ?? [],
  };
}

describe('dueEscalations', () => {
  it.each<[string, string, string[], [string, string][]]>([
    ['before the warning', '2026-11-23T16:59', [], []],
    ['exactly at the warning (at or before now)', '2026-11-23T17:00', [], [['warning', WARNING]]],
    ['overnight, still only the warning', '2026-11-24T08:00', [], [['warning', WARNING]]],
    ['warning already sent', '2026-11-24T09:59', ['warning'], []],
    ['breach reached, warning sent', '2026-11-24T10:00', ['warning'], [['breach', BREACH]]],
    ['daemon down past both: both, in order', '2026-11-25T12:00', [], [['warning', WARNING], ['breach', BREACH]]],
    ['everything sent', '2026-11-30T12:00', ['warning', 'breach'], []],
    ['a stored name no longer configured is ignored', '2026-11-23T17:30', ['critical'], [['warning', WARNING]]],
  ])('%s', (_name, now, notified, expected) => {
    const due = dueEscalations(state({ notified }), at(now));
    expect(due.map((e) => [e.threshold.name, local(e.at)])).toEqual(expected);
  });

  it.each<[string, CaseStatus]>([
    ['resolved', 'resolved'],
    ['closed', 'closed'],
    ['waiting on the requester', 'waiting'],
  ])('never escalates a %s case', (_name, status) => {
    const s = state({ status });
    expect(dueEscalations(s, at('2026-11-30T12:00'))).toEqual([]);
    expect(nextEscalationAt(s, at('2026-11-23T10:00'))).toBeNull();
  });

  it('never escalates while a pause runs, even a threshold reached before it', () => {
    const s = state({ pauses: [{ from: at('2026-11-24T11:00'), to: null }] });
    expect(dueEscalations(s, at('2026-11-24T12:00'))).toEqual([]);
    expect(nextEscalationAt(s, at('2026-11-24T12:00'))).toBeNull();
    // Before the pause began, the same clock escalates normally.
    expect(dueEscalations(s, at('2026-11-24T10:30')).map((e) => e.threshold.name)).toEqual(['warning', 'breach']);
  });

  it('moves both thresholds by the business time spent paused', () => {
    // Paused Monday 11:00–12:30: 90 business minutes later.
    const s = state({ pauses: [{ from: at('2026-11-23T11:00'), to: at('2026-11-23T12:30') }] });
    const due = dueEscalations(s, at('2026-11-30T09:00'));
    expect(due.map((e) => [e.threshold.name, local(e.at)])).toEqual([
      ['warning', 'Tue 2026-11-24T09:30'],
      ['breach', 'Tue 2026-11-24T11:30'],
    ]);
  });

  it('sends each threshold exactly once across a week of scheduler ticks and restarts', () => {
    // Every 15 minutes for a week; the "store" keeps what was sent, the "restart" rebuilds the state.
    const sent: [string, string][] = [];
    const notified: string[] = [];
    for (let t = +at(START); t <= +at('2026-11-30T10:00'); t += 15 * 60_000) {
      for (const e of dueEscalations(state({ notified: [...notified] }), t)) {
        sent.push([e.threshold.name, local(new Date(t))!]);
        notified.push(e.threshold.name);
      }
    }
    expect(sent).toEqual([
      ['warning', WARNING],
      ['breach', BREACH],
    ]);
  });

  it('orders thresholds reached at the same instant by fraction', () => {
    const s: EscalationState = {
      ...state(),
      clock: { start: at(START), targetMinutes: 0 },
      thresholds: [
        { name: 'breach', fraction: 1 },
        { name: 'warning', fraction: 0.5 },
      ],
    };
    expect(dueEscalations(s, at(START)).map((e) => e.threshold.name)).toEqual(['warning', 'breach']);
  });

  it.each([
    ['a repeated name', [{ name: 'warning', fraction: 0.5 }, { name: 'warning', fraction: 1 }]],
    ['a zero fraction', [{ name: 'now', fraction: 0 }]],
    ['a NaN fraction', [{ name: 'odd', fraction: Number.NaN }]],
  ])('rejects %s', (_name, thresholds) => {
    expect(() => dueEscalations({ ...state(), thresholds }, at(START))).toThrow(
      expect.objectContaining({ code: 'SLA_INVALID_ARGUMENT' }),
    );
  });
});

describe('nextEscalationAt', () => {
  it.each<[string, string, string[], SlaPause[], string | null]>([
    ['before anything: the warning', '2026-11-23T10:00', [], [], WARNING],
    ['warning due but unsent: the breach (the warning is dueEscalations’ job)', '2026-11-23T17:30', [], [], BREACH],
    ['warning sent: the breach', '2026-11-23T11:00', ['warning'], [], BREACH],
    ['all sent: nothing', '2026-11-23T11:00', ['warning', 'breach'], [], null],
    ['after the breach with nothing sent: nothing in the future', '2026-11-25T09:00', [], [], null],
    // A pause with a known end: what was already due comes due when the pause ends.
    [
      'inside a bounded pause',
      '2026-11-23T17:30',
      [],
      [{ from: at('2026-11-23T17:15'), to: at('2026-11-24T09:45') }],
      'Tue 2026-11-24T09:45',
    ],
  ])('%s', (_name, now, notified, pauses, expected) => {
    expect(local(nextEscalationAt(state({ notified, pauses }), at(now)))).toBe(expected);
  });

  it('agrees with dueEscalations: nothing is due just before, something is due at it', () => {
    const s = state();
    const next = nextEscalationAt(s, at(START))!;
    expect(dueEscalations(s, +next - 1)).toEqual([]);
    expect(dueEscalations(s, next).map((e) => e.threshold.name)).toEqual(['warning']);
  });
});

describe('escalationThresholdsSchema', () => {
  it('defaults to warning at 75 % and breach at 100 %', () => {
    expect(escalationThresholdsSchema.parse(undefined)).toEqual([
      { name: 'warning', fraction: 0.75 },
      { name: 'breach', fraction: 1 },
    ]);
  });

  it.each([
    [[{ name: 'warning', fraction: 0.5 }, { name: 'warning', fraction: 1 }]],
    [[{ name: 'warning', fraction: -1 }]],
    [[{ name: 'Warning', fraction: 0.5 }]],
    [[{ name: 'warning', fraction: 0.5, extra: true }]],
    [[]],
  ])('rejects %j', (input) => {
    expect(escalationThresholdsSchema.safeParse(input).success).toBe(false);
  });
});

describe('escalationVars', () => {
  const kase = {
    id: 'IT-12',
    subject: 'RE: La impresora no imprime',
    desk: 'IT',
    category: 'hardware',
    priority: 'normal',
    requester: { name: 'Lucía Pérez', address: 'lucia@example.test' },
  };
  const clock = { start: at(START), targetMinutes: 480, pauses: [] };

  it.each([
    [
      'es',
      { name: 'warning', fraction: 0.75 },
      '2026-11-23T17:00',
      {
        subject: '[IT-12] Aviso de SLA, 75 % consumido: La impresora no imprime',
        waited: '6 h',
        used: '75 %',
        dueText: 'martes 24 de noviembre a las 10:00',
        overdue: null,
      },
    ],
    [
      'it',
      { name: 'breach', fraction: 1 },
      '2026-11-24T11:30',
      {
        subject: '[IT-12] SLA superato: La impresora no imprime',
        waited: '9 h 30 min',
        used: '119%',
        dueText: 'martedì 24 novembre alle 10:00',
        overdue: '1 h 30 min',
      },
    ],
    [
      'en',
      { name: 'breach', fraction: 1 },
      '2026-11-24T10:00',
      {
        subject: '[IT-12] SLA breached: La impresora no imprime',
        waited: '8 hrs',
        used: '100%',
        dueText: 'Tuesday 24 November at 10:00',
        overdue: null,
      },
    ],
  ] as const)('%s, %o', (language, threshold, now, expected) => {
    const vars = escalationVars({ case: kase, calendar, clock, threshold, language, now: at(now) }) as {
      subject: string;
      sla: Record<string, unknown>;
      case: Record<string, unknown>;
    };
    // CLDR puts a no-break space in Spanish percentages ("75 %"); compare with plain spaces.
    const plain = (v: unknown) => (typeof v === 'string' ? v.replace(/\u00a0/g, ' ') : v);
    expect(plain(vars.subject)).toBe(expected.subject);
    expect(Object.fromEntries(Object.entries(vars.sla).map(([k, v]) => [k, plain(v)]))).toMatchObject({
      waited: expected.waited,
      used: expected.used,
      dueText: expected.dueText,
      overdue: expected.overdue,
      target: language === 'en' ? '8 hrs' : '8 h',
    });
    expect(vars.case).toMatchObject({ id: 'IT-12', subject: 'La impresora no imprime', requesterAddress: 'lucia@example.test' });
  });

  it.each(['es', 'it', 'en'] as const)('renders the shipped %s escalation template (text and HTML)', async (language) => {
    const templates = await loadTemplates(fileURLToPath(new URL('../../../templates', import.meta.url)));
    const vars = escalationVars({
      case: { ...kase, subject: 'Printer <b>broken</b>' },
      calendar,
      clock,
      threshold: { name: 'breach', fraction: 1 },
      language,
      now: at('2026-11-24T11:30'),
    });
    const mail = templates.render('escalation', language, vars);
    expect(mail.subject).toBe(vars['subject']);
    expect(mail.text).toContain('IT-12');
    expect(mail.text).toContain(language === 'en' ? '9 hrs 30 mins' : '9 h 30 min');
    expect(mail.text).toContain('Printer <b>broken</b>');
    expect(mail.html).toContain('Printer &lt;b&gt;broken&lt;/b&gt;');
    expect(mail.html).toContain('lucia@example.test');
  });
});

describe('splitAtFirstStart', () => {
  const [warning, breach] = DEFAULT_THRESHOLDS;
  const dues = [
    { threshold: warning!, at: new Date('2026-02-27T12:00:00Z') },
    { threshold: breach!, at: new Date('2026-03-02T10:00:00Z') },
  ];
  it.each([
    ['a live case (no first start): everything escalates', null, [], ['warning', 'breach']],
    ['an imported case: what it reached before the first start is silent', '2026-03-02T09:00:00.000Z', ['warning'], ['breach']],
    ['an imported case whose thresholds all predate the first start', '2026-03-05T09:00:00.000Z', ['warning', 'breach'], []],
    ['a threshold reached in the very instant of the first start escalates', '2026-03-02T10:00:00.000Z', ['warning'], ['breach']],
  ] as const)('%s', (_label, firstStart, silent, live) => {
    const out = splitAtFirstStart(dues, firstStart);
    expect(out.silent.map((d) => d.threshold.name)).toEqual(silent);
    expect(out.live.map((d) => d.threshold.name)).toEqual(live);
  });
});
