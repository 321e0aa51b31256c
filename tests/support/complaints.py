"""Test helpers shared by several test modules (from tests/test_complaints.py)."""

from __future__ import annotations

from emulator import Emulator
from emulator.harness import BotHarness
from tests.support.reports import fill_sapta, seed

OTHER_KANIT_ID = 2002


PARTNER_ID = 1002


async def file_report_with_complaint(harness: BotHarness, emu: Emulator):
    officer, kanit = await seed(harness, emu)
    partner = emu.user(PARTNER_ID, "Rudi")
    await harness.seed_officer(partner, name="Rudi Hartono", nrp="87650000", unit="binkamsa")
    other = emu.user(OTHER_KANIT_ID, "Lain")
    await harness.seed_officer(other, name="Kanit Lain", nrp="22223333", unit="binpolmas",
                               role="kanit", rank="IPTU")
    await fill_sapta(officer, photos=1)
    await officer.press("📤 Kirim laporan")
    return officer, kanit, partner, other


async def complaint_row(harness: BotHarness):
    async with harness.db.reading() as repos:
        (report,) = await repos.reports.all()
        (complaint,) = await repos.complaints.of_report(report.id)
        item = await repos.complaint_desk.get(complaint.id)
        history = await repos.complaint_desk.history(complaint.id)
    assert item is not None
    return item, history
