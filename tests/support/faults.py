"""Test helpers shared by several test modules (from tests/test_fault_suite.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from domain.people import Status
from emulator import SimUser
from storage import Database


async def seed_officers(path: Path, users: list[SimUser]) -> None:
    database = Database(path)
    await database.open()
    try:
        async with database.transaction() as tx:
            for number, user in enumerate(users):
                await tx.officers.create(
                    telegram_id=user.id, full_name=f"Petugas {number}", nrp=f"8800{number:04d}",
                    rank="BRIPKA", unit_code="binkamsa", role="banit", language="id",
                    status=Status.ACTIVE, now=datetime.now(UTC),
                )
    finally:
        await database.close()
