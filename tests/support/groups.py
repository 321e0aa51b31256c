"""Test helpers shared by several test modules (from tests/test_groups.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from emulator import Emulator
from emulator.harness import BotHarness
from jobs.summaries import run_due_summaries

GROUP_ID = -1001234567890


# Sunday 29 November 2026, 19:00 WITA (the default weekly summary time) is 11:00 UTC.
SUNDAY_1900 = datetime(2026, 11, 29, 11, 0, tzinfo=UTC)


SATURDAY_1900 = datetime(2026, 11, 28, 11, 0, tzinfo=UTC)


async def cast(harness: BotHarness, emu: Emulator):
    kanit = emu.user(2001, "Andi")
    banit = emu.user(1001, "Budi")
    banit2 = emu.user(1002, "Siti")
    other_kanit = emu.user(2002, "Rina")
    people = {
        "kanit": await harness.seed_officer(kanit, name="Andi Kanit", nrp="11112222",
                                            unit="binkamsa", role="kanit", rank="IPTU"),
        "banit": await harness.seed_officer(banit, name="Budi Santoso", nrp="87654321",
                                            unit="binkamsa"),
        "banit2": await harness.seed_officer(banit2, name="Siti Aminah", nrp="87654322",
                                             unit="binkamsa"),
        "other_kanit": await harness.seed_officer(other_kanit, name="Rina Kanit", nrp="11113333",
                                                  unit="binpolmas", role="kanit", rank="IPTU"),
    }
    group = emu.group(GROUP_ID, "Unit Binkamsa", members=[kanit, banit, banit2, other_kanit])
    return kanit, banit, other_kanit, group, people


def services_of(harness: BotHarness):
    services = harness.application.bot_data.services
    assert services is not None
    return services


async def run_due(harness: BotHarness) -> int:
    return await run_due_summaries(services_of(harness), harness.application.bot)


async def link_of(harness: BotHarness, chat_id: int = GROUP_ID):
    async with harness.db.reading() as repos:
        return await repos.group_links.get(chat_id)


async def linked(harness: BotHarness, emu: Emulator):
    kanit, banit, other_kanit, group, people = await cast(harness, emu)
    await kanit.send("/hubungkan", chat=group)
    stored = await link_of(harness)
    assert stored is not None
    assert stored.active
    return kanit, banit, group, people
