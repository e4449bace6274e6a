// Recognises our own mail coming back: From one of our desk addresses (plus-tags ignored), our
// X-Sportello-Loop header with this instance's name, or one of our own Message-IDs re-sent.
// Trusts only headers we stamp ourselves; it never decides what to do, it annotates (RT's CheckForLoops).

import type { Stage } from '../types.js';
import { continueWith } from '../types.js';
import { caseIdFromOwnMessageId } from '../../mail/message-id.js';
import { baseAddress } from '../../mail/address.js';
import { LOOP_HEADER } from '../../mail/loop-header.js';

export { baseAddress };

export const loopCheck: Stage = {
  name: 'loop-check',
  run(mail, _ann, ctx) {
    const from = mail.from ? baseAddress(mail.from.address) : null;
    if (from && ctx.ownAddresses.includes(from)) return continueWith({ ownMail: `sent from our own address ${from}` });
    const loop = mail.headers[LOOP_HEADER.toLowerCase()] ?? [];
    if (loop.some((v) => v.trim().toLowerCase() === ctx.instance.toLowerCase())) {
      return continueWith({ ownMail: `carries our ${LOOP_HEADER}: ${ctx.instance} header` });
    }
    if (mail.messageId && caseIdFromOwnMessageId(mail.messageId, ctx.ownDomains)) {
      return continueWith({ ownMail: `has one of our own Message-IDs (${mail.messageId})` });
    }
    return continueWith();
  },
};
