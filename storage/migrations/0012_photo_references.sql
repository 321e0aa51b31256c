-- Which reports use a photo, by its hash: pruning orphan photos asks this for every candidate
-- while it holds the write lock, and a scan of every report's photos there kept the bot's own
-- writes waiting (1.4 s a photo at 1 M reports).
CREATE INDEX IF NOT EXISTS report_photos_sha256 ON report_photos(sha256);
