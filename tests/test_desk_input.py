"""Typed answers the desk waits for never swallow what the person does next."""

from __future__ import annotations

from datetime import timedelta

from emulator import Emulator, pg
from emulator.harness import BotHarness
from tests.support.reports import draft_of, seed


async def test_back_to_the_report_a_pending_date_question_lapses(
    harness: BotHarness, emu: Emulator
):
    _, kanit = await seed(harness, emu)  # a kanit files reports too
    await kanit.send("/lapor")
    await kanit.press("POS SAPTA")
    await kanit.press("✏️ Nomor Sprin")
    before = await draft_of(harness, kanit)
    assert before is not None
    await kanit.send("/rekap")
    await kanit.press("📅 Pilih tanggal")
    await kanit.send("kemarin sore")  # not a date: the question stays open and says why
    assert "tidak terbaca" in kanit.last.text
    harness.clock.advance(timedelta(seconds=20))
    await kanit.send("/lanjut")  # back to the report: the date question lapses
    await kanit.send("Sprin/12/XI/2026/Satbinmas")
    after = await draft_of(harness, kanit)
    assert after is not None
    assert after.answers.get("sprin") == "Sprin/12/XI/2026/Satbinmas"
    assert "tidak terbaca" not in kanit.last.text


async def test_batal_cancels_the_question_first_and_keeps_the_draft(
    harness: BotHarness, emu: Emulator
):
    _, kanit = await seed(harness, emu)
    await kanit.send("/lapor")
    await kanit.press("POS SAPTA")
    await kanit.press("✏️ Nomor Sprin")
    await kanit.send("/cari")
    await kanit.press("🔎 Cari kata")
    await kanit.send("/batal")
    assert kanit.last.text == "✖️ Pertanyaan dibatalkan."
    assert await draft_of(harness, kanit) is not None  # the report was not offered for discard
    await kanit.send("halo")  # no longer read as search words: the report's question takes it
    draft = await draft_of(harness, kanit)
    assert draft is not None
    assert draft.answers.get("sprin") == "halo"
    assert "Kata: halo" not in kanit.last.text
    await kanit.send("/batal")  # now the draft is what is in progress
    assert "laporan" in kanit.last.text.lower()
    assert kanit.last.buttons


async def test_an_older_questions_cancel_button_leaves_the_newer_question(
    harness: BotHarness, emu: Emulator
):
    _, kanit = await seed(harness, emu)
    await kanit.send("/rekap")
    await kanit.press("📅 Pilih tanggal")
    date_question = kanit.last
    harness.clock.advance(timedelta(seconds=20))
    await kanit.send("/cari")
    await kanit.press("🔎 Cari kata")
    await kanit.press("✖️ Batal", date_question)  # the old question's button
    await kanit.send("motor")
    assert "Kata: motor" in kanit.last.text  # still read as the search words


async def test_a_command_telegram_redelivers_keeps_a_question_asked_after_it(
    harness: BotHarness, emu: Emulator
):
    _, kanit = await seed(harness, emu)
    rekap = await kanit.send("/rekap")
    harness.clock.advance(timedelta(seconds=5))
    await kanit.press("📅 Pilih tanggal")
    await emu.redeliver(rekap)  # after a crash: sent before the question, it changes nothing
    await kanit.send("3/11")
    assert "03/11/2026" in kanit.last.text


async def test_a_capitalised_batal_and_the_cancel_on_a_bad_date_reply_both_cancel(
    harness: BotHarness, emu: Emulator
):
    _, kanit = await seed(harness, emu)
    await kanit.send("/lapor")
    await kanit.press("POS SAPTA")
    await kanit.press("✏️ Nomor Sprin")
    await kanit.send("/cari")
    await kanit.press("🔎 Cari kata")
    harness.clock.advance(timedelta(seconds=5))
    await kanit.send("/Batal")  # phones capitalise the first letter
    assert kanit.last.text == "✖️ Pertanyaan dibatalkan."
    await kanit.send("/rekap")
    await kanit.press("📅 Pilih tanggal")
    await kanit.send("kemarin sore")
    await kanit.press("✖️ Batal", kanit.last)  # on the reply that explained the bad date
    leader = await harness.officer(kanit)
    assert leader is not None
    async with harness.db.reading() as repos:
        assert await repos.desk_inputs.get(leader.id) is None


async def test_batal_after_going_back_to_the_report_by_button_offers_the_report(
    harness: BotHarness, emu: Emulator
):
    _, kanit = await seed(harness, emu)
    await kanit.send("/lapor")
    await kanit.press("POS SAPTA")
    await kanit.press("✏️ Nomor Sprin")
    await kanit.send("Sprin/12/XI/2026/Satbinmas")
    time_question = kanit.last
    harness.clock.advance(timedelta(minutes=1))
    await kanit.send("/rekap")
    await kanit.press("📅 Pilih tanggal")
    harness.clock.advance(timedelta(minutes=1))
    await kanit.press("✏️ Waktu pelaksanaan", time_question)  # back to the report
    await kanit.send("/batal")
    assert "Buang laporan" in kanit.last.text



async def test_a_command_queued_while_the_bot_was_down_still_lapses_the_question(
    harness: BotHarness, emu: Emulator
):
    """Handled late, the press that asked gets the bot's later clock; the command's own date
    is earlier. Update ids, not times, say which came first."""
    _, kanit = await seed(harness, emu)
    await kanit.send("/lapor")
    await kanit.press("POS SAPTA")
    await kanit.press("✏️ Nomor Sprin")
    await kanit.send("/rekap")
    sent_at = harness.clock.now()
    harness.clock.set(sent_at + timedelta(seconds=30))  # the bot works through its backlog
    await kanit.press("📅 Pilih tanggal")
    real = emu.timestamp
    try:
        emu.timestamp = lambda: int((sent_at + timedelta(seconds=10)).timestamp())
        await kanit.send("/lanjut")  # sent after the tap, handled after it too
        await kanit.send("Sprin/12/XI/2026/Satbinmas")
    finally:
        emu.timestamp = real
    draft = await draft_of(harness, kanit)
    assert draft is not None
    assert draft.answers.get("sprin") == "Sprin/12/XI/2026/Satbinmas"


async def test_an_older_cancel_of_the_same_desk_leaves_the_newer_question(
    harness: BotHarness, emu: Emulator
):
    _, kanit = await seed(harness, emu)
    await kanit.send("/cari")
    await kanit.press("📅 Periode")
    await kanit.press("📅 Pilih tanggal")
    date_question = kanit.last
    harness.clock.advance(timedelta(seconds=20))
    await kanit.send("/cari")
    await kanit.press("🔎 Cari kata")
    await kanit.press("✖️ Batal", date_question)  # the same desk's older question
    await kanit.send("motor")
    assert "Kata: motor" in kanit.last.text


async def test_a_question_asked_before_the_desk_was_recorded_still_cancels(
    harness: BotHarness, emu: Emulator
):
    _, kanit = await seed(harness, emu)
    await kanit.send("/cari")
    await kanit.press("🔎 Cari kata")
    question = kanit.last
    leader = await harness.officer(kanit)
    assert leader is not None
    # The row as the previous release wrote it: no desk, no update id.
    removed = ("CAST(CAST(payload AS JSONB) - 'for' - 'update' AS TEXT)" if pg.POSTGRES
               else "json_remove(payload, '$.for', '$.update')")
    await harness.db.connection.execute(
        f"UPDATE desk_inputs SET payload = {removed} WHERE officer_id = ?", (leader.id,))
    await harness.restart()
    await kanit.press("✖️ Batal", question)
    async with harness.db.reading() as repos:
        assert await repos.desk_inputs.get(leader.id) is None
