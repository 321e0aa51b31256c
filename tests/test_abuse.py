"""Random hostile input across conversations and roles: nothing crashes, nothing goes unanswered,
and the database stays consistent.

Hypothesis generates sequences of updates — Unicode text of any length, commands with junk,
stickers, voice, documents of every kind, broken and huge images, locations, and callback
queries with random, replayed and other people's data — for an unregistered person, a banit and
a kanit. After every example the invariants are checked.
"""

from __future__ import annotations

import asyncio
import io
import logging
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from bot.commands import all_commands
from domain.people import Status
from emulator import Emulator, pg
from emulator.harness import BotHarness
from emulator.media import make_jpeg
from tests.conftest import TOKEN
from tests.support.reports import huge_png

COMMANDS = [f"/{c.name}" for c in all_commands()] + [f"/{c.alias}" for c in all_commands()]
PEOPLE = ("stranger", "banit", "kanit")
EXAMPLES = 120


def _animated_gif() -> bytes:
    frames = [Image.new("RGB", (80, 80), (i * 60, 0, 0)) for i in range(3)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100)
    return buffer.getvalue()


JPEG = make_jpeg(320, 240)
FILES = {
    "jpeg": (JPEG, "foto.jpg", "image/jpeg"),
    "truncated": (JPEG[: len(JPEG) // 2], "rusak.jpg", "image/jpeg"),
    "huge": (huge_png(), "besar.png", "image/png"),
    "gif": (_animated_gif(), "anim.gif", "image/gif"),
    "pdf": (b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "surat.pdf", "application/pdf"),
    "junk": (bytes(range(256)) * 4, "data.bin", "application/octet-stream"),
}

text = st.text(min_size=1, max_size=300) | st.text(min_size=3000, max_size=5000)
action = st.one_of(
    st.tuples(st.just("text"), st.sampled_from(PEOPLE), text),
    st.tuples(
        st.just("command"),
        st.sampled_from(PEOPLE),
        st.tuples(st.sampled_from(COMMANDS), st.text(max_size=40)),
    ),
    st.tuples(st.just("sticker"), st.sampled_from(PEOPLE), st.none()),
    st.tuples(st.just("voice"), st.sampled_from(PEOPLE), st.none()),
    st.tuples(st.just("photo"), st.sampled_from(PEOPLE), st.none()),
    st.tuples(st.just("document"), st.sampled_from(PEOPLE), st.sampled_from(sorted(FILES))),
    st.tuples(
        st.just("location"),
        st.sampled_from(PEOPLE),
        st.tuples(st.floats(-90, 90), st.floats(-180, 180)),
    ),
    st.tuples(st.just("press"), st.sampled_from(PEOPLE), st.integers(0, 10_000)),
    st.tuples(st.just("forged"), st.sampled_from(PEOPLE), st.text(min_size=1, max_size=64)),
    st.tuples(st.just("replay"), st.sampled_from(PEOPLE), st.integers(0, 10_000)),
)


class ErrorLog(logging.Handler):
    """Collects every record the bot's error handler writes."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


async def _play(actions: list[tuple[str, str, object]]) -> None:
    emu = Emulator(token=TOKEN, bot_username="polmas_test_bot", bot_id=123456)
    with tempfile.TemporaryDirectory() as tmp:
        harness = BotHarness(emu, Path(tmp), start=datetime(2026, 11, 28, 2, 0, tzinfo=UTC))
        await harness.start()
        errors = ErrorLog()
        logging.getLogger("bot.errors").addHandler(errors)
        try:
            users = {
                "stranger": emu.user(1001, "Stranger"),
                "banit": emu.user(1002, "Banit"),
                "kanit": emu.user(1003, "Kanit"),
            }
            await harness.seed_officer(
                users["banit"], name="Budi Banit", nrp="10000002", unit="binkamsa"
            )
            await harness.seed_officer(
                users["kanit"], name="Andi Kanit", nrp="10000003", unit="binkamsa", role="kanit"
            )
            presses: list[dict] = []
            for kind, who, payload in actions:
                user = users[who]
                await _act(emu, user, users, kind, payload, presses)
            assert errors.records == [], [r.getMessage() for r in errors.records]
            await _check_database(harness)
        finally:
            logging.getLogger("bot.errors").removeHandler(errors)
            await harness.stop()


async def _act(emu, user, users, kind, payload, presses) -> None:
    answers_before = len(user.callback_answers)
    messages_before = len(user.messages)
    if kind == "text":
        await user.send(payload)
    elif kind == "command":
        command, junk = payload
        await user.send(f"{command} {junk}".strip())
    elif kind == "sticker":
        await user.send_sticker()
    elif kind == "voice":
        await user.send_voice()
    elif kind == "photo":
        await user.send_photo(JPEG)
    elif kind == "document":
        data, name, mime = FILES[payload]
        await user.send_document(data, name, mime)
    elif kind == "location":
        await user.send_location(*payload)
    elif kind in ("press", "replay"):
        # Press a button someone was shown (replay: one already pressed before).
        source = (
            presses
            if kind == "replay"
            else [
                (owner, message, button)
                for owner in users.values()
                for message in owner.messages[-3:]
                for button in message.inline_buttons
                if "callback_data" in button
            ]
        )
        if not source:
            return
        owner, message, button = source[payload % len(source)]
        if owner is not user and message.chat_id != user.id:
            await user.press_forged(button["callback_data"], _any_message(user) or message)
        else:
            await user._press_button(message, button)
        presses.append((owner, message, button))
        assert len(user.callback_answers) > answers_before or len(user.messages) > messages_before
        return
    elif kind == "forged":
        message = _any_message(user)
        if message is None:
            await user.send("/start")
            message = user.last
        await user.press_forged(payload, message)
        assert len(user.callback_answers) > answers_before
        return
    # Every message gets an answer (photos at a photo step may be answered after an album).
    assert len(user.messages) > messages_before, (kind, payload)


def _any_message(user):
    return user.messages[-1] if user.messages else None


async def _check_database(harness: BotHarness) -> None:
    db = harness.db
    connection = db.connection
    if not pg.POSTGRES:  # PostgreSQL checks foreign keys on every statement
        async with connection.execute("PRAGMA foreign_key_check") as cursor:
            assert await cursor.fetchall() == []
        async with connection.execute("PRAGMA integrity_check") as cursor:
            assert (await cursor.fetchone())[0] == "ok"
    async with connection.execute("SELECT COUNT(*) FROM reports WHERE number IS NULL") as cur:
        assert (await cur.fetchone())[0] == 0
    async with connection.execute(
        "SELECT COUNT(*) FROM complaints c LEFT JOIN reports r ON r.id = c.report_id"
        " WHERE r.id IS NULL"
    ) as cursor:
        assert (await cursor.fetchone())[0] == 0
    async with db.reading() as repos:
        for telegram_id in (1002, 1003):
            officer = await repos.officers.by_telegram_id(telegram_id)
            assert officer is not None
            assert officer.status is Status.ACTIVE  # nobody hostile changed anyone's status


def test_random_hostile_updates():
    # Counted inside the test (not by a later "test_zz"), so it holds when run alone too.
    tried: list[int] = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        derandomize=True,
    )
    @given(st.lists(action, min_size=3, max_size=30))
    def play(actions):
        tried.append(len(actions))
        asyncio.run(_play(actions))

    play()
    print(f"\nabuse suite: {len(tried)} sequences, {sum(tried)} updates tried")
    assert sum(tried) > 0
