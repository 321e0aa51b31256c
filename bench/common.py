"""Shared set-up: the real application on the in-process emulator, seeded with officers."""

from __future__ import annotations

import os

# PTB warns about its timedelta migration; opt in as the tests do so runs stay quiet.
os.environ.setdefault("PTB_TIMEDELTA", "true")

import gc  # noqa: E402
import logging  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402

from bot.maintenance import freeze_start_up_heap  # noqa: E402
from domain.people import Status  # noqa: E402
from emulator import Emulator  # noqa: E402
from emulator.harness import BotHarness  # noqa: E402

TOKEN = "123456:BENCH-TOKEN-abcdefghijklmnopqrstuvw"
# Saturday 28 November 2026, 10:00 WITA: inside the week the growth seed also covers.
START = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
OFFICER_BASE = 100_000
LEADER_BASE = 50_000
UNITS = ("binkamsa", "binpolmas", "bintibmas")


def quiet_logging() -> None:
    """The bench prints one table; the bot's INFO lines would drown it."""
    logging.basicConfig(level=logging.WARNING)
    for name in ("telegram", "httpx", "apscheduler", "bot", "conversations", "storage"):
        logging.getLogger(name).setLevel(logging.WARNING)


def new_emulator() -> Emulator:
    """A fresh emulator with the bench's token."""
    return Emulator(token=TOKEN, bot_username="polmas_bench_bot", bot_id=123456)


class RunningBot(BotHarness):
    """The tests' harness (the real ``Application`` started as ``python -m bot`` would,
    driven in-process), at the bench's start time, with the bench's seeding."""

    def __init__(self, emu: Emulator, data_dir: Path) -> None:
        super().__init__(emu, data_dir, start=START)

    async def start(self) -> None:
        """Start, then freeze the start-up heap as ``python -m bot`` does before it runs."""
        await super().start()
        freeze_start_up_heap()

    async def stop(self) -> None:
        """Stop, and give the next run's collector back what this one froze."""
        await super().stop()
        gc.unfreeze()

    async def seed_officers(self, count: int) -> list[int]:
        """``count`` active banit spread over the units, and a kanit per unit; their ids."""
        now = self.clock.now()
        ids = []
        async with self.db.transaction() as tx:
            for index, unit in enumerate(UNITS):
                telegram_id = LEADER_BASE + index
                await tx.officers.create(
                    telegram_id=telegram_id,
                    full_name=f"Kanit {unit}",
                    nrp=f"7{index:07d}",
                    rank="IPTU",
                    unit_code=unit,
                    role="kanit",
                    language="id",
                    status=Status.ACTIVE,
                    now=now,
                )
                self.emu.user(telegram_id, f"Kanit{index}").started = True
            for index in range(count):
                telegram_id = OFFICER_BASE + index
                await tx.officers.create(
                    telegram_id=telegram_id,
                    full_name=f"Petugas {index}",
                    nrp=f"{10_000_000 + index}",
                    rank="BRIPKA",
                    unit_code=UNITS[index % len(UNITS)],
                    role="banit",
                    language="id",
                    status=Status.ACTIVE,
                    now=now,
                )
                ids.append(telegram_id)
        return ids
