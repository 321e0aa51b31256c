"""Two real ``python -m bot`` webhook processes on one PostgreSQL schema (issue #16).

Updates are spread across both instances' webhook URLs, and some are delivered to both (as a
front would after a timeout): each is answered once. Skipped only when no PostgreSQL server
is reachable.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import asyncpg
import httpx
import pytest

from emulator import Emulator, pg
from tests.conftest import TOKEN
from tests.support.processes import python_path_env
from tests.support.run_modes import SECRET, free_port, start_bot, stop_bot


async def _reachable() -> bool:
    try:
        connection = await asyncio.wait_for(asyncpg.connect(pg.server_url()), timeout=5)
    except (TimeoutError, OSError, asyncpg.PostgresError):
        return False
    await connection.close()
    return True


if not asyncio.run(_reachable()):
    pytest.skip("PostgreSQL is not reachable", allow_module_level=True)


async def test_two_webhook_processes_answer_each_update_once(tmp_path: Path) -> None:
    emu = Emulator(token=TOKEN, bot_username="polmas_test_bot", bot_id=123456)
    base_url, file_url = await emu.start_http()
    url = await pg.create_schema(pg.server_url())
    hooks: list[str] = []
    processes: list[asyncio.subprocess.Process] = []
    try:
        for index in range(2):
            port = free_port()
            hook = f"http://127.0.0.1:{port}/tg/hook"
            hooks.append(hook)
            env = python_path_env(
                tmp_path / f"i{index}", TELEGRAM_BOT_TOKEN=TOKEN,
                TELEGRAM_API_BASE_URL=base_url, TELEGRAM_API_FILE_URL=file_url,
                RUN_MODE="webhook", WEBHOOK_URL=hook, WEBHOOK_LISTEN="127.0.0.1",
                WEBHOOK_PORT=str(port), WEBHOOK_SECRET=SECRET, DATABASE_URL=url,
                SCHEDULER_TAKEOVER_SECONDS="2",
            )
            (tmp_path / f"i{index}").mkdir()
            processes.append(await start_bot(env, tmp_path / f"i{index}"))
        await emu.wait_for(lambda: len(emu.calls_to("setWebhook")) >= 2, timeout=45)

        async with httpx.AsyncClient(timeout=15) as client:

            async def ready(hook: str) -> None:
                for _ in range(150):
                    try:
                        await client.post(hook, content="{}", headers={
                            "X-Telegram-Bot-Api-Secret-Token": "wrong"})
                        return
                    except httpx.TransportError:
                        await asyncio.sleep(0.2)
                raise AssertionError(f"{hook} never listened")

            await asyncio.gather(*(ready(hook) for hook in hooks))
            turn = 0

            async def post(hook: str, update: dict) -> None:
                response = await client.post(hook, content=json.dumps(update), headers={
                    "Content-Type": "application/json",
                    "X-Telegram-Bot-Api-Secret-Token": SECRET,
                })
                assert response.status_code == 200

            async def spread(update: dict) -> None:
                nonlocal turn
                turn += 1
                if turn % 3 == 0:  # delivered to both instances at once
                    await asyncio.gather(*(post(hook, update) for hook in hooks))
                else:
                    await post(hooks[turn % 2], update)

            emu.deliver = spread
            users = [emu.user(2001 + number, f"Warga {number}") for number in range(6)]
            for user in users:
                await user.send("/start")
            for user in users:
                await user.send("/bantuan")

            def answered() -> bool:
                return all(len(user.messages) >= 2 for user in users)

            await emu.wait_for(answered, 45, "every update to be answered")
            await asyncio.sleep(2)  # a duplicate answer would arrive by now
        for user in users:
            assert len(user.messages) == 2, [m.text for m in user.messages]
    finally:
        logs = [await stop_bot(process) for process in processes]
        await emu.stop_http()
        await pg.drop_schema(url)
    for code, output in logs:
        assert code == 0, output
