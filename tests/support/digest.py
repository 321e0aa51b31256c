"""Test helpers shared by several test modules (from tests/test_schedule_digest.py)."""

from __future__ import annotations

from datetime import datetime

from domain.answers import Complaint
from domain.reports import ReportColumns
from emulator.harness import BotHarness


async def seed_report(harness: BotHarness, officer_id: int, start: datetime, end: datetime,
                      submitted: datetime, *, number: str, post_id: int | None,
                      complaints: tuple[tuple[str, str], ...] = (),
                      unit: str = "binkamsa") -> None:
    async with harness.db.transaction() as tx:
        report_id = await tx.reports.create(
            number=number, activity_code="sapta", officer_id=officer_id, unit_code=unit,
            columns=ReportColumns(
                started_at=start,
                ended_at=end,
                place="Kel. Heledulaa",
            ),
            answers={},
            assignment_id=post_id, now=submitted,
        )
        await tx.complaints.add(
            report_id,
            [Complaint(category=category, description="Keluhan warga tentang hal ini",
                       place="Jl. Raja Eyato", urgency=urgency, resident_name="Pak Hasan",
                       resident_contact="081234567890")
             for category, urgency in complaints],
            submitted,
        )
