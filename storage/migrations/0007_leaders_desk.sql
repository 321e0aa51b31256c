-- Leaders' desk: complaint follow-up with history, report review (send back / accept),
-- pending typed inputs of leaders, and full-text search over reports.

-- Complaints gain 'referred' (handed to another agency), an assignee and the time of the
-- last status change. SQLite cannot change a CHECK constraint in place: rebuild the table
-- with the same ids (nothing references complaints yet).
CREATE TABLE complaints_new (
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
                      CHECK (status IN ('new', 'in_progress', 'resolved', 'referred')),
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    assigned_to       INTEGER REFERENCES officers(id),
    referred_to       TEXT,
    status_changed_at TEXT
);
INSERT INTO complaints_new (id, report_id, position, category, description, place, urgency,
    resident_name, resident_contact, status, created_at, updated_at, status_changed_at)
SELECT id, report_id, position, category, description, place, urgency, resident_name,
    resident_contact, status, created_at, updated_at, updated_at FROM complaints;
DROP TABLE complaints;
ALTER TABLE complaints_new RENAME TO complaints;
CREATE INDEX complaints_report ON complaints(report_id);
CREATE INDEX complaints_status ON complaints(status, created_at);
CREATE INDEX complaints_assigned ON complaints(assigned_to, status);

-- Every change of a complaint: status moves, assignments. Append-only.
CREATE TABLE complaint_history (
    id            INTEGER PRIMARY KEY,
    complaint_id  INTEGER NOT NULL REFERENCES complaints(id),
    at            TEXT NOT NULL,
    actor_id      INTEGER NOT NULL REFERENCES officers(id),
    from_status   TEXT NOT NULL,
    to_status     TEXT NOT NULL,
    assigned_to   INTEGER REFERENCES officers(id),
    note          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX complaint_history_complaint ON complaint_history(complaint_id, id);

-- A leader's review of a report: sent back for correction (with a comment), fixed by the
-- officer, or accepted. One row per report, its current state; the audit log keeps the rest.
CREATE TABLE report_reviews (
    report_id    INTEGER PRIMARY KEY REFERENCES reports(id),
    state        TEXT NOT NULL CHECK (state IN ('returned', 'fixed', 'reviewed')),
    comment      TEXT NOT NULL DEFAULT '',
    returned_by  INTEGER REFERENCES officers(id),
    returned_at  TEXT,
    fixed_at     TEXT,
    reviewed_by  INTEGER REFERENCES officers(id),
    reviewed_at  TEXT
);

-- A typed answer a leader owes the bot (a complaint note, a send-back comment, a search):
-- stored so that a restart between the button and the typed text loses nothing.
CREATE TABLE desk_inputs (
    officer_id  INTEGER PRIMARY KEY REFERENCES officers(id),
    kind        TEXT NOT NULL,
    payload     TEXT NOT NULL DEFAULT '{}',
    created_at  TEXT NOT NULL
);

-- The leader's current report-browser filter (activity, officer, period, search words), so
-- paging buttons stay short and a restart keeps the view.
CREATE TABLE desk_views (
    officer_id  INTEGER PRIMARY KEY REFERENCES officers(id),
    payload     TEXT NOT NULL DEFAULT '{}',
    updated_at  TEXT NOT NULL
);

-- Full-text search over a report's place, its answers' text and its complaints. rowid is the
-- report id; unit_code is kept beside it so the unit scope is part of the search query.
-- Residents' names and contacts are never indexed (they are erased after retention).
CREATE VIRTUAL TABLE report_search USING fts5(
    body, unit_code UNINDEXED, tokenize = 'unicode61 remove_diacritics 2'
);

CREATE VIEW report_search_source AS
SELECT r.id AS report_id, r.unit_code AS unit_code,
    COALESCE(r.number, '') || ' ' || COALESCE(r.place, '') || ' ' ||
    COALESCE((SELECT group_concat(t.value, ' ') FROM json_tree(r.answers) AS t
              WHERE t.type = 'text'
              AND COALESCE(t.key, '') NOT IN ('sha256', 'file_id', 'file_unique_id',
                  'resident_name', 'resident_contact', 'name', 'contact')), '') || ' ' ||
    COALESCE((SELECT group_concat(c.description || ' ' || c.place, ' ') FROM complaints AS c
              WHERE c.report_id = r.id), '') AS body
FROM reports AS r;

INSERT INTO report_search (rowid, body, unit_code)
SELECT report_id, body, unit_code FROM report_search_source;

CREATE TRIGGER report_search_insert AFTER INSERT ON reports BEGIN
    INSERT INTO report_search (rowid, body, unit_code)
    SELECT report_id, body, unit_code FROM report_search_source WHERE report_id = NEW.id;
END;

CREATE TRIGGER report_search_update AFTER UPDATE OF answers, place, unit_code ON reports BEGIN
    DELETE FROM report_search WHERE rowid = NEW.id;
    INSERT INTO report_search (rowid, body, unit_code)
    SELECT report_id, body, unit_code FROM report_search_source WHERE report_id = NEW.id;
END;

CREATE TRIGGER report_search_complaint AFTER INSERT ON complaints BEGIN
    DELETE FROM report_search WHERE rowid = NEW.report_id;
    INSERT INTO report_search (rowid, body, unit_code)
    SELECT report_id, body, unit_code FROM report_search_source WHERE report_id = NEW.report_id;
END;

CREATE TRIGGER report_search_complaint_text AFTER UPDATE OF description, place ON complaints
BEGIN
    DELETE FROM report_search WHERE rowid = NEW.report_id;
    INSERT INTO report_search (rowid, body, unit_code)
    SELECT report_id, body, unit_code FROM report_search_source WHERE report_id = NEW.report_id;
END;
