-- Every update is claimed once before any handler runs, reads included: a webhook redelivery
-- or a copy arriving while the first is still being handled is dropped, not answered twice.
-- ``run`` names the process that claimed it: a claim left by an earlier run (a crash before
-- the update was applied) does not block its redelivery after the restart.
CREATE TABLE update_claims (
    update_id  INTEGER PRIMARY KEY,
    run        TEXT NOT NULL,
    claimed_at TEXT NOT NULL
);
CREATE INDEX update_claims_claimed_at ON update_claims(claimed_at);
