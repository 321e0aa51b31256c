"""Field speed (#12): every shortcut of the report form, as an officer uses it.

Each shortcut keeps the SOP fields and the guarantees: what the bot fills is shown on the next
question (with a ✏️) and confirmed by moving on; every answer is stored before the reply; a
restart in the middle loses and duplicates nothing.
"""

from __future__ import annotations

from datetime import UTC

import pytest

from conversations import report_photos
from emulator import Emulator
from emulator.harness import BotHarness
from emulator.media import make_jpeg
from tests.support.reports import draft_of, fill_sapta, seed, stored_reports, walk_rest
from tests.support.schedule import assign_post, scan, seed_unit, wita

PLACE = "RW 03 Kel. Heledulaa"
"""The fixture of the schedule tests: a bot whose posts all come from /tugas."""


def buttons(user) -> str:
    return str(user.last.buttons)


async def start(officer, activity: str = "POS SAPTA") -> None:
    await officer.send("/lapor")
    await officer.press(activity)


async def to_complaints(officer) -> None:
    """A SAPTA report answered up to its complaints step (place typed, pin sent)."""
    await start(officer)
    await officer.send(PLACE)
    await officer.send_location(0.5412, 123.0595)
    await walk_rest(officer, photos=1, until=lambda text: "Apakah ada keluhan" in text)


async def open_card(harness: BotHarness, emu: Emulator, category: str, text: str):
    """An officer at the complaint card: category tapped, the complaint typed."""
    officer, _ = await seed(harness, emu)
    await to_complaints(officer)
    assert category in buttons(officer)  # categories straight on the step: no "add" tap
    await officer.press(category)
    await officer.send(text)
    return officer


# ------------------------------------------------------------------------ place and defaults


async def test_a_pin_answers_the_place_step_and_confirms_the_defaults_shown(
    harness: BotHarness, emu: Emulator
):
    officer, _ = await seed(harness, emu)
    await start(officer)
    question = officer.last.text
    assert "Sudah terisi" in question  # Sprin (none) and the last hour, shown, not assumed
    assert "Nomor Sprin: –" in question
    assert "Waktu pelaksanaan:" in question
    assert "✏️ Nomor Sprin" in buttons(officer)
    assert "✏️ Waktu pelaksanaan" in buttons(officer)
    draft = await draft_of(harness, officer)
    assert (draft.step, draft.preset) == ("location", ("sprin", "time", "obstacles"))

    await officer.send(PLACE)  # typed first: it goes with the pin
    assert "📍 Tersimpan" in officer.last.text
    await officer.send_location(0.5412, 123.0595)

    draft = await draft_of(harness, officer)
    assert draft.step == "warnings"  # no "Lanjut": the pin moved on
    assert draft.answers["location"] == {"pin": {"lat": 0.5412, "lon": 123.0595},
                                         "place": PLACE, "kel": "75.71.06.1005", "live": None}
    # Sprin and time confirmed by moving on; the kelurahan the pin is nearest is shown on the
    # next question, to change there or confirm by moving on (#13).
    assert draft.preset == ("obstacles", "location")
    assert "Saya mematuhi peringatan ini" in buttons(officer)
    assert "Nomor Sprin:" not in officer.last.text  # confirmed, no longer shown
    assert "Lokasi: Kel. " in officer.last.text  # the guessed kelurahan, shown to confirm


async def test_a_default_is_changed_from_its_pencil_and_the_question_comes_back(
    harness: BotHarness, emu: Emulator
):
    officer, _ = await seed(harness, emu)
    await start(officer)
    await officer.press("✏️ Waktu pelaksanaan")
    assert "Pukul berapa kegiatan dimulai" in officer.last.text
    await officer.send("07.00-08.00")
    assert "Di mana kegiatan dilaksanakan" in officer.last.text  # back where it was
    assert "✏️ Nomor Sprin" in buttons(officer)
    assert "✏️ Waktu pelaksanaan" not in buttons(officer)  # changed: no longer a default
    draft = await draft_of(harness, officer)
    assert draft.answers["time"]["start"] == wita(28, 7).astimezone(UTC).isoformat()
    await officer.send_location(0.5412, 123.0595)

    # The obstacles default ("none") is shown on the next question asked after its place.
    await walk_rest(officer, photos=1, until=lambda text: "Apakah ada keluhan" in text)
    assert "Kendala: –" in officer.last.text
    await officer.press("✏️ Kendala")
    await officer.send("Hujan deras sepanjang sore")
    assert "Apakah ada keluhan" in officer.last.text
    draft = await draft_of(harness, officer)
    assert draft.answers["obstacles"] == "Hujan deras sepanjang sore"
    assert draft.preset == ("topics",)  # the material picked with one tap, still shown here


# --------------------------------------------------------------------------------- counts


@pytest.mark.parametrize("typed", ["12 rumah, 25 warga", "12 25"])
async def test_two_counts_in_one_message(harness: BotHarness, emu: Emulator, typed: str):
    officer, _ = await seed(harness, emu)
    await start(officer)
    await walk_rest(officer, photos=1, until=lambda text: "Berapa rumah" in text)
    assert "sekaligus" in officer.last.text
    await officer.send(typed)
    draft = await draft_of(harness, officer)
    assert (draft.answers["households"], draft.answers["residents"]) == (12, 25)
    assert draft.step == "topics"


async def test_each_count_alone_still_works_and_a_bad_pair_is_refused(
    harness: BotHarness, emu: Emulator
):
    officer, _ = await seed(harness, emu)
    await start(officer)
    await walk_rest(officer, photos=1, until=lambda text: "Berapa rumah" in text)
    await officer.send("12 rumah 5000 warga")  # each count checked against its own field
    draft = await draft_of(harness, officer)
    assert (draft.answers["households"], draft.answers["residents"]) == (12, 5000)
    await officer.press("⬅️ Kembali")
    await officer.press("⬅️ Kembali")
    assert "Berapa rumah" in officer.last.text
    await officer.send("2000 25")  # households go up to 1000: refused, nothing stored
    assert "antara 0 dan 1000" in officer.last.text
    assert (await draft_of(harness, officer)).answers["households"] == 12
    await officer.send("15")
    assert "Berapa orang warga" in officer.last.text  # one count: the next is asked
    assert (await draft_of(harness, officer)).answers["households"] == 15


# ------------------------------------------------------------------------------ materials


async def test_one_material_is_one_tap_and_more_are_added_from_the_next_question(
    harness: BotHarness, emu: Emulator
):
    officer, _ = await seed(harness, emu)
    await start(officer)
    await walk_rest(officer, photos=1, until=lambda text: "Materi apa" in text)
    assert "✅ Selesai" not in buttons(officer)
    await officer.press("⬜ Bahaya narkoba")
    assert "Apakah ada keluhan" in officer.last.text  # picked, and moved on
    assert "Materi yang disampaikan: Bahaya narkoba" in officer.last.text
    await officer.press("✏️ Materi yang disampaikan")
    assert "✅ Bahaya narkoba" in buttons(officer)
    await officer.press("⬜ Hoaks & penipuan daring")
    await officer.press("✅ Selesai")
    assert "Apakah ada keluhan" in officer.last.text
    draft = await draft_of(harness, officer)
    assert draft.answers["topics"] == ["narkoba", "hoaks"]


# ----------------------------------------------------------------------------- complaints


async def test_the_compact_complaint_card_with_its_defaults(harness: BotHarness, emu: Emulator):
    officer = await open_card(harness, emu, "Pencurian",
                              "Sering terjadi pencurian motor di malam hari")
    card = officer.last.text
    assert f"Tempat: {PLACE}" in card  # the report's place
    assert "Urgensi: Biasa" in card
    assert "Warga: — · Telepon: —" in card
    await officer.press("✅ Simpan keluhan")
    assert "Kirim foto dokumentasi" in officer.last.text  # saved, and moved on
    await officer.send_photo(make_jpeg(800, 600))
    await officer.press("📤 Kirim laporan")
    (report,) = await stored_reports(harness)
    async with harness.db.reading() as repos:
        (complaint,) = await repos.complaints.of_report(report.id)
    assert (complaint.category, complaint.place, complaint.urgency) == (
        "pencurian", PLACE, "biasa")
    assert (complaint.resident_name, complaint.resident_contact) == (None, None)


async def test_the_complaint_card_changed_part_by_part_then_another(
    harness: BotHarness, emu: Emulator
):
    officer = await open_card(harness, emu, "Narkoba", "Peredaran obat keras di pangkalan ojek")
    card = officer.last
    await officer.press("Darurat")
    assert officer.last.message_id == card.message_id  # edited in place
    assert "Urgensi: Darurat" in officer.last.text
    await officer.send_location(0.5501, 123.0612)  # a pin answers "where is the problem"
    assert "Tempat: Titik lokasi 0.550100, 123.061200" in officer.last.text
    await officer.press("👤 Nama warga")
    await officer.send("Ibu Rahma")
    await officer.press("📞 Telepon")
    await officer.send("0812-3456-7890")
    assert "Warga: Ibu Rahma · Telepon: +6281234567890" in officer.last.text
    await officer.press("➕ Simpan, tambah keluhan lain")
    assert "1. [Narkoba]" in officer.last.text
    await officer.press("Lalu lintas")
    await officer.send("Balap liar tiap malam minggu")
    await officer.press("✅ Simpan keluhan")
    draft = await draft_of(harness, officer)
    first, second = draft.answers["complaints"]
    assert first == {"category": "narkoba",
                     "description": "Peredaran obat keras di pangkalan ojek",
                     "place": "Titik lokasi 0.550100, 123.061200", "urgency": "darurat",
                     "resident_name": "Ibu Rahma", "resident_contact": "+6281234567890"}
    assert (second["category"], second["place"], second["urgency"]) == (
        "lalu_lintas", PLACE, "biasa")


async def test_a_restart_in_the_middle_of_the_complaint_card_loses_and_repeats_nothing(
    harness: BotHarness, emu: Emulator
):
    officer = await open_card(harness, emu, "Pencurian",
                              "Sering terjadi pencurian motor di malam hari")
    await harness.restart()
    await officer.send("/lanjut")
    assert "Sering terjadi pencurian motor" in officer.last.text  # the card, as it was
    await officer.press("Segera")
    await harness.restart()
    save = await officer.press("✅ Simpan keluhan")
    await harness.restart()
    await emu.redeliver(save)  # Telegram delivers it again after the crash
    draft = await draft_of(harness, officer)
    assert [(c["description"], c["urgency"]) for c in draft.answers["complaints"]] == [
        ("Sering terjadi pencurian motor di malam hari", "segera")]
    assert draft.step == "photos"


# --------------------------------------------------------------------------------- photos


async def at_photos(harness: BotHarness, emu: Emulator, monkeypatch: pytest.MonkeyPatch):
    """An officer at the photo step; albums are answered when flushed, not after a pause."""
    monkeypatch.setattr(report_photos, "ALBUM_DELAY_SECONDS", 600)
    officer, _ = await seed(harness, emu)
    await start(officer)
    await walk_rest(officer, photos=0, until=lambda text: "Kirim foto dokumentasi" in text)
    return officer


async def test_an_album_is_answered_once_by_the_review_card_with_its_count(
    harness: BotHarness, emu: Emulator, monkeypatch: pytest.MonkeyPatch
):
    officer = await at_photos(harness, emu, monkeypatch)
    before = len(officer.messages)
    await officer.send_album([("photo", make_jpeg(640, 480, color=(i * 60, 10, 10)))
                              for i in range(2)])
    await report_photos.flush_albums()
    assert len(officer.messages) == before + 1
    assert "Periksa laporan" in officer.last.text
    assert "Foto dokumentasi: 2 foto" in officer.last.text
    assert "📤 Kirim laporan" in buttons(officer)
    await officer.send_photo(make_jpeg(640, 480, color=(200, 200, 10)))  # one more, later
    assert "Foto dokumentasi: 3 foto" in officer.last.text
    await officer.press("📤 Kirim laporan")
    (report,) = await stored_reports(harness)
    async with harness.db.reading() as repos:
        assert len(await repos.report_photos.of_report(report.id)) == 3


async def test_a_restart_in_the_middle_of_the_album_loses_and_repeats_nothing(
    harness: BotHarness, emu: Emulator, monkeypatch: pytest.MonkeyPatch
):
    officer = await at_photos(harness, emu, monkeypatch)
    items = await officer.send_album([("photo", make_jpeg(640, 480, color=(i * 60, 10, 10)))
                                      for i in range(3)])
    await harness.restart()  # before the album's answer was due
    assert "Foto dokumentasi: 3 foto" in officer.last.text
    for update in items:  # all of it delivered again after the restart
        await emu.redeliver(update)
    await report_photos.flush_albums()
    draft = await draft_of(harness, officer)
    assert len(draft.answers["photos"]) == 3
    assert len({photo["sha256"] for photo in draft.answers["photos"]}) == 3


# ---------------------------------------------------------------------- prefill and repeats


async def test_the_reminder_prefills_sprin_place_and_time_shown_on_the_first_question(
    bot: BotHarness, emu: Emulator
):
    kanit, budi, _ = await seed_unit(bot, emu)
    await assign_post(kanit, ["Budi Santoso"])
    for hour, minute in ((7, 0), (8, 0), (9, 10)):
        bot.clock.set(wita(29, hour, minute))
        await scan(bot)
    await budi.press("📝 Lapor sekarang")
    question = budi.last.text
    assert "Saya mematuhi peringatan ini" in buttons(budi)  # the first question left to ask
    assert "Sudah terisi" in question
    assert "Nomor Sprin: Sprin/12/XI/2026" in question
    assert PLACE in question
    assert "08.00–09.00" in question
    draft = await draft_of(bot, budi)
    assert draft.preset == ("sprin", "time", "location", "obstacles")

    await budi.press("✏️ Lokasi")  # the post's place, with a pin added on the spot
    await budi.send_location(0.5412, 123.0595)
    assert "Saya mematuhi peringatan ini" in buttons(budi)
    await budi.press("✅ Saya mematuhi peringatan ini")
    draft = await draft_of(bot, budi)
    assert draft.answers["location"]["place"] == PLACE
    assert draft.answers["location"]["pin"] == {"lat": 0.5412, "lon": 123.0595}
    assert draft.answers["sprin"] == "Sprin/12/XI/2026"
    assert draft.preset == ("obstacles",)  # the rest confirmed by moving on


async def test_the_schedules_report_button_prefills_the_same_way(
    bot: BotHarness, emu: Emulator
):
    kanit, budi, _ = await seed_unit(bot, emu)
    await assign_post(kanit, ["Budi Santoso"])
    bot.clock.set(wita(29, 9, 10))
    await budi.send("/jadwal")
    await budi.press("📝 Lapor POS SAPTA")
    assert "Nomor Sprin: Sprin/12/XI/2026" in budi.last.text
    assert "Saya mematuhi peringatan ini" in buttons(budi)


async def test_same_place_and_materials_as_last_time_are_one_tap(
    harness: BotHarness, emu: Emulator
):
    officer, _ = await seed(harness, emu)
    await fill_sapta(officer, photos=1)
    await officer.press("📤 Kirim laporan")
    (previous,) = await stored_reports(harness)

    await start(officer)
    assert f"↩️ Sama seperti terakhir: {PLACE}" in buttons(officer)
    await officer.press("↩️ Sama seperti terakhir")
    draft = await draft_of(harness, officer)
    assert draft.step == "warnings"
    assert draft.answers["location"]["place"] == previous.place
    assert draft.answers["location"]["pin"] == {"lat": previous.latitude,
                                                "lon": previous.longitude}
    await walk_rest(officer, photos=1, until=lambda text: "Materi apa" in text)
    assert "↩️ Sama seperti terakhir: Kamtibmas lingkungan" in buttons(officer)
    await officer.press("↩️ Sama seperti terakhir")
    draft = await draft_of(harness, officer)
    assert draft.answers["topics"] == previous.answers["topics"]
    assert draft.step == "complaints"


async def test_a_first_report_offers_nothing_from_before(harness: BotHarness, emu: Emulator):
    officer, _ = await seed(harness, emu)
    await start(officer)
    assert "Sama seperti terakhir" not in buttons(officer)


def test_two_counts_are_read_only_when_they_are_two_counts():
    from domain.answers import InvalidAnswer, two_integers
    from domain.catalogue import IntegerField

    def count(maximum: int) -> IntegerField:
        text = {"id": "x", "en": "x"}
        return IntegerField.model_validate(
            {"key": "x", "type": "integer", "label": text, "prompt": text, "max": maximum})

    houses, people = count(1000), count(10000)
    assert two_integers(houses, people, "12 rumah, 25 warga") == (12, 25)
    assert two_integers(houses, people, "12 25") == (12, 25)
    assert two_integers(houses, people, "12 dan 25") == (12, 25)
    assert two_integers(houses, people, "１２ ２５") == (12, 25)  # full-width digits
    for one in ("25", "1.000", "1,000", "sekitar 25 orang", "12,5", "12 25 30", "kk 12 25"):
        assert two_integers(houses, people, one) is None, one
    with pytest.raises(InvalidAnswer, match="answer.out_of_range"):
        two_integers(houses, people, "2000 25")


def test_presets_are_skipped_shown_on_the_next_question_and_confirmed_by_moving_on():
    from datetime import datetime

    from domain import reports as flow
    from domain.catalogue import DEFAULT_CATALOGUE_PATH, load_catalogue

    sapta = load_catalogue(DEFAULT_CATALOGUE_PATH).activity("sapta")
    now = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
    draft = flow.opened(1, 1, sapta, now, {"location": {"pin": None, "place": PLACE}})
    assert draft.step == "warnings"  # Sprin, time (defaults) and the place (prefilled) filled
    assert flow.shown_presets(sapta, draft) == ["sprin", "time", "location"]
    assert draft.answers["time"] == {"start": "2026-11-28T01:00:00+00:00",
                                     "end": "2026-11-28T02:00:00+00:00"}
    revisiting = flow.revisit(sapta, draft, "sprin")
    assert (revisiting.step, revisiting.work["back_to"]) == ("sprin", "warnings")
    back = flow.after_answer(sapta, revisiting, "sprin", "Sprin/1/XI/2026")
    assert back.step == "warnings"
    assert flow.shown_presets(sapta, back) == ["time", "location"]  # still to confirm
    moved = flow.after_answer(sapta, back, "warnings", {"acknowledged_at": now.isoformat()})
    assert moved.step == "equipment"
    assert moved.preset == ("obstacles",)  # confirmed by moving on; obstacles not reached yet
    at_topics = flow.after_answer(sapta, replace_step(moved, "topics"), "topics", None)
    assert at_topics.step == "complaints"  # obstacles skipped: preset
    picked = flow.picked(sapta, replace_step(moved, "topics"), "topics", ["narkoba"])
    assert flow.shown_presets(sapta, picked) == ["topics", "obstacles"]


def replace_step(draft, step: str):
    from dataclasses import replace

    return replace(draft, step=step, work={})


async def test_questions_name_only_the_buttons_they_offer(harness: BotHarness, emu: Emulator):
    officer, _ = await seed(harness, emu)
    await officer.send("/lapor")
    await officer.press("POS SAPTA")
    await officer.press("✏️ Nomor Sprin")  # prefilled as none: nothing to keep
    labels = [label for row in officer.last.buttons for label in row]
    assert "✔️ Tetap" not in labels
    assert "Tetap" not in officer.last.text
    await officer.send("Sprin/12/XI/2026/Satbinmas")
    await walk_rest(officer, photos=0, until=lambda text: "Foto dokumentasi" in text)
    labels = [label for row in officer.last.buttons for label in row]
    assert "✅ Selesai" not in labels  # the first photo brings the review card
    assert "Selesai" not in officer.last.text
