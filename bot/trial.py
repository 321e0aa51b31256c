"""``python -m bot try``: the real bot against the Bot API emulator, chatted with from a terminal.

Nothing leaves the machine: the emulator serves the Bot API over HTTP on 127.0.0.1 and the bot
reaches it through ``TELEGRAM_API_BASE_URL`` exactly as it would reach a self-hosted server.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.application import build_application
from config.settings import load_settings
from emulator.console import Console
from emulator.core import Emulator

TRIAL_TOKEN = "123456:OFFLINE-TRIAL-TOKEN"
OFFICER_ID = 1001
ADMIN_ID = 9000


async def run_trial(data_dir: Path) -> None:
    """Serve the emulator, run the bot against it over HTTP, and open the terminal chat."""
    emu = Emulator(token=TRIAL_TOKEN, bot_username="polmas_trial_bot")
    base_url, file_url = await emu.start_http("127.0.0.1", 0)
    settings = load_settings(
        telegram_bot_token=TRIAL_TOKEN,
        telegram_api_base_url=base_url,
        telegram_api_file_url=file_url,
        data_dir=data_dir,
        admin_ids=str(ADMIN_ID),
    )
    application = build_application(settings)
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=1)
    print(f"Offline trial: data in {data_dir}. You are user {OFFICER_ID}; "
          f"'!user {ADMIN_ID} Admin' switches to the admin who approves registrations.")
    print("Type /start to begin, !help for console commands, !quit to leave.")
    try:
        await Console(emu, emu.user(user_id=OFFICER_ID, first_name="Budi")).run()
    finally:
        await application.updater.stop()
        await application.stop()
        if application.post_stop is not None:
            await application.post_stop(application)
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
        await emu.stop_http()


def main(data_dir: Path) -> None:
    """Entry point used by ``python -m bot try``."""
    asyncio.run(run_trial(data_dir))
