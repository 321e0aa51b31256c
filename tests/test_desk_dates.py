"""Leaders type a date range (📅 Pilih tanggal) in /cari, /rekap and /ekspor."""

from __future__ import annotations

import io
import random
from datetime import UTC, date, datetime, timedelta

import openpyxl

from domain.recap import custom_period
from domain.reports import ReportColumns
from emulator import Emulator
from emulator.harness import BotHarness
from tests.support.browse import NUMBER, OTHER_NUMBER, labels, two_units
from tests.support.recap import WITA, count_in, private_cast
from tests.support.recap_seed import seed_reports


async def late_evening_report(harness: BotHarness, officer) -> None:
    """A SATRIA post at 23.30 WITA on Friday 27/11: 15.30 UTC, still the 27th locally."""
    started = datetime(2026, 11, 27, 15, 30, tzinfo=UTC)
    async with harness.db.transaction() as tx:
        await tx.reports.create(
            number="LAP/SATRIA/2026/11/0099", activity_code="satria", officer_id=officer.id,
            unit_code="binkamsa",
            columns=ReportColumns(
                started_at=started,
                ended_at=started + timedelta(hours=1),
                place="Pos",
            ),
            answers={"summary": "Siaga malam", "residents": 4}, assignment_id=None,
            now=started + timedelta(hours=1),
        )


async def test_browser_filters_by_typed_dates_in_local_days(harness: BotHarness, emu: Emulator):
    officer, kanit, _, _ = await two_units(harness, emu)
    await late_evening_report(harness, await harness.officer(officer))
    await kanit.send("/cari")
    assert "(2)" in kanit.last.text

    await kanit.press("📅 Periode")
    await kanit.press("📅 Pilih tanggal")
    assert "1/11 - 15/11" in kanit.last.text
    await kanit.send("27/11")
    assert "(1)" in kanit.last.text
    assert "Periode: 27/11/2026" in kanit.last.text
    assert labels(kanit.last)[0].startswith("LAP/SATRIA/2026/11/0099")

    await kanit.press("📅 Periode")
    await kanit.press("📅 Pilih tanggal")
    await kanit.send("28 Nov - 30 Nov")
    assert "(1)" in kanit.last.text
    assert "Periode: 28/11/2026–30/11/2026" in kanit.last.text
    assert labels(kanit.last)[0].startswith(NUMBER)
    assert not any(OTHER_NUMBER in label for label in labels(kanit.last))

    await kanit.press("🏷 Kegiatan")  # other filters keep the range
    await kanit.press("POS SATRIA")
    assert "(0)" in kanit.last.text
    assert "28/11/2026–30/11/2026" in kanit.last.text

    await kanit.press("📅 Periode")  # a preset replaces the typed range
    await kanit.press("Semua waktu")
    assert "Periode: Semua waktu" in kanit.last.text
    assert "(1)" in kanit.last.text  # still POS SATRIA


async def test_bad_dates_get_a_reason_and_an_example_and_may_be_retyped(
    harness: BotHarness, emu: Emulator
):
    _, kanit, _, _ = await two_units(harness, emu)
    await kanit.send("/cari")
    await kanit.press("📅 Periode")
    await kanit.press("📅 Pilih tanggal")
    await kanit.send("kemarin sore")
    assert "tidak terbaca" in kanit.last.text
    assert "Contoh: 1/11 - 15/11" in kanit.last.text
    assert "✖️ Batal" in labels(kanit.last)
    await kanit.send("31/11")
    assert "tidak ada di kalender" in kanit.last.text
    await kanit.send("15/11 - 1/11")
    assert "lebih awal" in kanit.last.text
    await kanit.send("1/1/2025 - 28/11/2026")
    assert "366 hari" in kanit.last.text
    await kanit.send("1/11 - 30/11")  # the question stayed open
    assert "(1)" in kanit.last.text
    assert "01/11/2026–30/11/2026" in kanit.last.text

    await kanit.press("📅 Periode")
    await kanit.press("📅 Pilih tanggal")
    await kanit.press("✖️ Batal")
    assert "Laporan unit" in kanit.last.text
    await kanit.send("1/11")  # no question open: not taken as a date
    assert "Periode: 01/11/2026–30/11/2026" not in kanit.last.text


async def test_a_date_at_the_calendar_edge_is_refused_and_the_browser_keeps_working(
    harness: BotHarness, emu: Emulator
):
    _, kanit, _, _ = await two_units(harness, emu)
    await kanit.send("/cari")
    await kanit.press("📅 Periode")
    await kanit.press("📅 Pilih tanggal")
    await kanit.send("31/12/9999")  # once stored as a range whose period overflowed
    assert "tidak ada di kalender" in kanit.last.text
    assert "Contoh: 1/11 - 15/11" in kanit.last.text
    assert "✖️ Batal" in labels(kanit.last)
    await kanit.send("1/1/0001")  # not read as 2001
    assert "tidak ada di kalender" in kanit.last.text
    await kanit.send("Nov 26 - Nov 28")  # the question stayed open
    assert "Periode: 26/11/2026–28/11/2026" in kanit.last.text
    assert "(1)" in kanit.last.text
    await kanit.press("🏷 Kegiatan")  # the buttons still work on that view
    await kanit.press("POS SATRIA")
    assert "(0)" in kanit.last.text
    assert "26/11/2026–28/11/2026" in kanit.last.text

    # A view poisoned before years were checked reads as no range, not a silent crash.
    stored = await harness.officer(kanit)
    async with harness.db.transaction() as tx:
        await tx.desk_views.put(stored.id, {"range": "99991231-99991231"},
                                harness.clock.now())
    await kanit.send("/cari")
    assert "Periode: Semua waktu" in kanit.last.text
    assert "(1)" in kanit.last.text
    await kanit.press("🏷 Kegiatan")
    await kanit.press("POS SATRIA")
    assert "(0)" in kanit.last.text
    assert "Periode: Semua waktu" in kanit.last.text


async def test_bad_dates_explained_in_english(harness: BotHarness, emu: Emulator):
    _, _, _, _ = await two_units(harness, emu)
    leader = emu.user(2500, "Lead")
    await harness.seed_officer(leader, name="Ed Leader", nrp="55556666", unit="binkamsa",
                               role="kanit", rank="IPTU", language="en")
    await leader.send("/cari")
    await leader.press("📅 Period")
    await leader.press("📅 Choose dates")
    await leader.send("yesterday evening")
    assert "could not read that date" in leader.last.text
    assert "For example: 1/11 - 15/11" in leader.last.text
    await leader.send("1 November - 30 November")
    assert "01/11/2026–30/11/2026" in leader.last.text


async def test_a_leader_who_lost_the_role_gets_no_reports_by_typed_dates(
    harness: BotHarness, emu: Emulator
):
    _, kanit, _, _ = await two_units(harness, emu)
    await kanit.send("/cari")
    await kanit.press("📅 Periode")
    await kanit.press("📅 Pilih tanggal")
    stored = await harness.officer(kanit)
    async with harness.db.transaction() as tx:
        await tx.officers.set_role(stored.id, "banit")
    before = len(kanit.messages)
    await kanit.send("1/11 - 30/11")
    assert len(kanit.messages) == before + 1
    assert "pimpinan" in kanit.last.text.lower()
    assert NUMBER not in " ".join(labels(kanit.last))


async def test_recap_of_typed_dates_by_button_and_by_words(harness: BotHarness, emu: Emulator):
    _, kanit, _, seeded = await private_cast(harness, emu)
    await kanit.send("/rekap")
    await kanit.press("📅 Pilih tanggal")
    await kanit.send("1 Nov - 15 Nov")
    first_half = custom_period(date(2026, 11, 1), date(2026, 11, 15), WITA)
    expected = len(count_in(seeded, {"binkamsa"}, first_half))
    assert "Rekap periode pilihan — Unit Binkamsa" in kanit.last.text
    assert f"Laporan kegiatan: {expected}" in kanit.last.text
    assert "✅ 📅 01/11/2026–15/11/2026" in labels(kanit.last)

    card = kanit.last
    await kanit.press("📊 Kirim grafik")  # the chosen range travels with the buttons
    assert kanit.last.kind == "photo"
    await kanit.press("Minggu ini", card)
    assert "Rekap minggu ini" in card.text
    assert "📅 Pilih tanggal" in labels(card)

    await kanit.send("/rekap 1/11 - 15/11")
    assert f"Laporan kegiatan: {expected}" in kanit.last.text
    await kanit.send("/rekap 3/11")
    day = custom_period(date(2026, 11, 3), date(2026, 11, 3), WITA)
    assert f"Laporan kegiatan: {len(count_in(seeded, {'binkamsa'}, day))}" in kanit.last.text
    await kanit.send("/rekap 31/11")
    assert "tidak ada di kalender" in kanit.last.text
    assert "/rekap 1/11 - 15/11" in kanit.last.text

    await kanit.press("✅ 📅 03/11/2026")  # the chosen range asks again
    await kanit.send("besok pagi")
    assert "tidak terbaca" in kanit.last.text
    await kanit.press("✖️ Batal")
    assert "Rekap periode pilihan" in kanit.last.text  # back to the recap it showed


async def test_kasat_recap_of_typed_dates_keeps_the_unit(harness: BotHarness, emu: Emulator):
    _, _, kasat, seeded = await private_cast(harness, emu)
    await kasat.send("/rekap")
    await kasat.press("Unit Binpolmas")
    await kasat.press("📅 Pilih tanggal")
    await kasat.send("01-11-2026 s/d 30-11-2026")
    month = custom_period(date(2026, 11, 1), date(2026, 11, 30), WITA)
    assert "Unit Binpolmas" in kasat.last.text
    assert f"Laporan kegiatan: {len(count_in(seeded, {'binpolmas'}, month))}" in kasat.last.text


async def test_export_of_typed_dates(harness: BotHarness, emu: Emulator):
    officer, kanit, _, _ = await two_units(harness, emu)
    await late_evening_report(harness, await harness.officer(officer))
    others = await seed_reports(  # October's reports stay out of a November range
        harness, [await harness.officer(officer)], start=datetime(2026, 10, 1, tzinfo=UTC),
        days=3, per_day=1, rng=random.Random(5),
    )
    assert len(others.reports) == 3
    await kanit.send("/ekspor")
    await kanit.press("📅 Pilih tanggal")
    await kanit.send("27/11 - 28/11")
    assert "27/11/2026–28/11/2026" in kanit.last.text
    await kanit.press("📊 XLSX 27/11/2026–28/11/2026")
    document = next(m for m in kanit.messages if m.kind == "document")
    assert document.file_name == "laporan_binkamsa_20261127-20261128.xlsx"
    workbook = openpyxl.load_workbook(io.BytesIO(document.file_bytes))
    numbers = {row[0] for name in workbook.sheetnames if name != "Keluhan"
               for row in workbook[name].iter_rows(min_row=2, values_only=True)}
    assert numbers == {NUMBER, "LAP/SATRIA/2026/11/0099"}

    await kanit.send("/ekspor")
    await kanit.press("📅 Pilih tanggal")
    await kanit.press("✖️ Batal")
    assert "Pilih berkas dan periodenya" in kanit.last.text
    await kanit.press_forged("a:kx:x:20261130-20261101:*", kanit.last)
    assert "tidak berlaku" in kanit.callback_answers[-1]["text"]


async def test_the_form_s_date_words_and_month_abbreviations_read_as_ranges(
    harness: BotHarness, emu: Emulator
):
    """'kemarin', 'yesterday' and '12 agus' (which the report form took and the ranges
    refused) and '12 ags' are one lexer's dates now (#17 item 2)."""
    officer, kanit, _, _ = await two_units(harness, emu)
    await late_evening_report(harness, await harness.officer(officer))
    await kanit.send("/cari")
    await kanit.press("📅 Periode")
    await kanit.press("📅 Pilih tanggal")
    await kanit.send("kemarin")  # Friday 27/11, where the late evening report is
    assert "(1)" in kanit.last.text
    assert "Periode: 27/11/2026" in kanit.last.text
    assert labels(kanit.last)[0].startswith("LAP/SATRIA/2026/11/0099")

    await kanit.press("📅 Periode")
    await kanit.press("📅 Pilih tanggal")
    await kanit.send("12 agus - 12 ags")
    assert "(0)" in kanit.last.text
    assert "Periode: 12/08/2026" in kanit.last.text

    await kanit.send("/rekap 1 agus - 31 agus")
    assert "Rekap periode pilihan" in kanit.last.text
    assert "01/08/2026–31/08/2026" in " ".join(labels(kanit.last))
