"""The bench runs (tiny sizes) and prints its table; the storage fix it motivated stays fixed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import aiosqlite
import pytest

from storage import Database

# The bench measures the SQLite backend (its bot processes read the SQLite file).
pytestmark = pytest.mark.usefixtures("sqlite_file")


async def test_a_point_read_is_one_trip_to_the_database_thread(tmp_path: Path, monkeypatch):
    # Each trip to aiosqlite's thread costs ~100 µs; execute + fetchone + close were three.
    database = Database(tmp_path / "db.sqlite3")
    await database.open()
    trips = 0
    original = aiosqlite.Connection._execute

    async def counted(self, fn, *args, **kwargs):
        nonlocal trips
        trips += 1
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    try:
        async with database.reading() as repos:
            assert await repos.officers.by_telegram_id(424242) is None
            assert trips == 1
            assert await repos.updates.seen(1) is False
            assert trips == 2
    finally:
        monkeypatch.undo()
        await database.close()


async def test_one_returns_the_first_of_several_rows(tmp_path: Path):
    database = Database(tmp_path / "db.sqlite3")
    await database.open()
    try:
        async with database.reading() as repos:
            row = await repos.officers._one("SELECT 1 UNION ALL SELECT 2")
            assert row is not None
            assert row[0] == 1
            assert await repos.officers._one("SELECT 1 WHERE 0") is None
            assert [r[0] for r in await repos.officers._all("SELECT 1 UNION ALL SELECT 2")] == [
                1,
                2,
            ]
    finally:
        await database.close()


def test_the_bench_prints_its_table_on_tiny_sizes():
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    table = [line for line in done.stdout.splitlines() if line.startswith("|")]
    assert table[0].split("|")[1].strip() == "section"
    sections = {line.split("|")[1].strip() for line in table[2:]}
    assert sections == {"1 reporting", "2 photos", "3 data growth", "4 memory", "5 start-up",
                        "6 taps", "7 fairness", "8 backends"}
    assert "EXPLAIN QUERY PLAN" in done.stdout


async def test_saving_a_draft_answer_is_one_trip_and_returns_the_stored_draft(
    tmp_path: Path, monkeypatch
):
    from dataclasses import replace
    from datetime import UTC, datetime

    from domain.people import Status

    database = Database(tmp_path / "db.sqlite3")
    await database.open()
    now = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
    try:
        async with database.transaction() as tx:
            await tx.units.sync([("binkamsa", "Unit Binkamsa", None)])
            officer = await tx.officers.create(
                telegram_id=1001, full_name="Budi", nrp="1", rank="BRIPKA",
                unit_code="binkamsa", role="banit", language="id", status=Status.ACTIVE, now=now,
            )
            draft_id = await tx.drafts.create(officer.id, "sapta", "sprin", now)
            draft = await tx.drafts.of_officer(officer.id)
            assert draft is not None
            assert draft.id == draft_id
            trips = 0
            original = aiosqlite.Connection._execute

            async def counted(self, fn, *args, **kwargs):
                nonlocal trips
                trips += 1
                return await original(self, fn, *args, **kwargs)

            monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
            saved = await tx.drafts.save(replace(draft, step="time", answers={"sprin": "S/1"}),
                                         now)
            monkeypatch.undo()
        assert trips == 1
        assert (saved.step, saved.answers, saved.version) == ("time", {"sprin": "S/1"}, 1)
        async with database.reading() as repos:
            assert await repos.drafts.of_officer(officer.id) == saved
    finally:
        await database.close()


def test_start_up_does_not_import_the_export_libraries():
    # fpdf (with fontTools) and openpyxl cost ~1 s of every start; only exports need them.
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c",
         "import sys, bot.application; print('fpdf' in sys.modules, 'openpyxl' in sys.modules)"],
        cwd=root, capture_output=True, text=True, timeout=60, check=True,
    )
    assert done.stdout.split() == ["False", "False"]
