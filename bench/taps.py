"""Field speed (#12): interactions per complete report, counted through the real application.

A scripted officer (the emulator's :class:`SimUser`, as in the tests) files each activity from
``/lapor`` (and SAPTA also from a reminder's "📝 Lapor sekarang"), answering whatever the bot
shows by the shortest way the bot offers: a tap on a button, a sent message, a location pin,
an album (one interaction however many photos it holds). Every SOP field is still answered:
the warnings are acknowledged, every equipment item is present, counts and texts are given,
one material is picked, one complaint is recorded (or none), the review card is seen and the
report submitted. The figure is how many interactions that took.

The walker reads the bot's messages, not the code: it works on the old and the new forms alike
(which is how the figures before and after the change were taken).
"""

from __future__ import annotations

import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.common import START, new_emulator
from emulator import SimUser
from emulator.harness import BotHarness
from emulator.media import make_jpeg
from jobs.notifications import run_due_notifications

WITA = ZoneInfo("Asia/Makassar")
NO_RULES = """
reminder_offsets_minutes = [60, 0]
grace_minutes = 120
digest_times = ["06:00", "18:00"]
"""
OFFICER_ID, KANIT_ID = 1001, 2001
SUMMARY = "Sambang warga dan penyuluhan kamtibmas bersama tokoh masyarakat setempat."
COMPLAINT = "Sering terjadi pencurian motor di malam hari"


@dataclass(frozen=True)
class Plan:
    """One report the scripted officer files, and the most interactions it may take."""

    name: str
    activity: str
    target: int
    complaint: bool = True
    photos: int = 2
    from_reminder: bool = False


PLANS = (
    Plan("POS SAPTA from /lapor", "POS SAPTA", 15),
    Plan("POS SAPTA from the reminder's 📝 Lapor sekarang", "POS SAPTA", 12, from_reminder=True),
    Plan("POS MANTAP from /lapor", "POS MANTAP", 15),
    Plan("POS SATRIA from /lapor", "POS SATRIA", 15),
    Plan("POS KHIDMAT from /lapor", "POS KHIDMAT", 15),
    Plan("POS SAPTA, no complaint, one photo, from /lapor", "POS SAPTA", 11, complaint=False,
         photos=1),
)

BEFORE = {
    PLANS[0].name: 25, PLANS[1].name: 20, PLANS[2].name: 25, PLANS[3].name: 24,
    PLANS[4].name: 25, PLANS[5].name: 18,
}
"""The figures before #12 (measured with this walker on commit 272791c)."""


@dataclass(frozen=True)
class Result:
    """What filing one plan took."""

    plan: Plan
    interactions: int
    steps: tuple[str, ...]
    """What each interaction was, in order (for the notes)."""

    @property
    def met(self) -> bool:
        """Whether the figure is within its target."""
        return self.interactions <= self.plan.target


class Officer:
    """A simulated officer whose every tap, message, pin and album is counted."""

    def __init__(self, user: SimUser) -> None:
        self.user = user
        self.steps: list[str] = []

    async def send(self, text: str) -> None:
        """Send a text message."""
        self.steps.append(f"type {text[:12]!r}")
        await self.user.send(text)

    async def press(self, label: str) -> None:
        """Tap an inline button."""
        self.steps.append(f"tap {label!r}")
        await self.user.press(label)

    async def pin(self) -> None:
        """Share a location pin."""
        self.steps.append("pin")
        await self.user.send_location(0.5412, 123.0595)

    async def photos(self, count: int) -> None:
        """Send ``count`` photos: an album when more than one."""
        pictures = [make_jpeg(800, 600, color=(30 * i, 80, 120)) for i in range(count)]
        if count == 1:
            self.steps.append("photo")
            await self.user.send_photo(pictures[0])
            return
        self.steps.append(f"album of {count}")
        await self.user.send_album([("photo", data) for data in pictures])


_NOT_OPTIONS = ("⬅️", "✖️", "✏️", "↩️")
"""Navigation, change and "same as last time" buttons: not the answer to a choice."""


def _labels(user: SimUser) -> list[str]:
    return [label for row in user.last.buttons for label in row]


async def walk(  # noqa: C901 - one branch per kind of question
    officer: Officer, plan: Plan, flush: Callable[[], Awaitable[None]]
) -> None:
    """Answer the bot's questions by the shortest way offered, up to the submitted report."""
    user = officer.user
    complained = False
    for _ in range(100):
        text = user.last.content
        labels = _labels(user)
        if "Periksa laporan" in text and "📤 Kirim laporan" in labels:
            await officer.press("📤 Kirim laporan")
            if not any("Laporan terkirim" in sent for sent in user.texts[-8:]):
                raise RuntimeError(f"{plan.name}: not submitted: {user.texts[-3:]}")
            return
        if "✅ Simpan keluhan" in labels:
            await officer.press("✅ Simpan keluhan")
            complained = True
        elif "Pilih kategori keluhan" in text or "Pencurian" in labels:
            if plan.complaint and not complained:
                await officer.press("Pencurian")
            elif "Tidak ada keluhan" in labels:
                await officer.press("Tidak ada keluhan")
            else:
                await officer.press("✅ Selesai")
        elif "Ketik isi keluhan" in text:
            await officer.send(COMPLAINT)
        elif "lokasi permasalahannya" in text:
            await officer.send("Jl. Raja Eyato")
        elif "Seberapa mendesak" in text:
            await officer.press("Biasa")
            complained = True
        elif "➕ Tambah keluhan" in labels:
            if plan.complaint and not complained:
                await officer.press("➕ Tambah keluhan")
            elif complained:
                await officer.press("✅ Selesai")
            else:
                await officer.press("Tidak ada keluhan")
        elif "Foto dokumentasi" in text and "Foto tersimpan" in text and "✅ Selesai" in labels:
            await officer.press("✅ Selesai")
        elif "Foto dokumentasi" in text:
            await officer.photos(plan.photos)
            await flush()
        elif any("satu jam terakhir" in label for label in labels):
            await officer.press(next(lab for lab in labels if "satu jam terakhir" in lab))
        elif "📍 Tersimpan" in text and "➡️ Lanjut" in labels:
            await officer.press("➡️ Lanjut")
        elif "(📎 → Lokasi)" in text:
            await officer.pin()
        elif "✅ Saya mematuhi peringatan ini" in labels:
            await officer.press("✅ Saya mematuhi peringatan ini")
        elif "✅ Lengkap semua" in labels:
            await officer.press("✅ Lengkap semua")
        elif "Berapa" in text:
            await officer.send("12 25" if "sekaligus" in text else "25")
        elif "✅ Selesai" in labels and any(
            label.startswith("✅ ") and label != "✅ Selesai" for label in labels
        ):
            await officer.press("✅ Selesai")  # one material picked
        elif any(label.startswith("⬜ ") for label in labels):
            await officer.press(next(lab for lab in labels if lab.startswith("⬜ ")))
        elif "⏭ Lewati" in labels:
            await officer.press("⏭ Lewati")
        elif "Nama masjid" in text:
            await officer.send("Masjid Al-Muhajirin")
        elif options := [lab for lab in labels if not lab.startswith(_NOT_OPTIONS)]:
            await officer.press(options[0])  # a choice: its first option
        else:
            await officer.send(SUMMARY)
    raise RuntimeError(f"{plan.name}: never submitted; last: {user.last.content[:300]}")


async def _reminder(harness: BotHarness, kanit: SimUser) -> None:
    """A leader assigns tomorrow's SAPTA post (Sprin, place, time); its reminders go out."""
    await kanit.send("/tugas")
    await kanit.press("POS SAPTA")
    await kanit.send("RW 03 Kel. Heledulaa")
    await kanit.press("Besok")
    await kanit.send("08.00")
    await kanit.press("60 menit (SOP)")
    await kanit.send("Sprin/12/XI/2026")
    await kanit.press("⬜ BRIPKA Budi Santoso")
    await kanit.press("✅ Selesai")
    await kanit.press("✅ Simpan tugas")
    services = harness.application.bot_data.services
    assert services is not None
    tomorrow = START.astimezone(WITA).date() + timedelta(days=1)
    for hour, minute in ((7, 0), (8, 0), (9, 10)):
        harness.clock.set(datetime.combine(tomorrow, datetime.min.time(), tzinfo=WITA)
                          .replace(hour=hour, minute=minute))
        await run_due_notifications(services, harness.application.bot)


async def file_one(plan: Plan) -> Result:
    """A fresh bot and officer; the officer files ``plan``; the interactions it took."""
    from conversations import report_photos

    with tempfile.TemporaryDirectory(prefix="bench-taps-") as tmp:
        schedule = Path(tmp) / "schedule.toml"
        schedule.write_text(NO_RULES, encoding="utf-8")
        emu = new_emulator()
        harness = BotHarness(emu, Path(tmp) / "data", start=START, schedule_file=schedule)
        await harness.start()
        delay = report_photos.ALBUM_DELAY_SECONDS
        report_photos.ALBUM_DELAY_SECONDS = 600  # answered by flush_albums, not by waiting
        try:
            user = emu.user(OFFICER_ID, "Budi")
            await harness.seed_officer(user, name="Budi Santoso", nrp="87654321",
                                       unit="binkamsa")
            officer = Officer(user)
            if plan.from_reminder:
                kanit = emu.user(KANIT_ID, "Kanit")
                await harness.seed_officer(kanit, name="Andi Kanit", nrp="11112222",
                                           unit="binkamsa", role="kanit", rank="IPTU")
                await _reminder(harness, kanit)
                await officer.press("📝 Lapor sekarang")
            else:
                await officer.send("/lapor")
                await officer.press(plan.activity)
            await walk(officer, plan, report_photos.flush_albums)
            return Result(plan, len(officer.steps), tuple(officer.steps))
        finally:
            report_photos.ALBUM_DELAY_SECONDS = delay
            await harness.stop()


async def measure() -> list[Result]:
    """Every plan, each on a fresh bot."""
    return [await file_one(plan) for plan in PLANS]
