// Decides from the store's rows whether a mail was already taken: the same mailbox position, the same
// Message-ID from the same sender (recorded, held in quarantine, or deleted by retention) — or the same
// Message-ID from another sender, which is never a duplicate to drop silently (freescout#5591).
// Pure: words the reason for the plan; the store only reports what it holds.

import type { Facts } from '../../domain/facts.js';
import { baseAddress } from '../../mail/address.js';

export type KnownMail = { readonly duplicate: string } | { readonly reusedMessageId: string };

/** `sender`: the base address of the mail's From, or null. Null when the mail is new to this desk. */
export function knownMail(facts: Facts, sender: string | null): KnownMail | null {
  const key = facts.messageKey;
  const processed = facts.processedPosition;
  if (processed) {
    const { folder, uidValidity, uid } = processed.position;
    return { duplicate: `mailbox position ${folder}/${uidValidity}/${uid} already processed (${processed.outcome})` };
  }
  const known = facts.knownMessage;
  if (known) {
    if (known.from && sender && baseAddress(known.from) !== baseAddress(sender)) {
      return { reusedMessageId: `Message-ID ${key} was already used by a mail from ${known.from}` };
    }
    return { duplicate: `Message-ID ${key} already recorded${known.caseId ? ` in ${known.caseId}` : ''}` };
  }
  if (facts.quarantinedId !== null) return { duplicate: `Message-ID ${key} already quarantined (#${facts.quarantinedId})` };
  if (facts.purgedByRetention) return { duplicate: `Message-ID ${key} belonged to a case deleted by retention` };
  return null;
}
