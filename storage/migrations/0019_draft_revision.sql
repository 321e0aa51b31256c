-- The reporting hot path (#15). `revision` grows on every write to a draft, whoever makes it
-- (an answer, the privacy scrub, a post binding it). An answer is read on the event loop and
-- written in one statement `... WHERE id = ? AND revision = ?`: a write in between makes that
-- statement change nothing, and the answer is read and applied again instead of overwriting it.
-- (`version` stays what it was: it grows only when older buttons must go stale.)
ALTER TABLE report_drafts ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
