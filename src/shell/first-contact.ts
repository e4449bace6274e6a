// Where a desk starts reading a folder: on first contact (no checkpoint) per `startFrom` — `now` starts at
// the folder's current end without fetching anything, `all` and a date take the backlog — and, after a
// UIDVALIDITY change, a rescan that keeps the first start and what it skipped. Trusts INTERNALDATE only.

import type { CaseStore, Clock, FolderStart, MailboxSession } from '../ports.js';
import type { DeskConfig } from '../config/schema.js';
import type { Logger } from '../log.js';
import { parseStartFrom, type StartFrom } from '../config/start-from.js';
import { importedMail } from '../pipeline/imported.js';

export type FolderPlan = FolderStart & { readonly lastUid: number };

/** Whole seconds: INTERNALDATE has no fractions, so mail arriving in the same second as the start counts as live. */
function floorToSecond(d: Date): Date {
  return new Date(Math.floor(d.getTime() / 1000) * 1000);
}

/** The checkpoint and backlog bounds for a folder met for the first time, with `highestUid` its current end. */
export function planFirstContact(startFrom: StartFrom, now: Date, uidValidity: number, highestUid: number): FolderPlan {
  const firstStart = floorToSecond(now).toISOString();
  switch (startFrom.kind) {
    case 'now':
      return { uidValidity, lastUid: highestUid, backlogUid: highestUid, firstStart, takeFrom: firstStart };
    case 'all':
      return { uidValidity, lastUid: 0, backlogUid: highestUid, firstStart, takeFrom: null };
    case 'date':
      return { uidValidity, lastUid: 0, backlogUid: highestUid, firstStart, takeFrom: startFrom.at.toISOString() };
  }
}

/**
 * A rescan after a UIDVALIDITY change is not a first contact: every UID is read again (Message-IDs
 * keep it free of duplicates), but the original first start and take-from still decide what is
 * imported and what stays untouched. A folder first read by an older version gets its first start now.
 */
export function planRescan(known: FolderStart | null, startFrom: StartFrom, now: Date, uidValidity: number, highestUid: number): FolderPlan {
  const fresh = planFirstContact(startFrom, now, uidValidity, highestUid);
  return known?.firstStart
    ? { ...fresh, lastUid: 0, firstStart: known.firstStart, takeFrom: known.takeFrom }
    : { ...fresh, lastUid: 0 };
}

export interface OpenedFolder {
  readonly lastUid: number;
  readonly start: FolderStart | null;
}

/** Reads the folder's checkpoint, or records where to start when there is none (or UIDVALIDITY changed). */
export async function openFolder(
  deps: { readonly store: CaseStore; readonly clock: Clock; readonly timezone?: string },
  desk: DeskConfig,
  session: MailboxSession,
  log: Logger,
): Promise<OpenedFolder> {
  const folder = desk.imap.folder;
  const cp = await deps.store.checkpoint(desk.id, folder);
  const known = await deps.store.folderStart(desk.id, folder);
  if (cp && cp.uidValidity === session.uidValidity) return { lastUid: cp.lastUid, start: known };

  const now = deps.clock.now();
  const startFrom = parseStartFrom(desk.startFrom, deps.timezone ?? 'UTC');
  const highest = await session.highestUid();
  const plan = cp
    ? planRescan(known, startFrom, now, session.uidValidity, highest)
    : planFirstContact(startFrom, now, session.uidValidity, highest);
  await deps.store.startFolder(desk.id, folder, plan, now);
  if (cp) {
    log.warn({ old: cp.uidValidity, new: session.uidValidity, takeFrom: plan.takeFrom }, 'UIDVALIDITY changed: rescanning the folder; Message-IDs keep it free of duplicates');
  } else {
    log.info(
      { startFrom: desk.startFrom, highestUid: highest, checkpoint: plan.lastUid, takeFrom: plan.takeFrom, firstStart: plan.firstStart },
      startFrom.kind === 'now' ? 'first contact: starting at the end of the folder, older mail left untouched' : 'first contact: taking the backlog, older mail is imported without replies',
    );
  }
  return { lastUid: plan.lastUid, start: plan };
}

/** What a pass would do with a folder now, without changing anything (`sportello once --dry-run`). */
export interface FolderSurvey {
  readonly desk: string;
  readonly folder: string;
  /** No checkpoint yet: the next start is the first contact (or a rescan after a UIDVALIDITY change). */
  readonly firstContact: boolean;
  readonly rescan: boolean;
  readonly startFrom: string;
  /** Mail the survey looked at: the whole folder on first contact, else the mail above the checkpoint. */
  readonly examined: number;
  /** Would become cases (or follow-ups) without any mail sent: received before the first start. */
  readonly imported: number;
  /** Would be processed as live mail, with the usual replies. */
  readonly live: number;
  /** Left untouched: before the start point or before startFrom; never recorded, never flagged. */
  readonly untouched: number;
}

export async function surveyFolder(
  deps: { readonly store: CaseStore | null; readonly clock: Clock; readonly timezone?: string },
  desk: DeskConfig,
  session: MailboxSession,
): Promise<FolderSurvey> {
  const folder = desk.imap.folder;
  const cp = deps.store ? await deps.store.checkpoint(desk.id, folder) : null;
  const known = deps.store ? await deps.store.folderStart(desk.id, folder) : null;
  const fresh = !cp || cp.uidValidity !== session.uidValidity;
  let plan: { lastUid: number; start: FolderStart | null };
  if (!fresh) plan = { lastUid: cp.lastUid, start: known };
  else {
    const startFrom = parseStartFrom(desk.startFrom, deps.timezone ?? 'UTC');
    const now = deps.clock.now();
    const highest = await session.highestUid();
    const p = cp ? planRescan(known, startFrom, now, session.uidValidity, highest) : planFirstContact(startFrom, now, session.uidValidity, highest);
    plan = { lastUid: p.lastUid, start: p };
  }
  const uids = await session.listNewUids(fresh ? 0 : plan.lastUid, Number.MAX_SAFE_INTEGER);
  const received = await session.receivedDates(uids);
  const counts = { imported: 0, live: 0, untouched: 0 };
  const takeFrom = plan.start?.takeFrom ? new Date(plan.start.takeFrom).getTime() : null;
  for (const uid of uids) {
    const at = received.get(uid) ?? null;
    const inBacklog = plan.start !== null && uid <= plan.start.backlogUid;
    if (uid <= plan.lastUid || (inBacklog && takeFrom !== null && (!at || at.getTime() < takeFrom))) counts.untouched++;
    else if (importedMail(at, plan.start?.firstStart)) counts.imported++;
    else counts.live++;
  }
  return { desk: desk.id, folder, firstContact: !cp, rescan: fresh && cp !== null, startFrom: desk.startFrom, examined: uids.length, ...counts };
}
