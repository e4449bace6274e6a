// Decides what releasing a quarantined mail means: its stored raw bytes (or, for mail that was too
// large to download, the same UID fetched again from the desk mailbox if UIDVALIDITY still matches) go
// through the same parse → pipeline → commit path as a fetched mail, the row marked released in the
// commit's own transaction. Must never turn one row into two cases, nor act on a row that is not held.

import { SportelloError, describeError } from '../errors.js';
import type { MailSource, QuarantineRecord } from '../ports.js';
import type { CommitResult } from './commit-plan.js';
import { ingestRaw, type IngestDeps } from './ingest.js';
import type { DeskConfig } from '../config/schema.js';
import { runtimeOf, type DeskRuntime } from './desk-runtime.js';

export interface ReleaseDeps {
  readonly ingest: IngestDeps;
  readonly desks: readonly DeskRuntime[];
  /** The desk mailbox, to fetch again a mail that was too large to keep in the store. */
  readonly sourceFor: (desk: DeskConfig) => MailSource;
}

export interface ReleaseResult extends CommitResult {
  readonly id: number;
  /** When the mail was quarantined again: the new code and reason now on the row. */
  readonly quarantinedAgain?: { readonly code: string; readonly reason: string };
}

const notReleasable = (row: QuarantineRecord, message: string, hint: string, extra: Record<string, unknown> = {}) =>
  new SportelloError('QUARANTINE_NOT_RELEASABLE', `quarantine #${row.id} ${message}`, { context: { id: row.id, code: row.code, ...extra }, hint });

/** The row when it is held; otherwise an error saying what happened to it and what can still be done. */
export function heldRow(row: QuarantineRecord | null, id: number): QuarantineRecord {
  if (!row) throw new SportelloError('QUARANTINE_NOT_FOUND', `no quarantine row #${id}`, { hint: 'list every row with "sportello quarantine list --all"' });
  if (row.state === 'released') {
    throw new SportelloError('QUARANTINE_NOT_HELD', `quarantine #${id} was already released${row.releasedCaseId ? ` into ${row.releasedCaseId}` : ''} by ${row.releasedBy ?? '?'} at ${row.releasedAt ?? '?'}`, {
      context: { id, state: row.state },
      hint: row.releasedCaseId ? `see "sportello cases show ${row.releasedCaseId}"` : 'the mail had been recorded already; nothing to do',
    });
  }
  if (row.state === 'dropped') {
    throw new SportelloError('QUARANTINE_NOT_HELD', `quarantine #${id} was dropped by ${row.droppedBy ?? '?'} at ${row.droppedAt ?? '?'} (${row.dropReason ?? ''}); its raw mail is gone`, {
      context: { id, state: row.state },
      hint: 'a dropped mail cannot be released; if it is still on the server, move it back into the desk folder as a new mail',
    });
  }
  return row;
}

/** Releases one held row; throws SportelloError with the cause and the fix when it cannot. */
export async function releaseOne(deps: ReleaseDeps, id: number, actor: string): Promise<ReleaseResult> {
  const row = heldRow(await deps.ingest.store.getQuarantine(id), id);
  const position = row.position;
  if (!position) throw notReleasable(row, 'does not know which desk mailbox it came from', `drop it with "sportello quarantine drop ${id} --reason TEXT"`);
  const runtime = runtimeOf(deps.desks, position.desk);
  if (!runtime) {
    throw notReleasable(row, `came from desk ${position.desk}, which is not in the configuration`, `add desk ${position.desk} back to the configuration, or drop the mail with "sportello quarantine drop ${id} --reason TEXT"`, { desk: position.desk });
  }
  const desk = runtime.config;
  const log = deps.ingest.log.child({ desk: desk.id, quarantine: id });
  const mark = { quarantineId: id, actor, code: row.code };

  if (row.raw) {
    const r = await ingestRaw(deps.ingest, runtime, { position, raw: row.raw, now: deps.ingest.clock.now(), log, release: mark });
    return withOutcome(deps, id, r);
  }

  // Too large to keep when it arrived: it stayed on the server at its UID; fetch it again with today's limit.
  const session = await deps.sourceFor(desk).open();
  try {
    const where = `${desk.id}/${position.folder}/${position.uid}`;
    if (position.folder !== desk.imap.folder) {
      throw notReleasable(row, `came from folder ${position.folder}, but desk ${desk.id} now watches ${desk.imap.folder}`, `move the mail into ${desk.imap.folder} by hand, then drop this row`);
    }
    if (session.uidValidity !== position.uidValidity) {
      throw notReleasable(row, `has no stored copy and the mailbox was rebuilt since (UIDVALIDITY ${position.uidValidity} → ${session.uidValidity}), so UID ${position.uid} no longer names it`, 'find the mail in the mailbox by hand and move it back as a new mail, then drop this row');
    }
    const [fetched] = await session.fetch([position.uid], deps.ingest.maxMessageBytes);
    if (!fetched) throw notReleasable(row, `has no stored copy and ${where} is no longer on the server`, `drop it with "sportello quarantine drop ${id} --reason TEXT"`);
    if (!fetched.source) {
      throw notReleasable(row, `is ${fetched.size} bytes, still above limits.maxMessageBytes (${deps.ingest.maxMessageBytes}); the mail is still on the server at ${where}`, `raise limits.maxMessageBytes above ${fetched.size} in the configuration, then release it again`, { size: fetched.size });
    }
    const r = await ingestRaw(deps.ingest, runtime, { position, raw: fetched.source, now: deps.ingest.clock.now(), log, release: mark });
    if (r.outcome !== 'quarantined') {
      await session.markProcessed([position.uid]).catch((err: unknown) => log.warn({ uid: position.uid, err: describeError(err) }, 'could not flag the released mail on the server'));
    }
    return withOutcome(deps, id, r);
  } finally {
    await session.close();
  }
}

async function withOutcome(deps: ReleaseDeps, id: number, r: CommitResult): Promise<ReleaseResult> {
  if (r.outcome !== 'quarantined') return { id, ...r };
  const again = await deps.ingest.store.getQuarantine(id);
  return { id, ...r, quarantinedAgain: { code: again?.code ?? '?', reason: again?.reason ?? '?' } };
}
