"""PostgreSQL migrations, numbered like the SQLite ones they port (0015 is the baseline).

Porting SQLite migration NNNN: write ``NNNN_<same name>.sql`` here with the PostgreSQL
spelling (INTEGER ids and Telegram ids → BIGINT, REAL → DOUBLE PRECISION, times stay TEXT,
flags stay INTEGER 0/1; ALTER TABLE works in place, so no table rebuilds). The whole script
runs in one transaction under the migration lock. tests/test_postgres_instances.py fails
while an SQLite migration after 0015 has no twin here.
"""
