"""Running the bot, and the operator commands' dispatch (health, backup, restore, check).

The commands themselves live in ``ops/``; none of them needs Telegram.
"""

from __future__ import annotations

import asyncio
import gc
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

from bot.application import ALLOWED_UPDATES, BotApplication
from bot.webhook import serve
from config.settings import Settings
from ops.backup import make_backup, restore
from ops.check import check, health
from storage.pg_maintenance import PostgresToolError, redact_url


def log_secrets(settings: Settings) -> list[str]:
    """What the log redaction must hide: the token and the webhook secret (PTB logs both)."""
    return [
        settings.telegram_bot_token.get_secret_value(),
        settings.webhook_secret.get_secret_value(),
    ]


def freeze_start_up_heap() -> None:
    """Put what start-up allocated (modules, catalogues, the application) out of the cycle
    collector's reach: a full collection walks every tracked object on the event loop, and
    walking these ~90 000 each time (~50 ms) paused every officer's answer in flight."""
    gc.collect()
    gc.freeze()


def run(application: BotApplication, settings: Settings) -> None:
    """Run until SIGINT/SIGTERM, then finish the updates in flight and shut down cleanly.

    ``run_polling`` (and ``bot.webhook.serve``, its webhook twin) install the signal handlers:
    on a signal they stop fetching, let the update being processed finish, stop the JobQueue
    and call ``post_shutdown`` (which closes the database). Pending updates are never dropped:
    Telegram keeps what we did not confirm.
    """
    freeze_start_up_heap()
    if settings.run_mode == "webhook":
        # Our own server, not PTB's run_webhook: it reads any body in full before checking the
        # secret (bot/webhook.py).
        asyncio.run(serve(application, settings, ALLOWED_UPDATES))
    else:
        application.run_polling(allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False)


def operate(
    command: str,
    settings: Settings,
    *,
    to: Path | None,
    backup_dir: Path | None,
    prune: bool = False,
) -> int:
    """Run one operator command; returns the exit code."""
    now = datetime.now(UTC)
    if command == "health":
        return health(settings)
    if command == "check":
        return check(settings, prune=prune, now=now)
    if command == "backup":
        try:
            result = make_backup(settings, now=now, to=to)
        except (PostgresToolError, OSError, asyncpg.PostgresError) as error:
            # pg_dump's output is already redacted; a connection error names no password,
            # redacted again all the same.
            url = settings.database_url.get_secret_value()
            print(f"backup failed: {redact_url(f'{type(error).__name__}: {error}', url)}")
            return 1
        print(
            f"backup written to {result.path}: database {result.database_bytes} bytes,"
            f" {result.photo_files} photo files ({result.photo_files_linked} unchanged, linked)"
        )
        return 0
    if backup_dir is None:
        print("restore needs the backup directory: python -m bot restore DATA_DIR/backups/...")
        return 1
    return restore(settings, backup_dir, now=now)

