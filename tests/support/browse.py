"""Test helpers shared by several test modules (from tests/test_browse.py)."""

from __future__ import annotations

from emulator import Emulator
from emulator.harness import BotHarness
from tests.support.reports import fill_sapta, seed

NUMBER = "LAP/SAPTA/2026/11/0001"


OTHER_NUMBER = "LAP/SAPTA/2026/11/0002"


async def two_units(harness: BotHarness, emu: Emulator):
    """A binkamsa report (officer, kanit) and a binpolmas report (officer2, kanit2)."""
    officer, kanit = await seed(harness, emu)
    officer2 = emu.user(1003, "Sari")
    kanit2 = emu.user(2003, "Kanit Dua")
    await harness.seed_officer(officer2, name="Sari Dewi", nrp="87659999", unit="binpolmas")
    await harness.seed_officer(kanit2, name="Kanit Dua", nrp="22229999", unit="binpolmas",
                               role="kanit", rank="IPTU")
    await fill_sapta(officer, photos=1)
    await officer.press("📤 Kirim laporan")
    await fill_sapta(officer2, photos=1)
    await officer2.press("📤 Kirim laporan")
    return officer, kanit, officer2, kanit2


async def report_id(harness: BotHarness, number: str) -> int:
    async with harness.db.reading() as repos:
        return next(r.id for r in await repos.reports.all() if r.number == number)


def labels(message) -> list[str]:
    return [label for row in message.buttons for label in row]
