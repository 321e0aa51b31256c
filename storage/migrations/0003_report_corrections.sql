-- Correcting a submitted report reuses the draft engine: a draft bound to a report is a
-- correction (its review card saves into that report instead of filing a new one).
ALTER TABLE report_drafts ADD COLUMN report_id INTEGER REFERENCES reports(id);
