"""The reporting hot path (#15): an answer is one storage trip, and that changes no guarantee.

Officers answering at the same moment are committed together (SQLite: one trip to aiosqlite's
thread, one fsync); a batch that fails is undone alone; a draft written between the read on the
event loop and the write is never overwritten with the older state; a redelivered update is
still applied once. Run on both backends (``DATABASE_URL``).
"""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import replace
from typing import Any

import aiosqlite
import pytest

from domain.reports import Draft
from emulator import Emulator
from emulator.harness import BotHarness
from storage import Database, DuplicateUpdate
from storage.base import Conflict
from tests.support.reports import draft_of, seed
from usecases.drafts import change_draft


async def _officers_with_drafts(harness: BotHarness, emu: Emulator, count: int) -> list[int]:
    """``count`` officers, each with an open SAPTA draft opened through the bot."""
    ids = []
    for number in range(count):
        user = emu.user(7000 + number, f"Petugas{number}")
        await harness.seed_officer(user, name=f"Petugas {number}", nrp=f"9000{number:04d}",
                                   unit="binkamsa")
        await user.send("/lapor")
        await user.press("POS SAPTA")
        draft = await draft_of(harness, user)
        assert draft is not None
        ids.append(draft.officer_id)
    return ids


def _noted(text: str) -> Any:
    def change(draft: Draft) -> Draft:
        return replace(draft, work={**draft.work, "note": text})
    return change


async def test_answers_at_the_same_moment_are_each_stored_once_and_a_failed_one_alone_undone(
    harness: BotHarness, emu: Emulator
):
    officers = await _officers_with_drafts(harness, emu, 6)
    now = harness.clock.now()
    # The third officer's update was applied before: its batch fails, the others commit.
    async with harness.db.transaction(update_id=880_002, now=now):
        pass
    outcomes = await asyncio.gather(
        *(change_draft(harness.db, officer, _noted(f"jawaban {index}"), update_id=880_000 + index,
                       now=now) for index, officer in enumerate(officers)),
        return_exceptions=True,
    )
    assert isinstance(outcomes[2], DuplicateUpdate)
    async with harness.db.reading() as repos:
        for index, officer in enumerate(officers):
            stored = await repos.drafts.of_officer(officer)
            assert stored is not None
            if index == 2:
                assert "note" not in stored.work
                continue
            assert stored.work["note"] == f"jawaban {index}"
            assert outcomes[index] == stored
            assert await repos.updates.seen(880_000 + index)


async def test_concurrent_answers_share_one_trip_to_the_sqlite_thread(
    harness: BotHarness, emu: Emulator, monkeypatch: pytest.MonkeyPatch
):
    if not isinstance(harness.db, Database):
        pytest.skip("SQLite's group commit; PostgreSQL commits each batch in its transaction")
    officers = await _officers_with_drafts(harness, emu, 8)
    trips = 0
    original = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal trips
        trips += 1
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    now = harness.clock.now()
    await asyncio.gather(*(
        change_draft(harness.db, officer, _noted("x"), update_id=881_000 + index, now=now)
        for index, officer in enumerate(officers)
    ))
    # The first batch goes alone (nothing was waiting); the seven handed in meanwhile, together.
    assert trips <= 2, trips


async def test_a_write_between_the_read_and_the_answer_is_kept_and_the_answer_applied_onto_it(
    harness: BotHarness, emu: Emulator, monkeypatch: pytest.MonkeyPatch
):
    (officer,) = await _officers_with_drafts(harness, emu, 1)
    db = harness.db
    real_commit = db.commit
    interfered = False

    async def commit_after_a_scrub(*args: Any, **kwargs: Any) -> Any:
        nonlocal interfered
        if not interfered:
            interfered = True
            # What the privacy scrub or a post binding the draft does meanwhile.
            async with db.transaction() as tx:
                current = await tx.drafts.of_officer(officer)
                assert current is not None
                await tx.drafts.save(replace(current, work={**current.work, "scrub": 1}),
                                     harness.clock.now(), bump=False)
        return await real_commit(*args, **kwargs)

    monkeypatch.setattr(db, "commit", commit_after_a_scrub)
    calls = []

    def answer(draft: Draft) -> Draft:
        calls.append(draft.work.get("scrub"))
        return replace(draft, work={**draft.work, "note": "jawaban"})

    stored = await change_draft(db, officer, answer, update_id=882_000, now=harness.clock.now())
    assert calls == [None, 1]  # applied to the old read, refused, applied again to the new
    assert stored is not None
    assert stored.work["scrub"] == 1
    assert stored.work["note"] == "jawaban"


async def test_a_stale_revision_changes_nothing_and_records_no_update(
    harness: BotHarness, emu: Emulator
):
    (officer,) = await _officers_with_drafts(harness, emu, 1)
    db = harness.db
    async with db.point_reads() as repos:
        read = await repos.drafts.of_officer(officer)
        assert read is not None
        saving = repos.drafts.saving(replace(read, work={"note": "lama"}), harness.clock.now())
    async with db.transaction() as tx:
        await tx.drafts.save(read, harness.clock.now(), bump=False)  # revision + 1
    with pytest.raises(Conflict):
        await db.commit([saving], update_id=883_000, now=harness.clock.now())
    async with db.reading() as repos:
        now_stored = await repos.drafts.of_officer(officer)
        assert not await repos.updates.seen(883_000)
    assert now_stored is not None
    assert "note" not in now_stored.work
    assert now_stored.revision == read.revision + 1


async def test_the_same_update_twice_is_applied_once(harness: BotHarness, emu: Emulator):
    (officer,) = await _officers_with_drafts(harness, emu, 1)
    now = harness.clock.now()
    first, second = await asyncio.gather(
        change_draft(harness.db, officer, _noted("sekali"), update_id=884_000, now=now),
        change_draft(harness.db, officer, _noted("dua kali"), update_id=884_000, now=now),
        return_exceptions=True,
    )
    assert isinstance(first, Draft)
    assert isinstance(second, DuplicateUpdate)
    async with harness.db.reading() as repos:
        stored = await repos.drafts.of_officer(officer)
    assert stored is not None
    assert stored.work["note"] == "sekali"
    assert stored.revision == first.revision


async def test_a_text_answer_through_the_bot_is_one_trip_and_stored_before_the_reply(
    harness: BotHarness, emu: Emulator, monkeypatch: pytest.MonkeyPatch
):
    if not isinstance(harness.db, Database):
        pytest.skip("counts trips to aiosqlite's thread")
    officer, _ = await seed(harness, emu)
    await officer.send("/lapor")
    await officer.press("POS SAPTA")
    await officer.send("RW 03 Kel. Heledulaa")
    before = await draft_of(harness, officer)
    assert before is not None
    trips = []
    original = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        trips.append(getattr(fn, "__name__", "?"))
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    await officer.send_location(0.5412, 123.0595)
    assert trips == ["_run_batches"]
    draft = await draft_of(harness, officer)
    assert draft is not None
    assert draft.step != before.step
    assert draft.answers[before.step]["pin"]["lat"] == pytest.approx(0.5412)
    assert draft.answers[before.step]["place"] == "RW 03 Kel. Heledulaa"
    assert officer.last.content  # the next question came, after that one trip


async def test_a_point_read_that_finds_the_database_busy_waits_without_holding_the_loop(
    harness: BotHarness, emu: Emulator
):
    if not isinstance(harness.db, Database):
        pytest.skip("SQLite's reads on the event loop")
    officer, _ = await seed(harness, emu)
    reads = harness.db._reads
    assert reads is not None
    real = reads._connection
    refusals = 3

    class Busy:
        """The connection as a checkpoint resetting the log leaves it for a moment."""

        def execute(self, sql: str, params: Any = ()) -> Any:
            nonlocal refusals
            if refusals:
                refusals -= 1
                raise sqlite3.OperationalError("database is locked")
            return real.execute(sql, params)

    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    running = asyncio.create_task(ticker())
    reads._connection = Busy()  # type: ignore[assignment]
    try:
        async with harness.db.point_reads() as repos:
            found = await repos.officers.by_telegram_id(officer.id)
    finally:
        reads._connection = real
        running.cancel()
    assert found is not None
    assert found.full_name == "Budi Santoso"
    assert refusals == 0
    assert ticks >= 3  # the loop ran other work while the read waited
