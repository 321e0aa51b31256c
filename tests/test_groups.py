"""Group chats: linking to a unit, daily and weekly summaries exactly once, /rekap, failures."""

from __future__ import annotations

import io
import random
import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from PIL import Image

from domain.access import Refusal
from domain.reports import ReportColumns
from emulator import Emulator
from emulator.harness import BotHarness
from emulator.users import SimGroup, SimUser
from tests.support.groups import (
    GROUP_ID,
    SATURDAY_1900,
    SUNDAY_1900,
    cast,
    link_of,
    linked,
    run_due,
)
from tests.support.recap_seed import seed_reports
from ui.i18n import Translator

TEXTS = Translator.load()
RESIDENT_NAMES = ("Pak Hasan Mointi", "Ibu Rahma Djafar")
RESIDENT_PHONES = ("081234567890", "+6285298765432")


def group_texts(group: SimGroup) -> str:
    return "\n".join(message.content for message in group.messages)


def sent_photos(emu: Emulator, chat_id: int) -> list[bytes]:
    return [
        call.files["photo"]
        for call in emu.calls_to("sendPhoto")
        if call.ok and str(call.params.get("chat_id")) == str(chat_id)
    ]


# ---- linking ----------------------------------------------------------------------------------


async def test_a_leader_links_the_group_to_their_unit(harness: BotHarness, emu: Emulator):
    kanit, _, group, people = await linked(harness, emu)
    assert "Unit Binkamsa" in group.last.text
    assert "19.00" in group.last.text
    stored = await link_of(harness)
    assert (stored.unit_code, stored.linked_by, stored.title) == (
        "binkamsa", people["kanit"].id, "Unit Binkamsa")
    async with harness.db.reading() as repos:
        entries = await repos.audit.recent()
    assert entries[0]["action"] == "group.link"
    assert entries[0]["target_id"] == str(GROUP_ID)
    assert entries[0]["actor_id"] == people["kanit"].id

    await kanit.send("/hubungkan", chat=group)
    assert "sudah terhubung" in group.last.text


async def test_link_refused_for_a_non_leader(harness: BotHarness, emu: Emulator):
    _, banit, _, group, _ = await cast(harness, emu)
    await banit.send("/hubungkan", chat=group)
    assert group.last.text == TEXTS("id", f"access.{Refusal.NOT_LEADER.value}")
    assert await link_of(harness) is None


async def test_link_refused_for_another_units_leader(harness: BotHarness, emu: Emulator):
    kanit, _, other_kanit, group, _ = await cast(harness, emu)
    await other_kanit.send("/hubungkan binkamsa", chat=group)
    assert group.last.text == TEXTS("id", "group.not_your_unit")
    assert await link_of(harness) is None

    # Linked to their own unit, the group is not theirs to take over from the other leader.
    await other_kanit.send("/hubungkan", chat=group)
    assert (await link_of(harness)).unit_code == "binpolmas"
    await kanit.send("/hubungkan", chat=group)
    assert "tidak Anda pimpin" in group.last.text
    await kanit.send("/putuskan", chat=group)
    assert "tidak Anda pimpin" in group.last.text
    assert (await link_of(harness)).unit_code == "binpolmas"


async def test_link_refused_when_the_bot_is_not_in_the_group(harness: BotHarness, emu: Emulator):
    kanit, _, _, group, _ = await cast(harness, emu)
    # The command was sent just before the bot was removed: it is delivered, but the bot is out.
    update = emu.new_update("message", kanit._message(
        group, {"text": "/hubungkan", "entities": [
            {"type": "bot_command", "offset": 0, "length": 10}]}))
    group.bot_is_member = False
    assert emu.deliver is not None
    await emu.deliver(update)
    assert await link_of(harness) is None
    assert kanit.last.text == TEXTS("id", "group.bot_not_member")
    assert any(call.method == "getChatMember" for call in emu.calls)


async def test_unlink_and_bot_removed_deactivate_the_link(harness: BotHarness, emu: Emulator):
    kanit, _, group, _ = await linked(harness, emu)
    await kanit.send("/putuskan", chat=group)
    assert "tidak lagi terhubung" in group.last.text
    assert not (await link_of(harness)).active

    await kanit.send("/hubungkan", chat=group)
    assert (await link_of(harness)).active
    await remove_bot(emu, group, kanit)
    stored = await link_of(harness)
    assert not stored.active
    assert stored.deactivated_reason == "removed"
    harness.clock.set(SUNDAY_1900)
    assert await run_due(harness) == 0


async def remove_bot(emu: Emulator, group: SimGroup, by: SimUser) -> None:
    await group.remove_bot(by)


async def test_bot_added_to_a_group_explains_how_to_link(harness: BotHarness, emu: Emulator):
    kanit, *_ = await cast(harness, emu)
    group = emu.group(-100777, "Grup Baru", members=[kanit])
    payload = {
        "chat": group.chat_dict(),
        "from": kanit.user_dict(),
        "date": emu.timestamp(),
        "old_chat_member": {"status": "left", "user": emu.bot_user_dict()},
        "new_chat_member": {"status": "member", "user": emu.bot_user_dict()},
    }
    await emu.deliver(emu.new_update("my_chat_member", payload))
    assert group.last.text == TEXTS("id", "group.added")


# ---- summaries --------------------------------------------------------------------------------


async def seed_week(harness: BotHarness, people, seed: int = 3):
    officers = [people["banit"], people["banit2"], people["kanit"], people["other_kanit"]]
    return await seed_reports(
        harness, officers, start=datetime(2026, 11, 22, 16, 0, tzinfo=UTC), days=7, per_day=5,
        rng=random.Random(seed), resident_names=RESIDENT_NAMES, resident_phones=RESIDENT_PHONES,
    )


async def test_weekly_summary_with_chart_sent_exactly_once_across_restarts(
    harness: BotHarness, emu: Emulator
):
    _, _, group, people = await linked(harness, emu)
    await seed_week(harness, people)
    harness.clock.set(SUNDAY_1900 - timedelta(minutes=1))
    before = len(group.messages)
    await run_due(harness)
    assert len(group.messages) == before, "nothing is due before 19.00"

    harness.clock.set(SUNDAY_1900 + timedelta(seconds=20))
    assert await run_due(harness) == 2  # Sunday's daily and the weekly summary
    photos = sent_photos(emu, GROUP_ID)
    assert len(photos) == 1
    with Image.open(io.BytesIO(photos[0])) as chart:
        chart.load()
        assert chart.format == "PNG"
        assert chart.width >= 1080
    photo_message = next(m for m in group.messages if m.kind == "photo")
    assert "Rekap mingguan" in photo_message.caption
    assert len(photo_message.caption) <= 1024
    assert any("Rekap mingguan" in m.content and m.kind == "text" for m in group.messages)
    count = len(group.messages)

    await harness.restart()
    assert await run_due(harness) == 0
    harness.clock.advance(timedelta(minutes=5))
    await harness.restart()
    assert await run_due(harness) == 0
    assert len(group.messages) == count
    assert len(sent_photos(emu, GROUP_ID)) == 1


async def test_daily_summary_numbers_equal_independent_counts(
    harness: BotHarness, emu: Emulator
):
    _, _, group, people = await linked(harness, emu)
    seeded = await seed_week(harness, people, seed=11)
    harness.clock.set(SATURDAY_1900)
    await run_due(harness)
    text = group.last.text
    assert "Rekap harian" in text
    assert "Jumat, 27/11/2026 pukul 19.00 – Sabtu, 28/11/2026 pukul 19.00" in text

    start = SATURDAY_1900 - timedelta(days=1)  # the 24 hours up to the summary
    units = {"binkamsa"}
    mine = [r for r in seeded.reports if r["unit"] in units
            and start <= r["at"] < start + timedelta(days=1)]
    assert mine
    assert f"Laporan kegiatan: {len(mine)}" in text
    for activity, name in (("sapta", "POS SAPTA"), ("mantap", "POS MANTAP"),
                           ("satria", "POS SATRIA"), ("khidmat", "POS KHIDMAT")):
        expected = sum(r["activity"] == activity for r in mine)
        assert f"• {name}: {expected}\n" in text
    assert f"Warga yang dijangkau: {sum(r['residents'] for r in mine)}" in text
    for name, count in Counter(r["officer"].full_name for r in mine).items():
        assert f"• {name} — {count}" in text
    assert "Rina Kanit" not in text, "another unit's officer is not in this unit's summary"
    ids = {r["id"] for r in mine}
    complaints = [c for c in seeded.complaints if c["report"] in ids]
    if complaints:
        assert f"Keluhan warga: {len(complaints)}" in text
    else:
        assert "Tidak ada keluhan warga." in text


async def test_no_resident_details_in_any_group_message(harness: BotHarness, emu: Emulator):
    kanit, banit, group, people = await linked(harness, emu)
    await seed_week(harness, people, seed=5)
    harness.clock.set(SUNDAY_1900 + timedelta(minutes=1))
    await run_due(harness)
    for word in ("minggu", "bulan", "hari"):
        await banit.send(f"/rekap {word}", chat=group)
    everything = group_texts(group)
    assert "Keluhan warga" in everything
    for secret in (*RESIDENT_NAMES, *RESIDENT_PHONES, "Jl. Raja Eyato", "Keluhan dari",
                   "Kel. Heledulaa", "123.06"):
        assert secret not in everything, secret
    for photo in sent_photos(emu, GROUP_ID):
        with Image.open(io.BytesIO(photo)) as image:
            assert not image.getexif()
            assert "exif" not in image.info


async def test_recap_command_in_a_linked_group(harness: BotHarness, emu: Emulator):
    kanit, banit, group, people = await linked(harness, emu)
    await seed_week(harness, people, seed=9)
    await banit.send("/rekap", chat=group)
    assert "Rekap hari ini" in group.last.text
    photos = len(sent_photos(emu, GROUP_ID))
    await banit.send("/rekap minggu", chat=group)
    assert len(sent_photos(emu, GROUP_ID)) == photos + 1
    assert "Rekap minggu ini" in group.last.text
    await banit.send("/recap month", chat=group)
    assert "Rekap bulan ini" in group.last.text
    await banit.send("/rekap kemarin", chat=group)
    assert group.last.text == TEXTS("id", "group.recap_usage")

    other = emu.group(-100888, "Grup lain", members=[banit])
    await banit.send("/rekap", chat=other)
    assert other.last.text == TEXTS("id", "group.not_linked")

    stranger = emu.user(5555, "Orang")
    await stranger.send("/rekap", chat=group)
    assert group.last.text == TEXTS("id", f"access.{Refusal.UNREGISTERED.value}")


async def test_recap_asked_twice_within_a_minute_is_answered_once(
    harness: BotHarness, emu: Emulator
):
    _, banit, group, _ = await linked(harness, emu)
    await banit.send("/rekap", chat=group)
    count = len(group.messages)
    await banit.send("/rekap", chat=group)
    assert len(group.messages) == count
    harness.clock.advance(timedelta(seconds=61))
    await banit.send("/rekap", chat=group)
    assert len(group.messages) == count + 1


async def test_group_upgraded_to_supergroup_keeps_its_link(harness: BotHarness, emu: Emulator):
    kanit, banit, group, _ = await linked(harness, emu)
    new_id = -1009999999999
    supergroup = emu.group(new_id, "Unit Binkamsa", members=[kanit, banit])
    await emu.deliver(emu.new_update("message", kanit._message(
        group, {"migrate_to_chat_id": new_id})))
    assert await link_of(harness) is None
    assert (await link_of(harness, new_id)).unit_code == "binkamsa"
    harness.clock.set(SATURDAY_1900)
    assert await run_due(harness) == 1
    assert supergroup.last.content.startswith("📊 Rekap harian")


async def test_the_scan_runs_as_a_periodic_job_that_never_misfires(harness: BotHarness):
    jobs = harness.application.job_queue.get_jobs_by_name("group-summaries")
    assert len(jobs) == 1
    assert jobs[0].job.misfire_grace_time is None
    await harness.restart()
    assert len(harness.application.job_queue.get_jobs_by_name("group-summaries")) == 1


async def test_retry_after_is_retried_later_and_sent_once(harness: BotHarness, emu: Emulator):
    _, _, group, people = await linked(harness, emu)
    await seed_week(harness, people)
    harness.clock.set(SUNDAY_1900)
    emu.fail_next("sendPhoto", kind="retry_after", chat_id=GROUP_ID, retry_after=30)
    await run_due(harness)
    assert sent_photos(emu, GROUP_ID) == []
    harness.clock.advance(timedelta(seconds=10))
    await run_due(harness)
    assert sent_photos(emu, GROUP_ID) == [], "not before Telegram's retry_after"
    harness.clock.advance(timedelta(seconds=25))
    await run_due(harness)
    assert len(sent_photos(emu, GROUP_ID)) == 1
    await run_due(harness)
    texts = [m for m in group.messages if "Rekap mingguan" in m.content]
    assert len(texts) == 2  # the chart with its caption, and the text


async def test_text_part_failing_does_not_resend_the_chart(harness: BotHarness, emu: Emulator):
    _, _, group, people = await linked(harness, emu)
    await seed_week(harness, people)
    harness.clock.set(SUNDAY_1900)
    # The daily text fails, then the weekly chart goes out and its text fails.
    emu.fail_next("sendMessage", kind="retry_after", chat_id=GROUP_ID, retry_after=5, times=2)
    await run_due(harness)
    assert len(sent_photos(emu, GROUP_ID)) == 1
    async with harness.db.reading() as repos:
        weekly = await repos.group_summaries.get(GROUP_ID, "weekly", date(2026, 11, 29))
    assert (weekly.status, weekly.parts_sent) == ("pending", 1)
    harness.clock.advance(timedelta(seconds=6))
    await harness.restart()
    assert await run_due(harness) == 2
    assert len(sent_photos(emu, GROUP_ID)) == 1
    assert [m.kind for m in group.messages if "Rekap mingguan" in m.content] == ["photo", "text"]
    assert len([m for m in group.messages if m.content.startswith("📊 Rekap harian")]) == 1


async def test_network_errors_are_retried_a_minute_later(harness: BotHarness, emu: Emulator):
    _, _, group, _ = await linked(harness, emu)
    harness.clock.set(SATURDAY_1900)
    emu.fail_next("sendMessage", kind="server_error", chat_id=GROUP_ID)
    assert await run_due(harness) == 0
    harness.clock.advance(timedelta(seconds=30))
    assert await run_due(harness) == 0
    harness.clock.advance(timedelta(seconds=31))
    assert await run_due(harness) == 1
    assert len([m for m in group.messages if m.content.startswith("📊 Rekap harian")]) == 1
    assert (await link_of(harness)).active


async def test_forbidden_deactivates_the_link(harness: BotHarness, emu: Emulator):
    _, _, group, people = await linked(harness, emu)
    harness.clock.set(SATURDAY_1900)
    emu.fail_next("sendMessage", kind="forbidden", chat_id=GROUP_ID,
                  description="Forbidden: bot was kicked from the supergroup chat")
    await run_due(harness)
    stored = await link_of(harness)
    assert not stored.active
    assert stored.deactivated_reason == "forbidden"
    async with harness.db.reading() as repos:
        entries = await repos.audit.recent()
    assert entries[0]["action"] == "group.deactivate"
    calls = len(emu.calls)
    harness.clock.set(SUNDAY_1900)
    assert await run_due(harness) == 0
    assert [c.method for c in emu.calls[calls:]] == []


async def test_late_summary_says_so_and_a_stale_one_is_skipped(
    harness: BotHarness, emu: Emulator
):
    _, _, group, _ = await linked(harness, emu)
    # The bot was down from before Saturday 19.00 until 21.00: sent, marked late.
    harness.clock.set(SATURDAY_1900 + timedelta(hours=2))
    await harness.restart()
    await run_due(harness)
    assert "terlambat" in group.last.text
    count = len(group.messages)
    # Down again from before Sunday 19.00 until Monday noon: both summaries are stale.
    harness.clock.set(SUNDAY_1900 + timedelta(hours=17))
    await harness.restart()
    await run_due(harness)
    assert len(group.messages) == count
    async with harness.db.reading() as repos:
        weekly = await repos.group_summaries.get(GROUP_ID, "weekly",
                                                 date(2026, 11, 29))
    assert weekly is not None
    assert weekly.status == "skipped"


async def test_summary_for_a_unit_counts_units_below_it(harness: BotHarness, emu: Emulator):
    kasat = emu.user(3001, "Kasat")
    await harness.seed_officer(kasat, name="Kasat Binmas", nrp="99990000", unit="satbinmas",
                               role="kasat", rank="AKP")
    _, _, _, group, people = await cast(harness, emu)
    group.members.append(kasat)
    await kasat.send("/hubungkan satbinmas", chat=group)
    assert (await link_of(harness)).unit_code == "satbinmas"
    seeded = await seed_week(harness, people, seed=2)
    harness.clock.set(SATURDAY_1900)
    await run_due(harness)
    start = SATURDAY_1900 - timedelta(days=1)
    total = sum(start <= r["at"] < start + timedelta(days=1) for r in seeded.reports)
    match = re.search(r"Laporan kegiatan: (\d+)", group.last.text)
    assert match is not None
    assert int(match.group(1)) == total


async def test_reporting_rate_comes_from_the_schedule(harness: BotHarness, emu: Emulator):
    _, _, group, people = await linked(harness, emu)
    wita = timedelta(hours=8)
    saturday = datetime(2026, 11, 28, tzinfo=UTC) - wita  # 00:00 WITA

    async def post(activity, unit, hour, officers):
        async with harness.db.transaction() as tx:
            post_id = await tx.assignments.create(
                activity_code=activity, unit_code=unit, place="Pos", sprin=None,
                starts_at=saturday + timedelta(hours=hour),
                ends_at=saturday + timedelta(hours=hour + 1), created_by=None,
                now=harness.clock.now(),
            )
            await tx.assignments.add_officers(post_id, [o.id for o in officers])

    async def report(officer, activity, hour, submitted_hour, number):
        async with harness.db.transaction() as tx:
            await tx.reports.create(
                number=f"T/{number}", activity_code=activity, officer_id=officer.id,
                unit_code=officer.unit_code,
                columns=ReportColumns(
                    started_at=saturday + timedelta(hours=hour, minutes=5),
                    ended_at=saturday + timedelta(hours=hour + 1),
                    place="Pos",
                ),
                answers={"residents": 3},
                assignment_id=None, now=saturday + timedelta(hours=submitted_hour),
            )

    banit, banit2 = people["banit"], people["banit2"]
    await post("sapta", "binkamsa", 7, [banit])
    await post("satria", "binkamsa", 9, [banit, banit2])
    await post("khidmat", "binpolmas", 11, [people["other_kanit"]])
    await post("mantap", "binkamsa", 20, [banit])  # after the summary: not missing yet
    await post("satria", "binkamsa", 17, [banit])  # ended, but its grace runs until 20.00
    await post("satria", "binkamsa", 14, [banit2])  # on leave then: not counted as missing
    async with harness.db.transaction() as tx:
        await tx.pauses.add(banit2.id, starts_at=saturday + timedelta(hours=12),
                            ends_at=saturday + timedelta(hours=16), reason="cuti",
                            now=harness.clock.now())
    await report(banit, "sapta", 7, 8.5, 1)
    await report(banit2, "satria", 9, 13, 2)  # three hours after the post: late
    harness.clock.set(SATURDAY_1900)
    await run_due(harness)
    text = group.last.text
    assert "Tingkat pelaporan: 2 dari 3 pos terjadwal (67%)" in text
    assert "terlambat dilaporkan: 1" in text


async def test_weekly_summary_carries_no_photo_sheet_by_default(
    harness: BotHarness, emu: Emulator
):
    from tests.support.reports import fill_sapta

    _, banit, group, _ = await linked(harness, emu)
    await fill_sapta(banit, photos=2)
    await banit.press("📤 Kirim laporan")
    harness.clock.set(SUNDAY_1900)
    await run_due(harness)
    assert len(sent_photos(emu, GROUP_ID)) == 1, "the chart only: photos can show residents"
    assert not [m for m in group.messages if "Dokumentasi" in m.content]


async def test_weekly_summary_carries_a_photo_sheet_without_exif_when_enabled(
    emu: Emulator, data_dir
):
    from tests.support.reports import fill_sapta

    harness = BotHarness(emu, data_dir, start=datetime(2026, 11, 28, 2, 0, tzinfo=UTC),
                         group_weekly_photo_sheet=True)
    await harness.start()
    try:
        _, banit, group, _ = await linked(harness, emu)
        await fill_sapta(banit, photos=2)
        await banit.press("📤 Kirim laporan")
        harness.clock.set(SUNDAY_1900)
        await run_due(harness)
        photos = sent_photos(emu, GROUP_ID)
        assert len(photos) == 2
        with Image.open(io.BytesIO(photos[1])) as sheet:
            sheet.load()
            assert sheet.format == "JPEG"
            assert not sheet.getexif()
        kinds = [m.kind for m in group.messages if "Rekap mingguan" in m.content
                 or "Dokumentasi" in m.content]
        assert kinds == ["photo", "photo", "text"]
        sheet_message = [m for m in group.messages if m.kind == "photo"][1]
        assert "2 foto" in sheet_message.caption
        everything = group_texts(group)
        for secret in ("Pak Hasan", "Jl. Raja Eyato", "RW 03", "0.5412"):
            assert secret not in everything, secret
    finally:
        await harness.stop()


async def test_many_groups_within_telegrams_rate_limits_get_one_summary_each(
    harness: BotHarness, emu: Emulator
):
    kanit, banit, other_kanit, _, people = await cast(harness, emu)
    groups = [emu.group(-100600 - index, f"Regu {index}", members=[kanit, banit])
              for index in range(12)]
    for group in groups:
        await kanit.send("/hubungkan", chat=group)
    await seed_week(harness, people)
    harness.clock.set(SUNDAY_1900)
    emu.enforce_rate_limits = True  # 30 messages a second overall, 20 a minute per group
    for _ in range(10):
        await run_due(harness)
        harness.clock.advance(timedelta(seconds=2))
    assert any(call.error_code == 429 for call in emu.calls), "the limit was reached"
    for group in groups:
        kinds = [m.kind for m in group.messages if m.content.startswith("📊 Rekap")]
        assert sorted(kinds) == ["photo", "text", "text"], group.title


async def test_every_summary_missed_while_down_is_sent_late_or_skipped_and_logged(
    emu: Emulator, data_dir, caplog
):
    # Saturday 28 November 2026, 10:00 WITA; late summaries stay useful for two days here.
    bot = BotHarness(emu, data_dir, start=datetime(2026, 11, 28, 2, 0, tzinfo=UTC),
                     group_summary_max_delay_hours=48)
    await bot.start()
    try:
        _, _, group, _ = await linked(bot, emu)
        # Down from Saturday morning until Monday 12:00 WITA.
        bot.clock.set(datetime(2026, 11, 30, 4, 0, tzinfo=UTC))
        await bot.restart()
        caplog.set_level("WARNING", logger="jobs.summaries")
        assert await run_due(bot) == 3
        titles = [m.content.split("\n")[:2] for m in group.messages
                  if m.content.startswith("📊 Rekap")]
        assert ["📊 Rekap harian — Unit Binkamsa",
                "Jumat, 27/11/2026 pukul 19.00 – Sabtu, 28/11/2026 pukul 19.00"] in titles
        assert ["📊 Rekap harian — Unit Binkamsa",
                "Sabtu, 28/11/2026 pukul 19.00 – Minggu, 29/11/2026 pukul 19.00"] in titles
        assert all("terlambat" in m.content for m in group.messages
                   if m.content.startswith("📊 Rekap") and m.kind == "text")
        # A week later with the bot down since: Monday's to Friday's dailies are too late.
        bot.clock.set(datetime(2026, 12, 7, 4, 0, tzinfo=UTC))
        await bot.restart()
        count = len(group.messages)
        await run_due(bot)
        skipped = [r for r in caplog.records if "too late" in r.getMessage()]
        assert len(skipped) == 5  # Saturday's, Sunday's and the week's are within 48 h
        assert len(group.messages) == count + 4  # two dailies, the weekly chart and text
        assert await run_due(bot) == 0
    finally:
        await bot.stop()


def settings_for(**overrides):
    from types import SimpleNamespace

    from config.settings import load_settings

    return SimpleNamespace(settings=load_settings(telegram_bot_token="1:x", **overrides))


def test_occurrences_keep_local_clock_time_across_daylight_saving():
    from zoneinfo import ZoneInfo

    from jobs.summaries import DAILY, WEEKLY, latest_occurrence, occurrences_after

    services = settings_for(timezone="Europe/Berlin")
    berlin = ZoneInfo("Europe/Berlin")
    # Summer time ends on Sunday 25 October 2026 at 03:00 in Berlin.
    now = datetime(2026, 10, 27, 20, 0, tzinfo=UTC)
    found = occurrences_after(DAILY, now, now - timedelta(days=4), services)
    assert [o.due_at.astimezone(berlin).strftime("%d %H:%M") for o in found] == [
        "27 19:00", "26 19:00", "25 19:00", "24 19:00"]
    assert found[2].period.end - found[2].period.start == timedelta(hours=25)
    weekly = latest_occurrence(WEEKLY, now, services)
    assert weekly.due_at.astimezone(berlin).strftime("%a %d %H:%M") == "Sun 25 19:00"
    assert (weekly.period.first_day.isoformat(), weekly.period.last_day.isoformat()) == (
        "2026-10-18", "2026-10-25")
    assert weekly.period.end == weekly.due_at
    assert weekly.period.end - weekly.period.start == timedelta(days=7, hours=1)


def test_weekly_day_and_time_come_from_settings():
    from datetime import time

    from jobs.summaries import WEEKLY, latest_occurrence

    services = settings_for(group_weekly_summary_day=0, group_weekly_summary_time=time(7, 30))
    # Monday 30 November 2026 07:29 WITA: the last one was the Monday before.
    before = latest_occurrence(WEEKLY, datetime(2026, 11, 29, 23, 29, tzinfo=UTC), services)
    after = latest_occurrence(WEEKLY, datetime(2026, 11, 29, 23, 30, tzinfo=UTC), services)
    assert before.due_at == datetime(2026, 11, 22, 23, 30, tzinfo=UTC)
    assert after.due_at == datetime(2026, 11, 29, 23, 30, tzinfo=UTC)


def test_every_key_built_at_run_time_exists():
    names = [f"summary.title_{kind}" for kind in
             ("daily", "weekly", "day", "week", "month", "custom")]
    names += [f"summary.chart_title_{kind}" for kind in
              ("weekly", "day", "week", "month", "custom")]
    names += [f"recap.button.{code}" for code in ("d", "w", "m", "chart", "rate")]
    names += ["command.rekap", "command.hubungkan", "command.putuskan", "menu.rekap"]
    assert [name for name in names if not TEXTS.has(name)] == []


async def test_group_summary_and_private_recap_show_the_same_numbers(
    harness: BotHarness, emu: Emulator
):
    kanit, banit, group, people = await linked(harness, emu)
    await seed_week(harness, people, seed=17)
    harness.clock.set(SATURDAY_1900)
    await kanit.send("/rekap", chat=group)
    summary = group.last.text.split("\n")[2:]
    await kanit.send("/rekap")
    private = kanit.last.text.split("\n")[2:]
    assert summary == private
    assert any(line.startswith("Laporan kegiatan: ") for line in summary)


async def test_group_migrating_after_a_summary_moves_its_link_and_others_are_still_served(
    harness: BotHarness, emu: Emulator
):
    kanit, banit, group, _ = await linked(harness, emu)
    other = emu.group(-100600, "Regu Satu", members=[kanit, banit])
    await kanit.send("/hubungkan", chat=other)
    harness.clock.set(SATURDAY_1900)
    assert await run_due(harness) == 2  # a summary row now points at the old chat id
    new_id = -1009999999999
    supergroup = emu.group(new_id, "Unit Binkamsa", members=[kanit, banit])
    harness.clock.set(SUNDAY_1900)
    # The group's first summary of the tick meets "upgraded to a supergroup".
    emu.fail_next("sendMessage", kind="migrated", chat_id=GROUP_ID, migrate_to_chat_id=new_id)
    await run_due(harness)
    assert (await link_of(harness, new_id)).unit_code == "binkamsa"
    assert await link_of(harness) is None
    other_kinds = sorted(m.kind for m in other.messages if m.content.startswith("📊 Rekap"))
    assert other_kinds == ["photo", "text", "text", "text"], "the other group is still served"
    harness.clock.advance(timedelta(minutes=1))
    assert await run_due(harness) == 2
    kinds = sorted(m.kind for m in supergroup.messages if m.content.startswith("📊 Rekap"))
    assert kinds == ["photo", "text", "text"]
    assert not [m for m in group.messages if "Minggu, 29/11/2026" in m.content]
    async with harness.db.reading() as repos:
        saturday = await repos.group_summaries.get(new_id, "daily", date(2026, 11, 28))
    assert saturday is not None
    assert saturday.status == "sent"


async def test_group_migrating_by_service_message_after_a_summary_keeps_its_history(
    harness: BotHarness, emu: Emulator
):
    kanit, banit, group, _ = await linked(harness, emu)
    harness.clock.set(SATURDAY_1900)
    assert await run_due(harness) == 1
    new_id = -1009999999999
    supergroup = emu.group(new_id, "Unit Binkamsa", members=[kanit, banit])
    await emu.deliver(emu.new_update("message", kanit._message(
        group, {"migrate_to_chat_id": new_id})))
    assert (await link_of(harness, new_id)).unit_code == "binkamsa"
    harness.clock.set(SUNDAY_1900)
    assert await run_due(harness) == 2
    assert len([m for m in supergroup.messages if m.content.startswith("📊 Rekap")]) == 3


async def test_one_groups_unexpected_failure_does_not_stop_the_others(
    harness: BotHarness, emu: Emulator, monkeypatch: pytest.MonkeyPatch
):
    import jobs.summaries

    kanit, banit, group, _ = await linked(harness, emu)
    other = emu.group(-100600, "Regu Satu", members=[kanit, banit])
    await kanit.send("/hubungkan", chat=other)

    async def broken(*_: object) -> None:
        raise RuntimeError("database trouble")

    monkeypatch.setattr(jobs.summaries, "migrate", broken)
    harness.clock.set(SATURDAY_1900)
    emu.fail_next("sendMessage", kind="migrated", chat_id=GROUP_ID, migrate_to_chat_id=-1009)
    assert await run_due(harness) == 1
    assert [m for m in other.messages if m.content.startswith("📊 Rekap harian")]
    async with harness.db.reading() as repos:
        record = await repos.group_summaries.get(GROUP_ID, "daily", date(2026, 11, 28))
    assert (record.status, record.attempts) == ("pending", 1)


async def test_a_report_filed_after_the_daily_summary_is_in_the_next_days_summary(
    harness: BotHarness, emu: Emulator
):
    _, banit, group, people = await linked(harness, emu)
    saturday_2100 = SATURDAY_1900 + timedelta(hours=2)
    async with harness.db.transaction() as tx:
        await tx.reports.create(
            number="T/21", activity_code="satria", officer_id=people["banit"].id,
            unit_code="binkamsa",
            columns=ReportColumns(
                started_at=saturday_2100,
                ended_at=saturday_2100 + timedelta(hours=1),
                place="Pos",
            ),
            answers={"residents": 4},
            assignment_id=None, now=saturday_2100 + timedelta(hours=1),
        )
    harness.clock.set(SATURDAY_1900)
    await run_due(harness)
    assert "Laporan kegiatan: 0" in group.last.text, "21.00 is after Saturday's summary"
    harness.clock.set(SUNDAY_1900)
    await run_due(harness)
    daily = next(m.content for m in reversed(group.messages)
                 if m.content.startswith("📊 Rekap harian"))
    assert "Sabtu, 28/11/2026 pukul 19.00 – Minggu, 29/11/2026 pukul 19.00" in daily
    assert "Laporan kegiatan: 1" in daily
    assert "• Budi Santoso — 1" in daily


def test_every_summary_covers_a_closed_period_and_consecutive_ones_leave_no_gap():
    from jobs.summaries import DAILY, WEEKLY, occurrences_after

    services = settings_for()
    now = datetime(2026, 12, 9, 12, 0, tzinfo=UTC)
    for kind in (DAILY, WEEKLY):
        found = occurrences_after(kind, now, now - timedelta(days=30), services)
        assert len(found) >= 4
        for newer, older in zip(found, found[1:], strict=False):
            assert newer.period.end == newer.due_at <= now
            assert older.period.end == newer.period.start, kind


def test_weekly_summary_on_a_wednesday_covers_the_seven_days_before_it():
    from datetime import time

    from jobs.summaries import WEEKLY, latest_occurrence

    services = settings_for(group_weekly_summary_day=2, group_weekly_summary_time=time(19, 0))
    # Wednesday 2 December 2026, 19:30 WITA.
    weekly = latest_occurrence(WEEKLY, datetime(2026, 12, 2, 11, 30, tzinfo=UTC), services)
    assert weekly.due_at == datetime(2026, 12, 2, 11, 0, tzinfo=UTC)
    assert weekly.period.start == datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
    assert weekly.period.end == weekly.due_at
    assert (weekly.period.first_day, weekly.period.last_day) == (
        date(2026, 11, 25), date(2026, 12, 2))


async def test_a_summary_resumed_after_its_sheet_vanished_still_sends_its_text(
    emu: Emulator, data_dir, monkeypatch: pytest.MonkeyPatch
):
    import jobs.summaries
    from tests.support.reports import fill_sapta

    harness = BotHarness(emu, data_dir, start=datetime(2026, 11, 28, 2, 0, tzinfo=UTC),
                         group_weekly_photo_sheet=True)
    await harness.start()
    try:
        _, banit, group, _ = await linked(harness, emu)
        await fill_sapta(banit, photos=1)
        await banit.press("📤 Kirim laporan")
        harness.clock.set(SUNDAY_1900)
        # The daily text fails, then the weekly chart and sheet go out and its text fails.
        emu.fail_next("sendMessage", kind="retry_after", chat_id=GROUP_ID, retry_after=5,
                      times=2)
        await run_due(harness)
        assert len(sent_photos(emu, GROUP_ID)) == 2
        # Before the retry the photos are gone (erased): the rebuilt summary has no sheet.

        async def no_sheet(*_: object) -> None:
            return None

        monkeypatch.setattr(jobs.summaries, "photo_sheet", no_sheet)
        harness.clock.advance(timedelta(seconds=6))
        assert await run_due(harness) == 2
        weekly = [m.kind for m in group.messages if "Rekap mingguan" in m.content]
        assert weekly == ["photo", "text"], "the text still goes out, the chart not again"
        assert len(sent_photos(emu, GROUP_ID)) == 2
    finally:
        await harness.stop()
