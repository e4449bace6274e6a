// Drains one desk mailbox: resumes from the stored UIDVALIDITY/UID checkpoint (or starts per startFrom on
// first contact), and for each new UID parses, runs the pipeline, commits the plan, and only then flags the
// mail on the server. Unparseable mail is quarantined and the run goes on; a store failure stops the pass.

import type { AttachmentFile, InboundMail } from '../domain/mail.js';
import type { MailboxPosition } from '../domain/plan.js';
import type { Clock, CaseStore, MailboxSession } from '../ports.js';
import type { DeskRuntime } from './desk-runtime.js';
import type { Logger } from '../log.js';
import type { PipelineStep } from '../pipeline/types.js';
import { runPipeline } from '../pipeline/run.js';
import { SportelloError, describeError, isSportelloError } from '../errors.js';
import { assertHeld, commitPlan, messageKey, type CommitResult, type ReleaseMark } from './commit-plan.js';
import type { ComposeDeps } from './compose.js';
import { baseAddress } from '../mail/address.js';
import { importedMail, type ImportedMail } from '../pipeline/imported.js';
import { openFolder } from './first-contact.js';
import { incidentWindowMs } from '../incidents/context.js';

const HOUR_MS = 3_600_000;

export type { DeskContext } from './desk-runtime.js';

export interface IngestDeps {
  readonly store: CaseStore;
  readonly clock: Clock;
  readonly log: Logger;
  readonly parse: (raw: Buffer, maxBytes: number) => Promise<InboundMail>;
  /** The files attached to a raw mail, read only when an agent's answer with attachments is relayed. */
  readonly attachments?: (raw: Buffer) => Promise<AttachmentFile[]>;
  readonly compose: ComposeDeps;
  readonly steps: readonly PipelineStep[];
  readonly maxMessageBytes: number;
  readonly fetchBatch: number;
  /** Zone of a bare startFrom date (the config's `timezone`); UTC when absent. */
  readonly timezone?: string;
}

export interface PassResult {
  readonly seen: number;
  readonly created: number;
  readonly appended: number;
  readonly duplicates: number;
  readonly quarantined: number;
  /** Mail received before the desk's first start, recorded without replies (present only when some were). */
  readonly imported?: number;
}

export interface PassOptions {
  /** Asked before each mail: the daemon is stopping, leave the rest for the next pass. */
  readonly shouldStop?: () => boolean;
}

export async function ingestMailbox(deps: IngestDeps, desk: DeskRuntime, session: MailboxSession, { shouldStop = () => false }: PassOptions = {}): Promise<PassResult> {
  const folder = desk.config.imap.folder;
  const log = deps.log.child({ desk: desk.config.id, folder });
  const counts = { seen: 0, created: 0, appended: 0, duplicates: 0, quarantined: 0, imported: 0 };
  const result = (): PassResult => {
    const { imported, ...rest } = counts;
    return imported ? counts : rest;
  };

  const opened = await openFolder(deps, desk.config, session, log);
  const firstStart = opened.start?.firstStart ?? null;
  let lastUid = opened.lastUid;
  const take = async (uid: number) => {
    const position: MailboxPosition = { desk: desk.config.id, folder, uidValidity: session.uidValidity, uid };
    const r = await ingestOne(deps, desk, session, { position, firstStart, log });
    counts.seen++;
    if (r) {
      counts[r.outcome === 'duplicate' ? 'duplicates' : r.outcome]++;
      if (r.imported) counts.imported++;
      try {
        await session.markProcessed(uid);
      } catch (err) {
        // The commit and the checkpoint stand; a missing flag is mended by the reconcile of the next session.
        log.warn({ uid, err: describeError(err) }, 'could not flag the processed mail on the server');
      }
    }
    lastUid = uid;
  };

  // The backlog found at first contact, under a startFrom date (or after a rescan): only mail the server
  // received since then is taken; the rest is passed over, neither recorded nor flagged.
  const start = opened.start;
  if (start?.takeFrom && lastUid < start.backlogUid) {
    const takeFrom = new Date(start.takeFrom);
    for (;;) {
      const uids = await session.listUidsSince(lastUid, start.backlogUid, takeFrom, deps.fetchBatch);
      const received = await session.receivedDates(uids);
      for (const uid of uids) {
        if (shouldStop()) return result();
        const at = received.get(uid);
        if (at && at.getTime() >= takeFrom.getTime()) await take(uid);
        else lastUid = uid;
      }
      if (uids.length < deps.fetchBatch) break;
    }
    await deps.store.skipTo(desk.config.id, folder, session.uidValidity, start.backlogUid, deps.clock.now());
    lastUid = Math.max(lastUid, start.backlogUid);
  }

  for (;;) {
    const uids = await session.listNewUids(lastUid, deps.fetchBatch);
    for (const uid of uids) {
      if (shouldStop()) return result();
      await take(uid);
    }
    if (uids.length < deps.fetchBatch) return result();
  }
}

async function ingestOne(
  deps: IngestDeps,
  desk: DeskRuntime,
  session: MailboxSession,
  { position, firstStart, log }: { readonly position: MailboxPosition; readonly firstStart: string | null; readonly log: Logger },
): Promise<(CommitResult & { imported: boolean }) | null> {
  const fetched = await session.fetch(position.uid, deps.maxMessageBytes);
  if (!fetched) {
    log.warn({ uid: position.uid }, 'message vanished before it could be fetched (expunged by someone else)');
    return null;
  }
  // Imported mail is handled as of its arrival: the case keeps the original dates, and nothing is mailed.
  const imported = importedMail(fetched.receivedAt, firstStart);
  const now = imported ? imported.receivedAt : deps.clock.now();
  if (!fetched.source) {
    const reason = `message of ${fetched.size} bytes exceeds limits.maxMessageBytes (${deps.maxMessageBytes}); it stays on the server`;
    return { ...(await quarantineRaw(deps, position, null, { messageId: null, code: 'MAIL_TOO_LARGE', reason }, deps.clock.now(), log)), imported: false };
  }
  const result = await ingestRaw(deps, desk, { position, raw: fetched.source, now, log, imported });
  return { ...result, imported: imported !== null && (result.outcome === 'created' || result.outcome === 'appended') };
}

/**
 * Raw bytes in, commit out: parse, run the pipeline, commit the plan in one transaction. Shared by a
 * mail fetched from the mailbox and a quarantined mail being released (`release`: its row is marked
 * released in the same transaction, or updated with the new reason when it fails again). Database
 * failures and a row that is no longer held propagate; anything else sets the mail aside.
 */
export interface RawInput {
  readonly position: MailboxPosition;
  readonly raw: Buffer;
  /** The processing instant (an imported mail's arrival). */
  readonly now: Date;
  readonly log: Logger;
  readonly release?: ReleaseMark;
  readonly imported?: ImportedMail | null;
}

export async function ingestRaw(deps: IngestDeps, desk: DeskRuntime, input: RawInput): Promise<CommitResult> {
  const { position, raw, now, log, release, imported = null } = input;
  let mail: InboundMail;
  try {
    mail = await deps.parse(raw, deps.maxMessageBytes);
  } catch (err) {
    const code = err instanceof SportelloError ? String(err.code) : 'MAIL_PARSE';
    return quarantineRaw(deps, position, raw, { messageId: null, code, reason: describeError(err) }, deps.clock.now(), log, release);
  }

  const key = messageKey(mail, raw);
  const sender = mail.from ? baseAddress(mail.from.address) : null;
  // A released mail's position is recorded already (as quarantined) and its own row must not make it a duplicate.
  const outcome = await runPipeline(deps.steps, mail, { ...desk.context, now, imported }, async (keys) => ({
    ...(await deps.store.lookupFacts(desk.config.id, release ? null : position, key, sender, keys, new Date(now.getTime() - HOUR_MS), release?.quarantineId)),
    incidentCandidates: await deps.store.incidentCandidates(desk.config.id, new Date(now.getTime() - incidentWindowMs(desk.context))),
  }));
  let result: CommitResult;
  try {
    const plan = outcome.plan;
    const relaysFiles = plan.action === 'append' && mail.attachments.length > 0 && plan.replies.some((r) => r.kind === 'relay');
    const files = relaysFiles && deps.attachments ? await deps.attachments(raw) : [];
    result = await commitPlan(deps, desk, { position, mail, raw, plan, now, files, ...(release ? { release } : {}) });
  } catch (err) {
    // A database failure is transient: stop the pass, the mail stays unprocessed and is retried.
    // A lost mailbox lease too: the new owner takes the mail, nothing may be recorded here.
    if (isSportelloError(err, 'STORE') || isSportelloError(err, 'QUARANTINE_NOT_HELD') || isSportelloError(err, 'MAILBOX_LEASE_LOST')) throw err;
    // Anything else (a template that cannot render, a bug) would fail the same way forever and
    // block the mailbox behind this one mail: set it aside instead, with the reason.
    return quarantineRaw(deps, position, raw, { messageId: key, code: 'COMMIT_FAILED', reason: `could not record the mail: ${describeError(err)}` }, deps.clock.now(), log, release);
  }
  log.info(
    {
      uid: position.uid,
      msgId: mail.messageId,
      caseId: result.caseId,
      outcome: result.outcome,
      stage: outcome.decidedBy,
      replies: result.queued,
      ...(imported ? { imported: imported.receivedAt.toISOString() } : {}),
      ...(release ? { releasedFrom: release.quarantineId, by: release.actor } : {}),
      ...(outcome.plan.action === 'quarantine' || outcome.plan.action === 'ignore' ? { reason: outcome.plan.reason } : {}),
      ...(outcome.annotations.autoGenerated ? { autoGenerated: outcome.annotations.autoGenerated } : {}),
    },
    describeOutcome(result),
  );
  return result;
}

async function quarantineRaw(
  deps: IngestDeps,
  position: MailboxPosition,
  raw: Buffer | null,
  entry: { readonly messageId: string | null; readonly code: string; readonly reason: string },
  now: Date,
  log: Logger,
  release?: ReleaseMark,
): Promise<CommitResult> {
  const q = { ...entry, stage: entry.code === 'COMMIT_FAILED' ? 'commit' : 'parse' };
  await deps.store.transaction(async (tx) => {
    if (release) {
      // Failed again: the held row takes the new reason; the raw bytes are already there.
      await assertHeld(tx, release);
      await tx.requarantine(release.quarantineId, q, release.actor, now);
      return;
    }
    await tx.quarantine({ position, ...q, raw }, now);
    await tx.markPosition(position, null, 'quarantined', null, now);
  });
  log.warn({ uid: position.uid, code: q.code, reason: q.reason, ...(release ? { quarantine: release.quarantineId } : {}) }, release ? 'released mail quarantined again' : 'mail quarantined');
  return { outcome: 'quarantined', caseId: null, queued: 0 };
}

function describeOutcome(r: CommitResult): string {
  switch (r.outcome) {
    case 'created':
      return `opened ${r.caseId}`;
    case 'appended':
      return `added to ${r.caseId}`;
    case 'duplicate':
      return 'already recorded, skipped';
    case 'quarantined':
      return 'set aside in quarantine';
  }
}
