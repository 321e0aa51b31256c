"""Test helpers shared by several test modules (from tests/test_startup.py)."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def clean_env(**extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TELEGRAM_", "ADMIN_", "DATA_DIR", "TIMEZONE"))
    }
    env.update(extra)
    return env


async def run_bot(env: dict[str, str], cwd: Path, *args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    return process.returncode or 0, (out + err).decode()


def python_path_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return clean_env(PYTHONPATH=str(ROOT), DATA_DIR=str(tmp_path / "data"), **extra)
