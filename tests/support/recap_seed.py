"""Seeding many reports straight through the storage layer, with what the test expects."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from domain.answers import Complaint
from domain.reports import ReportColumns
from emulator.harness import BotHarness

RESIDENT_KEY = {"sapta": "residents", "mantap": "residents", "satria": "residents",
                "khidmat": "congregation"}
CATEGORIES = ["pencurian", "narkoba", "kamtibmas", "lalu_lintas"]
URGENCIES = ["biasa", "segera", "darurat"]


@dataclass
class Seeded:
    """Every seeded report as plain tuples, for independent counting in the tests."""

    reports: list[dict] = field(default_factory=list)
    complaints: list[dict] = field(default_factory=list)


async def seed_reports(
    harness: BotHarness,
    officers: list,
    *,
    start: datetime,
    days: int,
    per_day: int,
    rng: random.Random,
    seeded: Seeded | None = None,
    resident_names: tuple[str, ...] = ("Pak Hasan", "Ibu Rahma"),
    resident_phones: tuple[str, ...] = ("081234567890", "+6285298765432"),
) -> Seeded:
    """``per_day`` reports a day by random officers, with complaints carrying residents' data."""
    seeded = seeded or Seeded()
    now = harness.clock.now()
    async with harness.db.transaction() as tx:
        for day in range(days):
            for _ in range(per_day):
                officer = rng.choice(officers)
                activity = rng.choice(list(RESIDENT_KEY))
                begins = start + timedelta(days=day, hours=rng.randint(0, 23),
                                           minutes=rng.randint(0, 59))
                people = rng.randint(0, 80)
                number = f"T/{activity}/{len(seeded.reports) + 1:05d}"
                report_id = await tx.reports.create(
                    number=number, activity_code=activity, officer_id=officer.id,
                    unit_code=officer.unit_code,
                    columns=ReportColumns(
                        started_at=begins,
                        ended_at=begins + timedelta(hours=1),
                        place="Kel. Heledulaa",
                        latitude=0.54,
                        longitude=123.06,
                    ),
                    answers={RESIDENT_KEY[activity]: people, "summary": "Kegiatan lancar"},
                    assignment_id=None, now=now,
                )
                seeded.reports.append({"id": report_id, "activity": activity,
                                       "officer": officer, "unit": officer.unit_code,
                                       "at": begins, "residents": people})
                items = []
                for _item in range(rng.choice([0, 0, 1, 2])):
                    item = Complaint(
                        category=rng.choice(CATEGORIES),
                        description=f"Keluhan dari {rng.choice(resident_names)}",
                        place="Jl. Raja Eyato",
                        urgency=rng.choice(URGENCIES),
                        resident_name=rng.choice(resident_names),
                        resident_contact=rng.choice(resident_phones),
                    )
                    items.append(item)
                    seeded.complaints.append({"report": report_id, "unit": officer.unit_code,
                                              "at": begins, "category": item.category,
                                              "urgency": item.urgency, "status": "new"})
                await tx.complaints.add(report_id, items, now)
    return seeded
