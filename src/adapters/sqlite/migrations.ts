// The schema, as an ordered list of migrations applied by umzug at open. Append only: a released
// migration is never edited, a change is a new entry. Timestamps are ISO 8601 UTC text; UIDVALIDITY
// and UIDs are 32-bit and stored as INTEGER numbers (sqlite3 stores a BigInt parameter as NULL).

export interface SqlMigration {
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly SqlMigration[] = [
  {
    name: '001-initial',
    sql: `
CREATE TABLE desk_counters (
  desk TEXT PRIMARY KEY,
  last_number INTEGER NOT NULL
);
CREATE TABLE cases (
  id TEXT PRIMARY KEY,
  desk TEXT NOT NULL,
  number INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('new','open','waiting','resolved','closed')),
  category TEXT,
  priority TEXT NOT NULL,
  language TEXT,
  requester_address TEXT NOT NULL,
  requester_name TEXT NOT NULL DEFAULT '',
  subject TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  due_at TEXT,
  routing_json TEXT,
  UNIQUE (desk, number)
);
CREATE INDEX cases_desk_status ON cases (desk, status);
CREATE TABLE messages (
  id INTEGER PRIMARY KEY,
  case_id TEXT REFERENCES cases (id),
  desk TEXT NOT NULL,
  direction TEXT NOT NULL CHECK (direction IN ('in','out')),
  kind TEXT NOT NULL,
  message_id TEXT NOT NULL,
  in_reply_to TEXT,
  references_json TEXT NOT NULL DEFAULT '[]',
  from_address TEXT,
  from_name TEXT,
  to_json TEXT NOT NULL DEFAULT '[]',
  cc_json TEXT NOT NULL DEFAULT '[]',
  subject TEXT NOT NULL DEFAULT '',
  date TEXT,
  text TEXT NOT NULL DEFAULT '',
  raw BLOB,
  created_at TEXT NOT NULL,
  UNIQUE (desk, message_id)
);
CREATE INDEX messages_case ON messages (case_id);
CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  case_id TEXT NOT NULL REFERENCES cases (id),
  at TEXT NOT NULL,
  type TEXT NOT NULL,
  actor TEXT NOT NULL,
  data_json TEXT NOT NULL
);
CREATE INDEX events_case ON events (case_id);
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  case_id TEXT REFERENCES cases (id),
  message_row INTEGER REFERENCES messages (id),
  kind TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending','sending','sent','failed','uncertain')),
  envelope_from TEXT NOT NULL,
  recipient TEXT NOT NULL,
  mail_json TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  last_error TEXT,
  created_at TEXT NOT NULL,
  sent_at TEXT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_recipient ON outbox (recipient, kind, created_at);
CREATE TABLE mailbox_state (
  desk TEXT NOT NULL,
  folder TEXT NOT NULL,
  uid_validity INTEGER NOT NULL,
  last_uid INTEGER NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (desk, folder)
);
CREATE TABLE processed (
  desk TEXT NOT NULL,
  folder TEXT NOT NULL,
  uid_validity INTEGER NOT NULL,
  uid INTEGER NOT NULL,
  message_id TEXT,
  outcome TEXT NOT NULL,
  case_id TEXT,
  at TEXT NOT NULL,
  PRIMARY KEY (desk, folder, uid_validity, uid)
);
CREATE TABLE quarantine (
  id INTEGER PRIMARY KEY,
  desk TEXT,
  folder TEXT,
  uid_validity INTEGER,
  uid INTEGER,
  message_id TEXT,
  code TEXT NOT NULL,
  reason TEXT NOT NULL,
  stage TEXT,
  raw BLOB,
  at TEXT NOT NULL,
  released_at TEXT
);
`,
  },
  {
    name: '002-sla',
    sql: `
ALTER TABLE cases ADD COLUMN sla_policy TEXT;
ALTER TABLE cases ADD COLUMN first_response_due_at TEXT;
-- The SLA clock: {"start": ISO, "firstResponseMinutes": n, "resolutionMinutes": n, "pauses": [{"from": ISO, "to": ISO|null}]}
ALTER TABLE cases ADD COLUMN sla_clock_json TEXT;
CREATE TABLE escalations (
  case_id TEXT NOT NULL REFERENCES cases (id),
  threshold TEXT NOT NULL,
  due_at TEXT NOT NULL,
  sent_at TEXT NOT NULL,
  PRIMARY KEY (case_id, threshold)
);
`,
  },
  {
    name: '003-agents',
    sql: `
ALTER TABLE cases ADD COLUMN assignee TEXT;
ALTER TABLE cases ADD COLUMN first_response_at TEXT;
ALTER TABLE cases ADD COLUMN resolved_at TEXT;
ALTER TABLE cases ADD COLUMN closed_at TEXT;
ALTER TABLE cases ADD COLUMN rating INTEGER;
ALTER TABLE cases ADD COLUMN rating_comment TEXT;
ALTER TABLE cases ADD COLUMN rated_at TEXT;
CREATE TABLE case_links (
  case_id TEXT NOT NULL REFERENCES cases (id),
  linked_id TEXT NOT NULL REFERENCES cases (id),
  reason TEXT NOT NULL,
  at TEXT NOT NULL,
  PRIMARY KEY (case_id, linked_id)
);
CREATE INDEX messages_message_id ON messages (message_id);
`,
  },
  {
    name: '004-wait-until',
    sql: `
-- #wait 2d: when the case goes back to open by itself if the requester has not answered.
ALTER TABLE cases ADD COLUMN wait_until TEXT;
`,
  },  {
    name: '005-first-contact',
    sql: `
-- The desk's first start on the folder: mail the server received before it is imported (recorded,
-- never answered). NULL for folders first read by an older version (nothing is imported there).
ALTER TABLE mailbox_state ADD COLUMN first_start TEXT;
-- startFrom resolved at first contact: backlog mail (UID <= backlog_uid) received before it is skipped.
ALTER TABLE mailbox_state ADD COLUMN take_from TEXT;
ALTER TABLE mailbox_state ADD COLUMN backlog_uid INTEGER NOT NULL DEFAULT 0;
-- Set on a case opened from imported mail: the first start its mail predates (ISO 8601).
ALTER TABLE cases ADD COLUMN imported TEXT;
`,
  },
  {
    name: '006-writer-lease',
    sql: `
-- One writer per database: the process doing daemon work (run, once) holds this row and renews it
-- (see src/domain/writer-lease.ts); name is 'store' today, per-mailbox leases may add rows later.
CREATE TABLE writer_lease (
  name TEXT PRIMARY KEY,
  token TEXT NOT NULL,
  host TEXT NOT NULL,
  pid INTEGER NOT NULL,
  command TEXT NOT NULL,
  started_at TEXT NOT NULL,
  heartbeat_at TEXT NOT NULL,
  lease_until TEXT NOT NULL
);
`,
  },
  {
    name: '007-quarantine-actions',
    sql: `
-- Quarantine rows an admin can act on: held (set aside, waiting for a person), released (run through
-- the pipeline again: released_case_id is the case it became or joined, NULL when it was already
-- recorded), dropped (raw deleted, the reason and who kept). Failed releases update the held row.
ALTER TABLE quarantine ADD COLUMN state TEXT NOT NULL DEFAULT 'held' CHECK (state IN ('held','released','dropped'));
ALTER TABLE quarantine ADD COLUMN released_by TEXT;
ALTER TABLE quarantine ADD COLUMN released_case_id TEXT;
ALTER TABLE quarantine ADD COLUMN dropped_at TEXT;
ALTER TABLE quarantine ADD COLUMN dropped_by TEXT;
ALTER TABLE quarantine ADD COLUMN drop_reason TEXT;
ALTER TABLE quarantine ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE quarantine ADD COLUMN last_attempt_at TEXT;
ALTER TABLE quarantine ADD COLUMN last_attempt_by TEXT;
UPDATE quarantine SET state = 'released' WHERE released_at IS NOT NULL;
CREATE INDEX quarantine_state ON quarantine (state, code);
`,
  },
  {
    name: '008-retention',
    sql: `
-- What statistics need of a case deleted by retention: numbers and times, no person, no text.
CREATE TABLE case_tombstones (
  id TEXT PRIMARY KEY,
  desk TEXT NOT NULL,
  number INTEGER NOT NULL,
  category TEXT,
  priority TEXT NOT NULL,
  sla_policy TEXT,
  created_at TEXT NOT NULL,
  due_at TEXT,
  first_response_due_at TEXT,
  first_response_at TEXT,
  resolved_at TEXT,
  closed_at TEXT,
  rating INTEGER,
  -- When the requester wrote (ISO times only), for the weekday x hour heat-map of past periods.
  requester_mail_times_json TEXT NOT NULL DEFAULT '[]',
  purged_at TEXT NOT NULL,
  UNIQUE (desk, number)
);
-- Message-IDs of deleted mail, hashed: the same mail fetched again (UIDVALIDITY reset) stays a duplicate.
CREATE TABLE purged_message_keys (
  desk TEXT NOT NULL,
  key_hash TEXT NOT NULL,
  PRIMARY KEY (desk, key_hash)
);
-- Purge and forget runs: counts only; forget adds a salted hash of the address, never the address.
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  action TEXT NOT NULL,
  actor TEXT NOT NULL,
  counts_json TEXT NOT NULL,
  subject_hash TEXT
);
-- Once-a-day jobs (purge, uncertain-replies notice per desk): a row per job and day is the claim.
CREATE TABLE daily_claims (
  job TEXT NOT NULL,
  day TEXT NOT NULL,
  at TEXT NOT NULL,
  PRIMARY KEY (job, day)
);
CREATE TABLE store_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
INSERT INTO store_meta (key, value) VALUES ('erasure-salt', lower(hex(randomblob(16))));
`,
  },
  {
    name: '009-health',
    sql: `
-- The running daemon's last self-report (desk states, store, SMTP, rules), read by "sportello status".
CREATE TABLE daemon_status (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  json TEXT NOT NULL,
  at TEXT NOT NULL
);
`,
  },
  {
    name: '010-promises',
    sql: `
-- The resolution date told to the requester and its evidence (src/domain/promise.ts): {"seq": n, "at": ISO,
-- "start": ISO, "source": "sla"|"forecast"|"eta"|"update", "slaDueAt": ISO|null, "forecast": {...}|null}.
ALTER TABLE cases ADD COLUMN promise_json TEXT;
-- Mails about one promise (the update before it is missed): a row is the claim, so it is sent once.
CREATE TABLE promise_notices (
  case_id TEXT NOT NULL REFERENCES cases (id),
  seq INTEGER NOT NULL,
  kind TEXT NOT NULL,
  at TEXT NOT NULL,
  PRIMARY KEY (case_id, seq, kind)
);
`,
  },
  {
    name: '011-incidents',
    sql: `
-- Incidents: a case of kind 'incident' stands for one outage many people reported; its member cases
-- point at it. Grouping reads recent open cases by desk and creation time.
ALTER TABLE cases ADD COLUMN kind TEXT NOT NULL DEFAULT 'case';
ALTER TABLE cases ADD COLUMN incident TEXT REFERENCES cases(id);
CREATE INDEX cases_incident ON cases (incident) WHERE incident IS NOT NULL;
CREATE INDEX cases_desk_open_created ON cases (desk, created_at) WHERE status IN ('new', 'open', 'waiting');
`,
  },
  {
    name: '012-fleet-leases',
    sql: `
-- Several daemons on one PostgreSQL store (src/domain/fleet.ts): a heartbeat row per daemon
-- ('instance:<token>'), one per mailbox ('mailbox:<desk>') and one for periodic work ('housekeeping').
-- A released lease keeps its row (owner NULL) so the epoch, the fencing token, only ever grows.
-- SQLite keeps one writer per store (writer_lease) and leaves this table empty.
CREATE TABLE fleet_leases (
  name TEXT PRIMARY KEY,
  owner TEXT,
  host TEXT,
  pid INTEGER,
  heartbeat_at TEXT,
  lease_until TEXT,
  epoch INTEGER NOT NULL DEFAULT 0
);
`,
  },
  {
    name: '013-daemon-reports',
    sql: `
-- One self-report per running daemon (several share a PostgreSQL store), read by "sportello status",
-- which merges them (src/health/daemon-reports.ts). Keyed by host, pid and start time, the identity every
-- daemon reports (SQLite too, which has no fleet token); the start time keeps two pid-1 containers on one
-- host apart. The single-row daemon_status stays, no longer read: a daemon of the previous version still
-- running beside an upgraded one (a fleet upgraded one daemon at a time) keeps saving there, unharmed.
CREATE TABLE daemon_reports (
  host TEXT NOT NULL,
  pid INTEGER NOT NULL,
  started_at TEXT NOT NULL,
  json TEXT NOT NULL,
  at TEXT NOT NULL,
  PRIMARY KEY (host, pid, started_at)
);
`,
  },
];
