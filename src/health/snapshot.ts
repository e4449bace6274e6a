// The daemon's view of itself as plain data: per desk connection state and last pass, the store, SMTP,
// rules and templates. Produced by the shell (src/shell/health.ts), judged and rendered by pure functions;
// it must never hold a library object, a password or mail content.

/** elsewhere: another daemon of the fleet owns this mailbox (PostgreSQL, several daemons); not a problem here. */
export type DeskState = 'starting' | 'connected' | 'down' | 'elsewhere';

export interface ComponentProblem {
  /** A stable error code (IMAP_AUTH, IMAP_CONNECT, STORE, SMTP_AUTH, RULES_INVALID, TEMPLATE_INVALID…). */
  readonly code: string;
  readonly message: string;
  /** When this problem started (ISO 8601). */
  readonly since: string;
}

export interface DeskHealth {
  readonly id: string;
  readonly state: DeskState;
  /** Why the desk is down; null while it works. */
  readonly problem: ComponentProblem | null;
  /** End of the last pass that completed (ISO 8601), null before the first. */
  readonly lastPassAt: string | null;
  /** Messages on the server above the checkpoint when last counted; null when unknown. */
  readonly backlog: number | null;
}

export interface DaemonIdentity {
  readonly host: string;
  readonly pid: number;
  readonly startedAt: string;
}

export interface HealthSnapshot {
  readonly at: string;
  readonly pollSeconds: number;
  readonly daemon: DaemonIdentity | null;
  readonly desks: readonly DeskHealth[];
  /** Null problem = working. */
  readonly store: ComponentProblem | null;
  readonly smtp: (ComponentProblem & { readonly pausedUntil: string | null }) | null;
  readonly rules: ComponentProblem | null;
  readonly templates: ComponentProblem | null;
}

export interface ReadinessProblem {
  /** The desk concerned, when the problem is one desk's. */
  readonly desk?: string;
  readonly component: 'desk' | 'store' | 'smtp' | 'rules' | 'templates';
  readonly code: string;
  readonly message: string;
}

export interface Readiness {
  readonly ready: boolean;
  readonly problems: readonly ReadinessProblem[];
}

/** What the daemon stores for `sportello status`: its snapshot, and when it stopped cleanly (null while running). */
export interface SavedDaemonStatus extends HealthSnapshot {
  readonly stoppedAt: string | null;
}
