// The readiness verdict from a recorded health snapshot: each way of being unready names its desk or
// component and code; the recorder reports an outage once and its end once, on an injected clock.

import { describe, expect, it } from 'vitest';
import { readiness } from '../../../src/health/readiness.js';
import { createHealth } from '../../../src/shell/health.js';
import { manualClock } from '../../support/fakes.js';

function setup() {
  const clock = manualClock('2026-03-02T09:00:00.000Z');
  const health = createHealth(clock, ['IT', 'HR'], 60);
  return { clock, health, verdict: () => readiness(health.snapshot(), clock.now()) };
}

describe('readiness', () => {
  it('is not ready before the desks connect, and ready once both passed', () => {
    const { health, verdict } = setup();
    expect(verdict()).toEqual({
      ready: false,
      problems: [
        { desk: 'IT', component: 'desk', code: 'STARTING', message: 'desk IT has not connected to its mailbox yet' },
        { desk: 'HR', component: 'desk', code: 'STARTING', message: 'desk HR has not connected to its mailbox yet' },
      ],
    });
    health.deskPassed('IT');
    health.deskPassed('HR');
    expect(verdict()).toEqual({ ready: true, problems: [] });
  });

  it('names the desk whose login is refused while the other one is fine', () => {
    const { health, verdict } = setup();
    health.deskPassed('IT');
    expect(health.deskFailed('HR', 'IMAP_AUTH', 'IMAP server 127.0.0.1:1143 rejected the login of hr@example.test')).toBe(true);
    expect(health.deskFailed('HR', 'IMAP_AUTH', 'again')).toBe(false);
    expect(verdict().problems).toEqual([{ desk: 'HR', component: 'desk', code: 'IMAP_AUTH', message: 'again' }]);
  });

  it.each([
    [120_000, true],
    [120_001, false],
  ])('a last pass %i ms ago (poll 60 s) → ready %s', (ago, ready) => {
    const { clock, health, verdict } = setup();
    health.deskPassed('IT');
    health.deskPassed('HR');
    clock.advance(ago);
    health.deskPassed('HR');
    expect(verdict().ready).toBe(ready);
    if (!ready) expect(verdict().problems).toEqual([{ desk: 'IT', component: 'desk', code: 'STALE_PASS', message: 'desk IT last completed a pass 120 s ago (more than 2 × pollSeconds = 120 s)' }]);
  });

  it('names the store, SMTP, rules and templates when they fail, and forgets them when they recover', () => {
    const { clock, health, verdict } = setup();
    health.deskPassed('IT');
    health.deskPassed('HR');
    expect(health.failed('store', 'STORE', 'database operation failed: SQLITE_FULL')).toBe(true);
    expect(health.failed('store', 'STORE', 'database operation failed: SQLITE_FULL')).toBe(false);
    health.smtpFailed('SMTP_AUTH', 'SMTP server rejected the login', new Date('2026-03-02T09:01:00Z'));
    health.failed('rules', 'RULES_INVALID', 'it.yml:3:5: unknown key');
    health.failed('templates', 'TEMPLATE_INVALID', 'auto-reply.text.liquid:2: unclosed tag');
    expect(verdict().problems.map((p) => `${p.component}:${p.code}`)).toEqual(['store:STORE', 'smtp:SMTP_AUTH', 'rules:RULES_INVALID', 'templates:TEMPLATE_INVALID']);
    clock.advance(1000);
    expect(health.snapshot().store).toEqual({ code: 'STORE', message: 'database operation failed: SQLITE_FULL', since: '2026-03-02T09:00:00.000Z' });
    expect(health.snapshot().smtp?.pausedUntil).toBe('2026-03-02T09:01:00.000Z');
    expect(health.recovered('store')).toBe(true);
    expect(health.recovered('store')).toBe(false);
    expect(health.smtpRecovered()).toBe(true);
    health.recovered('rules');
    health.recovered('templates');
    expect(verdict()).toEqual({ ready: true, problems: [] });
  });

  it('keeps a desk down for the store until a pass completes, even when the mailbox reconnects', () => {
    const { health, verdict } = setup();
    health.deskPassed('HR');
    health.deskFailed('IT', 'STORE', 'database operation failed: SQLITE_READONLY');
    health.deskConnected('IT');
    expect(verdict().problems).toEqual([{ desk: 'IT', component: 'desk', code: 'STORE', message: 'database operation failed: SQLITE_READONLY' }]);
    health.deskPassed('IT');
    expect(verdict().ready).toBe(true);
  });

  it('records backlog per desk', () => {
    const { health } = setup();
    health.deskBacklog('IT', 12);
    expect(health.snapshot().desks.map((d) => [d.id, d.backlog])).toEqual([['IT', 12], ['HR', null]]);
  });
});
