-- Schedules: posts (assignments) with their officers, reminder pauses, the /tugas conversation,
-- and the notifications outbox through which every reminder, warning and digest is sent once.

-- A post: an activity at a place and time. revision grows when a leader moves the post, so the
-- notifications of the new time get new idempotency keys. rule_key: "<rule>:<local date>" for
-- posts expanded from a recurring rule (expanding twice creates nothing).
CREATE TABLE assignments (
    id             INTEGER PRIMARY KEY,
    activity_code  TEXT NOT NULL,
    unit_code      TEXT REFERENCES units(code),
    place          TEXT,
    starts_at      TEXT NOT NULL,
    ends_at        TEXT NOT NULL,
    sprin          TEXT,
    status         TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'cancelled')),
    revision       INTEGER NOT NULL DEFAULT 0,
    rule_key       TEXT UNIQUE,
    created_by     INTEGER REFERENCES officers(id),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX assignments_start ON assignments(starts_at);

CREATE TABLE assignment_officers (
    assignment_id  INTEGER NOT NULL REFERENCES assignments(id),
    officer_id     INTEGER NOT NULL REFERENCES officers(id),
    PRIMARY KEY (assignment_id, officer_id)
);
CREATE INDEX assignment_officers_officer ON assignment_officers(officer_id);

-- An officer's pause of reminders (leave, sickness) between two moments.
CREATE TABLE reminder_pauses (
    id          INTEGER PRIMARY KEY,
    officer_id  INTEGER NOT NULL REFERENCES officers(id),
    starts_at   TEXT NOT NULL,
    ends_at     TEXT NOT NULL,
    reason      TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX reminder_pauses_officer ON reminder_pauses(officer_id, ends_at);

-- The /tugas conversation (and moving a post): one open draft per leader, like report drafts.
CREATE TABLE assignment_drafts (
    officer_id     INTEGER PRIMARY KEY REFERENCES officers(id),
    mode           TEXT NOT NULL CHECK (mode IN ('new', 'move')),
    assignment_id  INTEGER REFERENCES assignments(id),
    step           TEXT NOT NULL,
    answers        TEXT NOT NULL DEFAULT '{}',
    version        INTEGER NOT NULL DEFAULT 0,
    updated_at     TEXT NOT NULL
);

-- The outbox. key is the idempotency key (reminder:<post>r<revision>:<officer>:<offset>,
-- overdue:..., escalate:..., digest:<leader>:<date>:<slot>); it is marked sent in the
-- transaction that follows the send, so a restart never sends it again. late: sent noticeably
-- after due_at (the bot was down). reason: why it was skipped or failed.
CREATE TABLE notifications (
    id               INTEGER PRIMARY KEY,
    key              TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL,
    assignment_id    INTEGER REFERENCES assignments(id),
    officer_id       INTEGER REFERENCES officers(id),
    recipient_id     INTEGER REFERENCES officers(id),
    payload          TEXT NOT NULL DEFAULT '{}',
    due_at           TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'sent', 'skipped', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT,
    sent_at          TEXT,
    late             INTEGER NOT NULL DEFAULT 0,
    reason           TEXT,
    created_at       TEXT NOT NULL
);
CREATE INDEX notifications_due ON notifications(status, due_at);
CREATE INDEX notifications_assignment ON notifications(assignment_id, status);
