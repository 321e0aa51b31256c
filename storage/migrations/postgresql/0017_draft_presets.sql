-- PostgreSQL twin of SQLite 0017 (field speed, #12): answers filled for the officer and not yet
-- confirmed (`preset`, JSON list of keys), and the previous report's answers offered as one tap
-- (`offers`, JSON object). Stored as text, as every JSON column here.
ALTER TABLE report_drafts ADD COLUMN preset TEXT NOT NULL DEFAULT '[]';
ALTER TABLE report_drafts ADD COLUMN offers TEXT NOT NULL DEFAULT '{}';
