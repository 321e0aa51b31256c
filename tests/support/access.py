"""Test helpers shared by several test modules (from tests/test_access_matrix.py)."""

from __future__ import annotations

import io

import openpyxl
from pypdf import PdfReader

from emulator import Emulator, SimUser
from emulator.harness import BotHarness
from storage import AnyDatabase
from storage.database import Database
from tests.support.reports import walk_rest

OFFICER_ID, KANIT_ID, PARTNER_ID, OTHER_KANIT_ID = 1001, 2001, 1002, 2002


NUMBER = "LAP/SAPTA/2026/11/0001"


RESIDENT, PHONE = "Pak Hasan", "081234567890"


# What a report and its complaint hold that only their unit's leaders and author may read.
SECRETS = (
    NUMBER, RESIDENT, PHONE[1:], "Sprin/12/XI/2026/Satbinmas", "RW 03 Kel. Heledulaa",
    "pencurian motor di malam hari", "Jl. Raja Eyato", "Kegiatan berjalan lancar",
)


async def file_report(harness: BotHarness, emu: Emulator) -> tuple[SimUser, SimUser]:
    """A binkamsa banit files a SAPTA report with a complaint naming a resident and a phone."""
    officer, kanit = emu.user(OFFICER_ID, "Budi"), emu.user(KANIT_ID, "Kanit")
    await harness.seed_officer(officer, name="Budi Santoso", nrp="87654321", unit="binkamsa")
    await harness.seed_officer(kanit, name="Andi Kanit", nrp="11112222", unit="binkamsa",
                               role="kanit", rank="IPTU")
    await officer.send("/lapor")
    await officer.press("POS SAPTA")
    await officer.press("✏️ Nomor Sprin")
    await officer.send("Sprin/12/XI/2026/Satbinmas")
    await officer.send("RW 03 Kel. Heledulaa")
    await officer.send_location(0.5412, 123.0595)
    await walk_rest(officer, photos=1, until=lambda text: "Apakah ada keluhan" in text)
    await officer.press("Pencurian")
    await officer.send("Sering terjadi pencurian motor di malam hari")
    await officer.press("Segera")
    await officer.press("📍 Tempat")
    await officer.send("Jl. Raja Eyato")
    await officer.press("👤 Nama warga")
    await officer.send(RESIDENT)
    await officer.press("📞 Telepon")
    await officer.send(PHONE)
    await officer.press("✅ Simpan keluhan")
    await walk_rest(officer, photos=1)
    await officer.press("📤 Kirim laporan")
    return officer, kanit


def offered(user: SimUser, start: int) -> list[str]:
    """The callback data of every button the bot showed ``user`` since message ``start``."""
    return [
        button["callback_data"]
        for message in user.messages[start:]
        for button in message.inline_buttons
        if "callback_data" in button
    ]


def document_text(data: bytes) -> str:
    """The text inside a PDF or the cells of a spreadsheet the bot sent."""
    if data.startswith(b"%PDF"):
        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    try:
        return "\n".join(
            str(cell) for sheet in workbook for row in sheet.iter_rows(values_only=True)
            for cell in row if cell is not None
        )
    finally:
        workbook.close()


def everything_said(user: SimUser) -> str:
    """Every text, caption, button answer and document content the user got."""
    said = [message.content for message in user.messages]
    said += [document_text(m.file_bytes or b"") for m in user.messages if m.kind == "document"]
    said += [answer["text"] or "" for answer in user.callback_answers]
    return "\n".join(said)


async def table_dump(
    db: AnyDatabase, *, skip: frozenset[str] = frozenset()
) -> dict[str, list[str]]:
    """Every row of every table of the bot's schema (``skip`` left out), each row as its
    ``repr``, sorted: two dumps are equal when nothing was stored, changed or deleted."""
    connection = db.connection
    if isinstance(db, Database):
        listing = ("SELECT name FROM sqlite_master WHERE type = 'table'"
                   " AND name NOT LIKE 'sqlite_%'")
    else:
        listing = ("SELECT table_name FROM information_schema.tables"
                   " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'")
    names = sorted(str(row[0]) for row in await connection.execute_fetchall(listing))
    dump: dict[str, list[str]] = {}
    for name in names:
        if name in skip:
            continue
        rows = await connection.execute_fetchall(f'SELECT * FROM "{name}"')  # noqa: S608 - names from the catalogue
        dump[name] = sorted(repr(tuple(row)) for row in rows)
    return dump
