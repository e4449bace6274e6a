// For a new case: when it is due under its SLA policy (business time, holidays, time zone of the
// desk's calendar), whether the desk is open now, and which self-service articles fit the mail.
// Decides nothing about sending; the reply policy and the templates use what it annotates.

import type { Stage } from '../types.js';
import { continueWith } from '../types.js';

export const schedule: Stage = {
  name: 'schedule',
  run(mail, ann, ctx) {
    if (!ann.routing || ann.match || ann.ownMail) return continueWith();
    return continueWith({ sla: ctx.sla(ann.routing, ctx.now), articles: ctx.articles(mail, ann.routing) });
  },
};
