"""The place step knows the territory: the officer's kelurahan as buttons, a pin matched to the
nearest kelurahan, and every report and complaint filed under its kelurahan code."""

from __future__ import annotations

import io
from datetime import timedelta

from pypdf import PdfReader

from emulator import Emulator
from emulator.harness import BotHarness
from tests.support.exports import documents, pdf_text
from tests.support.reports import draft_of, seed, walk_rest

LIMBA_U_I, LIMBA_U_II = "75.71.02.1019", "75.71.02.1020"


async def seed_with_areas(harness: BotHarness, emu: Emulator, *codes: str):
    officer, kanit = await seed(harness, emu)
    stored = await harness.officer(officer)
    assert stored is not None
    async with harness.db.transaction() as tx:
        await tx.areas.replace(stored.id, codes, harness.clock.now())
    return officer, kanit


async def to_place_step(officer) -> None:
    await officer.send("/lapor")
    await officer.press("POS SAPTA")  # Sprin (none) and the last hour are preset


async def test_the_place_step_offers_the_officers_kelurahan(harness: BotHarness,
                                                            emu: Emulator):
    officer, _ = await seed_with_areas(harness, emu, LIMBA_U_II, LIMBA_U_I)
    await to_place_step(officer)
    assert "Ketuk kelurahan binaan Anda" in officer.last.text
    assert officer.last.buttons[0] == ["Kel. Limba U I", "Kel. Limba U II"]

    await officer.press("Kel. Limba U II")  # one tap; the detail is optional
    assert "Kelurahan: Limba U II" in officer.last.content
    assert "➡️ Lanjut" in sum(officer.last.buttons, [])
    await officer.send("RW 02 dekat masjid")
    assert "Kel. Limba U II, RW 02 dekat masjid" in officer.last.text
    await officer.press("➡️ Lanjut")
    await walk_rest(officer, photos=1)
    assert "Kel. Limba U II" in officer.last.text  # the review card names it
    await officer.press("📤 Kirim laporan")

    async with harness.db.reading() as repos:
        [report] = await repos.reports.all()
        per_kelurahan = await repos.areas.complaints(
            {"binkamsa"}, harness.clock.now() - timedelta(days=1), harness.clock.now())
    assert report.kelurahan_code == LIMBA_U_II
    assert report.place == "RW 02 dekat masjid"
    assert report.latitude is None
    assert per_kelurahan == [(LIMBA_U_II, 1)]  # its complaint is filed there too


async def test_a_pin_is_resolved_to_the_nearest_kelurahan_and_confirmed(harness: BotHarness,
                                                                         emu: Emulator):
    officer, _ = await seed_with_areas(harness, emu, LIMBA_U_I)
    await to_place_step(officer)
    await officer.send_location(0.5274, 123.0643)  # some 60 m from Limba U II's centre
    draft = await draft_of(harness, officer)
    assert draft.answers["location"]["kel"] == LIMBA_U_II  # the pin answers the step
    assert draft.answers["location"]["pin"] == {"lat": 0.5274, "lon": 123.0643}
    assert draft.step == "warnings"
    # Shown on the next question to change there; moving on from it confirms it.
    assert "Kel. Limba U II" in officer.last.content
    assert "✏️ Lokasi" in sum(officer.last.buttons, [])
    await officer.press("✅ Saya mematuhi peringatan ini")
    assert "location" not in (await draft_of(harness, officer)).preset


async def test_a_resolved_pin_can_be_changed_to_another_kelurahan(harness: BotHarness,
                                                                  emu: Emulator):
    officer, _ = await seed_with_areas(harness, emu, LIMBA_U_I)
    await to_place_step(officer)
    await officer.send_location(0.5274, 123.0643)
    await officer.press("✏️ Lokasi")
    await officer.press("Kel. Limba U I")  # the officer knows better than the centre points
    draft = await draft_of(harness, officer)
    assert draft.answers["location"]["kel"] == LIMBA_U_I
    assert draft.answers["location"]["pin"] == {"lat": 0.5274, "lon": 123.0643}
    assert draft.step == "warnings"  # back to the question that showed it


async def test_a_pin_outside_the_territory_suggests_nothing(harness: BotHarness,
                                                            emu: Emulator):
    officer, _ = await seed_with_areas(harness, emu, LIMBA_U_I)
    await to_place_step(officer)
    await officer.send_location(-6.2, 106.8)
    draft = await draft_of(harness, officer)
    assert draft.step == "warnings"
    assert "kel" not in draft.answers["location"]
    assert "location" not in draft.preset  # nothing guessed, nothing to confirm


async def test_a_forged_kelurahan_button_is_stale(harness: BotHarness, emu: Emulator):
    officer, _ = await seed_with_areas(harness, emu, LIMBA_U_I)
    await to_place_step(officer)
    draft = await draft_of(harness, officer)
    await officer.press_forged(f"a:rp:{draft.id}:{draft.version}:kel:{LIMBA_U_II}",
                               officer.last)
    assert officer.callback_answers[-1]["show_alert"]
    assert (await draft_of(harness, officer)).work.get("kel") is None


async def test_the_chosen_kelurahan_can_be_changed_before_continuing(harness: BotHarness,
                                                                     emu: Emulator):
    officer, _ = await seed_with_areas(harness, emu, LIMBA_U_I, LIMBA_U_II)
    await to_place_step(officer)
    await officer.press("Kel. Limba U I")
    assert sum(officer.last.buttons, [])[0] == "Kel. Limba U II"  # still on offer
    await officer.send("Pos kamling RW 01")
    await officer.press("Kel. Limba U II")  # a place is there: the step is answered
    draft = await draft_of(harness, officer)
    assert draft.answers["location"]["kel"] == LIMBA_U_II
    assert draft.answers["location"]["place"] == "Pos kamling RW 01"


async def test_the_report_pdf_names_the_kelurahan_with_its_code(harness: BotHarness,
                                                               emu: Emulator):
    officer, kanit = await seed_with_areas(harness, emu, LIMBA_U_II, LIMBA_U_I)
    await to_place_step(officer)
    await officer.press("Kel. Limba U II")
    await officer.send("RW 02 dekat masjid")
    await officer.press("➡️ Lanjut")
    await walk_rest(officer, photos=1)
    await officer.press("📤 Kirim laporan")
    await kanit.send("/cari")
    await kanit.press("LAP/SAPTA/2026/11/0001")
    await kanit.press("📄 PDF")
    (document,) = documents(kanit)
    text = pdf_text(PdfReader(io.BytesIO(document.file_bytes)))
    assert f"Kel. Limba U II ({LIMBA_U_II})" in " ".join(text.split())
