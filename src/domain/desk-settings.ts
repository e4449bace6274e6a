// A desk's settings as plain records: its case lifecycle, who hears about new cases, and what proves
// that a mail comes from an agent. The configuration fills them in; src/agents decides with them. Kept
// here so a desk's view (src/domain) needs nothing from src/agents.

export interface LifecycleSettings {
  /** An agent's reply puts the case in "waiting" (on the requester); off: it stays open. Default on. */
  readonly agentReplySetsWaiting: boolean;
  /** A requester reply this many days after resolution still reopens the case; later ones open a linked case. */
  readonly reopenWindowDays: number;
  /** Resolved cases close automatically after this many days. */
  readonly autoCloseDays: number;
}

/** Per desk: every agent, the assignee only (everyone while unassigned), or nobody. */
export type NotifyPolicy = 'all' | 'assignee' | 'none';

/** What proves an agent's mail genuine (src/agents/trust.ts decides with it). */
export interface TrustSettings {
  /** Accept an aligned pass in our server's Authentication-Results as proof. */
  readonly trustAuthResults: boolean;
  /** Relays whose hand-off is proof by itself (internal submission servers): IPs, CIDRs (IPv4 or IPv6), host names. */
  readonly trustedRelays: readonly string[];
  /**
   * The authserv-id our receiving server writes (e.g. "mx.example.test"). Strongly advised: without it only
   * the topmost A-R header's id is believed, which is right only when our server strips forged copies.
   */
  readonly authservId?: string | null;
}
