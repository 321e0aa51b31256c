"""Filing reports: an officer walks a catalogue form through the emulator to a stored report."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from conversations import report_photos
from domain.people import Status
from emulator import Emulator
from emulator.harness import BotHarness
from emulator.media import make_jpeg
from tests.conftest import ADMIN_TELEGRAM_ID
from tests.support.reports import (
    CATALOGUE,
    OFFICER_ID,
    draft_of,
    fill_sapta,
    huge_png,
    seed,
    stored_reports,
    walk_rest,
)


async def test_sapta_report_end_to_end(harness: BotHarness, emu: Emulator):
    officer, kanit = await seed(harness, emu)

    await fill_sapta(officer)
    assert "Periksa laporan" in officer.last.text
    await officer.press("📤 Kirim laporan")

    async with harness.db.reading() as repos:
        reports = await repos.reports.all()
        assert len(reports) == 1
        report = reports[0]
        complaints = await repos.complaints.of_report(report.id)
        hashes = await repos.report_photos.of_report(report.id)
    assert report.number == "LAP/SAPTA/2026/11/0001"
    assert report.place == "RW 03 Kel. Heledulaa"
    assert report.latitude == 0.5412
    assert report.ended_at == harness.clock.now().replace(second=0, microsecond=0)
    assert report.started_at == report.ended_at - timedelta(hours=1)
    assert [c.status for c in complaints] == ["new"]
    assert complaints[0].category == "pencurian"
    assert complaints[0].resident_name == "Pak Hasan"
    assert report.equipment["present"] == ["sprin", "camera", "notebook", "stationery"]
    assert report.warnings_ack_at is not None
    assert len(hashes) == 2
    photos = harness.application.bot_data.services.photos
    for sha in hashes:
        assert photos.stamped_path(sha).is_file()
    assert any("LAPORAN HASIL KEGIATAN" in text and report.number in text
               for text in officer.texts)
    assert officer.last.kind == "photo"
    assert await draft_of(harness, officer) is None
    assert report.number in kanit.last.text


@pytest.mark.parametrize(
    ("code", "name"),
    [("sapta", "POS SAPTA"), ("mantap", "POS MANTAP"), ("satria", "POS SATRIA"),
     ("khidmat", "POS KHIDMAT")],
)
async def test_each_activity_can_be_reported(harness: BotHarness, emu: Emulator, code, name):
    officer, kanit = await seed(harness, emu)
    await officer.send("/lapor")
    await officer.press(name)
    await walk_rest(officer, photos=1)
    await officer.press("📤 Kirim laporan")

    reports = await stored_reports(harness)
    assert len(reports) == 1
    report = reports[0]
    assert report.activity_code == code
    assert report.number == f"LAP/{code.upper()}/2026/11/0001"
    assert report.officer_id == (await harness.officer(officer)).id
    assert report.unit_code == "binkamsa"
    assert report.equipment is not None
    assert report.equipment["reasons"] == {}
    async with harness.db.reading() as repos:
        complaints = await repos.complaints.of_report(report.id)
        hashes = await repos.report_photos.of_report(report.id)
    assert len(complaints) == 1
    assert len(hashes) == 1
    photos = harness.application.bot_data.services.photos
    web = photos.web_path(hashes[0])
    assert web.is_file()
    assert photos.stamped_path(hashes[0]).stat().st_size > 1000
    from PIL import Image

    with Image.open(photos.stamped_path(hashes[0])) as img:
        assert img.size == (800, 600)
    card = next(text for text in officer.texts if "LAPORAN HASIL KEGIATAN" in text)
    assert name in card
    assert "Budi Santoso" in card
    assert "87654321" in card
    assert report.number in kanit.last.text


async def test_numbers_are_sequential_per_activity(harness: BotHarness, emu: Emulator):
    officer, _ = await seed(harness, emu)
    for _ in range(2):
        await fill_sapta(officer, photos=1)
        await officer.press("📤 Kirim laporan")
    numbers = [report.number for report in await stored_reports(harness)]
    assert numbers == ["LAP/SAPTA/2026/11/0001", "LAP/SAPTA/2026/11/0002"]


async def test_missing_equipment_needs_a_reason(harness: BotHarness, emu: Emulator):
    officer, _ = await seed(harness, emu)
    await officer.send("/lapor")
    await officer.press("POS SAPTA")
    await walk_rest(officer, photos=1, until=lambda text: "Tandai kelengkapan" in text)
    await officer.press("⬜ Kamera / HP")
    await officer.press("➡️ Lanjut")
    assert "Surat Perintah Tugas" in officer.last.text
    await officer.send("x")
    assert "terlalu pendek" in officer.last.text
    await officer.send("Tertinggal di kantor")
    assert "Buku catatan" in officer.last.text
    await officer.send("Tidak sempat")
    assert "Alat tulis" in officer.last.text
    await officer.send("Sudah habis")
    draft = await draft_of(harness, officer)
    assert draft.answers["equipment"]["present"] == ["camera"]
    assert draft.answers["equipment"]["reasons"]["sprin"] == "Tertinggal di kantor"


async def test_restart_after_every_answer_gives_the_same_report(
    harness: BotHarness, emu: Emulator
):
    officer, _ = await seed(harness, emu)
    other = emu.user(1002, "Citra")
    await harness.seed_officer(other, name="Citra Dewi", nrp="87654322", unit="binkamsa")

    await fill_sapta(other, photos=2)
    await other.press("📤 Kirim laporan")

    await officer.send("/lapor")
    await harness.restart()
    await officer.press("POS SAPTA")
    await harness.restart()
    await officer.press("✏️ Nomor Sprin")
    await officer.send("Sprin/12/XI/2026/Satbinmas")
    await harness.restart()
    await harness.restart()
    await officer.send("RW 03 Kel. Heledulaa")
    await harness.restart()
    await officer.send_location(0.5412, 123.0595)
    await harness.restart()
    await walk_rest(officer, photos=2, after=harness.restart)
    await harness.restart()
    await officer.send("/lanjut")
    assert "Periksa laporan" in officer.last.text
    await officer.press("📤 Kirim laporan")

    first, second = await stored_reports(harness)
    assert second.number == "LAP/SAPTA/2026/11/0002"
    assert first.answers == second.answers
    assert (first.started_at, first.place, first.equipment) == (
        second.started_at, second.place, second.equipment)


async def test_album_is_answered_once_and_duplicates_stored_once(
    harness: BotHarness, emu: Emulator, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(report_photos, "ALBUM_DELAY_SECONDS", 600)
    officer, _ = await seed(harness, emu)
    await officer.send("/lapor")
    await officer.press("POS SAPTA")
    await walk_rest(officer, photos=0, until=lambda text: "Kirim foto dokumentasi" in text)
    before = len(officer.messages)
    await officer.send_album([("photo", make_jpeg(640, 480, color=(i * 40, 10, 10)))
                              for i in range(3)])
    await report_photos.flush_albums()
    assert len(officer.messages) == before + 1  # one answer for the album: the review card
    assert "Periksa laporan" in officer.last.text
    assert "Foto dokumentasi: 3 foto" in officer.last.text
    await officer.send_photo(make_jpeg(640, 480, color=(0, 10, 10)))  # the first one again
    assert "Foto dokumentasi: 3 foto" in officer.last.text
    draft = await draft_of(harness, officer)
    assert len({photo["sha256"] for photo in draft.answers["photos"]}) == 3


async def refused(harness, officer, action, expected: str) -> None:
    """The action gets a reply containing ``expected`` and leaves the draft exactly as it was."""
    before = await draft_of(harness, officer)
    count = len(officer.messages)
    await action()
    assert len(officer.messages) > count
    assert expected in officer.last.text
    assert await draft_of(harness, officer) == before


async def test_bad_input_matrix(harness: BotHarness, emu: Emulator):
    officer, _ = await seed(harness, emu)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
    await officer.send("/lapor")
    await officer.press("POS SAPTA")
    await officer.press("✏️ Nomor Sprin")
    # short text (Sprin, at most 100 characters)
    await refused(harness, officer, officer.send_sticker, "mengetik teks")
    await refused(harness, officer, officer.send_voice, "mengetik teks")
    await refused(harness, officer, lambda: officer.send_document(pdf, "a.pdf",
                                                                  "application/pdf"),
                  "mengetik teks")
    await refused(harness, officer, lambda: officer.send("x" * 101), "terlalu panjang")
    await officer.send("Sprin/12/XI/2026")
    await officer.press("✏️ Waktu pelaksanaan")  # the default time, changed
    # time range
    await refused(harness, officer, lambda: officer.send("kemarin sore"), "Format waktu")
    await refused(harness, officer, lambda: officer.send("13.00-14.00"), "belum terlewati")
    await refused(harness, officer, lambda: officer.send("25.00-26.00"), "tidak dikenal")
    await refused(harness, officer, officer.send_sticker, "mengetik teks")
    await officer.send("06.00-09.00")  # three hours: a warning to confirm, not a refusal
    assert "Mohon periksa" in officer.last.text
    await officer.press("✅ Ya, sudah benar")
    # location
    await refused(harness, officer, officer.send_sticker, "Mohon kirim lokasi")
    await refused(harness, officer, lambda: officer.send("x" * 201), "terlalu panjang")
    await officer.send_location(0.5412, 123.0595)  # a pin answers the step
    # warnings, equipment: buttons only
    await refused(harness, officer, lambda: officer.send("ya"), "tombol")
    await officer.press("✅ Saya mematuhi peringatan ini")
    await refused(harness, officer, lambda: officer.send("lengkap"), "tombol")
    await officer.press("✅ Lengkap semua")
    await walk_rest(officer, photos=0, until=lambda text: "Berapa" in text)
    # integer
    await refused(harness, officer, lambda: officer.send("dua puluh"), "angka")
    await refused(harness, officer, lambda: officer.send("2,5"), "bilangan bulat")
    await refused(harness, officer, officer.send_sticker, "mengetik teks")
    await walk_rest(officer, photos=0, until=lambda text: "Kirim foto dokumentasi" in text)
    # photos
    await refused(harness, officer, lambda: officer.send("foto menyusul"), "meminta foto")
    await refused(harness, officer, officer.send_sticker, "meminta foto")
    await refused(harness, officer, officer.send_voice, "meminta foto")
    await refused(harness, officer, lambda: officer.send_document(pdf, "a.pdf",
                                                                  "application/pdf"),
                  "bukan gambar")
    await refused(harness, officer, lambda: officer.send_document(huge_png(), "big.png",
                                                                  "image/png"),
                  "terlalu besar")
    jpeg = make_jpeg(800, 600)
    await refused(harness, officer, lambda: officer.send_document(jpeg[: len(jpeg) // 2],
                                                                  "cut.jpg", "image/jpeg"),
                  "rusak")
    await officer.send_document(make_jpeg(1200, 900), "ok.jpg", "image/jpeg")
    assert "Periksa laporan" in officer.last.text  # the step has its photo: the review card
    assert "Foto dokumentasi: 1 foto" in officer.last.text


async def test_stale_foreign_and_duplicate_updates_change_nothing(
    harness: BotHarness, emu: Emulator
):
    officer, kanit = await seed(harness, emu)
    await officer.send("/lapor")
    await officer.press("POS SAPTA")
    await officer.press("✏️ Nomor Sprin")
    update = await officer.send("Sprin/12/XI/2026")
    time_prompt = officer.last
    old_data = time_prompt.inline_buttons[0]["callback_data"]
    old_button = dict(time_prompt.inline_buttons[0])
    await officer.press("✏️ Waktu pelaksanaan")
    before = await draft_of(harness, officer)

    await emu.redeliver(update)
    await officer._press_button(time_prompt, old_button)  # an old message kept in the chat
    assert old_data.startswith("a:rp:")
    assert "tidak berlaku" in officer.callback_answers[-1]["text"]
    await kanit.press_data(officer.last.button_data("⬅️ Kembali"), officer.last)
    assert "tidak berlaku" in kanit.callback_answers[-1]["text"]
    assert await draft_of(harness, officer) == before


async def test_edit_from_review_returns_to_review(harness: BotHarness, emu: Emulator):
    officer, _ = await seed(harness, emu)
    await fill_sapta(officer, photos=1)
    await officer.press("✏️ Nomor Sprin")
    assert "Sprin/12/XI/2026/Satbinmas" in officer.last.text
    await officer.send("Sprin/99/XI/2026")
    assert "Periksa laporan" in officer.last.text
    assert "Sprin/99/XI/2026" in officer.last.text
    await officer.press("📤 Kirim laporan")
    (report,) = await stored_reports(harness)
    assert report.answers["sprin"] == "Sprin/99/XI/2026"


async def test_cancel_asks_and_lapor_offers_resume(harness: BotHarness, emu: Emulator):
    officer, _ = await seed(harness, emu)
    await officer.send("/lapor")
    await officer.press("POS SAPTA")
    await officer.press("✏️ Nomor Sprin")
    await officer.send("Sprin/12/XI/2026")
    await officer.send("/batal")
    assert "Buang laporan" in officer.last.text
    await officer.press("↩️ Tidak")
    draft = await draft_of(harness, officer)
    assert draft.answers["sprin"] == "Sprin/12/XI/2026"
    assert (draft.step, draft.preset) == ("location", ("time", "obstacles"))
    await officer.send("/lapor")
    assert "belum selesai" in officer.last.text
    await officer.press("▶️ Lanjutkan")
    assert "✏️ Waktu pelaksanaan" in str(officer.last.buttons)
    await officer.send("/batal")
    await officer.press("🗑 Ya, buang")
    assert await draft_of(harness, officer) is None


async def test_my_reports_lists_and_opens_only_own(harness: BotHarness, emu: Emulator):
    officer, kanit = await seed(harness, emu)
    await fill_sapta(officer, photos=2)
    await officer.press("📤 Kirim laporan")
    await officer.send("/laporan")
    listing = officer.last
    assert "LAP/SAPTA/2026/11/0001" in str(listing.buttons)
    await officer.press("LAP/SAPTA/2026/11/0001", listing)
    assert any("LAPORAN HASIL KEGIATAN" in text for text in officer.texts[-5:])
    assert officer.messages[-2].kind == "photo"  # the photos, then the offer to correct
    assert "masih dapat dikoreksi" in officer.last.text
    await kanit.press_data(listing.inline_buttons[0]["callback_data"], listing)
    assert "tidak berlaku" in kanit.callback_answers[-1]["text"]


async def test_fifth_activity_from_config_only(emu: Emulator, tmp_path: Path):
    from datetime import UTC, datetime

    source = CATALOGUE.read_text(encoding="utf-8")  # noqa: ASYNC240 - a small test fixture
    extra = """
[[activities]]
code = "patroli"
number_code = "PATROLI"
name = { id = "PATROLI DIALOGIS", en = "Dialogue patrol" }
purpose = { id = "Patroli sambil berdialog.", en = "Patrol while talking to residents." }
goal = { id = "Mendengar warga.", en = "Hear residents." }

[[activities.fields]]
key = "route"
type = "short_text"
label = { id = "Rute patroli", en = "Patrol route" }
prompt = { id = "Ketik rute patroli.", en = "Type the patrol route." }

[[activities.fields]]
key = "stops"
type = "integer"
label = { id = "Jumlah titik singgah", en = "Stops" }
prompt = { id = "Berapa titik singgah?", en = "How many stops?" }

[[activities.fields]]
key = "photos"
type = "photos"
label = { id = "Foto dokumentasi", en = "Documentation photos" }
prompt = { id = "Kirim foto dokumentasi kegiatan.", en = "Send documentation photos." }
"""
    catalogue = tmp_path / "activities.toml"
    catalogue.write_text(source + extra, encoding="utf-8")  # noqa: ASYNC240
    bot = BotHarness(emu, tmp_path / "data", start=datetime(2026, 11, 28, 2, 0, tzinfo=UTC),
                     admin_ids=frozenset({ADMIN_TELEGRAM_ID}), activities_file=catalogue)
    await bot.start()
    try:
        officer = emu.user(OFFICER_ID, "Budi")
        await bot.seed_officer(officer, name="Budi Santoso", nrp="87654321", unit="binkamsa",
                               status=Status.ACTIVE)
        await officer.send("/lapor")
        await officer.press("PATROLI DIALOGIS")
        await officer.send("Pasar Sentral - Jl. Setia Budi")
        await officer.send("4")
        await officer.send_photo(make_jpeg(640, 480))  # the photo answers: the review card
        await officer.press("📤 Kirim laporan")
        async with bot.db.reading() as repos:
            (report,) = await repos.reports.all()
        assert report.number == "LAP/PATROLI/2026/11/0001"
        assert report.answers["stops"] == 4
    finally:
        await bot.stop()


async def test_live_location_updates_the_stored_pin(harness: BotHarness, emu: Emulator):
    officer, _ = await seed(harness, emu)
    await officer.send("/lapor")
    await officer.press("POS SAPTA")
    await officer.press("✏️ Nomor Sprin")
    await officer.send("Sprin/12/XI/2026/Satbinmas")
    shared = await officer.send_location(0.5412, 123.0595, live_period=900)
    count = len(officer.messages)
    await officer.edit_location(shared, 0.5500, 123.0600)

    assert len(officer.messages) == count  # moving pin: stored quietly, no new message
    draft = await draft_of(harness, officer)
    assert "0.55" in str(draft)
    assert "0.5412" not in str(draft)


async def test_redelivered_answer_repeats_the_question_and_changes_nothing(
    harness: BotHarness, emu: Emulator
):
    officer, _ = await seed(harness, emu)
    await officer.send("/lapor")
    await officer.press("POS SAPTA")
    await officer.press("✏️ Nomor Sprin")
    update = await officer.send("Sprin/12/XI/2026/Satbinmas")
    question = officer.last.text
    before = await draft_of(harness, officer)

    await harness.restart()
    await emu.redeliver(update)

    assert officer.last.text == question
    assert await draft_of(harness, officer) == before


async def test_album_pending_at_shutdown_is_answered_before_stopping(
    harness: BotHarness, emu: Emulator, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(report_photos, "ALBUM_DELAY_SECONDS", 600)
    officer, _ = await seed(harness, emu)
    await officer.send("/lapor")
    await officer.press("POS SAPTA")
    await walk_rest(officer, photos=0, until=lambda text: "Kirim foto dokumentasi" in text)
    before = len(officer.messages)
    await officer.send_album([("photo", make_jpeg(640, 480, color=(i * 40, 10, 10)))
                              for i in range(2)])
    assert len(officer.messages) == before  # still waiting for more items

    await harness.restart()

    assert len(officer.messages) == before + 1
    assert "Foto dokumentasi: 2 foto" in officer.last.text


async def test_a_stale_report_button_brings_the_current_question_back(
    harness: BotHarness, emu: Emulator
):
    """After a crash between storing an answer and sending the next question, the newest
    message is an answered one: its stale button must not leave the officer with nothing."""
    officer, _ = await seed(harness, emu)
    await officer.send("/lapor")
    await officer.press("POS SAPTA")
    await officer.press("✏️ Nomor Sprin")
    await officer.send("Sprin/12/XI/2026")
    time_prompt = officer.last
    old_button = dict(time_prompt.inline_buttons[0])
    assert old_button["text"] == "✏️ Waktu pelaksanaan"  # the default time, shown to change
    await officer._press_button(time_prompt, old_button)
    current = officer.last.text
    before = await draft_of(harness, officer)
    count = len(officer.messages)

    await officer._press_button(time_prompt, old_button)  # a double tap: the question came
    assert "tidak berlaku" in officer.callback_answers[-1]["text"]
    assert len(officer.messages) == count

    harness.clock.advance(timedelta(seconds=30))  # later, e.g. after the bot restarted
    await officer._press_button(time_prompt, old_button)
    assert "tidak berlaku" in officer.callback_answers[-1]["text"]
    assert len(officer.messages) == count + 1
    assert officer.last.text == current  # the question in hand, asked again with its buttons
    assert officer.last.buttons
    assert await draft_of(harness, officer) == before


async def test_english_review_card_says_1_photo_and_1_complaint(harness: BotHarness,
                                                              emu: Emulator):
    officer, _ = await seed(harness, emu)
    await fill_sapta(officer, photos=1)
    await officer.send("/bahasa")
    await officer.press("🇬🇧 English")
    await officer.send("/resume")
    card = officer.last.text
    assert "1 photo" in card
    assert "1 complaint" in card
    assert "1 photos" not in card
    assert "complaint(s)" not in card
