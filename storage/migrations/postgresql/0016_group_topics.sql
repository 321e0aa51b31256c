-- PostgreSQL twin of SQLite 0016: the forum topic of a linked group (message_thread_id of the
-- topic /hubungkan was sent in); NULL: no forum, or linked in General.
ALTER TABLE group_links ADD COLUMN message_thread_id BIGINT;
