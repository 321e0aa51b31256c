"""Test helpers shared by several test modules (from tests/test_run_modes.py)."""

from __future__ import annotations

import asyncio
import signal
import socket
import sys
from pathlib import Path

from emulator import Emulator
from tests.conftest import TOKEN
from tests.support.processes import python_path_env

SECRET = "webhook-Secret_0123456789abcdef"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def start_bot(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=cwd, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )


async def stop_bot(process: asyncio.subprocess.Process) -> tuple[int, str]:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
    out, err = await asyncio.wait_for(process.communicate(), timeout=30)
    return process.returncode or 0, (out + err).decode()


async def webhook_env(emu: Emulator, tmp_path: Path) -> tuple[dict[str, str], str]:
    """Serve the emulator over HTTP; the environment of a webhook-mode bot at DEBUG, and its
    webhook URL (on a free local port, path /tg/hook)."""
    base_url, file_url = await emu.start_http()
    port = free_port()
    hook = f"http://127.0.0.1:{port}/tg/hook"
    env = python_path_env(
        tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=base_url,
        TELEGRAM_API_FILE_URL=file_url, LOG_LEVEL="DEBUG", RUN_MODE="webhook",
        WEBHOOK_URL=hook, WEBHOOK_LISTEN="127.0.0.1", WEBHOOK_PORT=str(port),
        WEBHOOK_SECRET=SECRET,
    )
    return env, hook
