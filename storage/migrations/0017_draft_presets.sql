-- Field speed (#12). `preset`: keys of answers the bot filled for the officer (from the post,
-- or a one-tap pick) that are shown on the next question and confirmed when the officer moves
-- on from it. `offers`: answers of the officer's previous report of the same activity, offered
-- as one tap ("same place as last time", "same materials").
ALTER TABLE report_drafts ADD COLUMN preset TEXT NOT NULL DEFAULT '[]';
ALTER TABLE report_drafts ADD COLUMN offers TEXT NOT NULL DEFAULT '{}';
