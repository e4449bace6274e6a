// Applies an agent's #eta inside the transaction that records their mail: the date becomes the case's
// promise (a new seq, so the update before a miss is armed again) and the requester is told once, with
// the due-update notice in their language. Never sends by itself; imported mail records without telling.
import type { CaseRecord, StoreTx } from '../ports.js';
import type { Language } from '../domain/routing.js';
import { etaInstant, nextPromise, type Eta } from '../forecast/index.js';
import type { ComposeDeps } from './compose.js';
import type { DeskRuntime } from './desk-runtime.js';
import { dueUpdateVars, queueNotice } from './update-case.js';

export interface EtaChange {
  readonly kase: CaseRecord;
  readonly eta: Eta;
  readonly now: Date;
  readonly actor: string;
  /** Record the new promise without telling the requester (imported mail). */
  readonly silent?: boolean;
}

/** Returns the number of mails queued (0 or 1). */
export async function promiseEta(tx: StoreTx, compose: ComposeDeps, desk: DeskRuntime, change: EtaChange): Promise<number> {
  const { kase, eta, now, actor } = change;
  const at = etaInstant(eta, desk.rules()?.calendar ?? null, now).toISOString();
  const before = kase.promise?.at ?? kase.dueAt;
  const promise = nextPromise(kase.promise ?? null, at, 'eta', now, { by: actor, slaDueAt: kase.dueAt });
  await tx.setPromise(kase.id, promise, now);
  await tx.addEvents(kase.id, [{ type: 'promise-set', actor, data: { seq: promise.seq, from: before, to: at, source: 'eta' } }], now);
  if (change.silent || at === before) return 0;
  const language: Language = kase.language ?? desk.view.language;
  const rendered = compose.renderer.render('due-update', language, dueUpdateVars(desk, { kase, changed: kase, from: before, to: at, now }));
  await queueNotice(tx, compose, desk, { caseId: kase.id, kind: 'due-update', to: [kase.requester], rendered, now });
  return 1;
}
