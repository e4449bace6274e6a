// The variables each kind of template receives: the one list that rendering (only these are passed to
// a template) and `templates check` (a template may use only these) both read, so a typo such as
// {{ case.dueTxt }} is refused at load instead of rendering empty. Must change with the code that fills them.

/** A variable's known members, or true for a value whose insides are not checked (text, number, list). */
export type VarShape = { readonly [key: string]: VarShape | true };

const desk = { id: true, name: true, address: true } as const;
const person = { name: true, address: true } as const;
/** composeMessage adds these to every case-related message's `case`. */
const messageCase = { id: true, subject: true, status: true, assignee: true } as const;
/** The update before a promise is missed: the requester's mail and the agents' note get the same. */
const promiseNotice = {
  subject: true,
  case: { id: true, subject: true, category: true, priority: true, requesterName: true, requesterAddress: true },
  due: { before: true, after: true, later: true },
  share: true,
  requester: person,
  desk,
} as const;

const autoReply = {
  subject: true,
  language: true,
  case: { id: true, subject: true, category: true, priority: true, dueAt: true, dueText: true, slaDueText: true, firstResponseText: true },
  // Set when the date comes from the desk's history (src/shell/compose.ts promiseVars); null otherwise.
  promise: { source: true, comparable: true, percent: true, later: true },
  schedule: { open: true, opensText: true, onCall: { address: true, phone: true } },
  articles: true,
  requester: person,
  desk,
} as const;

const notification = {
  subject: true,
  language: true,
  kind: true,
  headline: true,
  case: { ...messageCase, category: true, priority: true, priorityText: true },
  requester: person,
  author: person,
  routing: { category: true, why: true },
  dueText: true,
  text: true,
  desk,
  help: true,
  commands: true,
  noteAddress: true,
} as const;

export const TEMPLATE_VARIABLES = {
  // src/shell/compose.ts composeReply; also every template a rule names with `template:`.
  'auto-reply': autoReply,
  // src/pipeline/incident-plan.ts incidentKnownVars: the auto-reply of a mail about a known outage.
  'incident-known': { ...autoReply, incident: { id: true, subject: true, startedText: true, reporters: true, dueText: true } },
  // src/pipeline/incident-plan.ts: the one agent notification when an incident opens.
  'incident-notification': { ...notification, startedText: true, members: true },
  // src/agents/notification.ts buildAgentNotification (new case, follow-up, note, assignment).
  'agent-notification': notification,
  // src/agents/agent-replies.ts
  'agent-confirmation': { subject: true, language: true, case: messageCase, agent: person, desk, applied: true, relayTo: true },
  'agent-command-error': { subject: true, language: true, case: messageCase, agent: person, desk, errors: true, help: true },
  'agent-not-trusted': { subject: true, language: true, case: messageCase, agent: person, desk, reason: true },
  relay: { subject: true, language: true, case: messageCase, requester: person, agent: person, desk, text: true },
  // src/agents/rating-mail.ts
  'rating-request': { subject: true, language: true, case: messageCase, requester: person, desk, ratings: true },
  'rating-thanks': { subject: true, language: true, case: messageCase, requester: person, desk, score: true, comment: true },
  // src/shell/update-case.ts
  'due-update': {
    subject: true,
    case: { id: true, subject: true, category: true, priority: true },
    due: { before: true, after: true, later: true },
    requester: person,
    desk,
  },
  // src/sla/escalation.ts escalationVars, plus the desk (src/shell/escalate.ts)
  escalation: {
    subject: true,
    case: { id: true, subject: true, desk: true, category: true, priority: true, requesterName: true, requesterAddress: true },
    threshold: { name: true, percent: true, breached: true },
    sla: { target: true, waited: true, used: true, dueText: true, overdue: true },
    desk,
  },
  // src/forecast/notice-vars.ts promiseUpdateVars (src/shell/promise-watch.ts): before a promise is missed.
  'promise-update': promiseNotice,
  'promise-alert': promiseNotice,
  // src/forecast/notice-vars.ts digestVars: once a day to the escalation address.
  'forecast-digest': { subject: true, desk, percent: true, count: true, rows: true },
  // src/housekeeping/uncertain-notice.ts noticeVars (the daily notice about replies parked as uncertain)
  'uncertain-notice': { subject: true, desk, count: true, rows: true, listCommand: true },
} as const satisfies Record<string, VarShape>;

export type TemplateName = keyof typeof TEMPLATE_VARIABLES;

/** The variables of a template by name; any other name is a rule's `template:`, rendered as an auto-reply. */
export function templateVariables(name: string): VarShape {
  return Object.hasOwn(TEMPLATE_VARIABLES, name) ? TEMPLATE_VARIABLES[name as TemplateName] : TEMPLATE_VARIABLES['auto-reply'];
}

/** Only the declared top-level variables: a template never sees what `templates check` would refuse. */
export function declaredVars(name: string, vars: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const shape = templateVariables(name);
  return Object.fromEntries(Object.entries(vars).filter(([key]) => Object.hasOwn(shape, key)));
}

/**
 * Checks one variable path a template uses ("case", "dueTxt") against the shape: null when known,
 * else the path that is unknown and the known names at that level (for a did-you-mean).
 */
export function unknownVariable(shape: VarShape, path: readonly string[]): { readonly path: string; readonly known: readonly string[] } | null {
  let level: VarShape | true = shape;
  for (const [i, key] of path.entries()) {
    if (level === true) return null;
    if (!Object.hasOwn(level, key)) return { path: path.slice(0, i + 1).join('.'), known: Object.keys(level) };
    level = level[key]!;
  }
  return null;
}
