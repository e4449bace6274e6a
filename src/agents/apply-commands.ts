// Decides what a trusted agent's mail does to a case, all or nothing: field changes (#assign, #priority,
// #category), at most one status command, and whether the text goes to the requester or, with #note, to agents only.
// Must never apply part of a mail: any parse or lifecycle error refuses the whole mail and relays nothing.

import type { CaseEvent, CaseStatus } from '../domain/case.js';
import type { Priority } from '../domain/routing.js';
import type { Command, CommandError } from './commands.js';
import type { Eta } from '../forecast/eta.js';
import { pauseBetween, transition, type LifecycleEvent, type LifecycleFacts, type Pause, type Transition } from './lifecycle.js';

export interface CaseState {
  readonly status: CaseStatus;
  readonly assignee: string | null;
  readonly priority: Priority;
  readonly category: string | null;
  readonly resolvedAt: Date | null;
}

export interface CaseChanges {
  readonly status?: CaseStatus;
  readonly assignee?: string;
  readonly priority?: Priority;
  readonly category?: string;
  readonly waitUntil?: string;
  /** An agent's #eta: the shell turns it into an instant on the desk calendar and tells the requester once. */
  readonly eta?: Eta;
}

export type CommandOutcome =
  | {
      readonly ok: true;
      /** Only the fields that change. */
      readonly changes: CaseChanges;
      readonly pause: Pause;
      readonly events: readonly CaseEvent[];
      /** Who gets the text: the requester (a reply), the other agents (#note), or nobody (commands only). */
      readonly relayTo: 'requester' | 'agents' | null;
      /** The commands that were applied, for the confirmation mail. */
      readonly applied: readonly Command[];
    }
  | {
      readonly ok: false;
      readonly commandErrors: readonly CommandError[];
      readonly lifecycleErrors: readonly Extract<Transition, { ok: false }>[];
    };

/**
 * Folds parsed commands and the presence of text into one outcome. A reply is applied before #resolve,
 * #close and #wait (they decide the final status) and after #reopen (so "#reopen + question" ends waiting).
 * @example applyCommands(state, [{ name: 'resolve', raw: '#resolve' }], [], { hasBody: true, ...facts })
 */
export function applyCommands(
  state: CaseState,
  commands: readonly Command[],
  parseErrors: readonly CommandError[],
  facts: LifecycleFacts & { readonly hasBody: boolean },
): CommandOutcome {
  if (parseErrors.length > 0) return { ok: false, commandErrors: parseErrors, lifecycleErrors: [] };
  const note = commands.some((c) => c.name === 'note');
  const replies = facts.hasBody && !note;
  const statusCommand = commands.find((c) => c.name === 'wait' || c.name === 'resolve' || c.name === 'close' || c.name === 'reopen');

  const steps: LifecycleEvent[] = [];
  if (statusCommand?.name === 'reopen') steps.push({ type: 'reopen' });
  if (replies) steps.push({ type: 'agent-reply' });
  if (statusCommand && statusCommand.name !== 'reopen') {
    steps.push(
      statusCommand.name === 'wait'
        ? { type: 'wait', until: new Date(facts.now.getTime() + statusCommand.minutes * 60_000) }
        : { type: statusCommand.name as 'resolve' | 'close' },
    );
  }

  let status = state.status;
  const events: CaseEvent[] = [];
  const lifecycleErrors: Extract<Transition, { ok: false }>[] = [];
  for (const step of steps) {
    const t = transition(status, step, facts);
    if (!t.ok) {
      lifecycleErrors.push(t);
      continue;
    }
    // An agent reply never opens a linked case; only requester replies do.
    if (t.to !== 'new-linked-case') status = t.to;
    events.push(...t.events);
  }
  if (lifecycleErrors.length > 0) return { ok: false, commandErrors: [], lifecycleErrors };

  const changes: { -readonly [K in keyof CaseChanges]: CaseChanges[K] } = {};
  for (const c of commands) {
    if (c.name === 'assign' && c.agent !== state.assignee) {
      changes.assignee = c.agent;
      events.push({ type: 'assigned', actor: facts.actor, data: { from: state.assignee, to: c.agent } });
    } else if (c.name === 'priority' && c.priority !== state.priority) {
      changes.priority = c.priority;
      events.push({ type: 'priority-changed', actor: facts.actor, data: { from: state.priority, to: c.priority } });
    } else if (c.name === 'category' && c.category !== state.category) {
      changes.category = c.category;
      events.push({ type: 'category-changed', actor: facts.actor, data: { from: state.category, to: c.category } });
    } else if (c.name === 'eta') {
      changes.eta = c.eta;
      events.push({ type: 'eta-set', actor: facts.actor, data: { value: c.raw.replace(/^#\S+\s*/u, '') } });
    } else if (c.name === 'wait') {
      changes.waitUntil = new Date(facts.now.getTime() + c.minutes * 60_000).toISOString();
    }
  }
  if (note && facts.hasBody) events.push({ type: 'note-added', actor: facts.actor, data: {} });
  if (status !== state.status) changes.status = status;
  return {
    ok: true,
    changes,
    pause: pauseBetween(state.status, status),
    events,
    relayTo: !facts.hasBody ? null : note ? 'agents' : 'requester',
    applied: commands,
  };
}
