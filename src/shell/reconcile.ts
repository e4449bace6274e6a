// Mends what a crash between the commit and the server flag left behind: mail the store holds as processed
// (same folder and UIDVALIDITY) that still sits in the folder unflagged, or unmoved with processed.moveTo,
// is flagged and moved now. Bounded to the newest processed positions; never records or answers anything.

import type { CaseStore, MailboxSession } from '../ports.js';
import type { DeskConfig } from '../config/schema.js';
import type { Logger } from '../log.js';
import { describeError } from '../errors.js';

/** How many of the newest processed positions are checked per session: a crash leaves at most a few behind. */
export const RECONCILE_WINDOW = 200;

export async function reconcileProcessed(
  deps: { readonly store: CaseStore; readonly log: Logger },
  desk: DeskConfig,
  session: MailboxSession,
  window = RECONCILE_WINDOW,
): Promise<number> {
  const folder = desk.imap.folder;
  const recorded = await deps.store.recentlyProcessed(desk.id, folder, session.uidValidity, window);
  if (!recorded.length) return 0;
  const left = await session.unprocessed(recorded);
  let mended = 0;
  for (const uid of left) {
    try {
      // One at a time: a UID that cannot be flagged must not keep the others unflagged.
      await session.markProcessed([uid]);
      mended++;
    } catch (err) {
      deps.log.warn({ desk: desk.id, folder, uid, err: describeError(err) }, 'could not flag a mail processed before a crash; tried again next session');
    }
  }
  if (mended) deps.log.warn({ desk: desk.id, folder, uids: left }, 'flagged mail that was processed but left unflagged (interrupted before the flag)');
  return mended;
}
