"""The base every repository shares: three small helpers around one connection."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

import aiosqlite

if TYPE_CHECKING:
    from storage.postgres import PgConnection, PgRow

Row: TypeAlias = "aiosqlite.Row | PgRow"
Connection: TypeAlias = "aiosqlite.Connection | PgConnection"


class SharedConnection:
    """The one connection a database object shares between the bot's tasks, one at a time.

    The same on both backends (``storage.database.Database``, ``storage.postgres``): SQLite and
    asyncpg alike run one statement at a time on a connection, so a lock keeps one task's
    transaction from interleaving with another's statements."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._holder: asyncio.Task[object] | None = None

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


class Conflict(Exception):
    """A statement that had to change a row changed none: something wrote it first."""


@dataclass(frozen=True, slots=True)
class Statement:
    """One write of a batch (``Database.commit``), built by a repository that knows its SQL.

    A batch needs no answer from one statement to build the next, which is what lets it go to
    the database in one trip (and be committed together with other officers' batches)."""

    sql: str
    params: tuple[Any, ...]
    must_change: bool = False
    """Changing no row raises ``Conflict`` and undoes the batch (an optimistic check)."""


class Written(Protocol):
    """What a write reports on either backend."""

    @property
    def rowcount(self) -> int:
        """How many rows the statement touched."""

    @property
    def lastrowid(self) -> int | None:
        """The id of the row an INSERT created."""


class Repository:
    """Runs parameterised statements on the connection it was given.

    ``postgres`` tells a repository which spelling to use where the dialects differ; the
    mechanical differences are translated by the PostgreSQL connection itself."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection
        self.postgres = getattr(connection, "dialect", "sqlite") == "postgresql"

    # One trip to aiosqlite's thread per read: ``execute`` + ``fetchone`` + closing the
    # cursor were three (each ~100 µs of thread hand-off; see bench/ and README Performance).
    async def _one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        rows = await self._db.execute_fetchall(sql, params)
        for row in rows:
            return row
        return None

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return list(await self._db.execute_fetchall(sql, params))

    async def _write(self, sql: str, params: Sequence[Any] = ()) -> Written:
        return await self._db.execute(sql, params)

    async def _plan(self, sql: str, params: Sequence[Any]) -> str:
        """How the database would run ``sql``, one line per step (tests check the indexes).

        PostgreSQL is asked with sequential scans discouraged: the tests' few rows would
        otherwise make a scan the cheapest plan whatever the indexes."""
        if not self.postgres:
            rows = await self._all(f"EXPLAIN QUERY PLAN {sql}", params)
            return " | ".join(str(row["detail"]) for row in rows)
        await self._write("SET enable_seqscan = off")
        try:
            rows = await self._all(f"EXPLAIN {sql}", params)
        finally:
            await self._write("RESET enable_seqscan")
        return " | ".join(str(row[0]).strip() for row in rows)
