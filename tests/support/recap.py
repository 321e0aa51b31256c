"""Test helpers shared by several test modules (from tests/test_recap.py)."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from emulator import Emulator
from emulator.harness import BotHarness
from tests.support.recap_seed import seed_reports

WITA = ZoneInfo("Asia/Makassar")


async def seed_people(harness: BotHarness, emu: Emulator):
    officers = []
    for index, (name, unit) in enumerate(
        [("Budi Santoso", "binkamsa"), ("Siti Aminah", "binkamsa"), ("Rudi Hartono", "binkamsa"),
         ("Dewi Lestari", "binpolmas")]
    ):
        user = emu.user(1100 + index, name.split()[0])
        officers.append(await harness.seed_officer(user, name=name, nrp=f"8765000{index}",
                                                   unit=unit))
    return officers


async def private_cast(harness: BotHarness, emu: Emulator):
    officers = await seed_people(harness, emu)
    kanit = emu.user(2001, "Andi")
    await harness.seed_officer(kanit, name="Andi Kanit", nrp="11112222", unit="binkamsa",
                               role="kanit", rank="IPTU")
    kasat = emu.user(3001, "Kasat")
    await harness.seed_officer(kasat, name="Kasat Binmas", nrp="99990000", unit="satbinmas",
                               role="kasat", rank="AKP")
    seeded = await seed_reports(
        harness, officers, start=datetime(2026, 10, 31, 16, 0, tzinfo=UTC), days=30, per_day=4,
        rng=random.Random(21),
    )
    return officers, kanit, kasat, seeded


def count_in(seeded, units, period, officer_id=None):
    return [r for r in seeded.reports if r["unit"] in units and period.contains(r["at"])
            and (officer_id is None or r["officer"].id == officer_id)]
