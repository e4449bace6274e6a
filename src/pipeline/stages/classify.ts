// Routes a mail that opens a new case: category, priority, language and rule actions, via the desk's
// rules and text classifier (injected as ctx.route). Follow-ups keep their case's routing, and our own
// mail is never classified. A rule's quarantine action stops the pipeline here.

import type { Stage } from '../types.js';
import { continueWith } from '../types.js';

export const classify: Stage = {
  name: 'classify',
  run(mail, ann, ctx) {
    if (ann.match || ann.ownMail) return continueWith();
    const routing = ctx.route(mail);
    if (routing.quarantine !== null) {
      return { stop: { action: 'quarantine', reason: routing.quarantine, code: 'RULE_QUARANTINE', stage: 'classify' } };
    }
    return continueWith({ routing });
  },
};
