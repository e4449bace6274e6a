// Decides which SLA policy a routed case gets. Precedence, first that names a policy wins: a rule's
// `sla:` action (routing.slaPolicy) > the desk's sla.byCategory for the routed category > its
// sla.byPriority for the priority > sla.default. Pure; never invents targets for a desk without SLA.
import type { Priority, RoutingDecision } from '../domain/routing.js';

/** One named policy, targets in business minutes on the desk's calendar. */
export interface SlaPolicy {
  readonly name: string;
  readonly firstResponseMinutes: number;
  readonly resolutionMinutes: number;
}

/** A desk's `sla:` section as built: every name below is a key of `policies` (checked at load). */
export interface DeskSla {
  readonly policies: Readonly<Record<string, SlaPolicy>>;
  readonly default: string;
  readonly byPriority: Readonly<Partial<Record<Priority, string>>>;
  readonly byCategory: Readonly<Record<string, string>>;
}

/** Which step of the precedence chose the policy, for the case's event log. */
export type SlaChoiceReason = 'rule' | 'category' | 'priority' | 'default';

export interface SlaChoice extends SlaPolicy {
  readonly chosenBy: SlaChoiceReason;
}

/**
 * The policy for a case of `desk` routed as `routing`; null when the desk has no `sla:` section.
 * A name that is not (or no longer, after a hot reload) a policy of the desk is skipped, so the next
 * step decides instead of the case going without a target.
 * @example slaPolicyFor(ruleSet.desks['IT']!, decision) // { name: 'urgent', firstResponseMinutes: 30, resolutionMinutes: 240, chosenBy: 'priority' }
 */
export function slaPolicyFor(
  desk: { readonly sla: DeskSla | null },
  routing: Pick<RoutingDecision, 'slaPolicy' | 'category' | 'priority'>,
): SlaChoice | null {
  const sla = desk.sla;
  if (sla === null) return null;
  const steps: readonly [SlaChoiceReason, string | null | undefined][] = [
    ['rule', routing.slaPolicy],
    ['category', Object.hasOwn(sla.byCategory, routing.category) ? sla.byCategory[routing.category] : undefined],
    ['priority', sla.byPriority[routing.priority]],
    ['default', sla.default],
  ];
  for (const [chosenBy, name] of steps) {
    if (name === null || name === undefined || !Object.hasOwn(sla.policies, name)) continue;
    return { ...sla.policies[name]!, chosenBy };
  }
  return null;
}
