"""Test helpers shared by several test modules (from tests/test_report_flow.py)."""

from __future__ import annotations

from pathlib import Path

from emulator import Emulator
from emulator.harness import BotHarness
from emulator.media import make_jpeg

OFFICER_ID = 1001


CATALOGUE = Path(__file__).resolve().parents[2] / "config" / "activities.toml"


KANIT_ID = 2001


async def seed(harness: BotHarness, emu: Emulator, language: str = "id"):
    officer = emu.user(OFFICER_ID, "Budi")
    kanit = emu.user(KANIT_ID, "Kanit")
    await harness.seed_officer(officer, name="Budi Santoso", nrp="87654321", unit="binkamsa",
                               language=language)
    await harness.seed_officer(kanit, name="Andi Kanit", nrp="11112222", unit="binkamsa",
                               role="kanit", rank="IPTU")
    return officer, kanit


async def draft_of(harness: BotHarness, user):
    async with harness.db.reading() as repos:
        stored = await repos.officers.by_telegram_id(user.id)
        return await repos.drafts.of_officer(stored.id)


async def fill_sapta(officer, *, photos: int = 2, urgency: str = "Segera",
                     complaint: str = "Sering terjadi pencurian motor di malam hari") -> None:
    """Walk the SAPTA form with ordinary answers, up to the review card."""
    await officer.send("/lapor")
    await officer.press("POS SAPTA")
    await officer.press("✏️ Nomor Sprin")
    await officer.send("Sprin/12/XI/2026/Satbinmas")  # sprin
    await officer.send("RW 03 Kel. Heledulaa")  # location: the place typed, then the pin
    await officer.send_location(0.5412, 123.0595)
    await walk_rest(officer, photos=photos, urgency=urgency, complaint=complaint)


async def walk_rest(officer, *, photos: int, until=None, after=None, urgency: str = "Segera",
                    complaint: str = "Sering terjadi pencurian motor di malam hari") -> None:
    """Answer whatever the bot asks next, field by field, until the review card.

    ``until(text)`` stops earlier; ``after()`` runs after every answer (e.g. a restart).
    """
    for _ in range(60):
        last = officer.last
        text = last.content
        if "Periksa laporan" in text or (until is not None and until(text)):
            return
        if after is not None and _ > 0:
            await after()
        labels = [label for row in last.buttons for label in row]
        if any("satu jam terakhir" in label for label in labels):
            await officer.press("satu jam terakhir")
        elif "📍 Tersimpan" in text:
            await officer.press("➡️ Lanjut")
        elif "(📎 → Lokasi)" in text:
            await officer.send_location(0.5412, 123.0595)
        elif "✅ Saya mematuhi peringatan ini" in labels:
            await officer.press("✅ Saya mematuhi peringatan ini")
        elif "✅ Lengkap semua" in labels:
            await officer.press("⬜ Kamera / HP")  # tick one, so the others need reasons
            await officer.press("✅ Lengkap semua")
        elif "✅ Simpan keluhan" in labels:
            await officer.press("✅ Simpan keluhan")
        elif any(label.startswith("Pencurian") for label in labels) and "Foto" not in text:
            if "1." in text:
                await officer.press("✅ Selesai")
            else:
                await add_complaint(officer, description=complaint, urgency=urgency)
        elif "Foto dokumentasi" in text and "Foto tersimpan" in text and "✅ Selesai" in labels:
            await officer.press("✅ Selesai")
        elif "Foto dokumentasi" in text:
            for index in range(photos):
                await officer.send_photo(make_jpeg(800, 600, color=(10 * index, 80, 120)))
        elif "jumlah" in text.lower() or "Berapa" in text:
            await officer.send("25")
        elif "⏭ Lewati" in labels:
            await officer.press("⏭ Lewati")
        elif any(label.startswith("✅ ") or label.startswith("⬜ ") for label in labels):
            await officer.press(labels[0])  # one tap picks it and moves on
            if "✅ Selesai" in str(officer.last.buttons):
                await officer.press("✅ Selesai")
        elif len(labels) > 2 and "✖️ Batal" in labels and "⬅️ Kembali" in labels and len(
            [lab for lab in labels if lab not in ("⬅️ Kembali", "✖️ Batal")]
        ) >= 2:
            await officer.press(labels[0])
        else:
            await officer.send("Kegiatan berjalan lancar bersama warga setempat.")
    raise AssertionError(f"never reached the review: {officer.last.content}")


async def add_complaint(officer, *, urgency: str = "Segera",
                        description: str = "Sering terjadi pencurian motor di malam hari") -> None:
    """One complaint on the compact card: category, text, then the parts changed on the card."""
    await officer.press("Pencurian")
    await officer.send(description)
    assert "✅ Simpan keluhan" in str(officer.last.buttons)
    await officer.press(urgency)
    await officer.press("📍 Tempat")
    await officer.send("Jl. Raja Eyato")
    await officer.press("👤 Nama warga")
    await officer.send("Pak Hasan")
    await officer.press("✅ Simpan keluhan")


async def stored_reports(harness: BotHarness):
    async with harness.db.reading() as repos:
        return await repos.reports.all()


def huge_png(width: int = 20000, height: int = 20000) -> bytes:
    """A PNG header announcing a vast image, without the memory to build one."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))
