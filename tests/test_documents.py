"""Documents as a reader meets them: the report PDF's text layer, pages and signature block."""

from __future__ import annotations

import io
import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from pypdf import PdfReader

from domain import pdf
from domain.catalogue import load_catalogue
from domain.documents import RecapSources, recap_document
from domain.exports import ReportLine
from domain.organisation import load_organisation
from domain.people import Officer, Status
from domain.recap import ComplaintTally, ReportTally, build_recap, month_of
from domain.reports import Report
from emulator import Emulator
from emulator.harness import BotHarness
from tests.support.exports import documents, pdf_text
from tests.support.reports import seed, walk_rest
from ui.i18n import Translator

ARABIC = "إِنَّ اللَّهَ مَعَ الصَّابِرِينَ"
THEME = f"Sabar menghadapi cobaan «{ARABIC}» 🙏"
SUMMARY = ("Khotbah di Masjid Al-Ikhlāṣ bersama Ustadz Muḥammad; jamaah menjawab “āmīn” 👍🏽 "
           "dan berdialog tentang kamtibmas.")
CLOSING = "Demikian laporan ini dibuat"


def page_of(reader: PdfReader, needle: str) -> int:
    """The index of the (only) page whose text holds ``needle``."""
    (index,) = [i for i, page in enumerate(reader.pages) if needle in (page.extract_text() or "")]
    return index


async def file_khidmat(officer) -> None:
    """A KHIDMAT report without Sprin or complaints, its sermon quoting the Qur'an."""
    await officer.send("/lapor")
    await officer.press("POS KHIDMAT")
    await walk_rest(officer, photos=1, until=lambda text: "tema khotbah" in text)
    await officer.send(THEME)
    await walk_rest(officer, photos=1, until=lambda text: "Uraikan singkat" in text)
    await officer.send(SUMMARY)
    await walk_rest(officer, photos=1, until=lambda text: "keluhan atau permasalahan" in text)
    await officer.press("Tidak ada keluhan")
    await walk_rest(officer, photos=1)
    await officer.press("📤 Kirim laporan")


async def test_report_pdf_as_a_kasat_signs_it(harness: BotHarness, emu: Emulator):
    officer, kanit = await seed(harness, emu)
    await file_khidmat(officer)
    await kanit.send("/cari")
    await kanit.press("LAP/KHIDMAT/2026/11/0001")
    await kanit.press("📄 PDF")
    (document,) = documents(kanit)
    reader = PdfReader(io.BytesIO(document.file_bytes))
    text = pdf_text(reader)

    # Shaped right-to-left, each word whole in the text layer (as stored: NFC). The ligature
    # glyph of "Allah" maps back with stray control codes in pypdf: those are left out.
    letters = "".join(char for char in text if unicodedata.category(char) != "Cc")
    for word in unicodedata.normalize("NFC", ARABIC).split():
        assert word in letters, word
    assert "[person with folded hands]" in text  # written out, not dropped
    assert "[thumbs up sign]" in text
    assert "🙏" not in text
    for accented in ("Al-Ikhlāṣ", "Muḥammad", "“āmīn”"):
        assert accented in text, accented
    # DASAR: the SOP, never an admission that the post had no written order.
    assert "Nomor: SOP/06/IX/2019" in text
    assert "Tanpa surat" not in text
    assert "Surat Perintah Tugas Nomor" not in text  # no Sprin was given
    # Maksud and Tujuan of KHIDMAT, from the catalogue.
    assert "2. MAKSUD DAN TUJUAN" in text
    assert "Maksud: " in text
    assert "Tujuan: " in text
    assert "Keluhan masyarakat dan permasalahan sosial: Nihil." in text
    assert "ditemukan: 0" not in text
    assert "Kesatuan: Unit Binkamsa Satbinmas Polres Gorontalo Kota" in text
    assert "Unit: Unit" not in text
    assert "Gorontalo, 28 November 2026" in text
    assert "Polres Gorontalo Kota, 28/11/2026" not in text
    pages = len(reader.pages)
    assert pages == 2  # the report, then its photo
    for index, page in enumerate(reader.pages, start=1):
        assert f"Hal. {index}/{pages}" in (page.extract_text() or "")
    closing = page_of(reader, CLOSING)
    assert page_of(reader, "Yang melaporkan,") == closing
    assert page_of(reader, "NRP 87654321") == closing or "BRIPKA NRP 87654321" in (
        reader.pages[closing].extract_text() or "")
    assert reader.metadata is not None
    assert reader.metadata.title == "LAPORAN HASIL KEGIATAN LAP/KHIDMAT/2026/11/0001"
    assert reader.metadata.author == "Polres Gorontalo Kota"
    fonts = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in (page["/Resources"].get("/Font") or {}).values()  # type: ignore[union-attr]
        if "/BaseFont" in font.get_object()
        for font in [font.get_object()]
    }
    assert any("Bold" in name for name in fonts)  # bold headings, from the shipped bold face
    assert any("Naskh" in name for name in fonts)


def report_of(lines: int) -> pdf.Document:
    """A report whose activity section has ``lines`` lines, its closing last."""
    return pdf.Document(
        letterhead=("KEPOLISIAN NEGARA REPUBLIK INDONESIA",),
        title="LAPORAN HASIL KEGIATAN",
        subtitle="POS SAPTA",
        number="Nomor: T/1",
        sections=(
            pdf.Section("KEGIATAN", tuple(f"Baris {n}" for n in range(lines))),
            pdf.Section("PENUTUP", (f"{CLOSING} dengan sebenarnya.",)),
        ),
        signature=pdf.Signature(place_date="Gorontalo, 28 November 2026",
                                role="Yang melaporkan,", name="Budi Santoso",
                                rank_nrp="BRIPKA NRP 87654321"),
        page_label="Hal. {page}/{pages}",
    )


def test_the_signature_never_stands_alone_on_a_page():
    seen_pages = set()
    for lines in range(24, 56, 3):  # positions of the closing on the first page and past it
        rendered = pdf.render(report_of(lines), 10**9)
        reader = PdfReader(io.BytesIO(rendered.data))
        seen_pages.add(len(reader.pages))
        closing = page_of(reader, CLOSING)
        for part in ("Yang melaporkan,", "Budi Santoso", "BRIPKA NRP 87654321",
                     "Gorontalo, 28 November 2026"):
            assert page_of(reader, part) == closing, (lines, part)
        assert rendered.pages == len(reader.pages)
        last = reader.pages[-1].extract_text() or ""
        assert f"Hal. {len(reader.pages)}/{len(reader.pages)}" in last
    assert seen_pages == {1, 2}


def test_emoji_and_undrawable_text_are_written_out():
    assert pdf.printable("Aman 👍🏽 ✅") == "Aman [thumbs up sign] [white heavy check mark]"
    assert pdf.printable("«إِنَّ» é") == "«إِنَّ» é"  # drawn by the shipped fonts: unchanged


ROOT = Path(__file__).resolve().parent.parent
WITA = ZoneInfo("Asia/Makassar")


def month_recap_of(reports: int, language: str) -> pdf.Document:
    """A month's recap for ``reports`` reports of one busy officer (212 261 residents)."""
    catalogue = load_catalogue(ROOT / "config" / "activities.toml")
    precinct = load_organisation(ROOT / "config" / "organisation.toml").precinct
    period = month_of(datetime(2026, 11, 15, tzinfo=UTC), WITA)
    officer = Officer(id=7, telegram_id=1001, full_name="Budi Santoso", nrp="87654321",
                      rank="BRIPKA", unit_code="binkamsa", role="banit", language=language,
                      status=Status.ACTIVE, created_at=period.start)
    recap = build_recap(
        period, ["binkamsa"], catalogue,
        [ReportTally("sapta", 7, "Budi Santoso", "BRIPKA", reports, 212_261)],
        [ComplaintTally("pencurian", "new", "darurat", 1_204)],
    )
    lines = [
        ReportLine(Report(id=n, number=f"LAP/SAPTA/2026/11/{n:04d}", activity_code="sapta",
                          officer_id=7, unit_code="binkamsa",
                          started_at=period.start + timedelta(minutes=20 * n),
                          ended_at=period.start + timedelta(minutes=20 * n + 60),
                          place="RW 03 Kel. Heledulaa", latitude=None, longitude=None,
                          answers={}, submitted_at=period.start + timedelta(minutes=20 * n)),
                   officer, 0, 1, "")
        for n in range(1, reports + 1)
    ]
    texts = Translator.load()
    return recap_document(texts, language, catalogue, precinct, WITA, RecapSources(
        recap=recap, units_text="Unit Binkamsa", period_text="01/11/2026–30/11/2026",
        reports=lines, assignments={}, officers={}, activity_chart=None, rate_chart=None,
        signer=officer, issued_at=period.end))


def test_recap_numbers_carry_thousands_separators_in_each_language():
    indonesian = pdf_text(PdfReader(io.BytesIO(pdf.render(month_recap_of(3, "id"),
                                                          10**9).data)))
    assert "Jumlah 3 212.261" in indonesian
    assert "Pencurian 1.204 1.204 1.204" in indonesian  # total, emergencies, new
    english = pdf_text(PdfReader(io.BytesIO(pdf.render(month_recap_of(3, "en"),
                                                       10**9).data)))
    assert "Total 3 212,261" in english


def test_a_months_list_of_reports_is_a_compact_annex_after_the_signature():
    reports = 400
    reader = PdfReader(io.BytesIO(pdf.render(month_recap_of(reports, "id"), 10**9).data))
    signed = page_of(reader, "Mengetahui,")
    assert signed <= 1  # the numbers, the closing and the signatures come first
    annex = reader.pages[signed + 1:]
    assert "LAMPIRAN: DAFTAR LAPORAN" in (annex[0].extract_text() or "")
    assert len(annex) <= reports // 35 + 1  # at least 35 reports a page
    listed = "\n".join(page.extract_text() or "" for page in annex)
    assert "LAP/SAPTA/2026/11/0001" in listed
    assert f"LAP/SAPTA/2026/11/{reports:04d}" in listed
    # The table's header row is repeated on every page of the annex.
    assert all("Nomor laporan" in (page.extract_text() or "") for page in annex)


def test_a_compact_table_cuts_long_cells_to_one_line():
    place = "Jl. " + "Panjang Sekali " * 20
    document = pdf.Document(
        letterhead=("KEPOLISIAN NEGARA REPUBLIK INDONESIA",), title="REKAP", subtitle="",
        number="", sections=(),
        annex=(pdf.Section("LAMPIRAN", table=pdf.Table(
            ("No.", "Tempat"), tuple((str(n), place) for n in range(1, 41)), widths=(1, 6),
            compact=True)),),
    )
    reader = PdfReader(io.BytesIO(pdf.render(document, 10**9).data))
    assert len(reader.pages) == 2  # forty one-line rows fit the annex's page
    text = reader.pages[1].extract_text() or ""
    assert text.count("…") == 40
    assert place.strip() not in text
