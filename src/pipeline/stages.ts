// THE inbound pipeline, in order. Reviewed like code: moving a line changes behaviour.
// Before the lookup every stage sees only the mail; after it, also the facts the shell found
// for the thread keys (and the live cases, where a candidates point asks for them). Every stage is
// pure; the first one that stops decides the plan.

import type { PipelineStep } from './types.js';
import { loopCheck } from './stages/loop-check.js';
import { autoResponseCheck } from './stages/auto-response-check.js';
import { threadKeys } from './stages/thread-keys.js';
import { senderCheck } from './stages/sender-check.js';
import { followUpMatch } from './stages/follow-up-match.js';
import { agentAction, wantsIncidentMembers } from './stages/agent-action.js';
import { classify } from './stages/classify.js';
import { schedule } from './stages/schedule.js';
import { incidentMatch, wantsGroupCandidates } from './stages/incident-match.js';
import { replyPolicy } from './stages/reply-policy.js';

export const PIPELINE: readonly PipelineStep[] = Object.freeze([
  loopCheck, //           our own mail coming back?
  autoResponseCheck, //   written by a machine (RFC 3834 and friends)?
  senderCheck, //         one of the desk's agents, and verified? which plus-tag?
  threadKeys, //          which Message-IDs and case tags could tie it to a case
  { name: 'lookup', lookup: true }, // the shell fetches facts for those keys
  followUpMatch, //       duplicate? follow-up of which case? a rating? too late to reopen?
  { name: 'incident-members', candidates: 'members', wanted: wantsIncidentMembers }, // an agent on an incident, or #incident: the shell fetches the live incidents and members
  agentAction, //         an agent's reply, note or commands on a case
  classify, //            category, priority, language for a new case
  schedule, //            due times (SLA, business calendar) and self-service articles
  { name: 'live-cases', candidates: 'grouping', wanted: wantsGroupCandidates }, // a new report of a failing shared system: the shell fetches the live cases
  incidentMatch, //       the same problem others reported? join or form an incident
  replyPolicy, //         create / append / set aside, and whether to auto-reply
]);
