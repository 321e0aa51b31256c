-- At-most-once notifications: a reminder, warning, escalation or digest is claimed (status
-- 'sending', claimed_at, attempts + 1) in its own transaction before it is sent and marked
-- 'sent' after. A row a crash left in 'sending' may or may not have reached the person: it is
-- marked 'unknown' (logged) and never sent again. SQLite cannot change a CHECK constraint in
-- place: rebuild the table with the same ids (nothing references notifications).
CREATE TABLE notifications_new (
    id               INTEGER PRIMARY KEY,
    key              TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL,
    assignment_id    INTEGER REFERENCES assignments(id),
    officer_id       INTEGER REFERENCES officers(id),
    recipient_id     INTEGER REFERENCES officers(id),
    payload          TEXT NOT NULL DEFAULT '{}',
    due_at           TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'sending', 'sent', 'skipped', 'failed',
                                       'unknown')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT,
    claimed_at       TEXT,
    sent_at          TEXT,
    late             INTEGER NOT NULL DEFAULT 0,
    reason           TEXT,
    created_at       TEXT NOT NULL
);
INSERT INTO notifications_new (id, key, kind, assignment_id, officer_id, recipient_id, payload,
    due_at, status, attempts, next_attempt_at, sent_at, late, reason, created_at)
SELECT id, key, kind, assignment_id, officer_id, recipient_id, payload, due_at, status,
    attempts, next_attempt_at, sent_at, late, reason, created_at FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_new RENAME TO notifications;
CREATE INDEX notifications_due ON notifications(status, due_at);
CREATE INDEX notifications_assignment ON notifications(assignment_id, status);
