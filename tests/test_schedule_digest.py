"""Leader digests on a seeded week, their delivery time in WITA, and Telegram failures."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from domain.complaints import ComplaintStatus
from domain.people import Status
from domain.schedule import Delivery, Kind
from emulator import Emulator, pg
from emulator.harness import BotHarness
from jobs.summaries import run_due_summaries
from tests.support.digest import seed_report
from tests.support.schedule import count, notifications, scan, schedule_file, seed_unit, wita


async def seed_post(harness: BotHarness, officer_ids: list[int], start: datetime,
                    end: datetime, *, activity: str = "sapta", unit: str = "binkamsa") -> int:
    async with harness.db.transaction() as tx:
        post_id = await tx.assignments.create(
            activity_code=activity, unit_code=unit, place="Kel. Heledulaa", starts_at=start,
            ends_at=end, sprin=None, created_by=None, now=start,
        )
        assert post_id is not None
        await tx.assignments.add_officers(post_id, officer_ids)
    return post_id


async def test_digest_on_a_seeded_week(bot: BotHarness, emu: Emulator):  # noqa: F811
    kanit, budi_user, citra_user = await seed_unit(bot, emu)
    budi = (await bot.officer(budi_user)).id
    citra = (await bot.officer(citra_user)).id
    # Earlier in the week: reported posts that are not "the last 24 hours".
    for day in (23, 24, 25, 26):
        post = await seed_post(bot, [budi], wita(day, 8), wita(day, 9))
        await seed_report(bot, budi, wita(day, 8), wita(day, 9), wita(day, 9, 30),
                          number=f"LAP/SAPTA/2026/11/00{day}", post_id=post,
                          complaints=(("lainnya", "biasa"),))
    # The last 24 hours before Saturday 18:00.
    missing = await seed_post(bot, [citra], wita(27, 20), wita(27, 21))
    morning = await seed_post(bot, [budi, citra], wita(28, 8), wita(28, 9))
    await seed_post(bot, [budi], wita(28, 16, 30), wita(28, 17, 30))  # awaiting (grace runs)
    await seed_report(bot, budi, wita(28, 8), wita(28, 9), wita(28, 9, 30),
                      number="LAP/SAPTA/2026/11/0101", post_id=morning,
                      complaints=(("pencurian", "biasa"), ("narkoba", "darurat")))
    # Citra's report is not tied to the post but overlaps it: it counts, after the grace: late.
    await seed_report(bot, citra, wita(28, 8, 15), wita(28, 9, 15), wita(28, 12),
                      number="LAP/SAPTA/2026/11/0102", post_id=None,
                      complaints=(("kdrt", "segera"),))
    # Coming: tomorrow's post.
    await seed_post(bot, [budi, citra], wita(29, 8), wita(29, 9))
    assert missing

    bot.clock.set(wita(28, 17, 59))
    await scan(bot)
    assert count(kanit, "Ringkasan pimpinan") == 0
    bot.clock.set(wita(28, 18))
    await scan(bot)
    await scan(bot)
    assert count(kanit, "Ringkasan pimpinan") == 1
    digest = kanit.last
    assert digest.date == int(datetime(2026, 11, 28, 10, 0, tzinfo=UTC).timestamp())
    text = digest.text
    assert "Sabtu, 28/11/2026 18.00 WITA" in text
    assert "24 jam terakhir · Jumat, 27/11/2026 pukul 18.00 – Sabtu, 28/11/2026 pukul 18.00" \
        in text
    assert "Laporan kegiatan: 2" in text
    assert "Tingkat pelaporan: 2 dari 3 pos terjadwal (67%)" in text
    assert "Tugas yang berakhir: 4 · 1 tepat waktu · 1 terlambat · 1 tidak ada laporan" \
           " · 1 menunggu · 0 dijeda" in text
    assert "🕒 terlambat BRIPKA Citra Lestari" in text
    assert "❌ tidak ada laporan BRIPKA Citra Lestari — POS SAPTA Jumat, 27/11/2026 20.00" in text
    assert "Minggu, 29/11/2026 08.00–09.00 WITA" in text
    assert "BRIPKA Budi Santoso, BRIPKA Citra Lestari" in text
    assert "Keluhan warga: 3" in text
    assert text.index("• Narkoba: 1 (1 darurat)") < text.index("• Pencurian: 1")
    assert "Lainnya" not in text  # complaints of earlier days belong to their own days
    assert "terbuka lebih dari" not in text  # none older than a week
    assert "081234567890" not in text
    assert "Pak Hasan" not in text


async def test_retry_after_and_forbidden_during_digests(bot: BotHarness,  # noqa: F811
                                                        emu: Emulator):
    leaders = []
    for index, unit in enumerate(("binkamsa", "binpolmas", "bintibmas")):
        leader = emu.user(2100 + index, f"Kanit{index}")
        officer = emu.user(1100 + index, f"Banit{index}")
        await bot.seed_officer(leader, name=f"Kanit Unit {index}", nrp=f"2222000{index}",
                               unit=unit, role="kanit", rank="IPTU")
        stored = await bot.seed_officer(officer, name=f"Banit Unit {index}",
                                        nrp=f"3333000{index}", unit=unit)
        await seed_post(bot, [stored.id], wita(29, 8), wita(29, 9), unit=unit)
        leaders.append(leader)
    kasat = emu.user(2200, "Kasat")
    await bot.seed_officer(kasat, name="Kasat Binmas", nrp="44440000", unit="satbinmas",
                           role="kasat", rank="AKP")
    slow, blocked, fine = leaders
    emu.fail_next("sendMessage", kind="retry_after", chat_id=slow.id, retry_after=5)
    emu.fail_next("sendMessage", kind="forbidden", chat_id=blocked.id)

    bot.clock.set(wita(28, 18))
    result = await scan(bot)
    assert result.retried == 1
    assert count(fine, "Ringkasan pimpinan") == 1
    assert count(kasat, "Ringkasan pimpinan") == 1
    assert count(slow, "Ringkasan pimpinan") == 0
    assert count(blocked, "Ringkasan pimpinan") == 0
    assert (await bot.officer(blocked)).blocked_at is not None
    slot = wita(28, 18).astimezone(UTC)
    digests = {n.recipient_id: n for n in await notifications(bot)
               if n.kind is Kind.DIGEST and n.due_at == slot}
    blocked_id = (await bot.officer(blocked)).id
    assert digests[blocked_id].status is Delivery.FAILED
    assert digests[blocked_id].reason == "blocked"

    bot.clock.set(wita(28, 18).replace(second=3))
    await scan(bot)
    assert count(slow, "Ringkasan pimpinan") == 0  # Telegram asked for 5 seconds
    bot.clock.set(wita(28, 18).replace(second=6))
    await scan(bot)
    await scan(bot)
    assert count(slow, "Ringkasan pimpinan") == 1
    slow_id = (await bot.officer(slow)).id
    again = next(n for n in await notifications(bot)
                 if n.kind is Kind.DIGEST and n.recipient_id == slow_id and n.due_at == slot)
    assert again.status is Delivery.SENT
    assert again.attempts == 2
    assert again.late is False

    await kasat.send("/jadwal")
    assert "Kanit Unit 1 memblokir bot" in kasat.last.text


async def test_a_long_digest_stays_one_message(bot: BotHarness, emu: Emulator):  # noqa: F811
    kanit, budi_user, _ = await seed_unit(bot, emu)
    budi = (await bot.officer(budi_user)).id
    for index in range(150):
        start = wita(29, 0) + timedelta(minutes=6 * index)
        await seed_post(bot, [budi], start, start + timedelta(hours=1))
    bot.clock.set(wita(28, 18))
    await scan(bot)
    digest = kanit.last
    assert "Ringkasan pimpinan" in digest.text
    assert len(digest.text) <= 4096
    assert digest.text.endswith("… selengkapnya: /jadwal · /rekap · /keluhan")  # one tap


async def test_digest_missed_while_down_is_replaced_by_the_next(
    bot: BotHarness, emu: Emulator, caplog  # noqa: F811
):
    kanit, budi_user, _ = await seed_unit(bot, emu)
    budi = (await bot.officer(budi_user)).id
    await seed_post(bot, [budi], wita(29, 16), wita(29, 17))
    await bot.stop()
    bot.clock.set(wita(29, 7))  # down across Saturday 18:00 and Sunday 06:00
    caplog.set_level("INFO", logger="jobs.notifications")
    await bot.start()
    assert count(kanit, "Ringkasan pimpinan") == 1
    assert "Minggu, 29/11/2026 06.00 WITA" in kanit.last.text
    digests = sorted((n for n in await notifications(bot) if n.kind is Kind.DIGEST),
                     key=lambda n: n.due_at)
    assert [(n.status, n.reason, n.late) for n in digests[:2]] == [
        (Delivery.SKIPPED, "next_digest", False), (Delivery.SENT, None, True),
    ]
    assert any("stale (next_digest)" in record.getMessage() for record in caplog.records)


async def test_digest_duties_read_an_officers_reports_through_indexes(
    bot: BotHarness, emu: Emulator  # noqa: F811
):
    async with bot.db.reading() as repos:
        plan = await repos.recaps.duties_plan(["binkamsa"], wita(27, 18), wita(28, 18))
    if pg.POSTGRES:  # SQLite's INDEXED BY has no PostgreSQL spelling: the officer's index
        assert "reports_officer" in plan, plan
        return
    # The first report of a duty: tied by post, or overlapping in a bounded slice of time.
    assert "reports_assignment" in plan, plan
    assert "reports_officer_activity (officer_id=? AND activity_code=? AND started_at>? AND" \
           " started_at<?)" in plan, plan
    assert "SCAN r" not in plan, plan


async def test_a_digest_missed_while_down_leaves_no_hole(
    bot: BotHarness, emu: Emulator  # noqa: F811
):
    kanit, budi_user, _ = await seed_unit(bot, emu)
    budi = (await bot.officer(budi_user)).id
    await seed_report(bot, budi, wita(28, 10), wita(28, 11), wita(28, 12), number="LAP/1",
                      post_id=None, complaints=(("lainnya", "biasa"),))
    bot.clock.set(wita(28, 18))
    await scan(bot)
    assert "Keluhan warga: 1" in kanit.last.text
    # After Saturday's 18:00 digest; Sunday's 06:00 digest is skipped (bot down), and the
    # report is filed the next morning for Saturday evening's post.
    await seed_report(bot, budi, wita(28, 19), wita(28, 20), wita(29, 7), number="LAP/2",
                      post_id=None, complaints=(("lainnya", "biasa"), ("lainnya", "biasa")))
    await bot.stop()
    bot.clock.set(wita(29, 18, 30))
    await bot.start()
    assert count(kanit, "Ringkasan pimpinan") == 2  # not skipped as empty
    assert "Laporan kegiatan: 1" in kanit.last.text
    assert "Keluhan warga: 2" in kanit.last.text
    digests = sorted((n for n in await notifications(bot) if n.kind is Kind.DIGEST),
                     key=lambda n: n.due_at)
    assert [n.status for n in digests[:3]] == [Delivery.SENT, Delivery.SKIPPED, Delivery.SENT]


async def test_digest_lists_complaints_open_longer_than_the_configured_age(
    bot: BotHarness, emu: Emulator  # noqa: F811
):
    kanit, budi_user, _ = await seed_unit(bot, emu)
    budi = await bot.officer(budi_user)
    assert budi is not None
    other = emu.user(1500, "Dewi")
    dewi = await bot.seed_officer(other, name="Dewi Lain", nrp="87650000", unit="binpolmas")
    await seed_report(bot, budi.id, wita(10, 8), wita(10, 9), wita(10, 10), number="LAP/OLD/1",
                      post_id=None, complaints=(("narkoba", "darurat"), ("lainnya", "biasa")))
    await seed_report(bot, dewi.id, wita(12, 8), wita(12, 9), wita(12, 10), number="LAP/OLD/2",
                      post_id=None, complaints=(("pencurian", "biasa"),), unit="binpolmas")
    await seed_report(bot, budi.id, wita(25, 8), wita(25, 9), wita(25, 10), number="LAP/NEW",
                      post_id=None, complaints=(("kdrt", "biasa"),))
    async with bot.db.reading() as repos:
        old = await repos.complaint_desk.open_longer_than(["binkamsa"], wita(20, 0),
                                                          urgent=["darurat"], limit=10)
    narkoba = next(c for c in old if c.category == "narkoba")
    lainnya = next(c for c in old if c.category == "lainnya")
    async with bot.db.transaction() as tx:
        assert await tx.complaint_desk.assign(narkoba.id, expected=ComplaintStatus.NEW,
                                              officer_id=budi.id, actor_id=budi.id,
                                              now=wita(11, 9))
        assert await tx.complaint_desk.move(lainnya.id, expected=ComplaintStatus.NEW,
                                            new=ComplaintStatus.RESOLVED, actor_id=budi.id,
                                            note="Sudah ditangani", now=wita(11, 9))

    bot.clock.set(wita(28, 18))
    await scan(bot)
    text = kanit.last.text
    assert "Ringkasan pimpinan" in text
    assert "Keluhan terbuka lebih dari 7 hari: 1 — /keluhan" in text
    assert "• ❗ Narkoba — 18 hari · LAP/OLD/1 · Baru · BRIPKA Budi Santoso" in text
    assert "LAP/OLD/2" not in text  # another unit's
    assert "Pak Hasan" not in text
    assert "081234567890" not in text


async def test_digest_group_summary_and_recap_show_the_same_numbers(
    emu: Emulator, data_dir: Path, tmp_path: Path
):
    """One computation: on a seeded Saturday the 18:00 digest, the 18:00 daily group summary
    and /rekap for today carry the same lines, and they equal counts made here from the
    seeded rows."""
    harness = BotHarness(emu, data_dir, start=wita(28, 6), schedule_file=schedule_file(tmp_path),
                         group_daily_summary_time=time(18, 0))
    await harness.start()
    try:
        kanit, budi_user, citra_user = await seed_unit(harness, emu)
        budi = (await harness.officer(budi_user)).id
        citra = (await harness.officer(citra_user)).id
        group = emu.group(-100777, "Binkamsa", members=[kanit])
        await kanit.send("/hubungkan", chat=group)
        on_time = await seed_post(harness, [budi], wita(28, 7), wita(28, 8))
        await seed_post(harness, [citra], wita(28, 9), wita(28, 10))  # missing
        late = await seed_post(harness, [citra], wita(28, 11), wita(28, 12))
        await seed_report(harness, budi, wita(28, 7), wita(28, 8), wita(28, 8, 30),
                          number="LAP/A", post_id=on_time,
                          complaints=(("narkoba", "darurat"), ("pencurian", "biasa")))
        await seed_report(harness, citra, wita(28, 11), wita(28, 12), wita(28, 15),
                          number="LAP/B", post_id=late, complaints=(("narkoba", "biasa"),))
        await seed_report(harness, budi, wita(28, 13), wita(28, 14), wita(28, 14, 10),
                          number="LAP/C", post_id=None)  # unscheduled

        harness.clock.set(wita(28, 18))
        await scan(harness)
        services = harness.application.bot_data.services
        assert services is not None
        await run_due_summaries(services, harness.application.bot)
        digest = kanit.last.text
        summary = next(m.content for m in group.messages
                       if m.content.startswith("📊 Rekap harian"))
        await kanit.send("/rekap")
        recap = kanit.last.text
    finally:
        await harness.stop()

    def numbers(text: str) -> list[str]:
        """From the report count to the end of the complaints block."""
        lines = [*text.split("\n"), ""]
        first = next(i for i, line in enumerate(lines) if line.startswith("Laporan kegiatan"))
        complaints = next(i for i, line in enumerate(lines) if line.startswith("Keluhan warga:"))
        return lines[first:lines.index("", complaints)]

    expected = [
        "Laporan kegiatan: 3", "• POS SAPTA: 3", "• POS MANTAP: 0", "• POS SATRIA: 0",
        "• POS KHIDMAT: 0",
        "Tingkat pelaporan: 2 dari 3 pos terjadwal (67%)", "Di antaranya terlambat dilaporkan: 1",
        "Warga yang dijangkau: 0", "", "Anggota yang melapor (2)", "• Budi Santoso — 2",
        "• Citra Lestari — 1", "", "Keluhan warga: 3", "• Narkoba: 2 (1 darurat)",
        "• Pencurian: 1",
    ]
    assert numbers(digest) == expected
    assert numbers(summary) == expected
    assert numbers(recap) == expected


async def test_a_long_backlog_of_stale_complaints_is_listed_urgent_first_and_counted(
    bot: BotHarness, emu: Emulator  # noqa: F811
):
    kanit, budi_user, _ = await seed_unit(bot, emu)
    budi = (await bot.officer(budi_user)).id
    for day in range(1, 13):  # twelve complaints weeks old; the two newest are urgent
        urgency = "darurat" if day > 10 else "biasa"
        await seed_report(bot, budi, wita(day, 8), wita(day, 9), wita(day, 10),
                          number=f"LAP/OLD/{day:02d}", post_id=None,
                          complaints=(("kamtibmas", urgency),))
    async with bot.db.reading() as repos:
        plan = await repos.complaint_desk.open_plan(["binkamsa"], budi)
    assert "complaints_open" in plan, plan
    bot.clock.set(wita(28, 18))
    await scan(bot)
    lines = kanit.last.text.split("\n")
    heading = lines.index("⌛ Keluhan terbuka lebih dari 7 hari: 12 — /keluhan")
    listed = lines[heading + 1:heading + 11]
    assert [line.split(" · ")[1] for line in listed] == [
        "LAP/OLD/11", "LAP/OLD/12", *(f"LAP/OLD/{day:02d}" for day in range(1, 9))]
    assert listed[0].startswith("• ❗ ")
    assert lines[heading + 11] == "… dan 2 lainnya (lihat /keluhan)"


async def test_a_stale_complaints_assignee_is_named_even_when_suspended_since(
    bot: BotHarness, emu: Emulator  # noqa: F811
):
    kanit, budi_user, _ = await seed_unit(bot, emu)
    budi = await bot.officer(budi_user)
    assert budi is not None
    away = await bot.seed_officer(emu.user(1600, "Eko"), name="Eko Prasetyo", nrp="87659999",
                                  unit="binkamsa", status=Status.SUSPENDED)
    await seed_report(bot, budi.id, wita(10, 8), wita(10, 9), wita(10, 10), number="LAP/OLD/1",
                      post_id=None, complaints=(("narkoba", "darurat"),))
    async with bot.db.reading() as repos:
        (item,) = await repos.complaint_desk.open_longer_than(["binkamsa"], wita(20, 0),
                                                              urgent=["darurat"], limit=10)
    async with bot.db.transaction() as tx:
        assert await tx.complaint_desk.assign(item.id, expected=ComplaintStatus.NEW,
                                              officer_id=away.id, actor_id=budi.id,
                                              now=wita(11, 9))
    bot.clock.set(wita(28, 18))
    await scan(bot)
    line = next(line for line in kanit.last.text.split("\n") if "LAP/OLD/1" in line)
    assert line.endswith("· BRIPKA Eko Prasetyo"), line


async def test_a_missing_duty_of_an_officer_suspended_since_is_named(
    bot: BotHarness, emu: Emulator  # noqa: F811
):
    kanit, _, _ = await seed_unit(bot, emu)
    away = await bot.seed_officer(emu.user(1600, "Eko"), name="Eko Prasetyo", nrp="87659999",
                                  unit="binkamsa", status=Status.SUSPENDED)
    await seed_post(bot, [away.id], wita(27, 20), wita(27, 21))
    bot.clock.set(wita(28, 18))
    await scan(bot)
    line = next(line for line in kanit.last.text.split("\n") if "27/11/2026 20.00" in line)
    assert line.startswith("• ❌ tidak ada laporan BRIPKA Eko Prasetyo — POS SAPTA"), line


async def test_an_officer_outside_the_units_named_by_a_duty_is_not_listed_as_blocking(
    bot: BotHarness, emu: Emulator  # noqa: F811
):
    kanit, _, _ = await seed_unit(bot, emu)
    eko_user = emu.user(1600, "Eko")
    away = await bot.seed_officer(eko_user, name="Eko Prasetyo", nrp="87659999",
                                  unit="binkamsa", status=Status.SUSPENDED)
    async with bot.db.transaction() as tx:
        await tx.officers.mark_blocked(eko_user.id, wita(20, 8))
    await seed_post(bot, [away.id], wita(27, 20), wita(27, 21))
    bot.clock.set(wita(28, 18))
    await scan(bot)
    digest = kanit.last.text
    assert "BRIPKA Eko Prasetyo — POS SAPTA" in digest  # named on the duty's line
    assert "Memblokir bot" not in digest

