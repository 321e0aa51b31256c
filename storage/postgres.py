"""The PostgreSQL connection: the same repositories as on SQLite, several bot instances.

asyncpg is the driver: prepared statements report the parameter types PostgreSQL inferred,
which lets one small adapter give the repositories SQLite's forgiving value affinity (an int
bound where text is compared, and back) without rewriting every statement; it is asyncio
native, maintained, and ships wheels (no libpq).

What differs between the two dialects and is mechanical (``?`` placeholders, ``INSERT OR
IGNORE``, ``INDEXED BY``, the id of an inserted row) is translated here; SQL that means
something different lives beside its repository (``Repository.postgres``).

Write transactions take one advisory lock, scoped to the schema: they are serialised across
every instance as ``BEGIN IMMEDIATE`` serialises them on SQLite, so whatever a transaction
reads then writes (report numbers, invitations, group summaries, outbox claims) stays
exactly-once however many instances run.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

import asyncpg

from storage.base import Conflict, SharedConnection, Statement
from storage.database import DuplicateUpdate, SchemaTooNew, Transaction
from storage.database import available_migrations as numbered_scripts
from storage.repositories import Repositories, UpdateClaim
from storage.values import to_db_time

logger = logging.getLogger(__name__)

# Advisory lock keys: (the schema's namespace, one of these). Schema-scoped so that databases
# sharing a server (and the tests' schema per test) never wait for each other.
MIGRATE_LOCK = 1
WRITE_LOCK = 2
SCHEDULER_LOCK = 3
_NAMESPACE = "SELECT hashtext(current_schema()) & 2147483647"
_RUNS_NAMESPACE = "SELECT hashtext(current_schema() || ':runs') & 2147483647"
_STATEMENT_CACHE = 512
_INTEGERS = frozenset({"int2", "int4", "int8", "oid"})
_FLOATS = frozenset({"float4", "float8", "numeric"})
_TEXTS = frozenset({"text", "varchar", "bpchar", "name", "unknown"})


class PgRow:
    """A result row read by position or by column name, like ``sqlite3.Row``."""

    __slots__ = ("_names", "_values")

    def __init__(self, names: dict[str, int], values: tuple[Any, ...]) -> None:
        self._names = names
        self._values = values

    def __getitem__(self, key: int | str) -> Any:
        if isinstance(key, str):
            return self._values[self._names[key]]
        return self._values[key]

    def keys(self) -> list[str]:
        """The column names, in order (``dict(row)`` uses them)."""
        return list(self._names)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"PgRow({dict(zip(self._names, self._values, strict=True))!r})"


class PgCursor:
    """What a statement left: its rows, how many rows it touched, the id it inserted."""

    def __init__(self, rows: list[PgRow], rowcount: int, lastrowid: int | None) -> None:
        self.rows = rows
        self.rowcount = rowcount
        self.lastrowid = lastrowid

    async def fetchall(self) -> list[PgRow]:
        """Every row (aiosqlite's cursor API, for callers written against it)."""
        return self.rows

    async def fetchone(self) -> PgRow | None:
        """The first row, if any."""
        return self.rows[0] if self.rows else None

    async def close(self) -> None:
        """Nothing to release: the rows are already read."""


class _Pending:
    """``await connection.execute(...)`` and ``async with connection.execute(...)`` alike."""

    def __init__(self, connection: PgConnection, sql: str, params: Sequence[Any]) -> None:
        self._connection = connection
        self._sql = sql
        self._params = params

    def __await__(self) -> Any:
        return self._connection.run(self._sql, self._params).__await__()

    async def __aenter__(self) -> PgCursor:
        return await self._connection.run(self._sql, self._params)

    async def __aexit__(self, *exc: object) -> None:
        return None


class PgConnection:
    """The aiosqlite-shaped face of one asyncpg connection that the repositories use."""

    dialect = "postgresql"

    def __init__(self, raw: asyncpg.Connection) -> None:
        self.raw = raw
        self._statements: dict[str, Any] = {}
        self.id_tables: frozenset[str] = frozenset()

    async def refresh_schema(self) -> None:
        """Learn which tables have an ``id`` (their inserts return it); forget statements
        prepared against an older schema."""
        rows = await self.raw.fetch(
            "SELECT table_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND column_name = 'id'"
        )
        self.id_tables = frozenset(str(row[0]) for row in rows)
        self._statements.clear()

    def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> _Pending:
        """Run one statement (awaitable, or an async context manager giving the cursor)."""
        return _Pending(self, sql, tuple(parameters or ()))

    async def execute_fetchall(
        self, sql: str, parameters: Iterable[Any] | None = None
    ) -> list[PgRow]:
        """Run one statement and return its rows."""
        return (await self.run(sql, tuple(parameters or ()))).rows

    async def commit(self) -> None:
        """Nothing to do: outside ``Database.transaction`` every statement autocommits."""

    @property
    def in_transaction(self) -> bool:
        """Whether a transaction is open on the connection."""
        return bool(self.raw.is_in_transaction())

    async def run(self, sql: str, params: Sequence[Any]) -> PgCursor:
        """Translate, prepare (once per text), bind with SQLite's affinity, run."""
        text, returns_id = translate(sql, self.id_tables)
        statement = self._statements.get(text)
        if statement is None:
            statement = await self.raw.prepare(text)
            if len(self._statements) >= _STATEMENT_CACHE:
                self._statements.pop(next(iter(self._statements)))
            self._statements[text] = statement
        kinds = [parameter.name for parameter in statement.get_parameters()]
        records = await statement.fetch(*coerce(kinds, params))
        status = statement.get_statusmsg() or ""
        count = int(status.rsplit(" ", 1)[-1]) if status[-1:].isdigit() else -1
        rows = _rows(records)
        lastrowid = None
        if returns_id:
            lastrowid = int(rows[-1][0]) if rows else None
            rows = []
        return PgCursor(rows, count, lastrowid)


def _rows(records: list[Any]) -> list[PgRow]:
    if not records:
        return []
    names = {name: index for index, name in enumerate(records[0].keys())}
    rows = []
    for record in records:
        values = tuple(record.values())
        if any(isinstance(value, Decimal) for value in values):
            values = tuple(_number(value) for value in values)
        rows.append(PgRow(names, values))
    return rows


def _number(value: Any) -> Any:
    """SUM and AVG give numeric: an integral one reads as int, the rest as float (SQLite)."""
    if not isinstance(value, Decimal):
        return value
    exponent = value.as_tuple().exponent
    return int(value) if isinstance(exponent, int) and exponent >= 0 else float(value)


def coerce(kinds: Sequence[str], params: Sequence[Any]) -> list[Any]:
    """Bind each value as the type PostgreSQL inferred for its place, as SQLite would store
    it: numbers where text is expected become their text, numeric text becomes a number,
    booleans become 0/1 for integer columns."""
    if len(kinds) != len(params):
        raise ValueError(f"statement takes {len(kinds)} parameters, {len(params)} given")
    bound: list[Any] = []
    for kind, value in zip(kinds, params, strict=True):
        if value is None:
            bound.append(None)
        elif kind in _TEXTS and not isinstance(value, str):
            bound.append(str(int(value)) if isinstance(value, bool) else str(value))
        elif kind in _INTEGERS and not isinstance(value, int) or isinstance(value, bool):
            bound.append(_as_integer(kind, value))
        elif kind in _FLOATS and isinstance(value, str):
            bound.append(float(value))
        elif kind == "bool" and not isinstance(value, bool):
            bound.append(bool(value))
        else:
            bound.append(value)
    return bound


def _as_integer(kind: str, value: Any) -> Any:
    if kind == "bool":
        return bool(value)
    if isinstance(value, bool):
        return int(value) if kind in _INTEGERS else value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return value
    return value


_IGNORE = re.compile(r"^\s*INSERT\s+OR\s+IGNORE\s+INTO\b", re.IGNORECASE)
_INDEXED_BY = re.compile(r"\s+INDEXED\s+BY\s+\w+", re.IGNORECASE)
_INSERT_INTO = re.compile(r"^\s*INSERT\s+INTO\s+(\w+)", re.IGNORECASE)
_RETURNING = re.compile(r"\bRETURNING\b", re.IGNORECASE)


@lru_cache(maxsize=2048)
def translate(sql: str, id_tables: frozenset[str]) -> tuple[str, bool]:
    """SQLite's spelling of a statement in PostgreSQL's, and whether ``RETURNING id`` was
    added to report the inserted row's id (``cursor.lastrowid``)."""
    text = _placeholders(sql)
    text = _INDEXED_BY.sub("", text)
    ignore = _IGNORE.match(text)
    if ignore:
        text = "INSERT INTO" + text[ignore.end():]
        returning = _RETURNING.search(text)
        if returning:
            text = f"{text[:returning.start()]}ON CONFLICT DO NOTHING {text[returning.start():]}"
        else:
            text = f"{text} ON CONFLICT DO NOTHING"
    insert = _INSERT_INTO.match(text)
    if insert and insert.group(1).lower() in id_tables and not _RETURNING.search(text):
        return f"{text} RETURNING id", True
    return text, False


def _placeholders(sql: str) -> str:
    """``?`` → ``$1, $2, …`` outside quoted strings and identifiers."""
    out = []
    number = 0
    quote = ""
    for char in sql:
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "?":
            number += 1
            out.append(f"${number}")
            continue
        out.append(char)
    return "".join(out)


class PostgresDatabase(SharedConnection):
    """One asyncpg connection shared by the bot, with the interface of ``Database``."""

    dialect = "postgresql"

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self._connection: PgConnection | None = None
        self.run = secrets.token_hex(8)
        """This process's name on the update claims; held as an advisory lock while alive."""
        self.namespace = 0
        self.scheduling = False
        """Whether this instance holds the scheduler lock (runs the scheduled scans)."""

    @property
    def connection(self) -> PgConnection:
        """The open connection (raises when the database is closed)."""
        if self._connection is None:
            raise RuntimeError("database is not open")
        return self._connection

    async def open(self) -> None:
        """Connect, announce this run and apply pending migrations."""
        raw = await asyncpg.connect(self.url)
        try:
            self.namespace = int(await raw.fetchval(_NAMESPACE))
            # Held for the connection's life: another instance sees this run alive and never
            # takes over an update it claimed (storage/repositories.py ProcessedUpdates).
            await raw.execute(
                f"SELECT pg_advisory_lock(({_RUNS_NAMESPACE})::int, hashtext($1) & 2147483647)",
                self.run,
            )
            self._connection = PgConnection(raw)
            await self._migrate()
            await self._connection.refresh_schema()
        except BaseException:
            self._connection = None
            await raw.close()
            raise

    async def close(self) -> None:
        """Close the connection (idempotent); its advisory locks go with it."""
        if self._connection is not None:
            await self._connection.raw.close()
            self._connection = None
            self.scheduling = False

    async def _migrate(self) -> None:
        raw = self.connection.raw
        known = available_migrations()
        async with raw.transaction():
            # Two instances starting together: the second waits here, then finds nothing to do.
            await raw.execute("SELECT pg_advisory_xact_lock($1, $2)", self.namespace,
                              MIGRATE_LOCK)
            await raw.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            applied = {row[0] for row in await raw.fetch("SELECT version FROM schema_migrations")}
            unknown = sorted(applied - {version for version, _, _ in known})
            if unknown:
                raise SchemaTooNew(
                    "the PostgreSQL database has migrations this bot does not know"
                    f" ({', '.join(f'{v:04d}' for v in unknown)}; it knows up to"
                    f" {max(v for v, _, _ in known):04d}): a newer version wrote it."
                )
            for version, name, sql in known:
                if version in applied:
                    continue
                logger.info("applying PostgreSQL migration %s", name)
                await raw.execute(sql)
                await raw.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at)"
                    " VALUES ($1, $2, to_char(now() AT TIME ZONE 'UTC',"
                    " 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'))",
                    version,
                    name,
                )

    async def applied_migrations(self) -> list[int]:
        """Versions recorded in the database, oldest first."""
        rows = await self.connection.raw.fetch(
            "SELECT version FROM schema_migrations ORDER BY version"
        )
        return [int(row[0]) for row in rows]

    @asynccontextmanager
    async def transaction(
        self, *, update_id: int | None = None, now: datetime | None = None
    ) -> AsyncIterator[Transaction]:
        """A write transaction, serialised with every instance's (see the module's note);
        with ``update_id`` it also records the update as applied (``DuplicateUpdate``)."""
        async with self._exclusive():
            connection = self.connection
            raw = connection.raw
            await raw.execute("BEGIN")
            try:
                await raw.execute("SELECT pg_advisory_xact_lock($1, $2)", self.namespace,
                                  WRITE_LOCK)
                if update_id is not None:
                    status = await raw.execute(
                        "INSERT INTO processed_updates (update_id, processed_at)"
                        " VALUES ($1, $2) ON CONFLICT DO NOTHING",
                        update_id,
                        to_db_time(now) if now else "",
                    )
                    if status.endswith(" 0"):
                        raise DuplicateUpdate(update_id)
                yield Transaction(connection)
                await raw.execute("COMMIT")
            except BaseException:
                if raw.is_in_transaction():
                    await raw.execute("ROLLBACK")
                raise

    async def claim_update(self, update_id: int, now: datetime) -> UpdateClaim:
        """Claim an update before handling it: one autocommitted insert (see UpdateClaim)."""
        async with self._exclusive():
            repositories = Repositories(self.connection)
            return await repositories.updates.claim(update_id, self.run, now)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[Repositories]:
        """Repositories for reads only (no transaction is opened)."""
        async with self._exclusive():
            yield Repositories(self.connection)

    point_reads = reading
    """A read is one trip to the server either way (SQLite reads these on the event loop)."""

    async def commit(
        self,
        statements: Sequence[Statement],
        *,
        update_id: int | None = None,
        now: datetime | None = None,
    ) -> list[list[PgRow]]:
        """Write ``statements`` in one transaction and return each one's rows (see
        ``Database.commit``: ``DuplicateUpdate``, ``Conflict``)."""
        results = []
        async with self.transaction(update_id=update_id, now=now):
            for statement in statements:
                cursor = await self.connection.run(statement.sql, statement.params)
                if statement.must_change and not cursor.rows and cursor.rowcount < 1:
                    raise Conflict(statement.sql[:60])
                results.append(cursor.rows)
        return results

    async def owner(self) -> str:
        """Which deployment this is, for the data directory's owner file
        (``ops.files.claim_data_dir``): the schema's own id (migration 0021, kept by a
        pg_dump backup), its database and schema; never an address, a user or a password."""
        async with self._exclusive():
            row = await self.connection.raw.fetchrow(
                "SELECT (SELECT id FROM deployment) AS id, current_database() AS db,"
                " current_schema() AS schema"
            )
        assert row is not None
        return f"deployment {row['id']} (database {row['db']}, schema {row['schema']})"

    async def hold_scheduler(self) -> bool:
        """Whether this instance runs the scheduled scans: it holds (or now takes) the
        schema's scheduler lock, which PostgreSQL frees when the holder's connection dies."""
        if self.scheduling:
            return True
        async with self._exclusive():
            held = await self.connection.raw.fetchval(
                "SELECT pg_try_advisory_lock($1, $2)", self.namespace, SCHEDULER_LOCK
            )
        if held:
            logger.info("this instance (run %s) now runs the scheduled scans", self.run)
        self.scheduling = bool(held)
        return self.scheduling



def available_migrations() -> list[tuple[int, str, str]]:
    """The numbered scripts in ``storage/migrations/postgresql``, in order."""
    return numbered_scripts("storage.migrations.postgresql")


def server_problems(url: str, *, timeout: float = 10) -> list[str]:
    """What ``python -m bot health`` reports for PostgreSQL: the server answers, and its
    schema is one this bot knows (empty when sound). Synchronous: for the command line."""

    async def probe() -> list[str]:
        try:
            connection = await asyncpg.connect(url, timeout=timeout)
        except (TimeoutError, OSError, asyncpg.PostgresError) as error:
            return [f"PostgreSQL: cannot connect: {type(error).__name__}: {error}"]
        try:
            table = await connection.fetchval("SELECT to_regclass('schema_migrations')")
            if table is None:
                return ["PostgreSQL: no schema yet (the bot has not started on it)"]
            newest = await connection.fetchval("SELECT MAX(version) FROM schema_migrations")
        finally:
            await connection.close()
        known = max(version for version, _, _ in available_migrations())
        if newest is not None and newest > known:
            return [f"PostgreSQL: schema {newest:04d} is newer than this bot's {known:04d}"]
        return []

    return asyncio.run(probe())
