"""The longest SAPTA report the form allows, in HTML-heavy text, reaches everyone whole.

Every free-text field at its maximum length, full of ``<``, ``&``, ``>``, emoji (two UTF-16
units each, as Telegram counts) and words too long to wrap: the review card, /lanjut, the
submitted report card, the leader's notice and digest must all arrive within Telegram's limits
(the emulator refuses longer or malformed messages as Telegram does) and nothing typed is lost.
"""

from __future__ import annotations

from domain.complaints import ComplaintStatus
from emulator import Emulator
from emulator.entities import utf16_len
from emulator.harness import BotHarness
from emulator.media import make_jpeg
from emulator.users import SimUser
from tests.support.reports import seed
from tests.support.schedule import scan, wita

WORDS = ("<b>tebal</b>", "R&D", "a<b", "x>y", "&amp;", "😀🇮🇩", "&lt;i&gt;",
         "Kelurahan_Limba_U_Dua_Kecamatan_Kota_Selatan_tanpa_spasi_sama_sekali", "</i>",
         "warga", "🚓")
COMPLAINTS = 10  # the most the form takes
EQUIPMENT = ("Surat Perintah Tugas (Sprin)", "Kamera / HP", "Buku catatan", "Alat tulis")


def heavy(length: int, seed: int, *, lines: int = 1) -> str:
    """Exactly ``length`` characters of HTML-looking text, ``lines`` lines, no outer spaces."""
    words = [WORDS[(seed + index) % len(WORDS)] for index in range(length)]
    chars = list(" ".join(words)[:length])
    chars[-1] = "z"  # never a trailing space
    for line in range(1, lines):  # a line break for the space nearest each cut
        cut = line * length // lines
        while chars[cut] != " ":
            cut += 1
        chars[cut] = "\n"
    return "".join(chars)


def arrived_since(user: SimUser, count: int) -> str:
    """Everything the user was shown since message ``count``, each within the limits."""
    shown = user.messages[count:]
    for message in shown:
        limit = 1024 if message.kind in ("photo", "document") else 4096
        assert utf16_len(message.content) <= limit, message.kind
    return "\n".join(message.content for message in shown)


async def test_every_field_at_its_longest_arrives_whole(harness: BotHarness, emu: Emulator):
    officer, kanit = await seed(harness, emu)
    answers = {
        "sprin": heavy(100, 1),
        "place": heavy(200, 2),
        "summary": heavy(2000, 3),  # one line: 2000 characters, more units (emoji)
        "obstacles": heavy(1000, 4, lines=5),
    }
    reasons = [heavy(200, 10 + index) for index in range(len(EQUIPMENT))]
    complaints = [(heavy(1000, 20 + index, lines=3), heavy(200, 40 + index),
                   heavy(100, 60 + index)) for index in range(COMPLAINTS)]

    await officer.send("/lapor")
    await officer.press("POS SAPTA")
    await officer.press("✏️ Nomor Sprin")  # prefilled as none: changed from the place step
    await officer.send(answers["sprin"])
    await officer.send(answers["place"])
    await officer.send_location(0.5412, 123.0595)  # the pin moves on
    await officer.press("✅ Saya mematuhi peringatan ini")
    await officer.press("➡️ Lanjut")  # nothing ticked: every item needs a reason
    for reason in reasons:
        await officer.send(reason)
    await officer.send(answers["summary"])
    await officer.send("1000 10000")  # both counts in one message
    await officer.press("⬜ Kamtibmas lingkungan")  # one tap picks one and moves on
    await officer.press("✏️ Materi yang disampaikan")
    for label in ("Bencana & lingkungan", "Hoaks & penipuan daring"):
        await officer.press(f"⬜ {label}")
    await officer.press("✅ Selesai")
    await officer.press("✏️ Kendala")
    await officer.send(answers["obstacles"])
    for index, (description, place, name) in enumerate(complaints):
        await officer.press("Lingkungan / infrastruktur")
        await officer.send(description)
        await officer.press("📍 Tempat")
        await officer.send(place)
        await officer.press("👤 Nama warga")
        await officer.send(name)
        await officer.press("📞 Telepon")
        await officer.send("081234567890")
        last = index == len(complaints) - 1
        await officer.press("✅ Simpan keluhan" if last else "➕ Simpan, tambah keluhan lain")
    await officer.send_photo(make_jpeg(800, 600, color=(0, 80, 120)))
    before = len(officer.messages)
    await officer.send_photo(make_jpeg(800, 600, color=(40, 80, 120)))  # the review again

    typed = [*answers.values(), *reasons, *(part for item in complaints for part in item[:2])]
    review = arrived_since(officer, before)
    assert "Periksa laporan" in review
    assert "📤 Kirim laporan" in str(officer.last.buttons)  # the keyboard is on the last part
    for text in (answers["sprin"], answers["place"], answers["summary"], *reasons):
        assert text in review
    for line in answers["obstacles"].split("\n"):
        assert line in review

    before = len(officer.messages)
    await officer.send("/lanjut")
    assert "Periksa laporan" in arrived_since(officer, before)

    before = len(officer.messages)
    await officer.press("📤 Kirim laporan")
    card = arrived_since(officer, before)
    async with harness.db.reading() as repos:
        (report,) = await repos.reports.all()
        stored = await repos.complaints.of_report(report.id)
    assert report.number in card
    assert report.answers["summary"] == answers["summary"]
    assert report.place == answers["place"]
    assert [c.description for c in stored] == [item[0] for item in complaints]
    assert [c.resident_name for c in stored] == [item[2] for item in complaints]
    for text in typed:
        for line in text.split("\n"):
            assert line in card, line[:40]
    assert any(report.number in text for text in kanit.texts)

    # Corrected, the card goes out again (and to the leader) just as whole.
    await officer.send("/laporan")
    await officer.press(report.number, officer.last)
    await officer.press("✏️ Koreksi")
    await officer.press("✏️ Nomor Sprin")
    await officer.send(heavy(100, 5))
    before = len(officer.messages)
    await officer.press("💾 Simpan koreksi")
    card = arrived_since(officer, before)
    for text in [heavy(100, 5), *typed[1:]]:
        for line in text.split("\n"):
            assert line in card, line[:40]

    harness.clock.set(wita(28, 18))
    before = len(kanit.messages)
    await scan(harness)
    assert "Ringkasan pimpinan" in arrived_since(kanit, before)
    assert [call.error for call in emu.calls if not call.ok] == []


async def test_a_long_complaint_history_arrives_whole(harness: BotHarness, emu: Emulator):
    from tests.support.complaints import complaint_row, file_report_with_complaint

    _, kanit, partner, _ = await file_report_with_complaint(harness, emu)
    item, _ = await complaint_row(harness)
    people = [await harness.officer(kanit), await harness.officer(partner)]
    note = heavy(500, 7)
    async with harness.db.transaction() as tx:
        for index in range(60):  # handed back and forth, each time in the history
            await tx.complaint_desk.assign(
                item.id, expected=item.status, officer_id=people[index % 2].id,
                actor_id=people[0].id, now=harness.clock.now())
        await tx.complaint_desk.move(
            item.id, expected=item.status, new=ComplaintStatus.IN_PROGRESS,
            actor_id=people[0].id, note=note, now=harness.clock.now())
    await kanit.send("/keluhan")
    await kanit.press(f"#{item.id} Pencurian")
    before = len(kanit.messages)
    await kanit.press("🕘 Riwayat")
    shown = arrived_since(kanit, before) + "\n" + kanit.messages[before - 1].content
    assert shown.count("kepada Rudi Hartono") == 30
    assert note in shown
    assert "⬅️ Kembali" in str(kanit.last.buttons)
    assert [call.error for call in emu.calls if not call.ok] == []
