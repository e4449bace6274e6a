// Records what the daemon knows about itself — desk connections and passes, store, SMTP, rules,
// templates — as plain data with times from the injected clock. Decides only what is a new outage or a
// recovery (so callers log once per outage); readiness is judged elsewhere, from snapshot().

import type { Clock } from '../ports.js';
import type { ComponentProblem, DaemonIdentity, DeskHealth, HealthSnapshot } from '../health/snapshot.js';

type Component = 'store' | 'rules' | 'templates';

export interface HealthRecorder {
  deskConnected(desk: string): void;
  /** A pass completed: the desk is connected and current. */
  deskPassed(desk: string): void;
  /** The desk's mailbox cannot be used; returns true when this starts a new outage (or changes its code). */
  deskFailed(desk: string, code: string, message: string): boolean;
  deskBacklog(desk: string, messages: number): void;
  /** Another daemon of the fleet owns the desk's mailbox now. */
  deskElsewhere(desk: string): void;
  /** Returns true when this starts an outage of the component (log it), false while it continues. */
  failed(component: Component, code: string, message: string): boolean;
  /** Returns true when the component was failing and now works again (log the recovery). */
  recovered(component: Component): boolean;
  smtpFailed(code: string, message: string, pausedUntil: Date): boolean;
  smtpRecovered(): boolean;
  snapshot(): HealthSnapshot;
}

export function createHealth(clock: Clock, desks: readonly string[], pollSeconds: number, daemon: DaemonIdentity | null = null): HealthRecorder {
  const deskState = new Map<string, DeskHealth>(desks.map((id) => [id, { id, state: 'starting', problem: null, lastPassAt: null, backlog: null }]));
  const components: Record<Component, ComponentProblem | null> = { store: null, rules: null, templates: null };
  let smtp: (ComponentProblem & { pausedUntil: string | null }) | null = null;
  const now = () => clock.now().toISOString();
  const patch = (id: string, change: Partial<DeskHealth>) => {
    const prev = deskState.get(id) ?? { id, state: 'starting' as const, problem: null, lastPassAt: null, backlog: null };
    deskState.set(id, { ...prev, ...change });
    return prev;
  };

  return {
    deskConnected(desk) {
      // A login proves the server, not the store: a store problem stays until a pass completes.
      if (deskState.get(desk)?.problem?.code === 'STORE') return;
      patch(desk, { state: 'connected', problem: null });
    },
    deskPassed(desk) {
      patch(desk, { state: 'connected', problem: null, lastPassAt: now() });
    },
    deskFailed(desk, code, message) {
      const prev = deskState.get(desk)?.problem;
      const fresh = prev?.code !== code;
      patch(desk, { state: 'down', problem: { code, message, since: fresh || !prev ? now() : prev.since } });
      return fresh;
    },
    deskElsewhere(desk) {
      patch(desk, { state: 'elsewhere', problem: null, backlog: null });
    },
    deskBacklog(desk, messages) {
      patch(desk, { backlog: messages });
    },
    failed(component, code, message) {
      const prev = components[component];
      components[component] = { code, message, since: prev?.since ?? now() };
      return prev === null;
    },
    recovered(component) {
      const was = components[component] !== null;
      components[component] = null;
      return was;
    },
    smtpFailed(code, message, pausedUntil) {
      const was = smtp;
      smtp = { code, message, since: was?.since ?? now(), pausedUntil: pausedUntil.toISOString() };
      return was === null;
    },
    smtpRecovered() {
      const was = smtp !== null;
      smtp = null;
      return was;
    },
    snapshot() {
      return {
        at: now(),
        pollSeconds,
        daemon,
        desks: desks.map((id) => deskState.get(id)!),
        store: components.store,
        smtp,
        rules: components.rules,
        templates: components.templates,
      };
    },
  };
}
