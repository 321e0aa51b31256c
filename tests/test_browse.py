"""The leaders' report browser: unit scope, search, send back for correction, accept."""

from __future__ import annotations

from datetime import timedelta

from emulator import Emulator
from emulator.harness import BotHarness
from tests.support.browse import NUMBER, OTHER_NUMBER, labels, report_id, two_units
from tests.support.reports import fill_sapta, seed


async def test_send_back_correct_notify_and_accept(harness: BotHarness, emu: Emulator):
    officer, kanit = await seed(harness, emu)
    await fill_sapta(officer, photos=1)
    await officer.press("📤 Kirim laporan")
    harness.clock.advance(timedelta(hours=30))  # past the ordinary correction window

    await kanit.send("/cari")
    assert "Laporan unit" in kanit.last.text
    await kanit.press(NUMBER)
    assert any("LAPORAN HASIL KEGIATAN" in text for text in kanit.texts)
    assert any(message.kind == "photo" for message in kanit.messages)
    assert "belum diperiksa" in kanit.last.text
    await kanit.press("↩️ Kembalikan untuk koreksi")
    await harness.restart()  # the pending comment survives a restart
    await kanit.send("Nomor Sprin salah, mohon diperbaiki")
    assert "dikembalikan kepada" in kanit.last.text

    notice = officer.last
    assert "dikembalikan oleh" in notice.text
    assert "Nomor Sprin salah" in notice.text
    await officer.send("/laporan")  # past the window, yet /laporan offers the correction
    await officer.press(NUMBER, officer.last)
    assert "dikembalikan pimpinan" in officer.last.text
    assert "✏️ Koreksi" in labels(officer.last)
    await officer.press("✏️ Koreksi", notice)
    await officer.press("✏️ Nomor Sprin")
    await officer.send("Sprin/77/XI/2026")
    await officer.press("💾 Simpan koreksi")
    assert "sudah diperbaiki" in kanit.last.text

    await kanit.press("🗂 Buka laporan", kanit.last)
    assert "menunggu pemeriksaan" in kanit.last.text
    await kanit.press("✅ Terima")
    rid = await report_id(harness, NUMBER)
    stored_kanit = await harness.officer(kanit)
    async with harness.db.reading() as repos:
        review = await repos.report_reviews.get(rid)
        report = await repos.reports.by_id(rid)
        audit = [entry["action"] for entry in await repos.audit.recent()]
    assert report is not None
    assert report.answers["sprin"] == "Sprin/77/XI/2026"
    assert review is not None
    assert review.state == "reviewed"
    assert review.reviewed_by == stored_kanit.id
    assert review.reviewed_at == harness.clock.now()
    assert {"report.return", "report.correct", "report.review"} <= set(audit)

    # Reviewed, no longer returned: the window applies again.
    await officer.press_forged(notice.button_data("✏️ Koreksi"), notice)
    assert "Batas waktu koreksi" in officer.callback_answers[-1]["text"]


async def test_search_finds_complaint_words_only_in_own_units(
    harness: BotHarness, emu: Emulator
):
    _, kanit, _, kanit2 = await two_units(harness, emu)
    await kanit.send("/cari motor")  # a word of the complaint's description
    assert "(1)" in kanit.last.text
    assert any(NUMBER in label for label in labels(kanit.last))
    assert not any(OTHER_NUMBER in label for label in labels(kanit.last))

    await kanit2.send("/cari")
    await kanit2.press("🔎 Cari kata")
    await kanit2.send("pencurian")
    assert any(OTHER_NUMBER in label for label in labels(kanit2.last))
    assert not any(label.split(" · ")[0] == NUMBER for label in labels(kanit2.last))

    await kanit.send("/cari tidakadakatainisamasekali")
    assert "Tidak ada laporan" in kanit.last.text


async def test_other_units_leader_and_banit_cannot_open(harness: BotHarness, emu: Emulator):
    officer, kanit, officer2, kanit2 = await two_units(harness, emu)
    rid = await report_id(harness, NUMBER)
    await kanit2.send("/cari")
    assert not any(NUMBER in label for label in labels(kanit2.last))
    before = len(kanit2.messages)
    for data in (f"a:kb:o:{rid}", f"a:kb:b:{rid}", f"a:kb:r:{rid}"):
        await kanit2.press_forged(data, kanit2.last)
        assert "tidak berlaku" in kanit2.callback_answers[-1]["text"]
    assert len(kanit2.messages) == before
    async with harness.db.reading() as repos:
        assert await repos.report_reviews.get(rid) is None

    # A banit cannot open another officer's report from /laporan, nor use /cari.
    await officer2.send("/laporan")
    await officer2.press_forged(f"a:rl:open:{rid}", officer2.last)
    assert "tidak berlaku" in officer2.callback_answers[-1]["text"]
    assert not any("RW 03" in text and NUMBER in text for text in officer2.texts)
    await officer2.send("/cari")
    assert "pimpinan" in officer2.last.text.lower()


async def test_kasat_filters_by_unit(harness: BotHarness, emu: Emulator):
    _, kanit, _, _ = await two_units(harness, emu)
    kasat = emu.user(2100, "Kasat")
    await harness.seed_officer(kasat, name="Kasat Binmas", nrp="44445555", unit="satbinmas",
                               role="kasat", rank="AKP")
    await kasat.send("/cari")
    assert "(2)" in kasat.last.text  # both units below Satbinmas
    await kasat.press("🏢 Unit")
    await kasat.press("Unit Binpolmas")
    assert "(1)" in kasat.last.text
    assert any(OTHER_NUMBER in label for label in labels(kasat.last))
    await kasat.send("/cari")  # a fresh view
    assert "(2)" in kasat.last.text

    # A kanit leads one unit: no unit filter, and a forged one is refused.
    await kanit.send("/cari")
    assert "🏢 Unit" not in labels(kanit.last)
    await kanit.press_forged("a:kb:su:binpolmas", kanit.last)
    assert "tidak berlaku" in kanit.callback_answers[-1]["text"]
