// Commits what a plan does about incidents, inside the plan's transaction: a new case joining or forming
// an incident (the incident case opens at the outage's first report), an agent's #incident / #unlink,
// and an agent's mail on an incident carried to each live member (status, events, the member's own mail).
// Decides nothing: src/incidents planned it. Returns how to fill ids the plan could not know yet.

import type { Plan, ReplyIntent } from '../domain/plan.js';
import type { CaseRecord, StoreTx } from '../ports.js';
import { fillIds } from '../pipeline/incident-plan.js';
import { queueIntent, type QueueDeps } from './queue-intent.js';
import { updateCase } from './update-case.js';

const DAEMON = 'sportello';

export async function commitIncident(tx: StoreTx, deps: QueueDeps, plan: Plan, kase: CaseRecord): Promise<(intent: ReplyIntent) => ReplyIntent> {
  const same = (intent: ReplyIntent) => intent;
  const { desk, now } = deps;
  if (plan.action === 'create' && plan.incident) {
    const change = plan.incident;
    if (change.kind === 'join') {
      await tx.setIncident(kase.id, change.incident, now);
      await tx.addEvents(change.incident, change.events.map((e) => ({ ...e, data: { ...e.data, member: kase.id } })), now);
      return same;
    }
    const incident = await tx.createCase({ ...change.newCase, prefix: desk.config.prefix }, new Date(change.startedAt));
    await tx.addEvents(incident.id, change.events.map((e) => ({ ...e, data: { ...e.data, members: [...change.members, kase.id] } })), now);
    for (const member of [...change.members, kase.id]) {
      await tx.setIncident(member, incident.id, now);
      if (member !== kase.id) await tx.addEvents(member, [{ type: 'incident-joined', actor: DAEMON, data: { incident: incident.id, formed: true } }], now);
    }
    const fill = (intent: ReplyIntent) => fillIds(intent, { incident: incident.id, member: kase.id });
    for (const intent of change.replies) await queueIntent(tx, deps, incident, fill(intent), null);
    return fill;
  }
  if (plan.action !== 'append') return same;
  const actor = deps.mail.from?.address ?? DAEMON;
  const command = plan.incident;
  if (command) {
    const before = kase.incident ?? null;
    let after: string | null = null;
    if (command.kind === 'join') after = command.incident;
    if (command.kind === 'new') after = (await tx.createCase({ ...command.newCase, prefix: desk.config.prefix }, now)).id;
    await tx.setIncident(kase.id, after, now);
    if (before) await tx.addEvents(before, [{ type: 'member-left', actor, data: { member: kase.id } }], now);
    if (after) await tx.addEvents(after, [{ type: command.kind === 'new' ? 'incident-formed' : 'member-joined', actor, data: { member: kase.id, members: [kase.id] } }], now);
    await tx.addEvents(kase.id, [after ? { type: 'incident-joined', actor, data: { incident: after, by: 'agent' } } : { type: 'incident-left', actor, data: { incident: before } }], now);
  }
  for (const effect of plan.members ?? []) {
    const member = await tx.getCase(effect.caseId);
    if (!member) continue;
    await tx.addEvents(member.id, effect.events, now);
    if (effect.statusTo) await updateCase(tx, desk, { compose: deps.compose, kase: member, changes: { status: effect.statusTo }, now, actor, silent: true });
    const f = effect.fields;
    if (f) {
      await tx.setCaseFields(member.id, {
        ...(f.firstResponse ? { firstResponseAt: now.toISOString() } : {}),
        ...(f.resolved ? { resolvedAt: now.toISOString() } : {}),
        ...(f.closed ? { closedAt: now.toISOString() } : {}),
        ...(f.waitUntil !== undefined ? { waitUntil: f.waitUntil } : {}),
      }, now);
    }
    const current = (await tx.getCase(member.id)) ?? member;
    for (const intent of effect.replies) await queueIntent(tx, deps, current, intent, effect.requesterMessageId);
  }
  return same;
}
