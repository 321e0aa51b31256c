"""Filing reports: an officer walks a catalogue form through the emulator to a stored report."""

from __future__ import annotations

from datetime import timedelta

from emulator import Emulator
from emulator.media import make_jpeg
from tests.harness import BotHarness

OFFICER_ID = 1001
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


async def fill_sapta(officer, *, photos: int = 2) -> None:
    """Walk the SAPTA form with ordinary answers, up to the review card."""
    await officer.send("/lapor")
    await officer.press("POS SAPTA")
    await officer.send("Sprin/12/XI/2026/Satbinmas")  # sprin
    await officer.press("satu jam terakhir")  # time
    await officer.send_location(0.5412, 123.0595)  # location
    await officer.send("RW 03 Kel. Heledulaa")
    await officer.press("➡️ Lanjut")
    await walk_rest(officer, photos=photos)


async def walk_rest(officer, *, photos: int) -> None:
    """Answer whatever the bot asks next, field by field, until the review card."""
    for _ in range(40):
        last = officer.last
        text = last.content
        if "Periksa laporan" in text:
            return
        labels = [label for row in last.buttons for label in row]
        if "✅ Saya mematuhi peringatan ini" in labels:
            await officer.press("✅ Saya mematuhi peringatan ini")
        elif "✅ Lengkap semua" in labels:
            await officer.press("⬜ Kamera / HP")  # tick one, so the others need reasons
            await officer.press("✅ Lengkap semua")
        elif "➕ Tambah keluhan" in labels and "Foto" not in text:
            if "1." in text:
                await officer.press("✅ Selesai")
            else:
                await add_complaint(officer)
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
            await officer.press(labels[0])
            await officer.press("✅ Selesai")
        elif len(labels) > 2 and "✖️ Batal" in labels and "⬅️ Kembali" in labels and len(
            [lab for lab in labels if lab not in ("⬅️ Kembali", "✖️ Batal")]
        ) >= 2:
            await officer.press(labels[0])
        else:
            await officer.send("Kegiatan berjalan lancar bersama warga setempat.")
    raise AssertionError(f"never reached the review: {officer.last.content}")


async def add_complaint(officer) -> None:
    await officer.press("➕ Tambah keluhan")
    await officer.press("Pencurian")
    await officer.send("Sering terjadi pencurian motor di malam hari")
    await officer.send("Jl. Raja Eyato")
    await officer.send("Pak Hasan")
    await officer.press("⏭ Lewati")
    await officer.press("Segera")


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
