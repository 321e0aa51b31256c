-- Group chats linked to units, their periodic summaries, and the indexes recaps need.

-- A group chat linked to one unit; a unit may have several groups. A link is never deleted:
-- unlinking or removing the bot deactivates it, so the history stays.
CREATE TABLE group_links (
    chat_id            INTEGER PRIMARY KEY,
    unit_code          TEXT NOT NULL REFERENCES units(code),
    title              TEXT NOT NULL DEFAULT '',
    language           TEXT NOT NULL DEFAULT 'id',
    linked_by          INTEGER REFERENCES officers(id),
    linked_at          TEXT NOT NULL,
    active             INTEGER NOT NULL DEFAULT 1,
    deactivated_at     TEXT,
    deactivated_reason TEXT
);
CREATE INDEX group_links_unit ON group_links(unit_code, active);

-- One row per (group, kind, period): the idempotency key of a periodic summary. The row is
-- written before the first message goes out and updated in the same transaction that records
-- each part as sent, so a restart neither repeats a summary nor forgets one that is due.
-- status: pending (to send, possibly after next_attempt_at), sending (claimed by a runner),
-- sent, skipped (too late to be useful), failed (the group is gone or kept refusing).
CREATE TABLE group_summaries (
    chat_id          INTEGER NOT NULL REFERENCES group_links(chat_id),
    kind             TEXT NOT NULL CHECK (kind IN ('daily', 'weekly')),
    period_start     TEXT NOT NULL,    -- the period's local start date, YYYY-MM-DD
    due_at           TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'sending', 'sent', 'skipped', 'failed')),
    parts_sent       INTEGER NOT NULL DEFAULT 0,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT,
    claimed_at       TEXT,
    sent_at          TEXT,
    late             INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT,
    PRIMARY KEY (chat_id, kind, period_start)
);
CREATE INDEX group_summaries_open ON group_summaries(status, next_attempt_at);

-- Recaps count a report in the period of its activity (a post reported after midnight belongs
-- to the day it names), falling back to the submission time when the form has no time field.
-- The expression must match storage/recap.py exactly for SQLite to use these indexes.
CREATE INDEX reports_unit_activity_time
    ON reports(unit_code, COALESCE(started_at, submitted_at));
CREATE INDEX reports_activity_time ON reports(COALESCE(started_at, submitted_at));
