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

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        async with self._db.execute(sql, params) as cursor:
            row: Row | None = await cursor.fetchone()
            return row

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        async with self._db.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def _write(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Cursor:
        return await self._db.execute(sql, params)
