"""Start-up as an operator meets it: clear errors, a real process over HTTP, no token in logs."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

import pytest

from emulator import Emulator
from tests.conftest import TOKEN
from tests.support.processes import ROOT, python_path_env, run_bot


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


async def echoing_api(status: int, lower: bool) -> tuple[asyncio.Server, str]:
    """A misconfigured proxy in front of the Bot API: every request gets ``status`` with a
    body that quotes the request path (token included), lower-cased when ``lower``."""
    import json

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request_line = (await reader.readline()).decode()
        while (await reader.readline()) not in (b"\r\n", b""):
            pass
        path = request_line.split(" ")[1] if " " in request_line else "?"
        path = path.lower() if lower else path
        body = json.dumps({"ok": False, "error_code": status,
                           "description": f"Bad Gateway: upstream refused POST {path}"}).encode()
        reason = "Bad Request" if status == 400 else "Internal Server Error"
        writer.write(f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
                     f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}/bot"


async def test_an_api_error_echoing_the_token_never_prints_it(tmp_path: Path):
    """#19 item 6: a 500 whose body echoes the path, and a 400 echoing it lower-cased. PTB's
    retry loop logs its traceback (through the redacting handler); the process then ends with
    one line of its own."""
    from urllib.parse import quote

    secret_part = TOKEN.split(":", 1)[1]
    for status, lower, level in ((500, False, "INFO"), (400, True, "INFO"),
                                 (500, False, "DEBUG"), (400, True, "DEBUG")):
        server, base_url = await echoing_api(status, lower)
        try:
            env = python_path_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, LOG_LEVEL=level,
                                  TELEGRAM_API_BASE_URL=base_url,
                                  TELEGRAM_API_FILE_URL=base_url.replace("/bot", "/file/bot"),
                                  TELEGRAM_TIMEOUT_SECONDS="1")
            code, output = await run_bot(env, tmp_path)
        finally:
            server.close()
            await server.wait_closed()
        print(f"--- {status} echoed{' lower-cased' if lower else ''}, {level}:\n{output}")
        assert code == 1, output
        assert output.strip().splitlines()[-1].startswith("error: the bot stopped:"), output
        assert "upstream refused" in output, output  # the server's words reached the operator
        for leaked in (secret_part, quote(TOKEN, safe="")):
            assert leaked.lower() not in output.lower(), output
