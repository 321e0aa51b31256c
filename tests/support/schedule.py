"""Test helpers shared by several test modules (from tests/test_schedule.py)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from emulator import Emulator
from emulator.harness import BotHarness
from jobs.notifications import run_due_notifications

WITA = ZoneInfo("Asia/Makassar")


KANIT_ID, BUDI_ID, CITRA_ID = 2001, 1001, 1002


NO_RULES = """
reminder_offsets_minutes = [60, 0]
grace_minutes = 120
digest_times = ["06:00", "18:00"]
"""


def wita(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in November 2026 on the Gorontalo wall clock."""
    return datetime(2026, 11, day, hour, minute, tzinfo=WITA)


def schedule_file(tmp_path: Path, text: str = NO_RULES) -> Path:
    path = tmp_path / "schedule.toml"
    path.write_text(text, encoding="utf-8")
    return path


async def scan(harness: BotHarness):
    services = harness.application.bot_data.services
    assert services is not None
    return await run_due_notifications(services, harness.application.bot)


async def seed_unit(harness: BotHarness, emu: Emulator):
    kanit = emu.user(KANIT_ID, "Kanit")
    budi = emu.user(BUDI_ID, "Budi")
    citra = emu.user(CITRA_ID, "Citra")
    await harness.seed_officer(kanit, name="Andi Kanit", nrp="11112222", unit="binkamsa",
                               role="kanit", rank="IPTU")
    await harness.seed_officer(budi, name="Budi Santoso", nrp="87654321", unit="binkamsa")
    await harness.seed_officer(citra, name="Citra Lestari", nrp="87654322", unit="binkamsa")
    return kanit, budi, citra


async def assign_post(kanit, officers: list[str], *, day: str = "Besok", start: str = "08.00",
                      sprin: str | None = "Sprin/12/XI/2026") -> None:
    await kanit.send("/tugas")
    await kanit.press("POS SAPTA")
    await kanit.send("RW 03 Kel. Heledulaa")
    await kanit.press(day)
    await kanit.send(start)
    await kanit.press("60 menit (SOP)")
    if sprin is None:
        await kanit.press("⏭ Tanpa Sprin")
    else:
        await kanit.send(sprin)
    for name in officers:
        await kanit.press(f"⬜ BRIPKA {name}")
    await kanit.press("✅ Selesai")
    assert "Periksa penugasan" in kanit.last.text
    await kanit.press("✅ Simpan tugas")


async def notifications(harness: BotHarness):
    async with harness.db.reading() as repos:
        return await repos.notifications.all()


def count(user, fragment: str) -> int:
    return sum(1 for text in user.texts if fragment in text)
