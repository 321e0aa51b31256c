"""Run modes as an operator meets them: polling and webhook processes, signals, the probe."""

from __future__ import annotations

import asyncio
import gc
import json
import signal
from pathlib import Path

import httpx
import pytest

from bot.application import ALLOWED_UPDATES
from bot.maintenance import run
from config.settings import SettingsError, load_settings
from emulator import Emulator
from storage import Database
from tests.conftest import TOKEN
from tests.support.faults import seed_officers
from tests.support.processes import python_path_env, run_bot
from tests.support.run_modes import SECRET, start_bot, stop_bot, webhook_env


def test_webhook_mode_needs_url_and_secret():
    with pytest.raises(SettingsError, match="WEBHOOK_URL"):
        load_settings(telegram_bot_token=TOKEN, run_mode="webhook", webhook_secret=SECRET)
    with pytest.raises(SettingsError, match="WEBHOOK_SECRET"):
        load_settings(telegram_bot_token=TOKEN, run_mode="webhook", webhook_url="https://x/h")
    with pytest.raises(SettingsError, match="WEBHOOK_SECRET"):
        load_settings(telegram_bot_token=TOKEN, webhook_secret="has spaces")
    settings = load_settings(
        telegram_bot_token=TOKEN,
        run_mode="webhook",
        webhook_url="https://bot.example.org/tg/hook",
        webhook_secret=SECRET,
    )
    assert settings.webhook_url_path == "tg/hook"


@pytest.mark.usefixtures("sqlite_file")  # the exclusive data-dir lock and the WAL are SQLite's
async def test_polling_sigterm_exits_cleanly_and_pending_updates_survive(tmp_path: Path):
    emu = Emulator(token=TOKEN, bot_username="polmas_test_bot", bot_id=123456)
    base_url, file_url = await emu.start_http()
    env = python_path_env(
        tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=base_url,
        TELEGRAM_API_FILE_URL=file_url,
    )
    user = emu.user(1001, "Budi")
    database = tmp_path / "data" / "polmas.sqlite3"
    emu.allowed_updates = ["chat_member"]  # what an earlier run left for the token
    try:
        process = await start_bot(env, tmp_path)
        # Until the bot names its list, Telegram keeps the old one: /start would be dropped.
        await emu.wait_for(lambda: emu.allowed_updates == ALLOWED_UPDATES, timeout=30)
        await user.send("/start")
        await user.wait_for_message(timeout=30)
        # A second instance on the same data is refused while the first holds the lock.
        code, output = await run_bot(env, tmp_path)
        assert code == 1
        assert "another bot runs" in output
        code, logs = await stop_bot(process)
        assert code == 0, logs
        # The database was closed: the last connection checkpoints and removes the WAL.
        assert not database.with_name("polmas.sqlite3-wal").exists()

        # Sent while the bot is down: answered after the restart, not dropped.
        await user.send("/bantuan")
        process = await start_bot(env, tmp_path)
        await user.wait_for_message(timeout=30)
        # Confirmed by the next getUpdates, which may follow the answer: wait for it.
        await emu.wait_for(lambda: not emu.pending_updates, timeout=30)
        code, logs = await stop_bot(process)
        assert code == 0, logs
    finally:
        await emu.stop_http()
    assert all(c.params.get("drop_pending_updates") in (None, False, "false", "False")
               for c in emu.calls_to("deleteWebhook"))


@pytest.mark.usefixtures("sqlite_file")  # reads the SQLite file
async def test_webhook_checks_the_secret_and_replies_through_the_api(tmp_path: Path):
    emu = Emulator(token=TOKEN, bot_username="polmas_test_bot", bot_id=123456)
    env, hook = await webhook_env(emu, tmp_path)
    user = emu.user(1001, "Budi")
    emu.allowed_updates = ["chat_member"]  # what an earlier run left for the token
    process = await start_bot(env, tmp_path)
    try:
        await emu.wait_for(lambda: emu.webhook_url == hook, timeout=30)
        assert emu.allowed_updates == ALLOWED_UPDATES
        assert emu.calls_to("setWebhook")[-1].params.get("secret_token") == SECRET
        allowed = emu.calls_to("setWebhook")[-1].params.get("allowed_updates")
        assert allowed == [  # the handled kinds (bot/application.py)
            "message", "edited_message", "callback_query", "my_chat_member"]
        code, output = await run_bot(env, tmp_path, "health")
        assert (code, output.strip()) == (0, "healthy")

        async with httpx.AsyncClient(timeout=10) as client:
            statuses: list[int] = []

            async def post(update: dict, headers: dict[str, str]) -> None:
                response = await client.post(hook, content=json.dumps(update), headers={
                    "Content-Type": "application/json", **headers,
                })
                statuses.append(response.status_code)

            emu.deliver = lambda update: post(update, {})
            await user.send("/start")
            emu.deliver = lambda update: post(update, {
                "X-Telegram-Bot-Api-Secret-Token": "wrong"})
            await user.send("/start")
            assert statuses == [403, 403]
            assert not emu.calls_to("sendMessage")

            emu.deliver = lambda update: post(update, {
                "X-Telegram-Bot-Api-Secret-Token": SECRET})
            await user.send("/start")
            await user.wait_for_message(timeout=30)
            assert statuses[-1] == 200
            assert "Selamat datang" in user.last.text
            await user.send("/bantuan")
            await user.wait_for_message(timeout=30)
    finally:
        code, logs = await stop_bot(process)
        await emu.stop_http()
    assert code == 0, logs
    assert "setWebhook" in logs  # DEBUG logging was on
    assert SECRET not in logs
    assert TOKEN.split(":", 1)[1] not in logs
    code, output = await run_bot(env, tmp_path, "health")
    assert code == 1
    assert "webhook server" in output


@pytest.mark.usefixtures("sqlite_file")  # the SQLite file (PostgreSQL: test_backup_postgres)
async def test_backup_check_and_restore_from_the_command_line(tmp_path: Path):
    env = python_path_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN)
    database = Database(tmp_path / "data" / "polmas.sqlite3")
    await database.open()
    await database.close()

    code, output = await run_bot(env, tmp_path, "backup")
    assert code == 0, output
    assert "backup written to" in output
    code, output = await run_bot(env, tmp_path, "check")
    assert (code, output.strip().splitlines()[-1]) == (
        0, "database ok; 0 photos checked, 0 corrupted, 0 missing, 0 orphans"
    )
    code, output = await run_bot(env, tmp_path, "check", "--prune")
    assert (code, output.strip().splitlines()[-1]) == (
        0, "pruned 0 orphan photos: 0 files, 0 bytes (0 newer than an hour kept)"
    )
    [backup] = list((tmp_path / "data" / "backups").iterdir())
    code, output = await run_bot(env, tmp_path, "restore", str(backup))
    assert code == 0, output
    assert "previous database kept in" in output
    code, output = await run_bot(env, tmp_path, "restore")
    assert code == 1
    elsewhere = tmp_path / "elsewhere"
    code, output = await run_bot(env, tmp_path, "backup", "--to", str(elsewhere))
    assert code == 0, output
    assert elsewhere.stat().st_mode & 0o777 == 0o700


# The bot's own timeout per Bot API call: a reply is retried after 0.5, 2 and 5 s, so the
# slowest a reply can be is 4 x this + 7.5 s (about 20 s); the test waits longer than that.
CALL_TIMEOUT = 3.0
HOLD = 1.5  # how long the emulator holds the reply: well under CALL_TIMEOUT
EXIT_WAIT = 90.0


@pytest.mark.usefixtures("sqlite_file")  # reads the SQLite file
async def test_sigterm_lets_the_update_in_hand_finish(tmp_path: Path):
    emu = Emulator(token=TOKEN, bot_username="polmas_test_bot", bot_id=123456)
    emu.record_get_updates = True
    base_url, file_url = await emu.start_http()
    env = python_path_env(
        tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=base_url,
        TELEGRAM_API_FILE_URL=file_url, TELEGRAM_TIMEOUT_SECONDS=str(CALL_TIMEOUT),
    )
    officer = emu.user(1001, "Budi")
    officer.started = True
    sprin = "Sprin/77/XI/2026/Satbinmas"
    process = await start_bot(env, tmp_path)
    try:
        await emu.wait_for(lambda: bool(emu.calls_to("setMyCommands")), 60)
        await seed_officers(tmp_path / "data" / "polmas.sqlite3", [officer])
        await officer.send("/lapor")
        await officer.wait_for_message(timeout=60)
        await officer.press("POS SAPTA")
        await emu.wait_for(lambda: "✏️ Nomor Sprin" in str(officer.last.buttons), 30)
        await officer.press("✏️ Nomor Sprin")  # the Sprin is preset to none: type one
        await emu.wait_for(lambda: "Surat Perintah Tugas" in officer.last.content, 30)
        emu.fail_next("sendMessage", kind="delay", delay=HOLD, chat_id=officer.id)
        await officer.send(sprin)
        # The answer is being replied to: the bot has the update in hand.
        await emu.wait_for(lambda: emu.held == 1, 30, "the reply to the answer to be held")
        held_at = len(emu.calls)
        process.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(process.communicate(), EXIT_WAIT)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await emu.stop_http()
    logs = (out + err).decode()
    assert process.returncode == 0, logs
    # SIGTERM was handled while the reply was held: polling stopped first (PTB's last
    # getUpdates with timeout 0 confirms the offset), the held reply went out after it.
    after = emu.calls[held_at:]
    stop_poll = next(i for i, c in enumerate(after)
                     if c.method == "getUpdates" and str(c.params.get("timeout")) == "0")
    replies = [i for i, c in enumerate(after) if c.method == "sendMessage" and c.ok
               and str(c.params.get("chat_id")) == str(officer.id)]
    assert replies, [c.method for c in after]
    assert replies[0] > stop_poll, [c.method for c in after]
    assert "Surat Perintah Tugas" not in officer.last.content  # the next question arrived
    store = Database(tmp_path / "data" / "polmas.sqlite3")
    await store.open()
    try:
        async with store.reading() as repos:
            stored = await repos.officers.by_telegram_id(officer.id)
            assert stored is not None
            draft = await repos.drafts.of_officer(stored.id)
    finally:
        await store.close()
    assert draft is not None
    assert draft.answers["sprin"] == sprin


def test_the_start_up_heap_is_frozen_before_the_bot_runs(monkeypatch: pytest.MonkeyPatch):
    """A full collection must not walk start-up's objects while officers wait (run())."""
    frozen_when_run: list[int] = []

    class Application:
        def run_polling(self, **_: object) -> None:
            frozen_when_run.append(gc.get_freeze_count())

    gc.unfreeze()
    try:
        run(Application(), load_settings(telegram_bot_token=TOKEN))  # type: ignore[arg-type]
    finally:
        gc.unfreeze()
    (frozen,) = frozen_when_run
    assert frozen > 10_000
