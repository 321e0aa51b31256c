"""Start-up as an operator meets it: clear errors, a real process over HTTP, no token in logs."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from emulator import Emulator
from tests.conftest import TOKEN

ROOT = Path(__file__).resolve().parent.parent


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


async def test_missing_token_fails_with_one_clear_line(tmp_path: Path):
    code, output = await run_bot(python_path_env(tmp_path), tmp_path)
    assert code != 0
    assert output.strip() == "configuration error: TELEGRAM_BOT_TOKEN: is required but not set"


async def test_malformed_setting_names_the_variable(tmp_path: Path):
    env = python_path_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TIMEZONE="Mars/Olympus")
    code, output = await run_bot(env, tmp_path)
    assert code != 0
    assert "TIMEZONE" in output
    assert "Traceback" not in output


async def test_bad_config_file_names_file_and_field(tmp_path: Path):
    broken = tmp_path / "organisation.toml"
    text = (ROOT / "config" / "organisation.toml").read_text(encoding="utf-8")
    broken.write_text(
        text.replace('parent = "satbinmas"', 'parent = "nowhere"', 1), encoding="utf-8"
    )
    env = python_path_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, ORGANISATION_FILE=str(broken))
    code, output = await run_bot(env, tmp_path)
    assert code != 0
    assert str(broken) in output
    assert "nowhere" in output
    assert "Traceback" not in output


@pytest.mark.usefixtures("sqlite_file")  # reads the SQLite file
async def test_real_process_over_http_never_logs_the_token(tmp_path: Path):
    emu = Emulator(token=TOKEN, bot_username="polmas_test_bot", bot_id=123456)
    base_url, file_url = await emu.start_http()
    env = python_path_env(
        tmp_path,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=base_url,
        TELEGRAM_API_FILE_URL=file_url,
        LOG_LEVEL="DEBUG",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        user = emu.user(1001, "Budi")
        await user.send("/start")
        await user.wait_for_message(timeout=30)
        assert "Selamat datang" in user.last.text
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(process.communicate(), timeout=30)
        await emu.stop_http()
    logs = (out + err).decode()
    assert process.returncode == 0, logs
    assert "getUpdates" in logs or "Application started" in logs  # DEBUG logging was on
    secret = TOKEN.split(":", 1)[1]
    assert secret not in logs
    assert secret.replace(":", "%3A") not in logs
    assert (tmp_path / "data" / "polmas.sqlite3").stat().st_mode & 0o077 == 0


@pytest.mark.usefixtures("sqlite_file")  # reads the SQLite file
async def test_a_database_written_by_a_newer_version_is_refused_unchanged(tmp_path: Path):
    import sqlite3

    from storage.database import Database

    database = tmp_path / "data" / "polmas.sqlite3"
    database.parent.mkdir(mode=0o700)
    store = Database(database)
    await store.open()
    await store.close()
    with sqlite3.connect(database) as connection:
        connection.execute("INSERT INTO schema_migrations (version, name, applied_at)"
                           " VALUES (9999, '9999_from_the_future', '2027-01-01T00:00:00Z')")

    def contents() -> list[tuple[str, ...]]:
        with sqlite3.connect(database) as connection:
            return [*connection.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name"),
                    *connection.execute("SELECT version, name FROM schema_migrations"),
                    *connection.execute("SELECT code, name FROM units")]

    before = contents()

    emu = Emulator(token=TOKEN, bot_username="polmas_test_bot", bot_id=123456)
    base_url, file_url = await emu.start_http()
    try:
        env = python_path_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN,
                              TELEGRAM_API_BASE_URL=base_url, TELEGRAM_API_FILE_URL=file_url)
        code, output = await run_bot(env, tmp_path)
    finally:
        await emu.stop_http()
    assert code == 1, output
    assert "the database has migrations this bot does not know (9999" in output, output
    assert "Traceback" not in output
    assert contents() == before  # no migration, no unit sync: nothing written
    assert not emu.calls_to("getUpdates")
