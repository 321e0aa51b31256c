"""Coverage for leaders: which kelurahan binaan were visited, and which not, in a period."""

from __future__ import annotations

import io
import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import openpyxl
from PIL import Image

from domain import charts
from domain.answers import Complaint
from domain.charts import GridCell, coverage_grid
from domain.recap import month_of
from domain.reports import ReportColumns
from emulator import Emulator
from emulator.harness import BotHarness
from jobs.digest import build_digest, render_digest
from jobs.planning import schedule_config
from jobs.summaries import area_counts
from storage.territory import load_coverage
from tests.support.recap import WITA

# Two officers of Unit Binkamsa serve five kelurahan of Kota Selatan and Dumbo Raya.
BINAAN = {"Budi Santoso": ["75.71.02.1010", "75.71.02.1012", "75.71.02.1013"],
          "Siti Aminah": ["75.71.08.1001", "75.71.08.1004"]}
OUTSIDE = "75.71.05.1005"  # Ipilo: nobody's binaan, a report may still be filed there
ACTIVITIES = ["sapta", "sapta", "mantap", "satria", "khidmat"]


async def seed_month(harness: BotHarness, emu: Emulator):
    """Officers with their kelurahan, a Kanit, and reports from late October to early December
    in some of the kelurahan (never in all): returns the rows as plain dicts."""
    officers = []
    for index, (name, codes) in enumerate(BINAAN.items()):
        officer = await harness.seed_officer(emu.user(1100 + index, name.split()[0]),
                                             name=name, nrp=f"8765000{index}", unit="binkamsa")
        officers.append((officer, codes))
    other = await harness.seed_officer(emu.user(1190, "Dewi"), name="Dewi Lestari",
                                       nrp="87650009", unit="binpolmas")
    kanit = emu.user(2001, "Kanit")
    await harness.seed_officer(kanit, name="Andi Kanit", nrp="11112222", unit="binkamsa",
                               role="kanit")
    rng = random.Random(13)
    rows: list[dict] = []
    now = harness.clock.now()
    async with harness.db.transaction() as tx:
        for officer, codes in officers:
            await tx.areas.replace(officer.id, codes, now)
        await tx.areas.replace(other.id, ["75.71.01.1001"], now)
        start = datetime(2026, 10, 24, 16, 0, tzinfo=UTC)
        for index in range(60):
            officer, codes = rng.choice([*officers, (other, ["75.71.01.1001"])])
            # The last kelurahan of each officer is left out: some binaan stays unvisited.
            kelurahan = rng.choice([*codes[:-1], OUTSIDE]) if len(codes) > 1 else codes[0]
            activity = rng.choice(ACTIVITIES)
            begins = start + timedelta(hours=17 * index)
            complaints = rng.choice([0, 0, 1, 2])
            report_id = await tx.reports.create(
                number=f"T/{index:04d}", activity_code=activity, officer_id=officer.id,
                unit_code=officer.unit_code,
                columns=ReportColumns(started_at=begins, ended_at=begins + timedelta(hours=1),
                                      kelurahan=kelurahan),
                answers={}, assignment_id=None, now=now,
            )
            await tx.complaints.add(report_id, [Complaint(
                category="pencurian", description="Motor hilang", place="Jl. Raja Eyato",
                urgency="biasa", resident_name="Pak Hasan", resident_contact="081234567890",
            )] * complaints, now, kelurahan=kelurahan)
            rows.append({"unit": officer.unit_code, "at": begins, "kel": kelurahan,
                         "activity": activity, "complaints": complaints})
    return kanit, rows


def this_month(harness: BotHarness):
    """The running bot's services and the month of the harness clock (November 2026)."""
    services = harness.application.bot_data.services
    assert services is not None
    return services, month_of(harness.clock.now(), WITA)


def expected(rows: list[dict], period, units=frozenset({"binkamsa"})):
    """Coverage counted from the rows, independently of the bot."""
    binaan = [code for codes in BINAAN.values() for code in codes]
    mine = [r for r in rows if r["unit"] in units and period.start <= r["at"] < period.end]
    visited = {activity: sorted({r["kel"] for r in mine if r["activity"] == activity
                                 and r["kel"] in binaan}) for activity in set(ACTIVITIES)}
    complaints = Counter()
    for r in mine:
        complaints[r["kel"]] += r["complaints"]
    return binaan, visited, {k: v for k, v in complaints.items() if v}


async def test_coverage_of_a_seeded_month_equals_counts_from_the_rows(harness: BotHarness,
                                                                      emu: Emulator):
    _, rows = await seed_month(harness, emu)
    services = harness.application.bot_data.services
    assert services is not None
    period = month_of(datetime(2026, 11, 15, tzinfo=UTC), WITA)
    async with harness.db.reading() as repos:
        coverage = await load_coverage(repos.areas, services.territory, services.catalogue,
                                       {"binkamsa"}, period)
    binaan, visited, complaints = expected(rows, period)
    assert sorted(coverage.kelurahan) == sorted(binaan)
    assert coverage.activities[0] == "sapta"
    for activity in set(ACTIVITIES):
        assert sorted(coverage.visited(activity)) == visited[activity], activity
        assert sorted(coverage.not_visited(activity)) == sorted(
            set(binaan) - set(visited[activity])), activity
    assert visited["sapta"]
    assert set(binaan) - set(visited["sapta"])  # something is left to visit
    assert dict(coverage.complaints) == complaints
    outside = Counter(r["activity"] for r in rows if r["kel"] == OUTSIDE
                      and r["unit"] == "binkamsa" and period.start <= r["at"] < period.end)
    assert outside  # reports outside the binaan are counted, not listed as coverage
    assert dict(coverage.visits[OUTSIDE]) == dict(outside)
    assert OUTSIDE not in coverage.kelurahan


async def test_rekap_shows_visited_and_not_visited_with_the_picture(harness: BotHarness,
                                                                    emu: Emulator):
    kanit, rows = await seed_month(harness, emu)
    services, period = this_month(harness)
    binaan, visited, complaints = expected(rows, period)
    before = len(kanit.messages)

    await kanit.send("/rekap bulan")

    sent = kanit.messages[before:]
    assert [m.kind for m in sent] == ["photo", "text"]
    text = kanit.last.text
    name = services.territory.name_of
    sapta = visited["sapta"]
    missing = [code for code in services.territory.ordered(binaan) if code not in sapta]
    assert f"✅ Dikunjungi POS SAPTA ({len(sapta)}): " + ", ".join(
        f"Kel. {name(code)}" for code in services.territory.ordered(sapta)) in text
    assert f"❌ Belum dikunjungi POS SAPTA ({len(missing)}): " + ", ".join(
        f"Kel. {name(code)}" for code in missing) in text
    assert visited["mantap"]  # the seed visits with MANTAP too: listed after SAPTA
    assert text.index("Belum dikunjungi POS SAPTA") < text.index("Belum dikunjungi POS MANTAP")
    for code, count in complaints.items():
        assert f"Kel. {name(code)} {count}" in text.split("Keluhan per kelurahan:")[1]
    assert "Pak Hasan" not in text
    assert "Dembe I" not in text  # another unit's binaan

    photo = [call for call in emu.calls_to("sendPhoto") if call.ok][-1].files["photo"]
    with Image.open(io.BytesIO(photo)) as picture:
        assert picture.width == 1080
    await kanit.press("🏘 Cakupan")  # the same picture on demand
    assert kanit.last.kind == "photo"


def test_the_coverage_picture_has_the_expected_size():
    cells = [GridCell(f"Kelurahan {index}", index % 3, index % 2) for index in range(7)]
    png = coverage_grid("Cakupan wilayah binaan — Unit Binkamsa", "November 2026", cells,
                        legend=["belum dikunjungi", "dikunjungi", "ada keluhan"], empty="-")
    rows = -(-len(cells) // charts.GRID_COLUMNS)
    # One line of title and one of subtitle (wrapped as every chart's titles), then the legend.
    header = (charts.MARGIN + round(charts.TITLE_PX * 1.2) + 4
              + round(charts.SUBTITLE_PX * 1.2) + 12 + charts.LABEL_PX + 24)
    with Image.open(io.BytesIO(png)) as picture:
        assert picture.format == "PNG"
        assert picture.size == (1080, header + rows * (charts.CELL_HEIGHT + charts.CELL_GAP)
                                + charts.MARGIN)
        # The first cell (no visits) is coloured as not visited, the second as visited.
        first = (charts.MARGIN + 4, header + 4)
        second = (charts.MARGIN + (1080 - 2 * charts.MARGIN) // 3 + charts.CELL_GAP + 4,
                  header + 4)
        assert picture.convert("RGB").getpixel(first) == charts.NOT_VISITED
        assert picture.convert("RGB").getpixel(second) == charts.VISITED


async def test_the_digest_shows_this_months_coverage(harness: BotHarness, emu: Emulator):
    kanit, rows = await seed_month(harness, emu)
    services, month = this_month(harness)
    now = harness.clock.now()
    async with harness.db.reading() as repos:
        leader = await repos.officers.by_telegram_id(kanit.id)
        assert leader is not None
        digest = await build_digest(repos, services, schedule_config(services), leader, now,
                                    now)
    text = render_digest(services, digest, "id")
    _, visited, _ = expected(rows, month)
    assert f"✅ Dikunjungi POS SAPTA ({len(visited['sapta'])}):" in text
    assert "❌ Belum dikunjungi POS SAPTA" in text
    assert "Pak Hasan" not in text


async def test_group_summaries_count_reports_per_kelurahan_only(harness: BotHarness,
                                                                emu: Emulator):
    kanit, rows = await seed_month(harness, emu)
    services, period = this_month(harness)
    group = emu.group(-100777, "Unit Binkamsa", members=[kanit])
    await kanit.send("/hubungkan", chat=group)
    await kanit.send("/rekap bulan", chat=group)
    text = group.last.text
    counts = Counter(r["kel"] for r in rows
                     if r["unit"] == "binkamsa" and period.start <= r["at"] < period.end)
    name = services.territory.name_of
    [line] = [line for line in text.split("\n") if line.startswith("🏘 Laporan per kelurahan:")]
    for code, count in counts.items():
        assert f"Kel. {name(code)} {count}" in line
    assert line.count("Kel. ") == len(counts)
    assert "Belum dikunjungi" not in text  # groups get counts, not the leaders' lists
    for message in group.messages:
        assert "Pak Hasan" not in message.content
        assert "Motor hilang" not in message.content
        assert "081234567890" not in message.content
    assert await area_counts(services, "binpolmas", period, "id") == [
        "", "🏘 Laporan per kelurahan: Kel. Dembe I "
        f"{sum(r['unit'] == 'binpolmas' and period.start <= r['at'] < period.end for r in rows)}"
    ]


async def test_exports_carry_kelurahan_name_and_code(harness: BotHarness, emu: Emulator):
    kanit, rows = await seed_month(harness, emu)
    await kanit.send("/ekspor")
    await kanit.press("📊 XLSX bulan ini")
    document = next(m for m in reversed(kanit.messages) if m.kind == "document")
    workbook = openpyxl.load_workbook(io.BytesIO(document.file_bytes))
    sheet = workbook["POS SAPTA"]
    headers = [cell.value for cell in sheet[1]]
    code_at, name_at = headers.index("Kode kelurahan"), headers.index("Kelurahan")
    found = {(row[code_at], row[name_at]) for row in sheet.iter_rows(min_row=2,
                                                                      values_only=True)}
    services, period = this_month(harness)
    sapta = {r["kel"] for r in rows if r["activity"] == "sapta" and r["unit"] == "binkamsa"
             and period.start <= r["at"] < period.end}
    assert found == {(code, services.territory.name_of(code)) for code in sapta}
    complaints = workbook["Keluhan"]
    headers = [cell.value for cell in complaints[1]]
    codes = {row[headers.index("Kode kelurahan")]
             for row in complaints.iter_rows(min_row=2, values_only=True)}
    assert None not in codes
    assert codes <= {r["kel"] for r in rows}
