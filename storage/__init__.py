"""Storage behind small repositories (SQLite or PostgreSQL); nothing outside it writes SQL."""

from __future__ import annotations

from pathlib import Path

from storage.database import Database, DuplicateUpdate, Transaction
from storage.postgres import PostgresDatabase

AnyDatabase = Database | PostgresDatabase
"""Either backend: both offer the same transactions, reads and claims."""


def is_postgres_url(url: str) -> bool:
    """Whether ``DATABASE_URL`` names a PostgreSQL server."""
    return url.startswith(("postgresql://", "postgres://"))


def database_for(url: str, sqlite_path: Path) -> AnyDatabase:
    """The database ``DATABASE_URL`` names: PostgreSQL, or the SQLite file otherwise."""
    if is_postgres_url(url):
        return PostgresDatabase(url)
    return Database(sqlite_path)


__all__ = [
    "AnyDatabase",
    "Database",
    "DuplicateUpdate",
    "PostgresDatabase",
    "Transaction",
    "database_for",
    "is_postgres_url",
]
