-- Open complaints oldest first, without reading the resolved ones: the digests list the
-- complaints open longer than COMPLAINT_STALE_DAYS, and a unit that never closes its
-- complaints must not make every digest read its whole history.
CREATE INDEX IF NOT EXISTS complaints_open ON complaints(created_at)
    WHERE status IN ('new', 'in_progress');
