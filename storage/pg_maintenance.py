"""Operator tasks on PostgreSQL: pg_dump/pg_restore of the bot's schema, references, locks.

The twin of ``storage/maintenance.py`` for a ``postgresql://`` DATABASE_URL. Synchronous, for
the command line and the nightly job's worker thread: each :class:`PostgresData` runs its own
event loop and connection, never the bot's. The password of the URL never reaches a command
line or a log line: ``pg_dump``/``pg_restore`` get the connection through libpq's environment
variables (``PGPASSWORD``), and their error output is redacted.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import asyncpg

from domain.imaging import photo_hashes
from domain.people import Status
from storage.maintenance import PhotoReferences, loads_or_none
from storage.postgres import (
    _NAMESPACE,
    _RUNS_NAMESPACE,
    MIGRATE_LOCK,
    WRITE_LOCK,
    available_migrations,
)

# libpq's query parameters that have an environment variable (the rest are asyncpg's or
# server settings such as search_path, which pg_dump does not need: the schema is named).
_LIBPQ_QUERY = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "application_name": "PGAPPNAME",
    "password": "PGPASSWORD",
    "user": "PGUSER",
    "host": "PGHOST",
    "port": "PGPORT",
}


class PostgresToolError(RuntimeError):
    """pg_dump or pg_restore failed (its output redacted)."""


def libpq_environment(url: str) -> dict[str, str]:
    """The connection of ``url`` as libpq environment variables (password included, so that
    it never appears on a command line), on top of this process's environment."""
    parts = urlsplit(url)
    # On top of the environment's PG* variables, as asyncpg reads them; the URL wins.
    env = dict(os.environ)
    if parts.hostname:
        env["PGHOST"] = unquote(parts.hostname)
    if parts.port:
        env["PGPORT"] = str(parts.port)
    if parts.username:
        env["PGUSER"] = unquote(parts.username)
    if parts.password:
        env["PGPASSWORD"] = unquote(parts.password)
    database = unquote(parts.path.lstrip("/"))
    if database:
        env["PGDATABASE"] = database
    for key, value in parse_qsl(parts.query):
        if key in _LIBPQ_QUERY:
            env[_LIBPQ_QUERY[key]] = value
    return env


def password_of(url: str) -> str:
    """The password ``url`` carries (in its user part or query), or ''."""
    parts = urlsplit(url)
    password = unquote(parts.password or "")
    return password or dict(parse_qsl(parts.query)).get("password", "")


def redact_url(text: str, url: str) -> str:
    """``text`` with the password of ``url`` (raw and decoded) replaced by ``***``."""
    raw = urlsplit(url).password or ""
    for secret in {raw, password_of(url)}:
        if secret:
            text = text.replace(secret, "***")
    return text


def _run_tool(url: str, arguments: list[str]) -> str:
    """Run pg_dump/pg_restore with the connection in the environment; its stdout."""
    try:
        done = subprocess.run(
            arguments, env=libpq_environment(url), capture_output=True, text=True, check=False
        )
    except FileNotFoundError as error:
        raise PostgresToolError(
            f"{arguments[0]} not found: install PostgreSQL's client tools (Debian:"
            " postgresql-client, of the server's major version or newer)"
        ) from error
    if done.returncode != 0:
        message = redact_url((done.stderr or done.stdout).strip(), url)
        raise PostgresToolError(f"{arguments[0]} failed ({done.returncode}): {message}")
    return done.stdout


def dump_schema(url: str, schema: str, target: Path) -> None:
    """``pg_dump -Fc`` of ``schema`` into a new owner-only file ``target`` (one snapshot)."""
    if target.exists():
        raise FileExistsError(target)
    os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    _run_tool(url, ["pg_dump", "-Fc", "--schema", schema, "-f", str(target)])
    os.chmod(target, 0o600)


def dump_versions(dump: Path) -> list[int] | None:
    """Migration versions recorded in a dump's ``schema_migrations`` (None: no such table)."""
    listing = _run_tool("", ["pg_restore", "-l", str(dump)])
    if " TABLE DATA " not in listing or " schema_migrations " not in listing:
        return None
    text = _run_tool("", ["pg_restore", "--data-only", "-t", "schema_migrations", "-f", "-",
                          str(dump)])
    versions: list[int] = []
    copying = False
    for line in text.splitlines():
        if line.startswith("COPY ") and ".schema_migrations " in line:
            copying = True
        elif copying and line == "\\.":
            copying = False
        elif copying and line:
            versions.append(int(line.split("\t", 1)[0]))
    return sorted(versions)


def restore_schema(url: str, dump: Path) -> None:
    """``pg_restore --clean --if-exists`` of ``dump`` into the schema it was made of, in one
    transaction: it stops at the first error and leaves nothing half-restored."""
    env = libpq_environment(url)
    database = env.get("PGDATABASE") or env.get("PGUSER") or "postgres"
    _run_tool(url, ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                    "--exit-on-error", "-d", database, str(dump)])


class PostgresData:
    """One connection of its own to the bot's schema, for a command or a worker thread."""

    def __init__(self, url: str) -> None:
        self.url = url
        # A loop of its own on a thread of its own: usable from a worker thread, the command
        # line, and a caller that is itself on an event loop (which it then blocks briefly).
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True,
                                        name="pg-maintenance")
        self._thread.start()
        try:
            self._raw: asyncpg.Connection = self._run(asyncpg.connect(url, timeout=10))
        except BaseException:
            self._stop()
            raise

    def _run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def _stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    def close(self) -> None:
        """Close the connection and the loop (its session locks go with it)."""
        try:
            self._run(self._raw.close())
        finally:
            self._stop()

    def __enter__(self) -> PostgresData:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def fetch(self, sql: str, *args: Any) -> list[Any]:
        """Rows of one statement."""
        return list(self._run(self._raw.fetch(sql, *args)))

    def fetchval(self, sql: str, *args: Any) -> Any:
        """The first value of one statement."""
        return self._run(self._raw.fetchval(sql, *args))

    def execute(self, sql: str, *args: Any) -> None:
        """Run one statement."""
        self._run(self._raw.execute(sql, *args))

    @property
    def schema(self) -> str | None:
        """The schema the bot's tables live in (the URL's ``search_path``, else public)."""
        return self.fetchval("SELECT current_schema()")  # type: ignore[no-any-return]

    def integrity(self) -> list[str]:
        """The server's problems as ``health`` reports them: a schema this bot knows."""
        versions = self.versions()
        if versions is None:
            return ["PostgreSQL: no schema yet (the bot has not started on it)"]
        known = max(version for version, _, _ in available_migrations())
        newest = max(versions, default=0)
        if newest > known:
            return [f"PostgreSQL: schema {newest:04d} is newer than this bot's {known:04d}"]
        return []

    def versions(self) -> list[int] | None:
        """Migration versions recorded (None: the bot never started on this schema)."""
        if self.fetchval("SELECT to_regclass('schema_migrations')") is None:
            return None
        return [int(r[0]) for r in self.fetch("SELECT version FROM schema_migrations ORDER BY 1")]

    def live_runs(self) -> int:
        """Bot instances connected to this schema now: each holds an advisory lock on its run
        name in the schema's runs namespace for as long as it is connected
        (``PostgresDatabase.open``)."""
        namespace = self.fetchval(_RUNS_NAMESPACE)
        if namespace is None:
            return 0
        return int(self.fetchval(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            " AND objsubid = 2 AND classid::bigint = $1 AND pid <> pg_backend_pid()",
            int(namespace),
        ))

    def hold_migrations(self) -> None:
        """Take the schema's migration lock for this session: a bot starting meanwhile waits
        in its migration step until :meth:`close` (used by restore)."""
        namespace = self.fetchval(_NAMESPACE)
        if namespace is not None:
            self.execute("SELECT pg_advisory_lock($1, $2)", int(namespace), MIGRATE_LOCK)

    def photo_references(self) -> PhotoReferences:
        """Every photo hash the schema's rows refer to (as ``photo_references`` on SQLite)."""
        in_reports = {str(r[0]) for r in self.fetch("SELECT sha256 FROM report_photos")}
        elsewhere: set[str] = set()
        for sql in (
            "SELECT answers, work FROM report_drafts",
            "SELECT old_value, new_value FROM report_revisions",
            "SELECT answers FROM reports",
        ):
            for row in self.fetch(sql):
                for text in row:
                    elsewhere.update(photo_hashes(loads_or_none(text)))
        return PhotoReferences(in_reports, elsewhere - in_reports)

    def officer_nrps(self) -> dict[int, tuple[str, Status]]:
        """Officer id → NRP and status of every officer holding one."""
        rows = self.fetch("SELECT id, nrp, status FROM officers WHERE nrp IS NOT NULL")
        return {int(r[0]): (str(r[1]), Status(r[2])) for r in rows}

    @contextlib.contextmanager
    def photo_write_lock(self) -> Iterator[Any]:
        """The schema's write lock (every bot write transaction takes it, on every instance)
        for one photo's deletion; yields ``refers_to(sha256)`` as on SQLite."""
        self.execute("BEGIN")
        try:
            self.execute("SET LOCAL lock_timeout = '10s'")
            self.execute("SELECT pg_advisory_xact_lock((" + _NAMESPACE + ")::int, $1)",
                         WRITE_LOCK)

            def refers_to(sha: str) -> bool:
                return bool(self.fetchval(
                    "SELECT EXISTS (SELECT 1 FROM report_photos WHERE sha256 = $1)"
                    " OR EXISTS (SELECT 1 FROM report_drafts WHERE strpos(answers, $1) > 0"
                    " OR strpos(work, $1) > 0)",
                    sha,
                ))

            yield refers_to
        finally:
            self.execute("ROLLBACK")
