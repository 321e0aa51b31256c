-- Which parts of a group summary went out, by name (chart, sheet, text:0/2), comma-separated.
-- A retry rebuilds the parts; resuming by count skipped or repeated one when the photo sheet
-- appeared or vanished in between. parts_sent stays as the count, for reading.
ALTER TABLE group_summaries ADD COLUMN sent_parts TEXT NOT NULL DEFAULT '';
