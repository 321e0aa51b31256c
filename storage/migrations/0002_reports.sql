-- Activity reports: drafts in progress, submitted reports, their photos, complaints, revisions.

-- One open draft per officer: the report conversation's whole state lives here.
-- answers: completed fields by key (null = skipped); work: the current step's unfinished part
-- (ticks, a complaint being entered, photos so far); version: bumped on every change, carried
-- in buttons so that a button from an older message is recognised as stale.
CREATE TABLE report_drafts (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    officer_id     INTEGER NOT NULL UNIQUE REFERENCES officers(id),
    activity_code  TEXT NOT NULL,
    step           TEXT NOT NULL,
    answers        TEXT NOT NULL DEFAULT '{}',
    work           TEXT NOT NULL DEFAULT '{}',
    editing        INTEGER NOT NULL DEFAULT 0,   -- 1: return to the review card after the step
    version        INTEGER NOT NULL DEFAULT 0,
    assignment_id  INTEGER,                      -- link to an assignment (later issue)
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);

-- Report numbers are sequential per activity and month and never reused: the counter only
-- grows, and it is bumped in the same transaction that stores the report.
CREATE TABLE report_counters (
    activity_code TEXT NOT NULL,
    year          INTEGER NOT NULL,
    month         INTEGER NOT NULL,
    last_number   INTEGER NOT NULL,
    PRIMARY KEY (activity_code, year, month)
);

CREATE TABLE reports (
    id               INTEGER PRIMARY KEY,
    number           TEXT NOT NULL UNIQUE,
    activity_code    TEXT NOT NULL,
    officer_id       INTEGER NOT NULL REFERENCES officers(id),
    unit_code        TEXT REFERENCES units(code),
    started_at       TEXT,
    ended_at         TEXT,
    place            TEXT,
    latitude         REAL,
    longitude        REAL,
    equipment        TEXT,                      -- JSON checklist
    warnings_ack_at  TEXT,
    answers          TEXT NOT NULL,             -- JSON, every field by key
    assignment_id    INTEGER,
    submitted_at     TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX reports_officer ON reports(officer_id, submitted_at);
CREATE INDEX reports_unit ON reports(unit_code, submitted_at);

CREATE TABLE report_photos (
    report_id  INTEGER NOT NULL REFERENCES reports(id),
    position   INTEGER NOT NULL,
    sha256     TEXT NOT NULL,
    taken_at   TEXT,
    PRIMARY KEY (report_id, sha256)
);

CREATE TABLE complaints (
    id                INTEGER PRIMARY KEY,
    report_id         INTEGER NOT NULL REFERENCES reports(id),
    position          INTEGER NOT NULL,
    category          TEXT NOT NULL,
    description       TEXT NOT NULL,
    place             TEXT NOT NULL,
    urgency           TEXT NOT NULL,
    resident_name     TEXT,
    resident_contact  TEXT,
    status            TEXT NOT NULL DEFAULT 'new'
                      CHECK (status IN ('new', 'in_progress', 'resolved')),
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX complaints_report ON complaints(report_id);
CREATE INDEX complaints_status ON complaints(status, created_at);

-- Every correction of a submitted report: who, when, which field, old and new value (JSON).
CREATE TABLE report_revisions (
    id          INTEGER PRIMARY KEY,
    report_id   INTEGER NOT NULL REFERENCES reports(id),
    officer_id  INTEGER NOT NULL REFERENCES officers(id),
    at          TEXT NOT NULL,
    field_key   TEXT NOT NULL,
    old_value   TEXT NOT NULL,
    new_value   TEXT NOT NULL
);
CREATE INDEX report_revisions_report ON report_revisions(report_id);
