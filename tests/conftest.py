"""Fixtures: a Bot API emulator, a controllable clock, and the real bot wired to both."""

from __future__ import annotations

import os

# PTB warns about its timedelta migration when RetryAfter and friends are built; tests run with
# warnings as errors, so opt in to the new behaviour for the whole session.
os.environ.setdefault("PTB_TIMEDELTA", "true")

from collections.abc import AsyncIterator, Iterator  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from emulator import (
    Emulator,  # noqa: E402
    pg,  # noqa: E402
)
from emulator.harness import BotHarness  # noqa: E402
from emulator.spec import load_spec  # noqa: E402

TOKEN = "123456:TEST-TOKEN-abcdefghijklmnopqrstuv"
ADMIN_TELEGRAM_ID = 9000


@pytest.fixture(autouse=True)
def postgres_schema(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str | None]:
    """With DATABASE_URL=postgresql://...: every test gets a fresh schema of its own (the
    bot's settings read DATABASE_URL; the data_dir fixture's directory stands for it), and
    a harness on another directory gets another; all dropped afterwards. Without, nothing."""
    if not pg.POSTGRES:
        yield None
        return
    url = str(pg.run(pg.create_schema(pg.BASE_URL)))
    monkeypatch.setenv("DATABASE_URL", url)
    pg.adopt(tmp_path / "data", url)
    try:
        yield url
    finally:
        pg.run(pg.drop_created())
        pg.run(pg.drop_schema(url))


@pytest.fixture
def sqlite_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """For tests of the SQLite file itself (backup, restore, ``check``, ``health``, file
    permissions, the bench): they run on SQLite in both suite runs. PostgreSQL's own
    (pg_dump backups, restore, ``check``) are in tests/test_backup_postgres.py."""
    monkeypatch.setenv("DATABASE_URL", "")
    monkeypatch.setattr(pg, "POSTGRES", False)


@pytest.fixture
def emu() -> Iterator[Emulator]:
    # Every test checks its calls, results and updates against the official spec.
    emulator = Emulator(token=TOKEN, bot_username="polmas_test_bot", bot_id=123456,
                        spec=load_spec())
    yield emulator
    assert spec_problems(emulator) == []


PTB_EXTRAS = frozenset({("editMessageReplyMarkup", "parse_mode")})
"""Parameters PTB itself adds (its ``Defaults(parse_mode=...)`` go into every message-editing
call); Telegram ignores them, and the bot cannot leave them out."""


def spec_problems(emulator: Emulator) -> list[str]:
    """What the spec check noted in a test, less the parameters PTB adds on its own."""
    extras = {f"{method}: unknown parameter {name!r} (Telegram ignores it)"
              for method, name in PTB_EXTRAS}
    return sorted({note for note in emulator.spec_notes if note not in extras})


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
async def harness(emu: Emulator, data_dir: Path) -> AsyncIterator[BotHarness]:
    # Saturday 28 November 2026, 10:00 WITA.
    start = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
    bot = BotHarness(emu, data_dir, start=start, admin_ids=frozenset({ADMIN_TELEGRAM_ID}))
    await bot.start()
    try:
        yield bot
    finally:
        await bot.stop()


@pytest.fixture
async def bot(emu: Emulator, data_dir: Path, tmp_path: Path) -> AsyncIterator[BotHarness]:
    """The schedule tests' bot: Saturday 28 November 2026, 10:00 WITA, no recurring rules
    (posts come from /tugas)."""
    from tests.support.schedule import schedule_file, wita  # local: it imports this module

    harness = BotHarness(emu, data_dir, start=wita(28, 10), admin_ids=frozenset(
        {ADMIN_TELEGRAM_ID}), schedule_file=schedule_file(tmp_path))
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()
