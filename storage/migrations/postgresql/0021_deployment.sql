-- PostgreSQL only (#16): which deployment this schema is, for the data directory's owner file
-- (ops.files.claim_data_dir). Instances of one deployment share DATA_DIR; another deployment
-- on the same volume must be refused, or each nightly prune deletes the other's photos. The
-- server's address changes when a container is recreated; this id lives with the data and
-- travels with a pg_dump backup. SQLite needs none: its data directory holds the database.
CREATE TABLE deployment (
    id TEXT PRIMARY KEY
);
INSERT INTO deployment (id) VALUES (md5(random()::text || clock_timestamp()::text));
