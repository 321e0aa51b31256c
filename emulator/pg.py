"""PostgreSQL for the tests: a fresh schema per test when DATABASE_URL names a server.

A schema (with ``search_path``) is created and dropped in a few milliseconds, where a database
cloned from a template costs a checkpoint; every advisory lock of the bot is scoped to its
schema, so tests never wait for each other's.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg

from storage import is_postgres_url

BASE_URL = os.environ.get("DATABASE_URL", "")
POSTGRES = is_postgres_url(BASE_URL)
"""Whether this run of the suite uses PostgreSQL (DATABASE_URL=postgresql://...)."""


def server_url() -> str:
    """The server to use for PostgreSQL-only tests: DATABASE_URL, else the local one."""
    return BASE_URL if POSTGRES else "postgresql://postgres@127.0.0.1:5432/test"


def with_schema(url: str, schema: str) -> str:
    """``url`` with ``search_path`` set to ``schema`` (asyncpg passes it to the server)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "search_path"]
    query.append(("search_path", schema))
    return urlunsplit(parts._replace(query=urlencode(query)))


_by_data_dir: dict[Path, str] = {}
_created: list[str] = []


def url_for(data_dir: Path) -> str:
    """The schema standing for a data directory, as the SQLite file in it would: a harness
    on a new directory starts empty, one on the same directory finds the data again."""
    key = data_dir.resolve()
    if key not in _by_data_dir:
        _by_data_dir[key] = with_schema(BASE_URL, f"t_{secrets.token_hex(6)}")
    return _by_data_dir[key]


def adopt(data_dir: Path, url: str) -> None:
    """Let ``data_dir`` stand for the schema at ``url`` (the test's DATABASE_URL)."""
    _by_data_dir[data_dir.resolve()] = url


async def ensure_schema(url: str) -> None:
    """Create the schema ``url`` uses unless it exists (dropped by ``drop_created``)."""
    schema = dict(parse_qsl(urlsplit(url).query))["search_path"]
    connection = await asyncpg.connect(BASE_URL)
    try:
        await connection.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    finally:
        await connection.close()
    if url not in _created:
        _created.append(url)


async def drop_created() -> None:
    """Drop every schema the test's harnesses created."""
    while _created:
        await drop_schema(_created.pop())
    _by_data_dir.clear()


async def create_schema(url: str) -> str:
    """A new empty schema on ``url``'s server; returns the URL that uses it."""
    schema = f"t_{secrets.token_hex(6)}"
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(f"CREATE SCHEMA {schema}")
    finally:
        await connection.close()
    return with_schema(url, schema)


async def drop_schema(url: str) -> None:
    """Drop the schema ``url`` uses, with everything in it."""
    schema = dict(parse_qsl(urlsplit(url).query))["search_path"]
    connection = await asyncpg.connect(url)
    try:
        await connection.execute("SET lock_timeout = '10s'")
        await connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    finally:
        await connection.close()


def run(coroutine: object) -> object:
    """Run a coroutine from a synchronous fixture (no loop runs there)."""
    return asyncio.run(coroutine)  # type: ignore[arg-type]
