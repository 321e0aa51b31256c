"""The SQLite connection: pragmas, numbered migrations, and serialised transactions."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import secrets
import sqlite3
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

from storage.base import Conflict, Row, SharedConnection, Statement
from storage.repositories import Repositories, UpdateClaim
from storage.values import to_db_time

logger = logging.getLogger(__name__)
MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class DuplicateUpdate(Exception):
    """This Telegram update was applied before; applying it again would duplicate data."""


class Transaction(Repositories):
    """The repositories bound to one open transaction."""


CLAIMS_REMEMBERED = 100_000
"""Update ids this run remembers having in hand (SQLite). Copies of an update arrive within
seconds of it; ids only grow, so the oldest are the first no copy will come for."""


BUSY_PAUSE = 0.002
BUSY_RETRIES = 2500
"""A point read finding the database busy retries for up to five seconds (the writer's
``busy_timeout``), yielding the event loop between tries."""


class LoopReads:
    """A read-only connection used on the event loop's own thread, for point reads.

    An indexed lookup in SQLite takes microseconds; handing it to aiosqlite's thread and back
    costs a hundred or more, and waits behind every write queued there. In WAL mode this
    second connection reads the last committed state without waiting for the writer."""

    def __init__(self, path: Path) -> None:
        self._connection = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None
        )
        self._connection.row_factory = aiosqlite.Row
        # No busy handler: it would sleep on the event loop. A read that finds the database
        # busy (rare in WAL: a checkpoint resetting the log) waits by yielding instead.
        self._connection.execute("PRAGMA busy_timeout=0")

    async def execute_fetchall(
        self, sql: str, parameters: Iterable[Any] | None = None
    ) -> list[Row]:
        """Run a read and return its rows (``Repository._one`` and ``_all``)."""
        params = tuple(parameters or ())
        for _ in range(BUSY_RETRIES):
            try:
                return self._connection.execute(sql, params).fetchall()
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) and "busy" not in str(error):
                    raise
            await asyncio.sleep(BUSY_PAUSE)
        return self._connection.execute(sql, params).fetchall()

    async def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> None:
        """Writes go through ``Database.transaction`` or ``commit``, never through here."""
        raise sqlite3.OperationalError(f"point reads are read-only: {sql[:40]}")

    def close(self) -> None:
        """Close the connection."""
        self._connection.close()


@dataclass(eq=False)
class _Batch:
    """One caller's statements waiting for the next group commit."""

    statements: tuple[Statement, ...]
    update_id: int | None
    stamp: str
    done: asyncio.Future[list[list[Row]]] = field(repr=False)


class SchemaTooNew(Exception):
    """The database was written by a newer version of the bot: refuse rather than run code
    that does not know its tables on police records."""


class Database(SharedConnection):
    """One aiosqlite connection shared by the bot.

    aiosqlite runs the connection on its own thread; a lock keeps one coroutine's transaction
    from interleaving with another's statements on that shared connection.
    """

    dialect = "sqlite"

    def __init__(self, path: Path, *, synchronous: str = "FULL") -> None:
        super().__init__()
        self.path = path
        self._synchronous = synchronous
        self._connection: aiosqlite.Connection | None = None
        self._reads: LoopReads | None = None
        self._waiting: list[_Batch] = []
        self._committer: asyncio.Task[None] | None = None
        self._claimed: OrderedDict[int, None] = OrderedDict()
        self.run = secrets.token_hex(8)
        """This process's name (a restart is a new run)."""

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
        self._reads = LoopReads(self.path)

    async def close(self) -> None:
        """Close the connection (idempotent), after the batches already handed in."""
        if self._committer is not None:
            await asyncio.gather(self._committer, return_exceptions=True)
            self._committer = None
        if self._reads is not None:
            self._reads.close()
            self._reads = None
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
        """Claim an update before handling it (see ``UpdateClaim``), without a write.

        One process owns the file (``ops.files``), so "this run has it" is this process's
        memory, and an earlier run's claim is always taken over; what survives a restart is
        the applied mark, written with the update's effects."""
        if update_id in self._claimed:
            return UpdateClaim.TAKEN
        self._claimed[update_id] = None
        if len(self._claimed) > CLAIMS_REMEMBERED:
            self._claimed.popitem(last=False)
        async with self.point_reads() as repos:
            applied = await repos.updates.seen(update_id)
        return UpdateClaim.APPLIED if applied else UpdateClaim.NEW

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[Repositories]:
        """Repositories for reads only (no transaction is opened), on aiosqlite's thread:
        for queries that take long enough to stall the event loop (recaps, exports)."""
        async with self._exclusive():
            yield Repositories(self.connection)

    @asynccontextmanager
    async def point_reads(self) -> AsyncIterator[Repositories]:
        """Repositories for indexed lookups of a few rows, run on the event loop (see
        ``LoopReads``): who is writing, their draft, whether an update was applied."""
        if self._reads is None:
            raise RuntimeError("database is not open")
        yield Repositories(self._reads)  # type: ignore[arg-type]

    async def commit(
        self,
        statements: Sequence[Statement],
        *,
        update_id: int | None = None,
        now: datetime | None = None,
    ) -> list[list[Row]]:
        """Write ``statements`` in one transaction and return each one's rows.

        With ``update_id`` the update is recorded as applied in the same transaction
        (``DuplicateUpdate``); a ``must_change`` statement that changes nothing raises
        ``Conflict``; either undoes the whole batch. Batches handed in while the database is
        busy are committed together, each in its own savepoint: one trip to aiosqlite's thread
        and one fsync for all of them, and each caller returns only after that commit.
        """
        task = asyncio.current_task()
        if task is not None and task is self._holder:
            raise RuntimeError("nested database use: finish the open transaction first")
        batch = _Batch(
            tuple(statements), update_id, to_db_time(now) if now else "",
            asyncio.get_running_loop().create_future(),
        )
        self._waiting.append(batch)
        if self._committer is None or self._committer.done():
            self._committer = asyncio.create_task(self._commit_waiting())
        # Shielded: a caller cancelled after handing its batch in must not cancel the commit
        # of the others it is grouped with.
        return await asyncio.shield(batch.done)

    async def _commit_waiting(self) -> None:
        while self._waiting:
            async with self._exclusive():
                batches, self._waiting = self._waiting, []
                try:
                    # aiosqlite's own queue to its thread: the group runs there in one call.
                    outcomes = await self.connection._execute(  # type: ignore[no-untyped-call]
                        _run_batches, self.connection._conn, batches
                    )
                except BaseException as error:
                    for batch in batches:
                        if not batch.done.done():
                            batch.done.set_exception(error)
                    if not isinstance(error, Exception):
                        raise
                    continue
            for batch, outcome in zip(batches, outcomes, strict=True):
                if batch.done.done():
                    continue
                if isinstance(outcome, Exception):
                    batch.done.set_exception(outcome)
                else:
                    batch.done.set_result(outcome)

    scheduling = True
    """One process owns an SQLite file: it always runs the scheduled scans."""

    async def hold_scheduler(self) -> bool:
        """Always: see ``scheduling``."""
        return True



def _run_batches(
    connection: sqlite3.Connection, batches: Sequence[_Batch]
) -> list[list[list[Row]] | Exception]:
    """On aiosqlite's thread: one transaction, a savepoint per batch, one COMMIT.

    A batch that fails (a duplicate update, a conflict, a constraint) is rolled back to its
    savepoint alone and its error returned; the others commit. A failing COMMIT raises, and
    every batch of the group gets that error (nothing of them is stored)."""
    outcomes: list[list[list[Row]] | Exception] = []
    connection.execute("BEGIN IMMEDIATE")
    try:
        for batch in batches:
            connection.execute("SAVEPOINT batch")
            try:
                outcomes.append(_run_batch(connection, batch))
            except (sqlite3.Error, DuplicateUpdate, Conflict) as error:
                connection.execute("ROLLBACK TO batch")
                outcomes.append(error)
            connection.execute("RELEASE batch")
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    return outcomes


def _run_batch(connection: sqlite3.Connection, batch: _Batch) -> list[list[Row]]:
    if batch.update_id is not None:
        cursor = connection.execute(
            "INSERT OR IGNORE INTO processed_updates (update_id, processed_at) VALUES (?, ?)",
            (batch.update_id, batch.stamp),
        )
        if cursor.rowcount == 0:
            raise DuplicateUpdate(batch.update_id)
    results = []
    for statement in batch.statements:
        cursor = connection.execute(statement.sql, statement.params)
        rows = cursor.fetchall()
        if statement.must_change and not rows and cursor.rowcount < 1:
            raise Conflict(statement.sql[:60])
        results.append(rows)
    return results


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
