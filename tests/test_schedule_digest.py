"""Leader digests on a seeded week, their delivery time in WITA, and Telegram failures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.answers import Complaint
from domain.schedule import Delivery, Kind
from emulator import Emulator
from tests.harness import BotHarness
from tests.test_schedule import bot, count, notifications, scan, seed_unit, wita  # noqa: F401

__all__ = ["bot"]


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


async def seed_report(harness: BotHarness, officer_id: int, start: datetime, end: datetime,
                      submitted: datetime, *, number: str, post_id: int | None,
                      complaints: tuple[tuple[str, str], ...] = ()) -> None:
    async with harness.db.transaction() as tx:
        report_id = await tx.reports.create(
            number=number, activity_code="sapta", officer_id=officer_id, unit_code="binkamsa",
            started_at=start, ended_at=end, place="Kel. Heledulaa", latitude=None,
            longitude=None, equipment=None, warnings_ack_at=None, answers={},
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
    assert "4 tugas · 1 tepat waktu · 1 terlambat · 1 tidak ada laporan · 1 menunggu" in text
    assert "🕒 terlambat BRIPKA Citra Lestari" in text
    assert "❌ tidak ada laporan BRIPKA Citra Lestari — POS SAPTA Jumat, 27/11/2026 20.00" in text
    assert "Minggu, 29/11/2026 08.00 WITA–09.00" in text
    assert "BRIPKA Budi Santoso, BRIPKA Citra Lestari" in text
    assert "Keluhan sejak ringkasan lalu: 3" in text
    assert text.index("❗ Narkoba (Darurat): 1") < text.index("Pencurian (Biasa): 1")
    assert "Lainnya" not in text  # complaints of earlier days were in earlier digests
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
    assert digest.text.endswith("…")


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


async def test_digest_complaints_are_read_by_their_time(bot: BotHarness, emu: Emulator):  # noqa: F811
    _, budi_user, _ = await seed_unit(bot, emu)
    budi = (await bot.officer(budi_user)).id
    for index in range(60):  # two months of reports with a complaint each
        day = wita(1, 8) + timedelta(days=index)
        await seed_report(bot, budi, day, day + timedelta(hours=1), day + timedelta(hours=2),
                          number=f"LAP/SAPTA/2026/11/{index:04d}", post_id=None,
                          complaints=(("lainnya", "biasa"),))
    async with bot.db.reading() as repos:
        plan = await repos.assignments.complaints_plan(["binkamsa"], wita(28, 6), wita(28, 18))
        counts = await repos.assignments.complaints_between(["binkamsa"], wita(27, 6),
                                                            wita(28, 6))
    assert "complaints_created" in plan, plan
    assert "reports_unit" not in plan, plan
    assert [(c.category, c.count) for c in counts] == [("lainnya", 1)]


async def test_digest_counts_complaints_since_the_last_digest_sent(
    bot: BotHarness, emu: Emulator  # noqa: F811
):
    kanit, budi_user, _ = await seed_unit(bot, emu)
    budi = (await bot.officer(budi_user)).id
    await seed_report(bot, budi, wita(28, 10), wita(28, 11), wita(28, 12), number="LAP/1",
                      post_id=None, complaints=(("lainnya", "biasa"),))
    bot.clock.set(wita(28, 18))
    await scan(bot)
    assert "Keluhan sejak ringkasan lalu: 1" in kanit.last.text
    # Recorded after Saturday's 18:00 digest; Sunday's 06:00 digest is skipped (bot down).
    await seed_report(bot, budi, wita(28, 19), wita(28, 20), wita(28, 20, 30), number="LAP/2",
                      post_id=None, complaints=(("lainnya", "biasa"), ("lainnya", "biasa")))
    await bot.stop()
    bot.clock.set(wita(29, 18, 30))
    await bot.start()
    assert count(kanit, "Ringkasan pimpinan") == 2  # not skipped as empty
    assert "Keluhan sejak ringkasan lalu: 2" in kanit.last.text
    digests = sorted((n for n in await notifications(bot) if n.kind is Kind.DIGEST),
                     key=lambda n: n.due_at)
    assert [n.status for n in digests[:3]] == [Delivery.SENT, Delivery.SKIPPED, Delivery.SENT]
