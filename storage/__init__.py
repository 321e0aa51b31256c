"""SQLite storage behind small repositories; nothing outside this package writes SQL."""

from storage.database import Database, DuplicateUpdate, Transaction

__all__ = ["Database", "DuplicateUpdate", "Transaction"]
