-- Indexes for the digest, recap and summary queries, so they read a unit's period instead of
-- scanning every post and every complaint ever recorded (checked with EXPLAIN QUERY PLAN).
CREATE INDEX IF NOT EXISTS assignments_unit_start ON assignments(unit_code, status, starts_at);
CREATE INDEX IF NOT EXISTS assignments_unit_end ON assignments(unit_code, status, ends_at);
CREATE INDEX IF NOT EXISTS complaints_created ON complaints(created_at);
CREATE INDEX IF NOT EXISTS reports_assignment ON reports(assignment_id);
CREATE INDEX IF NOT EXISTS reports_officer_activity
    ON reports(officer_id, activity_code, started_at);
