-- PostgreSQL twin of SQLite 0019 (hot path, #15): `revision` grows on every write to a draft, so
-- an answer read outside the write transaction is stored only if nothing wrote in between.
ALTER TABLE report_drafts ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
