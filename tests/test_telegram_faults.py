"""Telegram misbehaving: 429, 5xx and timeouts are retried; nothing counts as sent that was not."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from emulator import Emulator
from emulator.harness import BotHarness
from tests.conftest import ADMIN_TELEGRAM_ID
from tests.support.reports import draft_of, fill_sapta, seed
from ui.ratelimit import RetryingRateLimiter

KBO_ID = 3001


@pytest.fixture
async def harness(emu: Emulator, data_dir: Path) -> AsyncIterator[BotHarness]:
    # Production's limiter and retry policy, with short pauses so the tests stay quick.
    limiter = RetryingRateLimiter(max_retries=3, network_delays=(0.05, 0.1, 0.2))
    bot = BotHarness(emu, data_dir, start=datetime(2026, 11, 28, 2, tzinfo=UTC),
                     admin_ids=frozenset({ADMIN_TELEGRAM_ID}), rate_limiter=limiter)
    await bot.start()
    try:
        yield bot
    finally:
        await bot.stop()


def sends_to(emu: Emulator, chat_id: int) -> list[tuple[bool, int | None]]:
    return [(c.ok, c.error_code) for c in emu.calls_to("sendMessage")
            if str(c.params.get("chat_id")) == str(chat_id)]


@pytest.mark.parametrize(
    ("kind", "times", "code"),
    [("retry_after", 1, 429), ("server_error", 3, 502), ("timeout", 2, None)],
)
async def test_a_reply_is_retried_until_it_goes_through(
    harness: BotHarness, emu: Emulator, kind: str, times: int, code: int | None
):
    officer, _ = await seed(harness, emu)
    emu.fail_next("sendMessage", kind=kind, chat_id=officer.id, times=times)  # type: ignore[arg-type]
    await officer.send("/lapor")
    assert sends_to(emu, officer.id) == [(False, code)] * times + [(True, None)]
    assert len(officer.messages) == 1
    assert "POS SAPTA" in str(officer.last.buttons)


async def test_a_timeout_after_delivery_may_repeat_a_reply_but_stores_the_answer_once(
    harness: BotHarness, emu: Emulator
):
    officer, _ = await seed(harness, emu)
    await officer.send("/lapor")
    await officer.press("POS SAPTA")
    before = len(officer.messages)
    # Telegram delivered the message but the bot never heard back: at-least-once.
    emu.fail_next("sendMessage", kind="timeout", chat_id=officer.id, executed=True)
    await officer.send("RW 03 Kel. Heledulaa")  # the place, at the first question asked
    new = officer.messages[before:]
    assert len(new) == 2
    assert new[0].content == new[1].content
    draft = await draft_of(harness, officer)
    assert draft.work["place"] == "RW 03 Kel. Heledulaa"


async def test_a_reply_lost_for_good_loses_no_answer(harness: BotHarness, emu: Emulator):
    officer, _ = await seed(harness, emu)
    await officer.send("/lapor")
    await officer.press("POS SAPTA")
    await officer.press("✏️ Nomor Sprin")
    step = (await draft_of(harness, officer)).step
    emu.fail_next("sendMessage", kind="server_error", chat_id=officer.id, times=4)
    await officer.send("Sprin/12/XI/2026/Satbinmas")
    assert sends_to(emu, officer.id)[-5:-1] == [(False, 502)] * 4
    draft = await draft_of(harness, officer)
    assert draft.answers["sprin"] == "Sprin/12/XI/2026/Satbinmas"
    assert draft.step != step
    await officer.send("/lanjut")  # the officer asks again and gets the next question
    assert "Lokasi" in officer.last.text


async def test_a_leader_who_cannot_be_reached_does_not_stop_the_others(
    harness: BotHarness, emu: Emulator
):
    officer, kanit = await seed(harness, emu)
    # A second leader told of every report (a KBO hears of routine reports in the digest).
    kbo = emu.user(KBO_ID, "Kanit 2")
    await harness.seed_officer(kbo, name="Kanit Dua", nrp="33334444", unit="binkamsa",
                               role="kanit", rank="AKP")
    await fill_sapta(officer, photos=1)
    emu.fail_next("sendMessage", kind="forbidden", chat_id=kanit.id)
    emu.fail_next("sendMessage", kind="server_error", chat_id=KBO_ID, times=2)
    await officer.press("📤 Kirim laporan")

    assert sends_to(emu, kanit.id) == [(False, 403)]
    assert sends_to(emu, KBO_ID) == [(False, 502), (False, 502), (True, None)]
    assert "LAP/SAPTA/2026/11/0001" in kbo.last.text
    assert any("LAP/SAPTA/2026/11/0001" in text for text in officer.texts)
    stored_kanit = await harness.officer(kanit)
    stored_kbo = await harness.officer(kbo)
    assert stored_kanit is not None
    assert stored_kanit.blocked_at is not None
    assert stored_kbo is not None
    assert stored_kbo.blocked_at is None
