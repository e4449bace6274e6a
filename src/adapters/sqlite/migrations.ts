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
];
