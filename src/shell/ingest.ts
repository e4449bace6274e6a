// Drains one desk mailbox: resumes from the stored UIDVALIDITY/UID checkpoint (or starts per startFrom on
// first contact), and per batch of new UIDs fetches, parses, commits every mail's plan in one transaction
// (each in its own savepoint), and only then flags the batch on the server; the next batch is read while one
// commits. Unparseable mail is quarantined and the run goes on; a store failure stops the pass with nothing
// of the batch committed or flagged.

import type { AttachmentFile, InboundMail } from '../domain/mail.js';
import type { MailboxPosition } from '../domain/plan.js';
import type { Clock, CaseStore, FetchedMessage, MailboxSession, StoreTx } from '../ports.js';
import type { DeskRuntime } from './desk-runtime.js';
import type { Logger } from '../log.js';
import type { PipelineStep } from '../pipeline/types.js';
import { runPipeline } from '../pipeline/run.js';
import { SportelloError, describeError, isSportelloError } from '../errors.js';
import { assertHeld, commitPlanIn, messageKey, type CommitResult, type ReleaseMark } from './commit-plan.js';
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
  /** Told after each batch is committed (its replies are queued), so sending can start while the next is taken. */
  readonly committed?: () => void;
}

export async function ingestMailbox(deps: IngestDeps, desk: DeskRuntime, session: MailboxSession, { shouldStop = () => false, committed = () => undefined }: PassOptions = {}): Promise<PassResult> {
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

  /** A batch fetched and parsed, not yet committed (read ahead while the batch before it commits). */
  const prepare = async (uids: readonly number[]) => {
    const fetched = await session.fetch(uids, deps.maxMessageBytes);
    const got = new Set(fetched.map((f) => f.uid));
    for (const uid of uids) if (!got.has(uid)) log.warn({ uid }, 'message vanished before it could be fetched (expunged by someone else)');
    const parsed = await Promise.all(fetched.map((f) => (f.source ? parseRaw(deps, f.source) : null)));
    return { fetched, parsed };
  };

  /**
   * One batch: fetched in few commands, parsed, committed in ONE transaction (each mail in its own
   * savepoint), then flagged in one command. False when the daemon is stopping (the rest waits).
   */
  const takeBatch = async (uids: readonly number[], ready?: ReturnType<typeof prepare>): Promise<boolean> => {
    if (!uids.length) return true;
    if (shouldStop()) return false;
    const { fetched, parsed } = await (ready ?? prepare(uids));
    let stopped = false;
    const done = await deps.store.transaction(async (tx) => {
      const out: { uid: number; taken: Taken }[] = [];
      for (const [i, f] of fetched.entries()) {
        if (shouldStop()) {
          stopped = true;
          break;
        }
        const position: MailboxPosition = { desk: desk.config.id, folder, uidValidity: session.uidValidity, uid: f.uid };
        out.push({ uid: f.uid, taken: await takeFetchedIn(tx, deps, desk, { position, fetched: f, parsed: parsed[i] ?? null, firstStart, log }) });
      }
      return out;
    });
    // Committed: now counted, logged and flagged (never before: a crash here leaves mail the reconcile flags).
    if (done.some(({ taken }) => taken.result.queued > 0)) committed();
    for (const { taken } of done) {
      counts.seen++;
      const r = taken.result;
      counts[r.outcome === 'duplicate' ? 'duplicates' : r.outcome]++;
      if (taken.imported) counts.imported++;
      taken.report();
    }
    if (done.length) {
      try {
        await session.markProcessed(done.map((d) => d.uid));
      } catch (err) {
        // The commits and the checkpoint stand; missing flags are mended by the reconcile of the next session.
        log.warn({ uids: done.map((d) => d.uid), err: describeError(err) }, 'could not flag the processed mail on the server');
      }
    }
    lastUid = stopped ? Math.max(lastUid, done.at(-1)?.uid ?? lastUid) : Math.max(lastUid, ...uids);
    return !stopped;
  };

  // The backlog found at first contact, under a startFrom date (or after a rescan): only mail the server
  // received since then is taken; the rest is passed over, neither recorded nor flagged.
  const start = opened.start;
  if (start?.takeFrom && lastUid < start.backlogUid) {
    const takeFrom = new Date(start.takeFrom);
    for (;;) {
      const uids = await session.listUidsSince(lastUid, start.backlogUid, takeFrom, deps.fetchBatch);
      const received = await session.receivedDates(uids);
      const taken = uids.filter((uid) => (received.get(uid)?.getTime() ?? -Infinity) >= takeFrom.getTime());
      if (!(await takeBatch(taken))) return result();
      if (uids.length) lastUid = Math.max(lastUid, ...uids);
      if (uids.length < deps.fetchBatch) break;
    }
    await deps.store.skipTo(desk.config.id, folder, session.uidValidity, start.backlogUid, deps.clock.now());
    lastUid = Math.max(lastUid, start.backlogUid);
  }

  // While a batch commits, the next one is listed, fetched and parsed (IMAP and the parse workers work
  // beside the store). Nothing of it is recorded or flagged before its own commit; a stop discards it.
  // A read-ahead that fails is reported when its turn comes (takeBatch awaits it), not as an unhandled
  // rejection while the batch before it commits or the next UIDs are listed.
  const readAhead = (batch: readonly number[]) => {
    if (!batch.length) return null;
    const p = prepare(batch);
    p.catch(() => undefined);
    return p;
  };
  let uids = await session.listNewUids(lastUid, deps.fetchBatch);
  let ready = readAhead(uids);
  for (;;) {
    if (!ready) return result();
    const nextUids = uids.length < deps.fetchBatch ? [] : await session.listNewUids(Math.max(...uids), deps.fetchBatch);
    const nextReady = readAhead(nextUids);
    if (!(await takeBatch(uids, ready))) return result();
    [uids, ready] = [nextUids, nextReady];
  }
}

/** A parsed mail, or why it could not be parsed. */
type Parsed = { readonly mail: InboundMail } | { readonly error: unknown };

async function parseRaw(deps: IngestDeps, raw: Buffer): Promise<Parsed> {
  try {
    return { mail: await deps.parse(raw, deps.maxMessageBytes) };
  } catch (error) {
    return { error };
  }
}

/** What one mail became inside the batch's transaction; `report` logs it once the transaction committed. */
interface Taken {
  readonly result: CommitResult;
  readonly imported: boolean;
  readonly report: () => void;
}

async function takeFetchedIn(
  tx: StoreTx,
  deps: IngestDeps,
  desk: DeskRuntime,
  { position, fetched, parsed, firstStart, log }: { readonly position: MailboxPosition; readonly fetched: FetchedMessage; readonly parsed: Parsed | null; readonly firstStart: string | null; readonly log: Logger },
): Promise<Taken> {
  // Imported mail is handled as of its arrival: the case keeps the original dates, and nothing is mailed.
  const imported = importedMail(fetched.receivedAt, firstStart);
  const now = imported ? imported.receivedAt : deps.clock.now();
  if (!fetched.source || !parsed) {
    const reason = `message of ${fetched.size} bytes exceeds limits.maxMessageBytes (${deps.maxMessageBytes}); it stays on the server`;
    return { ...(await quarantineIn(tx, position, null, { messageId: null, code: 'MAIL_TOO_LARGE', reason }, deps.clock.now(), log)), imported: false };
  }
  const taken = await ingestParsedIn(tx, deps, desk, { position, raw: fetched.source, now, log, imported }, parsed);
  return { ...taken, imported: imported !== null && (taken.result.outcome === 'created' || taken.result.outcome === 'appended') };
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
  const parsed = await parseRaw(deps, input.raw);
  const taken = await deps.store.transaction((tx) => ingestParsedIn(tx, deps, desk, input, parsed));
  taken.report();
  return taken.result;
}

/** Inside the caller's transaction: the pipeline reads through it, the plan commits in the mail's own savepoint. */
async function ingestParsedIn(tx: StoreTx, deps: IngestDeps, desk: DeskRuntime, input: RawInput, parsed: Parsed): Promise<Omit<Taken, 'imported'>> {
  const { position, raw, now, log, release, imported = null } = input;
  if ('error' in parsed) {
    const err = parsed.error;
    const code = err instanceof SportelloError ? String(err.code) : 'MAIL_PARSE';
    return quarantineIn(tx, position, raw, { messageId: null, code, reason: describeError(err) }, deps.clock.now(), log, release);
  }
  const mail = parsed.mail;
  const key = messageKey(mail, raw);
  const sender = mail.from ? baseAddress(mail.from.address) : null;
  // A released mail's position is recorded already (as quarantined) and its own row must not make it a duplicate.
  const outcome = await runPipeline(
    deps.steps, mail, { ...desk.context, now, imported },
    (keys) => tx.lookupFacts(desk.config.id, release ? null : position, key, sender, keys, new Date(now.getTime() - HOUR_MS), release?.quarantineId),
    // Only when the pipeline asks (a report that could group, an agent on an incident): most mails never read them.
    async (wanted) => {
      const since = new Date(now.getTime() - incidentWindowMs(desk.context));
      return wanted === 'grouping' ? { groupCandidates: await tx.groupCandidates(desk.config.id, since) } : { incidentCandidates: await tx.incidentCandidates(desk.config.id, since) };
    },
  );
  let result: CommitResult;
  try {
    const plan = outcome.plan;
    const relaysFiles = plan.action === 'append' && mail.attachments.length > 0 && plan.replies.some((r) => r.kind === 'relay');
    const files = relaysFiles && deps.attachments ? await deps.attachments(raw) : [];
    result = await tx.savepoint((sp) => commitPlanIn(sp, deps.compose, desk, { position, mail, raw, plan, now, files, ...(release ? { release } : {}) }));
  } catch (err) {
    // A database failure is transient: stop the pass, the mail stays unprocessed and is retried.
    // A lost mailbox lease too: the new owner takes the mail, nothing may be recorded here.
    if (isSportelloError(err, 'STORE') || isSportelloError(err, 'QUARANTINE_NOT_HELD') || isSportelloError(err, 'MAILBOX_LEASE_LOST')) throw err;
    // Anything else (a template that cannot render, a bug) would fail the same way forever and
    // block the mailbox behind this one mail: set it aside instead, with the reason.
    return quarantineIn(tx, position, raw, { messageId: key, code: 'COMMIT_FAILED', reason: `could not record the mail: ${describeError(err)}` }, deps.clock.now(), log, release);
  }
  // The log line's fields are taken now: a closure over `outcome` would keep the mail's facts (every
  // incident candidate it was compared with) alive until the whole batch has committed.
  const fields = {
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
  };
  return { result, report: () => log.info(fields, describeOutcome(result)) };
}

async function quarantineIn(
  tx: StoreTx,
  position: MailboxPosition,
  raw: Buffer | null,
  entry: { readonly messageId: string | null; readonly code: string; readonly reason: string },
  now: Date,
  log: Logger,
  release?: ReleaseMark,
): Promise<Omit<Taken, 'imported'>> {
  const q = { ...entry, stage: entry.code === 'COMMIT_FAILED' ? 'commit' : 'parse' };
  await tx.savepoint(async (sp) => {
    if (release) {
      // Failed again: the held row takes the new reason; the raw bytes are already there.
      await assertHeld(sp, release);
      await sp.requarantine(release.quarantineId, q, release.actor, now);
      return;
    }
    await sp.quarantine({ position, ...q, raw }, now);
    await sp.markPosition(position, null, 'quarantined', null, now);
  });
  const report = () => log.warn({ uid: position.uid, code: q.code, reason: q.reason, ...(release ? { quarantine: release.quarantineId } : {}) }, release ? 'released mail quarantined again' : 'mail quarantined');
  return { result: { outcome: 'quarantined', caseId: null, queued: 0 }, report };
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
