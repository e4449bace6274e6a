// One error type for everything Sportello reports: a stable code, a cause, the context it
// happened in (file:line for rules, desk/mailbox/UID for mail) and a hint naming the fix.
// Callers branch on `code`, never on message text.

export const ERROR_CODES = {
  CONFIG_NOT_FOUND: 'the configuration file does not exist or cannot be read',
  CONFIG_INVALID: 'the configuration file is not valid YAML or does not match the schema',
  RULES_INVALID: 'one or more rules files are invalid',
  CLASSIFIER_NO_DATA: 'a desk has no example phrases or keywords to train its text classifier',
  CLASSIFIER_MODEL_INVALID: 'a cached classifier model is unusable; it is retrained',
  TEMPLATE_INVALID: 'a reply template cannot be parsed or rendered',
  MAIL_PARSE: 'a message cannot be parsed as MIME',
  MAIL_TOO_LARGE: 'a message exceeds the configured size limit',
  MAIL_PARSE_TIMEOUT: 'parsing a message took longer than its time budget',
  IMAP_AUTH: 'the IMAP server rejected the credentials',
  IMAP_CONNECT: 'the IMAP server cannot be reached',
  IMAP_MAILBOX: 'the configured IMAP folder cannot be opened',
  SMTP_TRANSIENT: 'the SMTP server refused a message for now (4xx or network); it will be retried',
  SMTP_PERMANENT: 'the SMTP server rejected a message for good (5xx)',
  SMTP_UNCERTAIN: 'a message was handed over but no answer came (the sender stopped): it may have gone out, so it is never resent by itself',
  STORE: 'the database failed',
  STORE_LOCKED: 'another sportello run/once holds the writer lease of this database',
  MAILBOX_LEASE_LOST: 'this instance no longer holds the lease of a mailbox (another daemon took it over); the commit was rolled back',
  STORE_NOT_FOUND: 'a read command was pointed at a database file that does not exist',
  CASE_NOT_FOUND: 'no case has that id',
  COMMIT_FAILED: 'a message could not be recorded for a reason other than the database; it was quarantined',
  PIPELINE_STAGE: 'a pipeline stage failed on a message (a bug); the message was quarantined',
  QUARANTINE_NOT_FOUND: 'no quarantine row has that number',
  QUARANTINE_NOT_HELD: 'the quarantined mail was already released or dropped',
  QUARANTINE_NOT_RELEASABLE: 'a quarantined mail cannot be released as things stand (no stored copy, unknown desk)',
  BACKUP_FAILED: 'a database backup could not be written or did not pass its integrity check',
  SLA_CALENDAR_INVALID: 'a business calendar in the rules is not valid',
  SLA_INVALID_ARGUMENT: 'a business-time computation got an impossible argument (a bug)',
  SLA_CALENDAR_NEVER_OPEN: 'a business calendar has no working time for more than 400 days',
  USAGE: 'the command line is not valid',
  SMTP_AUTH: 'the SMTP server rejected our login (535); sending is paused until it accepts it',
  HTTP_LISTEN: 'the health/metrics HTTP listener cannot listen on the configured address',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES | (string & {});

export interface ErrorOptions {
  cause?: unknown;
  context?: Record<string, unknown>;
  /** What the user should do about it, in one sentence. */
  hint?: string;
}

export class SportelloError extends Error {
  readonly code: ErrorCode;
  readonly context: Readonly<Record<string, unknown>>;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, opts: ErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'SportelloError';
    this.code = code;
    this.context = Object.freeze({ ...(opts.context ?? {}) });
    this.hint = opts.hint;
  }
}

export function isSportelloError(err: unknown, code?: ErrorCode): err is SportelloError {
  return err instanceof SportelloError && (code === undefined || err.code === code);
}

/** One-line, user-facing rendering: "CODE: message (key=value …) — hint". */
export function describeError(err: unknown): string {
  if (err instanceof SportelloError) {
    const ctx = Object.entries(err.context)
      .filter(([, v]) => v === null || typeof v !== 'object')
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    // A multi-line message (a list of problems) would bury a trailing context and hint: the context goes
    // on its first line, the hint on a line of its own after the list.
    const [first = '', ...rest] = err.message.split('\n');
    const head = `${err.code}: ${first}${ctx ? ` (${ctx})` : ''}`;
    if (rest.length === 0) return `${head}${err.hint ? ` — ${err.hint}` : ''}`;
    return [head, ...rest, ...(err.hint ? [`hint: ${err.hint}`] : [])].join('\n');
  }
  if (err instanceof Error) return err.message;
  return String(err);
}
