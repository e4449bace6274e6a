// Joins a mail to its case, in order of trust: a Message-ID we know in In-Reply-To/References, then the
// subject tag — but only when the sender already takes part in that case, so a stranger who copies
// "[HR-3]" into a subject cannot read or write someone else's case (zammad#5064). Duplicates stop here.

import type { Stage } from '../types.js';
import { continueWith } from '../types.js';
import { baseAddress } from '../../mail/address.js';

export const followUpMatch: Stage = {
  name: 'follow-up-match',
  run(mail, ann) {
    const facts = ann.facts;
    if (!facts) return continueWith();
    if (facts.duplicate) return { stop: { action: 'ignore', reason: facts.duplicate } };
    if (facts.referencedCase) {
      return continueWith({ match: { ...facts.referencedCase, via: 'references' } });
    }
    const sender = mail.from ? baseAddress(mail.from.address) : null;
    const tagged = facts.taggedCase;
    if (tagged && sender && tagged.participants.map(baseAddress).includes(sender)) {
      return continueWith({ match: { caseId: tagged.caseId, status: tagged.status, via: 'subject-tag' } });
    }
    return continueWith();
  },
};
