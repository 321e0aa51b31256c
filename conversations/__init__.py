"""Multi-step conversations whose state lives in SQLite, so restarts lose nothing."""
