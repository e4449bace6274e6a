// The Prometheus adapter on its private registry: every documented series is exposed (zeros from the
// start), counters add up, gauges are read at scrape time, and an unreadable store keeps the last values.

import { describe, expect, it } from 'vitest';
import { createPrometheusMetrics, type GaugeReadings } from '../../../src/adapters/prometheus-metrics.js';

const readings = (over: Partial<GaugeReadings> = {}): GaugeReadings => ({
  outbox: { pending: 2, uncertain: 1, sent: 40 },
  quarantine: 3,
  backlog: { IT: 5, HR: null },
  deskUp: { IT: true, HR: false },
  ready: false,
  ...over,
});

describe('createPrometheusMetrics', () => {
  it('exposes every series in the text format, zeros before anything happened', async () => {
    const m = createPrometheusMetrics(['IT', 'HR'], async () => readings());
    const { contentType, body } = await m.scrape();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const line of [
      'sportello_mails_total{desk="HR",outcome="quarantined"} 0',
      'sportello_cases_opened_total{desk="IT"} 0',
      'sportello_imap_reconnects_total{desk="HR",reason="auth"} 0',
      'sportello_replies_uncertain_total 0',
      'sportello_outbox_replies{status="pending"} 2',
      'sportello_outbox_replies{status="uncertain"} 1',
      'sportello_outbox_replies{status="failed"} 0',
      'sportello_quarantine_mails 3',
      'sportello_backlog_messages{desk="IT"} 5',
      'sportello_desk_up{desk="IT"} 1',
      'sportello_desk_up{desk="HR"} 0',
      'sportello_ready 0',
    ]) {
      expect(body.split('\n')).toContain(line);
    }
    expect(body).not.toContain('status="sent"');
    expect(body).not.toContain('sportello_backlog_messages{desk="HR"}');
    // The private registry holds only ours: no process_* defaults.
    expect(body).not.toMatch(/^process_/m);
  });

  it('counts mails, cases, replies, reconnects, escalations, parked replies and pass durations', async () => {
    const m = createPrometheusMetrics(['IT'], async () => readings());
    m.mails('IT', 'created', 2);
    m.mails('IT', 'created', 1);
    m.mails('IT', 'duplicate', 0);
    m.reply('auto-reply', 'sent');
    m.reply('auto-reply', 'sent');
    m.reply('relay', 'failed');
    m.imapReconnect('IT', 'store');
    m.escalation('IT', 'breach');
    m.parkedUncertain(2);
    m.passTimer('IT')();
    const lines = (await m.scrape()).body.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        'sportello_mails_total{desk="IT",outcome="created"} 3',
        'sportello_mails_total{desk="IT",outcome="duplicate"} 0',
        'sportello_cases_opened_total{desk="IT"} 3',
        'sportello_replies_total{kind="auto-reply",result="sent"} 2',
        'sportello_replies_total{kind="relay",result="failed"} 1',
        'sportello_imap_reconnects_total{desk="IT",reason="store"} 1',
        'sportello_sla_escalations_total{desk="IT",threshold="breach"} 1',
        'sportello_replies_uncertain_total 2',
        'sportello_pass_duration_seconds_count{desk="IT"} 1',
      ]),
    );
  });

  it('keeps the last outbox and quarantine values when the store cannot be read', async () => {
    let r = readings();
    const m = createPrometheusMetrics(['IT'], async () => r);
    await m.scrape();
    r = readings({ outbox: null, quarantine: null, ready: false });
    const lines = (await m.scrape()).body.split('\n');
    expect(lines).toContain('sportello_quarantine_mails 3');
    expect(lines).toContain('sportello_outbox_replies{status="pending"} 2');
  });

  it('two instances do not share series (no global registry)', async () => {
    const a = createPrometheusMetrics(['IT'], async () => readings());
    const b = createPrometheusMetrics(['IT'], async () => readings());
    a.mails('IT', 'created', 1);
    expect((await b.scrape()).body.split('\n')).toContain('sportello_mails_total{desk="IT",outcome="created"} 0');
  });
});
