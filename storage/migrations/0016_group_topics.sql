-- The forum topic of a linked group (message_thread_id of the topic /hubungkan was sent in):
-- its summaries go there. NULL: the group is no forum, or the link was made in General.
ALTER TABLE group_links ADD COLUMN message_thread_id INTEGER;
