// Mail Sportello writes on its own initiative to people of the desk (escalations, due-time updates, the
// daily uncertain-replies notice): RFC 3834 "Auto-Submitted: auto-generated", Exchange's
// X-Auto-Response-Suppress and our loop header, so no auto-responder answers it and we never take it back in.

import type { Address } from '../domain/mail.js';
import type { OutgoingMail, RenderedReply } from '../ports.js';
import type { DeskConfig } from '../config/schema.js';
import { ownMessageId } from '../mail/message-id.js';
import { LOOP_HEADER } from '../pipeline/stages/loop-check.js';
import type { ComposeDeps } from './compose.js';

/** A new conversation (no threading) from the desk address; `caseId` null for desk-level notices. */
export function machineMail(
  compose: Pick<ComposeDeps, 'instance' | 'newId'>,
  desk: Pick<DeskConfig, 'id' | 'address' | 'name'>,
  to: readonly Address[],
  rendered: RenderedReply,
  caseId: string | null,
): OutgoingMail {
  return {
    from: { address: desk.address, name: desk.name ?? '' },
    to,
    subject: rendered.subject,
    // Desk-level notices carry the desk id where a case id would be (still one of our Message-IDs).
    messageId: ownMessageId(caseId ?? desk.id.toUpperCase(), desk.address, compose.newId()),
    inReplyTo: null,
    references: [],
    headers: {
      'Auto-Submitted': 'auto-generated',
      'X-Auto-Response-Suppress': 'All',
      [LOOP_HEADER]: compose.instance,
      ...(caseId ? { 'X-Sportello-Case': caseId } : {}),
    },
    text: rendered.text,
    html: rendered.html,
  };
}
