"""The real bot driven through the emulator in direct mode, restartable on the same data.

Shared by the tests and the bench (which must not import tests/): one way to run the bot.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from telegram.ext import BaseRateLimiter

from bot.application import BotApplication, build_application
from config.settings import Settings, load_settings
from domain.clock import ManualClock
from domain.people import Officer, Status
from emulator import Emulator, SimUser, pg
from storage import AnyDatabase


class BotHarness:
    """Builds, starts, stops and restarts the application like ``python -m bot`` would."""

    def __init__(
        self,
        emu: Emulator,
        data_dir: Path,
        *,
        start: datetime,
        admin_ids: frozenset[int] = frozenset(),
        rate_limiter: bool | BaseRateLimiter[Any] = False,
        **overrides: object,
    ) -> None:
        self.emu = emu
        self.clock = ManualClock(start)
        emu.now = self.clock.now
        if pg.POSTGRES and "database_url" not in overrides:
            overrides["database_url"] = pg.url_for(data_dir)
        self.settings: Settings = load_settings(
            telegram_bot_token=emu.token,
            data_dir=data_dir,
            admin_ids=",".join(str(i) for i in admin_ids),
            **overrides,
        )
        self.rate_limiter = rate_limiter
        """Off by default (no retry pauses); on, as in production, for the fault tests."""
        self.app: BotApplication | None = None

    @property
    def application(self) -> BotApplication:
        """The running application."""
        assert self.app is not None, "bot is not running"
        return self.app

    @property
    def db(self) -> AnyDatabase:
        """The running application's database."""
        services = self.application.bot_data.services
        assert services is not None
        return services.db

    async def start(self) -> None:
        """Initialise as run_polling would: initialize, post_init, start."""
        if pg.POSTGRES:
            await pg.ensure_schema(self.settings.database_url.get_secret_value())
        app = build_application(
            self.settings,
            clock=self.clock,
            request=self.emu.request(),
            get_updates_request=self.emu.request(),
            rate_limiter=self.rate_limiter,
        )
        await app.initialize()
        assert app.post_init is not None
        await app.post_init(app)
        await app.start()
        self.emu.use_application(app)
        self.app = app

    async def stop(self) -> None:
        """Shut down as run_polling would."""
        app = self.app
        if app is None:
            return
        self.emu.deliver = None
        await app.stop()
        assert app.post_stop is not None
        await app.post_stop(app)
        await app.shutdown()
        assert app.post_shutdown is not None
        await app.post_shutdown(app)
        self.app = None

    async def restart(self) -> None:
        """A new application on the same data directory (what a crash and restart leaves)."""
        await self.stop()
        await self.start()

    async def seed_officer(
        self,
        user: SimUser,
        *,
        name: str,
        nrp: str,
        unit: str,
        role: str = "banit",
        rank: str = "BRIPKA",
        status: Status = Status.ACTIVE,
        language: str = "id",
    ) -> Officer:
        """Put an officer straight into the database and let them have 'started' the bot."""
        user.started = True
        async with self.db.transaction() as tx:
            return await tx.officers.create(
                telegram_id=user.id,
                full_name=name,
                nrp=nrp,
                rank=rank,
                unit_code=unit,
                role=role,
                language=language,
                status=status,
                now=self.clock.now(),
            )

    async def officer(self, user: SimUser) -> Officer | None:
        """The stored officer record of a simulated user."""
        async with self.db.reading() as repos:
            return await repos.officers.by_telegram_id(user.id)
