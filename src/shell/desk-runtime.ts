// Builds, once per desk, what every shell function gets about it: its configuration, the complete desk
// view the pipeline reads (defaults applied here and nowhere else) and the desk's current rules. Rules
// and routing are read at call time, so a reload takes effect with the next mail; never opens anything.

import type { Config, DeskConfig } from '../config/schema.js';
import type { DeskView } from '../domain/desk.js';
import type { InboundMail } from '../domain/mail.js';
import type { RoutingDecision } from '../domain/routing.js';
import type { DeskRules } from '../rules/index.js';
import type { ArticleRef, PipelineContext, SlaPlan } from '../pipeline/types.js';
import type { HistoryCase } from '../domain/case.js';
import { withPromise } from '../routing/promise-plan.js';
import { incidentContext } from '../incidents/context.js';

/** A desk's pipeline context; the shell adds the processing instant per mail. */
export type DeskContext = Omit<PipelineContext, 'now'>;

export interface DeskRuntime {
  /** The desk as configured: mailbox, start point, lifecycle. */
  readonly config: DeskConfig;
  /** The complete view the pipeline and the outbound mail read. */
  readonly view: DeskView;
  /** The pipeline context of this desk (its `desk` is `view`). */
  readonly context: DeskContext;
  /** The desk's current rules (they change on reload), or undefined when no rules cover it. */
  rules(): DeskRules | undefined;
}

/** What routes a new mail of a desk: rules, then the classifier (swapped whole on a rules reload). */
export interface DeskRouting {
  readonly router: (desk: DeskConfig, mail: InboundMail) => RoutingDecision;
  readonly sla: (desk: DeskConfig, routing: RoutingDecision, now: Date) => SlaPlan | null;
  readonly articles: (desk: DeskConfig, mail: InboundMail, routing: RoutingDecision) => readonly ArticleRef[];
}

export interface DeskSources {
  /** The routing in force now. */
  readonly routing: () => DeskRouting;
  /** A desk's rules in force now. */
  readonly rulesOf: (deskId: string) => DeskRules | undefined;
}

/** The sender name of a desk's mail and reports: the configured name, or "<id> desk". */
export function deskName(desk: Pick<DeskConfig, 'id' | 'name'>): string {
  return desk.name ?? `${desk.id} desk`;
}

/** The complete desk view: the configured name or "<id> desk", calendar zone and categories from the rules in force. */
export function deskView(desk: DeskConfig, rules: () => DeskRules | undefined, fallbackZone: string): DeskView {
  return {
    id: desk.id,
    prefix: desk.prefix,
    address: desk.address,
    language: desk.language,
    name: deskName(desk),
    agents: desk.agents,
    notify: desk.notify,
    lifecycle: desk.lifecycle,
    trust: { trustAuthResults: desk.trust.authResults, trustedRelays: desk.trust.relays, authservId: desk.trust.authservId ?? null },
    get timezone() {
      return rules()?.calendar?.timezone ?? fallbackZone;
    },
    get categories() {
      return rules()?.categories.map((c) => c.id) ?? [];
    },
  };
}

/** One runtime per configured desk, in configuration order. */
export function buildDeskRuntimes(config: Config, sources: DeskSources): DeskRuntime[] {
  const ownAddresses = config.desks.map((d) => d.address);
  const ownDomains = [...new Set(ownAddresses.map((a) => a.split('@')[1]!))];
  return config.desks.map((desk) => {
    const rules = () => sources.rulesOf(desk.id);
    const view = deskView(desk, rules, config.timezone);
    const context: DeskContext = {
      desk: view,
      ownAddresses,
      ownDomains,
      instance: config.instance,
      autoRepliesPerAddressPerHour: config.limits.autoRepliesPerAddressPerHour,
      route: (mail) => sources.routing().router(desk, mail),
      sla: (routing, now) => sources.routing().sla(desk, routing, now),
      articles: (mail, routing) => sources.routing().articles(desk, mail, routing),
      // Read at call time: a rules reload turns grouping on or off with the next mail.
      get incidents() {
        return incidentContext(rules());
      },
    };
    return { config: desk, view, context, rules };
  });
}

/** The runtime of a desk id, or undefined for a desk no longer configured. */
export function runtimeOf(desks: readonly DeskRuntime[], id: string): DeskRuntime | undefined {
  return desks.find((d) => d.config.id === id);
}

/**
 * The runtime for one pass with the desk's history in hand: a new case's schedule then carries the date
 * forecast from comparable cases (else the SLA deadline stays the promise).
 */
export function withHistory(desk: DeskRuntime, history: readonly HistoryCase[]): DeskRuntime {
  const sla = desk.context.sla;
  return { ...desk, context: { ...desk.context, sla: (routing, now) => withPromise(sla(routing, now), desk.rules(), routing, history, now) } };
}
