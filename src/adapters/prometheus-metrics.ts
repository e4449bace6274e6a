// Prometheus text exposition with prom-client on a private Registry (never the library's global one):
// counters the shell increments through the Metrics port, and gauges read fresh at each scrape
// (outbox depth, quarantine, backlog, desk up, ready). No prom-client type leaves this file.

import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Metrics } from '../ports.js';

export interface GaugeReadings {
  /** Outbox rows by status (pending, sending, failed, uncertain; sent is not depth); null when the store cannot say. */
  readonly outbox: Readonly<Record<string, number>> | null;
  readonly quarantine: number | null;
  readonly backlog: Readonly<Record<string, number | null>>;
  readonly deskUp: Readonly<Record<string, boolean>>;
  readonly ready: boolean;
}

export interface PrometheusMetrics extends Metrics {
  /** Reads the gauges, then renders every metric in the text format. */
  scrape(): Promise<{ contentType: string; body: string }>;
}

const OUTCOMES = ['created', 'appended', 'duplicate', 'quarantined'] as const;
const OUTBOX_STATUSES = ['pending', 'sending', 'failed', 'uncertain'] as const;

export function createPrometheusMetrics(desks: readonly string[], read: () => Promise<GaugeReadings>): PrometheusMetrics {
  const registry = new Registry();
  const registers = [registry];
  const mails = new Counter({ name: 'sportello_mails_total', help: 'Mails taken from a desk mailbox, by outcome', labelNames: ['desk', 'outcome'], registers });
  const opened = new Counter({ name: 'sportello_cases_opened_total', help: 'Cases opened', labelNames: ['desk'], registers });
  const replies = new Counter({ name: 'sportello_replies_total', help: 'Outgoing mails by result: sent, retry (4xx or network, will be retried), failed (5xx or too many attempts)', labelNames: ['kind', 'result'], registers });
  const parked = new Counter({ name: 'sportello_replies_uncertain_total', help: 'Replies found interrupted mid-send at start-up and parked as uncertain (never resent automatically)', registers });
  const passes = new Histogram({ name: 'sportello_pass_duration_seconds', help: 'Duration of one mailbox pass (fetch, pipeline, commit, flag, send)', labelNames: ['desk'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300], registers });
  const reconnects = new Counter({ name: 'sportello_imap_reconnects_total', help: 'Times a desk lost or could not open its mailbox session, by reason (auth, connect, store)', labelNames: ['desk', 'reason'], registers });
  const escalations = new Counter({ name: 'sportello_sla_escalations_total', help: 'SLA escalation mails queued, by threshold (warning, breach, …)', labelNames: ['desk', 'threshold'], registers });
  const outbox = new Gauge({ name: 'sportello_outbox_replies', help: 'Outbox depth: replies not sent, by status (uncertain ones wait for a person)', labelNames: ['status'], registers });
  const quarantine = new Gauge({ name: 'sportello_quarantine_mails', help: 'Mails in quarantine, not released', registers });
  const backlog = new Gauge({ name: 'sportello_backlog_messages', help: 'Messages on the server above the checkpoint when the desk last looked', labelNames: ['desk'], registers });
  const deskUp = new Gauge({ name: 'sportello_desk_up', help: '1 while the desk mailbox is connected and logged in, else 0', labelNames: ['desk'], registers });
  const ready = new Gauge({ name: 'sportello_ready', help: '1 when /readyz would answer 200', registers });

  // Every series exists from the start, so rate() and alerts see a 0 rather than nothing.
  for (const desk of desks) {
    for (const outcome of OUTCOMES) mails.labels(desk, outcome).inc(0);
    opened.labels(desk).inc(0);
    for (const reason of ['auth', 'connect', 'store']) reconnects.labels(desk, reason).inc(0);
  }
  parked.inc(0);

  return {
    mails(desk, outcome, count) {
      if (count <= 0) return;
      mails.labels(desk, outcome).inc(count);
      if (outcome === 'created') opened.labels(desk).inc(count);
    },
    reply(kind, result) {
      replies.labels(kind, result).inc();
    },
    parkedUncertain(count) {
      if (count > 0) parked.inc(count);
    },
    passTimer(desk) {
      const end = passes.labels(desk).startTimer();
      return () => {
        end();
      };
    },
    imapReconnect(desk, reason) {
      reconnects.labels(desk, reason).inc();
    },
    escalation(desk, threshold) {
      escalations.labels(desk, threshold).inc();
    },
    async scrape() {
      const r = await read();
      // An unreadable store leaves the last known values (readiness says why) rather than fake zeros.
      if (r.outbox) for (const status of new Set([...OUTBOX_STATUSES, ...Object.keys(r.outbox).filter((s) => s !== 'sent')])) outbox.labels(status).set(r.outbox[status] ?? 0);
      if (r.quarantine !== null) quarantine.set(r.quarantine);
      for (const [desk, n] of Object.entries(r.backlog)) if (n !== null) backlog.labels(desk).set(n);
      for (const [desk, up] of Object.entries(r.deskUp)) deskUp.labels(desk).set(up ? 1 : 0);
      ready.set(r.ready ? 1 : 0);
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
