"""The base every repository shares: three small helpers around one connection."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import aiosqlite

Row = aiosqlite.Row


class Repository:
    """Runs parameterised statements on the connection it was given."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._db = connection

    # One trip to aiosqlite's thread per read: ``execute`` + ``fetchone`` + closing the
    # cursor were three (each ~100 µs of thread hand-off; see bench/ and README Performance).
    async def _one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        rows = await self._db.execute_fetchall(sql, params)
        for row in rows:
            return row
        return None

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return list(await self._db.execute_fetchall(sql, params))

    async def _write(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Cursor:
        return await self._db.execute(sql, params)
