"""Officers file complete reports through two real ``python -m bot`` webhook processes on one
PostgreSQL schema (issue #16).

The updates are spread across both instances (round robin, every third delivered to both at
once, as a front does after a timeout), so one report's answers, and one album's photos, are
handled by either instance. Every answer is stored once, report numbers are unique and
gap-free per activity and month, and each officer gets each reply once. Skipped only when no
PostgreSQL server is reachable.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from bench.taps import COMPLAINT, Plan, walk
from emulator import Emulator, pg
from storage import PostgresDatabase
from tests.conftest import TOKEN
from tests.support.instances import (
    Instances,
    ProcessOfficer,
    no_flush,
    reachable,
    seed_officers,
)

if not asyncio.run(reachable()):
    pytest.skip("PostgreSQL is not reachable", allow_module_level=True)

OFFICERS = 6
REPORTS_EACH = 2
ACTIVITIES = ("POS SAPTA", "POS KHIDMAT")
NUMBER = re.compile(r"^LAP/([A-Z]+)/(\d{4})/(\d{2})/(\d{4})$")


async def test_reports_filed_through_two_instances_are_stored_once_and_numbered_gap_free(
    tmp_path: Path,
) -> None:
    began = time.perf_counter()
    emu = Emulator(token=TOKEN, bot_username="polmas_test_bot", bot_id=123456)
    url = await pg.create_schema(pg.server_url())
    bots = Instances(emu, tmp_path, url)
    logs: list[tuple[int, str]] = []
    try:
        await bots.start()
        users = [emu.user(3001 + number, f"Petugas{number}") for number in range(OFFICERS)]
        officer_ids = await seed_officers(url, users)
        officers = [ProcessOfficer(emu, user) for user in users]

        async def file_reports(index: int, officer: ProcessOfficer) -> None:
            for turn in range(REPORTS_EACH):
                activity = ACTIVITIES[(index + turn) % len(ACTIVITIES)]
                plan = Plan(f"{activity} by officer {index}", activity, 100, complaint=True,
                            photos=2)
                await officer.send("/lapor")
                await officer.press(activity)
                await walk(officer, plan, no_flush)

        await asyncio.wait_for(
            asyncio.gather(*(file_reports(i, o) for i, o in enumerate(officers))), 150)
        await asyncio.sleep(1.5)  # a late duplicate answer would arrive by now
        database = PostgresDatabase(url)
        await database.open()
        try:
            async with database.reading() as repos:
                reports = await repos.reports.all()
                details = [
                    (r, await repos.complaints.of_report(r.id),
                     await repos.report_photos.of_report(r.id))
                    for r in reports
                ]
                drafts = [await repos.drafts.of_officer(oid) for oid in officer_ids]
        finally:
            await database.close()
    finally:
        logs = await bots.stop()
        await pg.drop_schema(url)
    for code, output in logs:
        assert code == 0, output
    assert not [line for _, output in logs for line in output.splitlines()
                if "Traceback" in line or " ERROR " in line], [o for _, o in logs]

    # ---- every answer stored once -----------------------------------------------------
    assert len(reports) == OFFICERS * REPORTS_EACH
    assert Counter(r.officer_id for r in reports) == {oid: REPORTS_EACH for oid in officer_ids}
    assert drafts == [None] * OFFICERS  # each draft became its report, none left behind
    for report, complaints, photos in details:
        assert [c.description for c in complaints] == [COMPLAINT], report.number
        assert len(photos) == 2, (report.number, photos)
        assert len(set(photos)) == 2, (report.number, photos)
        assert [p["sha256"] for p in report.answers["photos"]] == photos, report.number

    # ---- report numbers unique and gap-free per activity and month -----------------------
    by_series: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for report in reports:
        match = NUMBER.match(report.number)
        assert match, report.number
        activity, year, month, serial = match.groups()
        assert activity == report.activity_code.upper()
        by_series[(activity, year, month)].append(int(serial))
    assert {series[0] for series in by_series} == {"SAPTA", "KHIDMAT"}
    for series, serials in by_series.items():
        assert sorted(serials) == list(range(1, len(serials) + 1)), (series, serials)

    # ---- each officer got each reply once ---------------------------------------------
    for officer in officers:
        assert officer.repeated_answers() == [], officer.user.id
        sent = [m.content for m in officer.user.messages]
        assert sum("Laporan terkirim" in text for text in sent) == REPORTS_EACH, sent
    answered = Counter(str(call.params.get("callback_query_id"))
                       for call in emu.calls_to("answerCallbackQuery"))
    presses = sum(1 for o in officers for a in o.actions if a.what.startswith("tap "))
    assert len(answered) == presses, answered  # every tap answered, none twice
    assert set(answered.values()) == {1}, answered
    print(f"\n{OFFICERS} officers, {len(reports)} reports through 2 instances "
          f"({sum(len(o.actions) for o in officers)} actions) in "
          f"{time.perf_counter() - began:.1f} s")
