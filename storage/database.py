"""The SQLite connection: pragmas, numbered migrations, and serialised transactions."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from importlib import resources
from pathlib import Path

import aiosqlite

from storage.repositories import Repositories, UpdateClaim
from storage.values import to_db_time

logger = logging.getLogger(__name__)
MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class DuplicateUpdate(Exception):
    """This Telegram update was applied before; applying it again would duplicate data."""


class Transaction(Repositories):
    """The repositories bound to one open transaction."""


class SchemaTooNew(Exception):
    """The database was written by a newer version of the bot: refuse rather than run code
    that does not know its tables on police records."""


class Database:
    """One aiosqlite connection shared by the bot.

    aiosqlite runs the connection on its own thread; a lock keeps one coroutine's transaction
    from interleaving with another's statements on that shared connection.
    """

    dialect = "sqlite"

    def __init__(self, path: Path, *, synchronous: str = "FULL") -> None:
        self.path = path
        self._synchronous = synchronous
        self._connection: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()
        self._holder: asyncio.Task[object] | None = None
        self.run = secrets.token_hex(8)
        """This process's name on the update claims (a restart is a new run)."""

    @property
    def connection(self) -> aiosqlite.Connection:
        """The open connection (raises when the database is closed)."""
        if self._connection is None:
            raise RuntimeError("database is not open")
        return self._connection

    async def open(self) -> None:
        """Connect, set the pragmas and apply pending migrations."""
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not self.path.exists():
            # Owner-only from the first byte: the file holds residents' personal data.
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        connection = await aiosqlite.connect(self.path, isolation_level=None)
        connection.row_factory = aiosqlite.Row
        for pragma in (
            "PRAGMA journal_mode=WAL",
            f"PRAGMA synchronous={self._synchronous}",
            "PRAGMA foreign_keys=ON",
            "PRAGMA busy_timeout=5000",
        ):
            await connection.execute(pragma)
        self._connection = connection
        tighten_permissions(self.path)
        await self._migrate()

    async def close(self) -> None:
        """Close the connection (idempotent)."""
        if self._connection is not None:
            await self._connection.close()
            self._connection = None

    async def _migrate(self) -> None:
        connection = self.connection
        await connection.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        async with connection.execute("SELECT version FROM schema_migrations") as cursor:
            applied = {row[0] for row in await cursor.fetchall()}
        known = available_migrations()
        unknown = sorted(applied - {version for version, _, _ in known})
        if unknown:
            raise SchemaTooNew(
                f"{self.path}: the database has migrations this bot does not know"
                f" ({', '.join(f'{v:04d}' for v in unknown)}; it knows up to"
                f" {max(v for v, _, _ in known):04d}): a newer version wrote it. Run that"
                " version, or restore a backup made by this one."
            )
        for version, name, sql in known:
            if version in applied:
                continue
            logger.info("applying migration %s", name)
            # One script, one transaction: a migration is applied whole or not at all.
            script = (
                f"BEGIN IMMEDIATE;\n{sql}\n;INSERT INTO schema_migrations"
                f" (version, name, applied_at) VALUES ({version}, '{name}',"
                " strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));\nCOMMIT;"
            )
            try:
                await connection.executescript(script)
            except BaseException:
                if connection.in_transaction:
                    await connection.execute("ROLLBACK")
                raise

    async def applied_migrations(self) -> list[int]:
        """Versions recorded in the database, oldest first."""
        async with self.connection.execute(
            "SELECT version FROM schema_migrations ORDER BY version"
        ) as cursor:
            return [row[0] for row in await cursor.fetchall()]

    @asynccontextmanager
    async def transaction(
        self, *, update_id: int | None = None, now: datetime | None = None
    ) -> AsyncIterator[Transaction]:
        """A write transaction; with ``update_id`` it also records the update as applied.

        Recording the update in the same transaction as its effects is what makes a
        redelivered update harmless: the second attempt raises ``DuplicateUpdate`` and
        rolls back.
        """
        async with self._exclusive():
            connection = self.connection
            await connection.execute("BEGIN IMMEDIATE")
            try:
                if update_id is not None:
                    cursor = await connection.execute(
                        "INSERT OR IGNORE INTO processed_updates (update_id, processed_at)"
                        " VALUES (?, ?)",
                        (update_id, to_db_time(now) if now else ""),
                    )
                    if cursor.rowcount == 0:
                        raise DuplicateUpdate(update_id)
                yield Transaction(connection)
                await connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    await connection.execute("ROLLBACK")
                raise

    async def claim_update(self, update_id: int, now: datetime) -> UpdateClaim:
        """Claim an update before handling it: one autocommitted insert (see UpdateClaim)."""
        async with self._exclusive():
            return await Repositories(self.connection).updates.claim(update_id, self.run, now)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[Repositories]:
        """Repositories for reads only (no transaction is opened)."""
        async with self._exclusive():
            yield Repositories(self.connection)

    scheduling = True
    """One process owns an SQLite file: it always runs the scheduled scans."""

    async def hold_scheduler(self) -> bool:
        """Always: see ``scheduling``."""
        return True

    @asynccontextmanager
    async def _exclusive(self) -> AsyncIterator[None]:
        """Hold the connection; using the database again inside would wait for ever, so say so."""
        task = asyncio.current_task()
        if task is not None and task is self._holder:
            raise RuntimeError("nested database use: finish the open transaction or read first")
        async with self._lock:
            self._holder = task
            try:
                yield
            finally:
                self._holder = None


def tighten_permissions(path: Path) -> list[Path]:
    """Owner-only for the database, its -wal/-shm and its directory, whatever an operator set
    (SQLite gives -wal/-shm the database's mode); one log line names what changed."""
    changed = []
    for target, mode in (
        (path.parent, 0o700),
        (path, 0o600),
        (path.with_name(path.name + "-wal"), 0o600),
        (path.with_name(path.name + "-shm"), 0o600),
    ):
        try:
            current = target.stat().st_mode & 0o777
        except FileNotFoundError:
            continue
        if current & 0o077:
            os.chmod(target, mode)
            changed.append(target)
    if changed:
        logger.warning(
            "permissions tightened to owner-only: %s", ", ".join(str(p) for p in changed)
        )
    return changed


def available_migrations(package: str = "storage.migrations") -> list[tuple[int, str, str]]:
    """The numbered migration scripts shipped in ``package`` (SQLite's by default), in order."""
    found = []
    for entry in resources.files(package).iterdir():
        match = MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [version for version, _, _ in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError("two migrations share a number")
    return found
