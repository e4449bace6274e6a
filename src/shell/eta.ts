// Applies an agent's #eta inside the transaction that records their mail: the date becomes the case's
// promise (a new seq, so the update before a miss is armed again) and the requester is told once, with
// the due-update notice in their language. Never sends by itself; imported mail records without telling.
import type { CaseRecord, StoreTx } from '../ports.js';
import type { DeskConfig } from '../config/schema.js';
import type { DeskRules } from '../rules/index.js';
import type { Language } from '../domain/routing.js';
import { etaInstant, nextPromise, type Eta } from '../forecast/index.js';
import type { ComposeDeps } from './compose.js';
import { dueUpdateVars, queueNotice } from './update-case.js';

export async function promiseEta(
  tx: StoreTx,
  compose: ComposeDeps,
  desk: DeskConfig,
  rules: DeskRules | undefined,
  kase: CaseRecord,
  eta: Eta,
  now: Date,
  actor: string,
  opts: { readonly silent?: boolean } = {},
): Promise<number> {
  const at = etaInstant(eta, rules?.calendar ?? null, now).toISOString();
  const before = kase.promise?.at ?? kase.dueAt;
  const promise = nextPromise(kase.promise ?? null, at, 'eta', now, { by: actor, slaDueAt: kase.dueAt });
  await tx.setPromise(kase.id, promise, now);
  await tx.addEvents(kase.id, [{ type: 'promise-set', actor, data: { seq: promise.seq, from: before, to: at, source: 'eta' } }], now);
  if (opts.silent || at === before) return 0;
  const language: Language = kase.language ?? desk.language;
  const rendered = compose.renderer.render('due-update', language, dueUpdateVars(kase, kase, desk, rules, before, at, now));
  await queueNotice(tx, compose, desk, kase.id, 'due-update', [kase.requester], rendered, now);
  return 1;
}
