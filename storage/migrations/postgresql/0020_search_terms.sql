-- PostgreSQL twin of SQLite 0020 (#15): nothing to change here. SQLite keeps the full-text
-- index's words beside it because FTS5's prefix seek walks long doclists; a prefix query on
-- the tsvector's GIN index (report_search_document) has no such walk, so the search keeps
-- asking it for the typed prefixes as before.
COMMENT ON TABLE report_search IS 'Full-text search document per report (see 0015, 0020).';
