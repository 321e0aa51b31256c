"""Correcting a submitted report: within the window, by its own officer, once per update."""

from __future__ import annotations

from datetime import timedelta

import pytest

from emulator import Emulator
from emulator.harness import BotHarness
from ops.check import check
from tests.support.reports import fill_sapta, seed, stored_reports

NUMBER = "LAP/SAPTA/2026/11/0001"
OLD_SPRIN = "Sprin/12/XI/2026/Satbinmas"
NEW_SPRIN = "Sprin/99/XI/2026"


async def file_and_open(harness: BotHarness, emu: Emulator):
    """File a SAPTA report, then open it from /laporan."""
    officer, kanit = await seed(harness, emu)
    await fill_sapta(officer, photos=1)
    await officer.press("📤 Kirim laporan")
    await officer.send("/laporan")
    await officer.press(NUMBER, officer.last)
    return officer, kanit


async def revisions(harness: BotHarness, report_id: int):
    async with harness.db.reading() as repos:
        return await repos.revisions.of_report(report_id)


async def test_correct_a_field_within_the_window(harness: BotHarness, emu: Emulator):
    officer, kanit = await file_and_open(harness, emu)
    assert "masih dapat dikoreksi" in officer.last.text
    await officer.press("✏️ Koreksi")
    review = officer.last
    assert "Koreksi laporan" in review.text
    labels = [label for row in review.buttons for label in row]
    assert "💾 Simpan koreksi" in labels
    assert "📤 Kirim laporan" not in labels
    assert "✏️ Foto dokumentasi" not in labels  # photos are not corrected here

    await officer.press("✏️ Nomor Sprin")
    assert OLD_SPRIN in officer.last.text
    await officer.send(NEW_SPRIN)
    assert "Koreksi laporan" in officer.last.text
    assert NEW_SPRIN in officer.last.text
    saving = await officer.press("💾 Simpan koreksi")

    (report,) = await stored_reports(harness)
    assert report.answers["sprin"] == NEW_SPRIN
    (revision,) = await revisions(harness, report.id)
    stored_officer = await harness.officer(officer)
    assert stored_officer is not None
    assert revision.field_key == "sprin"
    assert revision.old == OLD_SPRIN
    assert revision.new == NEW_SPRIN
    assert revision.officer_id == stored_officer.id
    assert revision.at == harness.clock.now()
    assert any("Koreksi laporan" in text and NUMBER in text for text in officer.texts[-3:])
    assert any("LAPORAN HASIL KEGIATAN" in text and NEW_SPRIN in text
               for text in officer.texts[-3:])
    assert f"Laporan {NUMBER} dikoreksi" in kanit.last.text
    assert "Nomor Sprin" in kanit.last.text
    async with harness.db.reading() as repos:
        audit = await repos.audit.recent()
        assert await repos.drafts.of_officer(stored_officer.id) is None
    (entry,) = [item for item in audit if item["action"] == "report.correct"]
    assert entry["target_id"] == str(report.id)
    assert entry["details"]["fields"] == ["sprin"]

    kanit_messages = len(kanit.texts)
    await emu.redeliver(saving)
    assert len(await revisions(harness, report.id)) == 1
    assert len(kanit.texts) == kanit_messages


async def test_after_the_window_no_button_and_forged_press_refused(
    harness: BotHarness, emu: Emulator
):
    officer, _ = await file_and_open(harness, emu)
    offer = officer.last
    fix_data = offer.button_data("✏️ Koreksi")
    harness.clock.advance(timedelta(hours=25))

    await officer.send("/laporan")
    await officer.press(NUMBER, officer.last)
    assert officer.last.kind == "photo"  # the card and photos, no correction offer
    assert not any("dikoreksi sampai" in text for text in officer.texts[-3:])
    # On the old offer (a press on the photo is stale before any handler: buttons sit on text).
    await officer.press_forged(fix_data, offer)
    assert "Batas waktu koreksi" in officer.callback_answers[-1]["text"]
    (report,) = await stored_reports(harness)
    assert await revisions(harness, report.id) == []


@pytest.mark.usefixtures("sqlite_file")  # reads the SQLite file
async def test_window_closing_during_a_correction_refuses_the_save(
    harness: BotHarness, emu: Emulator
):
    officer, kanit = await file_and_open(harness, emu)
    await officer.press("✏️ Koreksi")
    await officer.press("✏️ Nomor Sprin")
    await officer.send(NEW_SPRIN)
    harness.clock.advance(timedelta(hours=25))
    await officer.press("💾 Simpan koreksi")
    assert "Batas waktu koreksi" in officer.last.text
    (report,) = await stored_reports(harness)
    assert report.answers["sprin"] == OLD_SPRIN
    assert await revisions(harness, report.id) == []
    assert "dikoreksi" not in kanit.last.text
    # The dropped correction draft held the report's photo: its files stay.
    assert check(harness.settings, out=lambda line: None) == 0


async def test_another_officers_press_is_refused(harness: BotHarness, emu: Emulator):
    officer, kanit = await file_and_open(harness, emu)
    offer = officer.last
    await kanit.press_data(offer.button_data("✏️ Koreksi"), offer)
    assert "tidak berlaku" in kanit.callback_answers[-1]["text"]

    await officer.press("✏️ Koreksi")
    review = officer.last
    await kanit.press_data(review.button_data("💾 Simpan koreksi"), review)
    assert "tidak berlaku" in kanit.callback_answers[-1]["text"]
    await kanit.press_data(review.button_data("✏️ Nomor Sprin"), review)
    assert "tidak berlaku" in kanit.callback_answers[-1]["text"]
    (report,) = await stored_reports(harness)
    assert report.answers["sprin"] == OLD_SPRIN
    assert await revisions(harness, report.id) == []


async def test_a_correction_cannot_be_submitted_as_a_new_report(
    harness: BotHarness, emu: Emulator
):
    officer, _ = await file_and_open(harness, emu)
    await officer.press("✏️ Koreksi")
    review = officer.last
    forged = review.button_data("💾 Simpan koreksi").replace(":save", ":submit")
    await officer.press_forged(forged, review)
    assert "tidak berlaku" in officer.callback_answers[-1]["text"]
    assert len(await stored_reports(harness)) == 1
