"""Hostile input against the runtime: floods and redelivered updates (issue 19, items 5, 7)."""

from __future__ import annotations

import pytest
from telegram import Update

from emulator import Emulator
from tests.harness import BotHarness

FLOOD = 300


def queue_updates(harness: BotHarness, emu: Emulator) -> None:
    """Deliver through PTB's update queue, as polling and the webhook do (direct mode calls
    ``process_update`` itself and would bypass the update processor)."""
    app = harness.application

    async def deliver(update: dict[str, object]) -> None:
        await app.update_queue.put(Update.de_json(update, app.bot))

    emu.deliver = deliver


async def test_a_flood_from_one_officer_does_not_hold_back_another(
    harness: BotHarness, emu: Emulator
):
    flooder, other = emu.user(2001, "Banjir"), emu.user(2002, "Sabar")
    await harness.seed_officer(flooder, name="Banjir", nrp="87050101", unit="binkamsa")
    await harness.seed_officer(other, name="Sabar", nrp="87050102", unit="binkamsa")
    queue_updates(harness, emu)
    for _ in range(FLOOD):
        await flooder.send("/bantuan")
    await other.send("/bantuan")

    def sends(chat: int) -> list[str]:
        return [c.params.get("text", "") for c in emu.calls
                if c.method == "sendMessage" and int(c.params.get("chat_id", 0)) == chat]

    await emu.wait_for(lambda: bool(sends(other.id)), timeout=30)
    answered_before_other = len(sends(flooder.id))
    app = harness.application
    await emu.wait_for(
        lambda: app.update_queue.empty() and app.update_processor.current_concurrent_updates == 0,
        timeout=60,
    )
    await emu.wait_for(
        lambda: sum("Pelan-pelan" in text for text in sends(flooder.id)) == 1, timeout=30
    )
    answers = [text for text in sends(flooder.id) if "Pelan-pelan" not in text]
    print(f"flood {FLOOD}: the other officer was answered after {answered_before_other} of"
          f" the flood's {len(answers)} answers; {FLOOD - len(answers)} dropped")
    # The other officer did not wait for the whole backlog, and the excess was dropped.
    assert answered_before_other < len(answers)
    assert len(answers) <= 50 < FLOOD


async def test_a_redelivered_read_is_answered_once(harness: BotHarness, emu: Emulator):
    officer = emu.user(2003, "Baca")
    await harness.seed_officer(officer, name="Baca", nrp="87050103", unit="binkamsa")
    update = await officer.send("/bantuan")
    count = len(officer.messages)
    await emu.redeliver(update)
    assert len(officer.messages) == count


def test_secrets_are_redacted_whatever_their_case_or_encoding():
    from urllib.parse import quote

    from bot.logging_setup import REDACTED, redact

    token = "123456:ABCdef-Secret"
    for echoed in (token, token.lower(), quote(token, safe=""), quote(token, safe="").lower()):
        line = redact(f"getMe failed: /bot{echoed}/getMe", [token, "hook-secret"])
        assert REDACTED in line
        assert token.lower() not in line.lower()
        assert "%3a" not in line.lower()


@pytest.mark.usefixtures("sqlite_file")  # reads the SQLite file
async def test_loose_permissions_are_tightened_at_start_up(harness: BotHarness):
    import os
    import stat

    database = harness.settings.database_path
    await harness.stop()
    os.chmod(database.parent, 0o755)
    os.chmod(database, 0o644)
    await harness.start()
    await harness.db.connection.execute("CREATE TABLE IF NOT EXISTS t (x)")
    for path, mode in ((database.parent, 0o700), (database, 0o600),
                       (database.with_name(database.name + "-wal"), 0o600)):
        assert stat.S_IMODE(path.stat().st_mode) == mode, path
