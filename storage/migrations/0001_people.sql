-- Units, officers, invitations, registration drafts, the audit log and processed updates.
CREATE TABLE units (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    parent_code TEXT REFERENCES units(code)
);

CREATE TABLE officers (
    id            INTEGER PRIMARY KEY,
    telegram_id   INTEGER NOT NULL UNIQUE,
    full_name     TEXT NOT NULL,
    nrp           TEXT UNIQUE,
    rank          TEXT,
    unit_code     TEXT REFERENCES units(code),
    role          TEXT NOT NULL,
    language      TEXT NOT NULL DEFAULT 'id',
    status        TEXT NOT NULL CHECK (status IN ('pending', 'active', 'suspended', 'rejected')),
    created_at    TEXT NOT NULL,
    decided_by    INTEGER REFERENCES officers(id),
    decided_at    TEXT,
    blocked_at    TEXT
);
CREATE INDEX officers_unit ON officers(unit_code, status);

CREATE TABLE invitations (
    id           INTEGER PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    unit_code    TEXT NOT NULL REFERENCES units(code),
    role         TEXT NOT NULL,
    created_by   INTEGER NOT NULL REFERENCES officers(id),
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    claimed_by   INTEGER,          -- Telegram id of the person who opened it first
    claimed_at   TEXT,
    used_by      INTEGER REFERENCES officers(id),
    used_at      TEXT
);

-- A registration in progress: the conversation state lives here, not in memory.
CREATE TABLE registrations (
    telegram_id   INTEGER PRIMARY KEY,
    step          TEXT NOT NULL,
    answers       TEXT NOT NULL DEFAULT '{}',
    invitation_id INTEGER REFERENCES invitations(id),
    language      TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor_id    INTEGER,           -- officers.id; NULL for the system
    action      TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id   TEXT NOT NULL,
    details     TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log(at);

-- Telegram redelivers unconfirmed updates after a crash; each is applied once.
CREATE TABLE processed_updates (
    update_id    INTEGER PRIMARY KEY,
    processed_at TEXT NOT NULL
);
