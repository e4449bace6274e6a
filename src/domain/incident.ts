// What incident grouping sees of an existing case, as plain records: its kind (a case, or an incident
// standing for one outage many people reported), its membership and its first text. Stores fill these in;
// src/incidents decides what they mean. Imports only src/domain.

import type { CaseRecord, CaseStatus } from './case.js';
import type { Language } from './routing.js';

export type CaseKind = 'case' | 'incident';

/** What grouping needs to know of an existing case (the store's data; never a decision). */
export interface GroupCandidate {
  readonly id: string;
  readonly kind: CaseKind;
  readonly status: CaseStatus;
  readonly category: string | null;
  readonly requester: string;
  readonly createdAt: string;
  /** The incident this case is a member of, or null. */
  readonly incident: string | null;
  readonly language: Language | null;
  /** Subject and first text of the case. */
  readonly text: string;
}

/** A live case as the incident stage sees it: what grouping compares, and what a join or a new incident tells the requester. */
export interface LiveCase extends GroupCandidate {
  readonly subject: string;
  readonly dueAt: string | null;
  readonly firstResponseDueAt: string | null;
}

/** A live case as the incident commands and the fan-out see it: the whole case, to answer its requester. */
export interface IncidentCandidate extends GroupCandidate {
  readonly record: CaseRecord;
  readonly lastRequesterMessageId: string | null;
}
