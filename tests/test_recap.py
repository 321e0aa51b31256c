"""Recaps: one computation whose numbers equal what the test counts itself from the rows."""

from __future__ import annotations

import io
import itertools
import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta

from PIL import Image

from domain.imaging import PhotoCandidate, spread_choice
from domain.recap import (
    PeriodKind,
    ScheduleCounts,
    custom_period,
    day_of,
    month_of,
    resident_field_keys,
    week_of,
    weeks_back,
)
from domain.reports import ReportColumns
from emulator import Emulator, pg
from emulator.harness import BotHarness
from jobs.summaries import SHEET_PHOTOS
from storage.recap import load_recap
from tests.support.digest import seed_report
from tests.support.recap import WITA, count_in, private_cast, seed_people
from tests.support.recap_seed import seed_reports
from tests.support.schedule import seed_unit, wita


def test_periods_are_local_days_weeks_and_months():
    # 00:30 WITA on Monday 30 November 2026 is still Sunday in UTC.
    moment = datetime(2026, 11, 29, 16, 30, tzinfo=UTC)
    day = day_of(moment, WITA)
    assert (day.first_day, day.kind) == (date(2026, 11, 30), PeriodKind.DAY)
    assert day.start == datetime(2026, 11, 29, 16, 0, tzinfo=UTC)
    week = week_of(moment, WITA)
    assert (week.first_day, week.last_day) == (date(2026, 11, 30), date(2026, 12, 6))
    assert week.end == datetime(2026, 12, 6, 16, 0, tzinfo=UTC)
    month = month_of(datetime(2026, 2, 10, tzinfo=UTC), WITA)
    assert (month.first_day, month.last_day) == (date(2026, 2, 1), date(2026, 2, 28))
    assert month.start == datetime(2026, 1, 31, 16, 0, tzinfo=UTC)
    custom = custom_period(date(2026, 11, 1), date(2026, 11, 3), WITA)
    assert custom.contains(datetime(2026, 11, 3, 15, 59, tzinfo=UTC))
    assert not custom.contains(datetime(2026, 11, 3, 16, 0, tzinfo=UTC))


def test_people_reached_come_from_the_catalogue_fields(harness: BotHarness):
    services = harness.application.bot_data.services
    assert services is not None
    keys = resident_field_keys(services.catalogue)
    assert keys == {"sapta": "residents", "mantap": "residents", "satria": "residents",
                    "khidmat": "congregation"}


async def test_month_recap_equals_independent_counts(harness: BotHarness, emu: Emulator):
    officers = await seed_people(harness, emu)
    rng = random.Random(7)
    # October 25 to December 5 local: the month of November and spill on both sides.
    seeded = await seed_reports(
        harness, officers, start=datetime(2026, 10, 24, 16, 0, tzinfo=UTC), days=42, per_day=6,
        rng=rng,
    )
    services = harness.application.bot_data.services
    assert services is not None
    period = month_of(datetime(2026, 11, 15, tzinfo=UTC), WITA)
    units = {"binkamsa"}

    async with harness.db.reading() as repos:
        recap = await load_recap(repos.recaps, services.catalogue, units, period)

    mine = [r for r in seeded.reports if r["unit"] in units and period.start <= r["at"]
            < period.end]
    assert mine
    assert len(mine) < len(seeded.reports)
    assert recap.total_reports == len(mine)
    expected_activity = Counter(r["activity"] for r in mine)
    assert {k: v for k, v in recap.reports_by_activity.items() if v} == dict(expected_activity)
    assert recap.residents_reached == sum(r["residents"] for r in mine)
    khidmat = sum(r["residents"] for r in mine if r["activity"] == "khidmat")
    assert recap.residents_by_activity["khidmat"] == khidmat
    by_officer = Counter(r["officer"].full_name for r in mine)
    assert {line.name: line.reports for line in recap.officers} == dict(by_officer)
    assert [line.reports for line in recap.officers] == sorted(by_officer.values(), reverse=True)
    assert "Dewi Lestari" not in recap.reporter_names

    ids = {r["id"] for r in mine}
    complaints = [c for c in seeded.complaints if c["report"] in ids]
    assert recap.total_complaints == len(complaints)
    assert {line.category: line.total for line in recap.complaints} == dict(
        Counter(c["category"] for c in complaints)
    )
    assert recap.urgent_complaints == sum(c["urgency"] == "darurat" for c in complaints)
    assert dict(recap.complaints_by_status) == {"new": len(complaints)}
    urgent = [line.urgent for line in recap.complaints]
    assert urgent == sorted(urgent, reverse=True), "urgent categories come first"
    assert recap.reporting_rate is None


async def test_recap_takes_expected_posts_from_a_schedule_source(
    harness: BotHarness, emu: Emulator
):
    officers = await seed_people(harness, emu)
    await seed_reports(harness, officers, start=datetime(2026, 11, 22, 16, 0, tzinfo=UTC),
                       days=7, per_day=2, rng=random.Random(1))
    services = harness.application.bot_data.services
    assert services is not None
    asked = []

    async def schedule(units, period):
        asked.append((units, period.kind))
        return ScheduleCounts(expected=8, reported=6)

    period = week_of(datetime(2026, 11, 25, tzinfo=UTC), WITA)
    async with harness.db.reading() as repos:
        recap = await load_recap(repos.recaps, services.catalogue, ["binkamsa"], period,
                                 schedule=schedule)
    assert asked == [(frozenset({"binkamsa"}), PeriodKind.WEEK)]
    assert recap.reporting_rate == 0.75


async def test_unit_week_recap_uses_an_index(harness: BotHarness):
    period = week_of(datetime(2026, 11, 25, tzinfo=UTC), WITA)
    async with harness.db.reading() as repos:
        plan = await repos.recaps.query_plan(["binkamsa"], period.start, period.end)
    # PostgreSQL's planner may prefer the activity-time index without the unit; an index on
    # the activity time either way, never a scan of every report.
    index = "reports_activity_time" if pg.POSTGRES else "reports_unit_activity_time"
    assert index in plan, plan


# ---- /rekap in private ------------------------------------------------------------------------


async def test_leader_recap_is_one_message_edited_by_buttons(harness: BotHarness, emu: Emulator):
    _, kanit, _, seeded = await private_cast(harness, emu)
    await kanit.send("/rekap")
    card = kanit.last
    assert "Rekap hari ini — Unit Binkamsa" in card.text
    today = day_of(harness.clock.now(), WITA)
    assert f"Laporan kegiatan: {len(count_in(seeded, {'binkamsa'}, today))}" in card.text
    messages = len(kanit.messages)

    await kanit.press("Minggu ini")
    assert len(kanit.messages) == messages
    week = week_of(harness.clock.now(), WITA)
    assert "Rekap minggu ini" in kanit.last.text
    assert f"Laporan kegiatan: {len(count_in(seeded, {'binkamsa'}, week))}" in kanit.last.text
    assert "✅ Minggu ini" in kanit.last.buttons[0]

    await kanit.press("📊 Kirim grafik")
    assert kanit.last.kind == "photo"
    assert len(kanit.messages) == messages + 1


async def test_kasat_chooses_a_unit(harness: BotHarness, emu: Emulator):
    _, _, kasat, seeded = await private_cast(harness, emu)
    await kasat.send("/rekap bulan")
    month = month_of(harness.clock.now(), WITA)
    everyone = count_in(seeded, {"binkamsa", "binpolmas", "bintibmas", "satbinmas"}, month)
    assert "Rekap bulan ini — Satbinmas" in kasat.last.text
    assert f"Laporan kegiatan: {len(everyone)}" in kasat.last.text
    await kasat.press("Unit Binpolmas")
    binpolmas = count_in(seeded, {"binpolmas"}, month)
    assert f"Laporan kegiatan: {len(binpolmas)}" in kasat.last.text
    assert "Budi Santoso" not in kasat.last.text


async def test_officer_sees_only_their_own_recap(harness: BotHarness, emu: Emulator):
    officers, _, _, seeded = await private_cast(harness, emu)
    budi = emu.users[1100]
    await budi.send("/rekap 01/11/2026 30/11/2026")
    period = custom_period(date(2026, 11, 1), date(2026, 11, 30), WITA)
    mine = count_in(seeded, {"binkamsa"}, period, officers[0].id)
    assert "Rekap periode pilihan — Budi Santoso" in budi.last.text
    assert f"Laporan kegiatan: {len(mine)}" in budi.last.text
    assert "Siti Aminah" not in budi.last.text
    assert all("Unit" not in label for row in budi.last.buttons for label in row)

    await budi.press_forged("a:rk:v:w:binkamsa", budi.last)
    assert "tidak berlaku" in budi.callback_answers[-1]["text"]
    await budi.send("/rekap kemarin sore")
    assert "/rekap minggu" in budi.last.text
    await budi.send("/rekap 30/11/2026 01/11/2026")
    assert "/rekap minggu" in budi.last.text


async def test_reporting_rate_chart_of_the_last_weeks(harness: BotHarness, emu: Emulator):
    _, kanit, _, _ = await private_cast(harness, emu)
    await kanit.send("/rekap minggu")
    await kanit.press("📈 Tingkat pelaporan")
    assert kanit.last.kind == "photo"
    photo = [call for call in emu.calls_to("sendPhoto") if call.ok][-1].files["photo"]
    with Image.open(io.BytesIO(photo)) as chart:
        chart.load()
        assert chart.width >= 1080


def test_weeks_back_are_consecutive_local_weeks():
    weeks = weeks_back(datetime(2026, 11, 28, 2, 0, tzinfo=UTC), WITA, 3)
    assert [(w.first_day, w.last_day) for w in weeks] == [
        (date(2026, 11, 9), date(2026, 11, 15)),
        (date(2026, 11, 16), date(2026, 11, 22)),
        (date(2026, 11, 23), date(2026, 11, 29)),
    ]


async def test_leader_gets_the_periods_photo_sheet_and_an_officer_no_button(
    harness: BotHarness, emu: Emulator
):
    from tests.support.reports import fill_sapta

    kanit = emu.user(2001, "Andi")
    await harness.seed_officer(kanit, name="Andi Kanit", nrp="11112222", unit="binkamsa",
                               role="kanit", rank="IPTU")
    banit = emu.user(1001, "Budi")
    await harness.seed_officer(banit, name="Budi Santoso", nrp="87654321", unit="binkamsa")
    other = emu.user(2002, "Rina")
    await harness.seed_officer(other, name="Rina Kanit", nrp="11113333", unit="binpolmas",
                               role="kanit", rank="IPTU")

    await kanit.send("/rekap")
    await kanit.press("📷 Foto dokumentasi")
    assert kanit.callback_answers[-1].get("text") == "Belum ada foto dokumentasi pada periode ini."
    assert kanit.callback_answers[-1].get("show_alert") is True

    await fill_sapta(banit, photos=2)
    await banit.press("📤 Kirim laporan")
    await banit.send("/rekap")
    assert not any("Foto" in label for row in banit.last.buttons for label in row)

    before = len(kanit.messages)
    await kanit.press("📷 Foto dokumentasi")
    sheets = [m for m in kanit.messages[before:] if m.kind == "photo"]
    assert len(sheets) == 1
    assert "2 foto" in sheets[0].caption
    call = next(c for c in reversed(emu.calls_to("sendPhoto")) if c.ok)
    with Image.open(io.BytesIO(call.files["photo"])) as sheet:
        sheet.load()
        assert not sheet.getexif()

    await other.send("/rekap")
    before = len(other.messages)
    await other.press("📷 Foto dokumentasi")
    assert not [m for m in other.messages[before:] if m.kind == "photo"]  # none in binpolmas


async def test_leader_narrows_the_recap_to_one_activity_and_back(
    harness: BotHarness, emu: Emulator
):
    _, kanit, kasat, seeded = await private_cast(harness, emu)
    month = month_of(harness.clock.now(), WITA)
    await kasat.send("/rekap bulan")
    await kasat.press("Unit Binkamsa")
    messages = len(kasat.messages)
    await kasat.press("POS SATRIA")
    assert len(kasat.messages) == messages  # the same message, edited
    text = kasat.last.text
    assert "Rekap bulan ini — Unit Binkamsa · POS SATRIA" in text
    satria = [r for r in count_in(seeded, {"binkamsa"}, month) if r["activity"] == "satria"]
    assert f"Laporan kegiatan: {len(satria)}\n• POS SATRIA: {len(satria)}\n" in text
    assert "POS SAPTA:" not in text
    assert f"Warga yang dijangkau: {sum(r['residents'] for r in satria)}" in text
    ids = {r["id"] for r in satria}
    complaints = [c for c in seeded.complaints if c["report"] in ids]
    assert (f"Keluhan warga: {len(complaints)}" if complaints
            else "Tidak ada keluhan warga.") in text
    assert "✅ POS SATRIA" in [label for row in kasat.last.buttons for label in row]

    await kasat.press("Minggu ini")  # the activity stays while the period changes
    week = week_of(harness.clock.now(), WITA)
    satria_week = [r for r in count_in(seeded, {"binkamsa"}, week) if r["activity"] == "satria"]
    assert "Rekap minggu ini — Unit Binkamsa · POS SATRIA" in kasat.last.text
    assert f"Laporan kegiatan: {len(satria_week)}" in kasat.last.text

    await kasat.press("Semua kegiatan")
    assert "· POS SATRIA" not in kasat.last.text
    assert f"Laporan kegiatan: {len(count_in(seeded, {'binkamsa'}, week))}" in kasat.last.text

    await kanit.send("/rekap")
    await kanit.press_forged("a:rk:v:w:binkamsa:sapta", kanit.last)
    assert "Rekap minggu ini — Unit Binkamsa · POS SAPTA" in kanit.last.text
    before = kanit.last.text
    await kanit.press_forged("a:rk:v:w:binkamsa:nosuch", kanit.last)
    assert "tidak berlaku" in kanit.callback_answers[-1]["text"]
    await kanit.press_forged("a:rk:v:w:binpolmas:sapta", kanit.last)  # not his unit
    assert "tidak berlaku" in kanit.callback_answers[-1]["text"]
    assert kanit.last.text == before


async def test_the_weeks_photo_sheet_spreads_over_its_days_and_activities(
    harness: BotHarness, emu: Emulator
):
    """Mon–Fri one SATRIA report a day with one photo, Saturday two SAPTA reports with five
    photos each, Sunday a SATRIA report with four: the latest nine were all the weekend."""
    banit = await harness.seed_officer(emu.user(1001, "Budi"), name="Budi Santoso",
                                       nrp="87654321", unit="binkamsa")
    monday = datetime(2026, 11, 23, tzinfo=WITA)
    plan = [(day, "satria", 1) for day in range(5)] + [(5, "sapta", 5), (5, "sapta", 5),
                                                       (6, "satria", 4)]
    async with harness.db.transaction() as tx:
        for number, (day, activity, photos) in enumerate(plan, start=1):
            start = monday + timedelta(days=day, hours=8 + number % 3)
            report = await tx.reports.create(
                number=f"T/{number}", activity_code=activity, officer_id=banit.id,
                unit_code="binkamsa",
                columns=ReportColumns(started_at=start, ended_at=start + timedelta(hours=1)),
                answers={}, assignment_id=None, now=start + timedelta(hours=1))
            await tx.report_photos.add(report, [{"sha256": f"{number:02d}{n:062d}"}
                                                for n in range(photos)])
    week = week_of(monday, WITA)
    async with harness.db.reading() as repos:
        candidates = await repos.recaps.photos({"binkamsa"}, week.start, week.end, limit=3000)
    latest = sorted(candidates, key=lambda c: c.at)[-SHEET_PHOTOS:]
    assert {c.at.astimezone(WITA).weekday() for c in latest} == {5, 6}  # the old choice
    chosen = spread_choice(candidates, SHEET_PHOTOS, WITA)
    assert len(chosen) == SHEET_PHOTOS
    assert {c.at.astimezone(WITA).weekday() for c in chosen} == set(range(7))
    assert Counter(c.activity_code for c in chosen)["sapta"] >= 2
    assert len({c.report_id for c in chosen}) == len(plan)  # each report once before repeats
    assert chosen == sorted(chosen, key=lambda c: (c.at, c.report_id))


def test_a_months_photo_sheet_takes_evenly_spaced_days():
    start = datetime(2026, 11, 1, 9, tzinfo=WITA)
    candidates = [PhotoCandidate(f"{day:064d}", day, "satria", "Budi", start + timedelta(days=day))
                  for day in range(30)]
    chosen = spread_choice(candidates, 9, WITA)
    days = [c.at.day for c in chosen]
    assert days[0] == 1
    assert days[-1] == 30
    assert max(b - a for a, b in itertools.pairwise(days)) <= 4
    assert spread_choice(candidates[:3], 9, WITA) == candidates[:3]  # fewer than asked: all


async def test_a_recap_longer_than_one_message_arrives_whole(harness: BotHarness,
                                                            emu: Emulator):
    """120 officers reported today: the recap is split at lines, every officer in it, the
    buttons on its last part; a period chosen there shows the whole recap again (#11)."""
    kanit, _, _ = await seed_unit(harness, emu)
    names = [f"Petugas Bhabinkamtibmas Nomor {index:03d}" for index in range(120)]
    for index, name in enumerate(names):
        user = emu.user(5000 + index, f"P{index}")
        await harness.seed_officer(user, name=name, nrp=f"{88000000 + index}", unit="binkamsa")
        officer = await harness.officer(user)
        assert officer is not None
        await seed_report(harness, officer.id, wita(28, 7), wita(28, 8), wita(28, 8, 30),
                          number=f"LAP/SAPTA/2026/11/{index + 1:04d}", post_id=None)
    for press in (None, "Minggu ini"):
        before = len(kanit.messages)
        if press is None:
            await kanit.send("/rekap")
        else:
            await kanit.press(press)
        parts = kanit.messages[before:]
        assert len(parts) >= 2
        assert [bool(part.buttons) for part in parts] == [False] * (len(parts) - 1) + [True]
        shown = "\n".join(part.text for part in parts)
        assert all(f"{name} — 1" in shown for name in names), press
        assert "…" not in shown
        # Only the newest recap has live buttons.
        assert [m for m in kanit.messages if m.buttons] == [parts[-1]]
