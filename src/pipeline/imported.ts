// Decides which mail is imported — received (IMAP INTERNALDATE) before the desk's first start — and
// what that means for its plan: the case and its events are recorded with the original dates, and
// nothing is mailed. Must never let an auto-reply, notification, relay or rating mail out for it.

import type { CaseEvent } from '../domain/case.js';
import type { Plan } from '../domain/plan.js';

export interface ImportedMail {
  /** When the server received the mail (INTERNALDATE). */
  readonly receivedAt: Date;
  /** The desk's first start on the folder. */
  readonly firstStart: Date;
}

/** Imported when the server received it before the first start; unknown dates (or no first start on record) are live mail. */
export function importedMail(receivedAt: Date | null | undefined, firstStart: string | null | undefined): ImportedMail | null {
  if (!receivedAt || !firstStart) return null;
  const start = new Date(firstStart);
  return receivedAt.getTime() < start.getTime() ? { receivedAt, firstStart: start } : null;
}

/** The plan for imported mail: the same records, no outgoing mail, and an `imported` event saying what was withheld. */
export function silenceImported(plan: Plan, imported: ImportedMail): Plan {
  if (plan.action !== 'create' && plan.action !== 'append') return plan;
  const event: CaseEvent = {
    type: 'imported',
    actor: 'sportello',
    data: {
      receivedAt: imported.receivedAt.toISOString(),
      firstStart: imported.firstStart.toISOString(),
      withheld: plan.replies.map((r) => r.kind),
    },
  };
  if (plan.action === 'create') {
    return { ...plan, newCase: { ...plan.newCase, imported: imported.firstStart.toISOString() }, events: [...plan.events, event], replies: [] };
  }
  return { ...plan, events: [...plan.events, event], replies: [], quiet: true };
}
