"""PostgreSQL migrations, numbered like the SQLite ones they port (0015 is the baseline)."""
