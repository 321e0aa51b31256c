"""Shared set-up: the real application on the in-process emulator, seeded with officers."""

from __future__ import annotations

import os

# PTB warns about its timedelta migration; opt in as the tests do so runs stay quiet.
os.environ.setdefault("PTB_TIMEDELTA", "true")

import logging  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402

from bot.application import BotApplication, build_application  # noqa: E402
from config.settings import load_settings  # noqa: E402
from domain.clock import ManualClock  # noqa: E402
from domain.people import Status  # noqa: E402
from emulator import Emulator  # noqa: E402
from storage import Database  # noqa: E402

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


class RunningBot:
    """The real ``Application`` started as ``python -m bot`` would, driven in-process."""

    def __init__(self, emu: Emulator, data_dir: Path) -> None:
        self.emu = emu
        self.clock = ManualClock(START)
        emu.now = self.clock.now
        self.settings = load_settings(telegram_bot_token=emu.token, data_dir=data_dir)
        self.app: BotApplication | None = None

    @property
    def application(self) -> BotApplication:
        """The running application."""
        assert self.app is not None, "not started"
        return self.app

    @property
    def db(self) -> Database:
        """The application's database."""
        services = self.application.bot_data.services
        assert services is not None
        return services.db

    async def start(self) -> None:
        """initialize, post_init, start: what ``run_polling`` does before polling."""
        app = build_application(
            self.settings,
            clock=self.clock,
            request=self.emu.request(),
            get_updates_request=self.emu.request(),
            rate_limiter=False,
        )
        await app.initialize()
        assert app.post_init is not None
        await app.post_init(app)
        await app.start()
        self.app = app

    async def stop(self) -> None:
        """stop, shutdown, post_shutdown."""
        app = self.app
        if app is None:
            return
        self.emu.deliver = None
        await app.stop()
        await app.shutdown()
        assert app.post_shutdown is not None
        await app.post_shutdown(app)
        self.app = None

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
