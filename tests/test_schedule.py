"""Schedules through the emulator: /tugas, reminders, overdue warnings, escalation, restarts.

Time moves with the harness's ManualClock and the scan is called directly
(``run_due_notifications``) instead of waiting for the JobQueue: no sleeping.
"""

from __future__ import annotations

from datetime import UTC, timedelta
from pathlib import Path

import pytest

from domain.schedule import Delivery, Kind
from emulator import Emulator
from emulator.harness import BotHarness
from storage.schedule import NotificationRepository
from tests.conftest import ADMIN_TELEGRAM_ID
from tests.support.reports import walk_rest
from tests.support.schedule import (
    BUDI_ID,
    KANIT_ID,
    assign_post,
    count,
    notifications,
    scan,
    schedule_file,
    seed_unit,
    wita,
)
from ui.ratelimit import RetryingRateLimiter


async def test_assignment_reminders_report_and_escalation(bot: BotHarness, emu: Emulator):
    kanit, budi, citra = await seed_unit(bot, emu)
    await assign_post(kanit, ["Budi Santoso", "Citra Lestari"])
    assert "Penugasan tersimpan" in kanit.texts[-1]
    for officer in (budi, citra):
        assert "Tugas baru" in officer.last.text
        assert "Minggu, 29/11/2026 08.00–09.00 WITA" in officer.last.text
        assert "RW 03 Kel. Heledulaa" in officer.last.text

    bot.clock.set(wita(29, 6, 59))
    await scan(bot)
    assert count(budi, "Pengingat") == 0
    bot.clock.set(wita(29, 7))
    await scan(bot)
    for officer in (budi, citra):
        assert "Pengingat" in officer.last.text
        assert "60 menit lagi" in officer.last.text
        assert "📝 Lapor sekarang" in officer.last.buttons[0]
    bot.clock.set(wita(29, 8))
    await scan(bot)
    assert "dimulai sekarang" in budi.last.text
    assert "dimulai sekarang" in citra.last.text

    # Budi reports from the reminder's button: the post is prefilled and tied to the report.
    bot.clock.set(wita(29, 9, 10))
    await budi.press("📝 Lapor sekarang")
    assert "Saya mematuhi peringatan ini" in str(budi.last.buttons)
    await walk_rest(budi, photos=1)
    review = budi.last.text
    assert "Sprin/12/XI/2026" in review
    assert "RW 03 Kel. Heledulaa" in review
    await budi.press("📤 Kirim laporan")
    async with bot.db.reading() as repos:
        report = (await repos.reports.all())[0]
    assert report.started_at == wita(29, 8).astimezone(UTC)

    bot.clock.set(wita(29, 11, 1))
    await scan(bot)
    assert count(budi, "Laporan belum masuk") == 0
    assert "Laporan belum masuk" in citra.last.text
    assert count(kanit, "🚨") == 0

    bot.clock.set(wita(30, 0, 0))  # end of the day of the warning, but in the quiet hours
    await scan(bot)
    assert count(kanit, "🚨") == 0
    bot.clock.set(wita(30, 6, 0))  # the quiet hours are over: the leaders hear of it now
    await scan(bot)
    await scan(bot)
    assert count(kanit, "🚨") == 1
    escalation = next(text for text in kanit.texts if "🚨" in text)
    assert "Citra Lestari" in escalation
    assert "Budi" not in escalation
    assert count(citra, "Laporan belum masuk") == 1
    budi_id = (await bot.officer(budi)).id
    budi_overdue = next(n for n in await notifications(bot)
                        if n.kind is Kind.OVERDUE and n.recipient_id == budi_id)
    assert budi_overdue.status is Delivery.SKIPPED
    assert budi_overdue.reason == "reported"


async def test_late_report_clears_escalation_and_digest_says_late(bot: BotHarness,
                                                                  emu: Emulator):
    kanit, budi, _ = await seed_unit(bot, emu)
    await assign_post(kanit, ["Budi Santoso"])
    bot.clock.set(wita(29, 11, 5))
    await scan(bot)
    assert "Laporan belum masuk" in budi.last.text
    await budi.press("📝 Lapor sekarang")
    await walk_rest(budi, photos=1)
    await budi.press("📤 Kirim laporan")
    bot.clock.set(wita(30, 6))  # the escalation's moment, after the quiet hours
    await scan(bot)
    assert count(kanit, "🚨") == 0
    escalate = [n for n in await notifications(bot) if n.kind is Kind.ESCALATE]
    assert [n.status for n in escalate] == [Delivery.SKIPPED]
    digest = kanit.last.text
    assert "Ringkasan pimpinan" in digest
    assert "1 terlambat" in digest
    assert "terlambat Budi" in digest.replace("🕒 ", "") or "🕒 terlambat" in digest


async def test_restart_before_a_reminder_sends_it_once_marked_late(bot: BotHarness,
                                                                   emu: Emulator):
    kanit, budi, _ = await seed_unit(bot, emu)
    await assign_post(kanit, ["Budi Santoso"])
    await bot.stop()
    bot.clock.set(wita(29, 7, 30))  # the 07:00 reminder fell due while the bot was down
    await bot.start()
    assert count(budi, "60 menit lagi") == 1
    assert "tertunda" in budi.last.text
    await bot.restart()
    await bot.restart()
    await scan(bot)
    assert count(budi, "60 menit lagi") == 1
    reminder = next(n for n in await notifications(bot) if n.key.endswith(":60"))
    assert reminder.status is Delivery.SENT
    assert reminder.late is True
    bot.clock.set(wita(29, 8))
    await scan(bot)
    await bot.restart()
    assert count(budi, "dimulai sekarang") == 1


async def test_stopped_across_a_whole_post(bot: BotHarness, emu: Emulator):
    kanit, budi, _ = await seed_unit(bot, emu)
    await assign_post(kanit, ["Budi Santoso"])
    await bot.stop()
    bot.clock.set(wita(29, 11, 30))
    await bot.start()
    assert count(budi, "Pengingat") == 0
    assert count(budi, "dimulai sekarang") == 0
    assert count(budi, "Laporan belum masuk") == 1
    stored = await notifications(bot)
    reminders = [n for n in stored if n.kind is Kind.REMINDER]
    assert {n.status for n in reminders} == {Delivery.SKIPPED}
    assert {n.reason for n in reminders} == {"post_ended"}
    overdue = next(n for n in stored if n.kind is Kind.OVERDUE)
    assert overdue.status is Delivery.SENT
    assert overdue.late is True


async def test_down_until_the_post_began_skips_the_early_reminder(bot: BotHarness,
                                                                   emu: Emulator):
    kanit, budi, _ = await seed_unit(bot, emu)
    await assign_post(kanit, ["Budi Santoso"])
    await bot.stop()
    bot.clock.set(wita(29, 8, 10))  # both reminders fell due while the bot was down
    await bot.start()
    assert count(budi, "60 menit lagi") == 0  # "in 60 minutes" after the start is wrong
    assert count(budi, "dimulai sekarang") == 1  # the start reminder helps until the end
    reminders = {n.key.rsplit(":", 1)[1]: n for n in await notifications(bot)
                 if n.kind is Kind.REMINDER}
    assert (reminders["60"].status, reminders["60"].reason) == (Delivery.SKIPPED,
                                                                "post_started")
    assert (reminders["0"].status, reminders["0"].late) == (Delivery.SENT, True)


async def test_leader_moves_a_post_and_reminders_follow(bot: BotHarness, emu: Emulator):
    kanit, budi, _ = await seed_unit(bot, emu)
    await assign_post(kanit, ["Budi Santoso"])
    await kanit.send("/jadwal")
    assert "Jadwal pos unit" in kanit.last.text
    await kanit.press("POS SAPTA")
    await kanit.press("🕐 Pindah waktu")
    await kanit.press("Besok")
    await kanit.send("14.00")
    assert "Minggu, 29/11/2026 14.00–15.00 WITA" in kanit.last.text
    await kanit.press("✅ Pindahkan")
    assert "Pos dipindahkan" in kanit.texts[-1]
    assert "Jadwal pos diubah" in budi.last.text
    assert "di RW 03 Kel. Heledulaa sekarang Minggu, 29/11/2026 14.00–15.00 WITA." in (
        budi.last.text)

    bot.clock.set(wita(29, 7))
    await scan(bot)
    bot.clock.set(wita(29, 8))
    await scan(bot)
    assert count(budi, "Pengingat") == 0
    bot.clock.set(wita(29, 13))
    await scan(bot)
    assert count(budi, "60 menit lagi") == 1
    old = [n for n in await notifications(bot) if n.key.startswith("reminder:") and "r0:" in n.key]
    assert old
    assert {(n.status, n.reason) for n in old} == {(Delivery.SKIPPED, "moved")}


async def test_leader_cancels_a_post(bot: BotHarness, emu: Emulator):
    kanit, budi, _ = await seed_unit(bot, emu)
    await assign_post(kanit, ["Budi Santoso"])
    await kanit.send("/jadwal")
    await kanit.press("POS SAPTA")
    await kanit.press("✖️ Batalkan pos")
    await kanit.press("↩️ Tidak")
    assert kanit.callback_answers[-1].get("show_alert") is not True
    await kanit.send("/jadwal")
    await kanit.press("POS SAPTA")
    await kanit.press("✖️ Batalkan pos")
    await kanit.press("✖️ Ya, batalkan pos")
    assert "Pos dibatalkan" in budi.last.text
    bot.clock.set(wita(30, 1))
    await scan(bot)
    assert count(budi, "Pengingat") == 0
    assert count(budi, "Laporan belum masuk") == 0
    assert count(kanit, "🚨") == 0


async def test_paused_officer_gets_no_reminders_and_leader_sees_it(bot: BotHarness,
                                                                   emu: Emulator):
    kanit, budi, citra = await seed_unit(bot, emu)
    await assign_post(kanit, ["Budi Santoso", "Citra Lestari"])
    await budi.send("/jadwal")
    assert "POS SAPTA" in budi.last.text
    await budi.press("⏸ Jeda pengingat")
    await budi.press("3 hari")
    await budi.press("sakit")
    assert "dijeda sampai" in budi.last.text
    await kanit.send("/jadwal")
    assert "Budi Santoso — sampai" in kanit.last.text
    for moment in (wita(29, 7), wita(29, 8), wita(29, 11, 1), wita(30, 6, 5)):
        bot.clock.set(moment)
        await scan(bot)
    assert count(budi, "menit lagi") + count(budi, "dimulai sekarang") == 0
    assert count(budi, "Laporan belum masuk") == 0
    assert count(citra, "menit lagi") + count(citra, "dimulai sekarang") == 2
    escalations = [text for text in kanit.texts if "🚨" in text]
    assert len(escalations) == 1
    assert "Citra" in escalations[0]


async def test_report_just_after_midnight_belongs_to_the_post(bot: BotHarness, emu: Emulator):
    kanit, budi, _ = await seed_unit(bot, emu)
    await assign_post(kanit, ["Budi Santoso"], day="Hari ini", start="23.00")
    bot.clock.set(wita(29, 0, 20))  # Sunday already
    await scan(bot)
    assert count(budi, "menit lagi") == 0  # stale: the post ended before the scan
    await budi.send("/jadwal")
    await budi.press("📝 Lapor POS SAPTA 28/11 23.00")
    await walk_rest(budi, photos=1)
    await budi.press("📤 Kirim laporan")
    async with bot.db.reading() as repos:
        report = (await repos.reports.all())[0]
        post = await repos.assignments.by_id(1)
        assert post is not None
        reported = await repos.assignments.reported_at(post, report.officer_id)
    assert reported == report.submitted_at
    assert report.started_at == wita(28, 23).astimezone(UTC)
    bot.clock.set(wita(29, 3))
    await scan(bot)
    assert count(budi, "Laporan belum masuk") == 0


async def test_redelivered_save_creates_one_post(bot: BotHarness, emu: Emulator):
    kanit, budi, _ = await seed_unit(bot, emu)
    await kanit.send("/tugas")
    await kanit.press("POS SAPTA")
    await kanit.send("Pos kamling RW 2")
    await kanit.press("Besok")
    await kanit.send("08.00")
    await kanit.press("60 menit (SOP)")
    await kanit.press("⏭ Tanpa Sprin")
    await kanit.press("⬜ BRIPKA Budi Santoso")
    await kanit.press("✅ Selesai")
    update = await kanit.press("✅ Simpan tugas")
    await emu.redeliver(update)
    await bot.restart()
    async with bot.db.reading() as repos:
        assert await repos.assignments.by_id(2) is None
    assert count(budi, "Tugas baru") == 1


async def test_typed_answers_are_checked(bot: BotHarness, emu: Emulator):
    kanit, _, _ = await seed_unit(bot, emu)
    await kanit.send("/tugas")
    await kanit.press("POS KHIDMAT")
    await kanit.send("Masjid Agung Baiturrahim")
    await kanit.send("31/02")
    assert "Tanggal tidak dikenali" in kanit.last.text
    await kanit.send("27/11/2026")
    assert "sudah lewat" in kanit.last.text
    await kanit.press("Hari ini")
    await kanit.send("09.00")  # 09:00 today has passed (it is 10:00)
    assert "sudah lewat" in kanit.last.text
    await kanit.send("25.00")
    assert "Jam tidak dikenali" in kanit.last.text
    await kanit.send_sticker()
    assert "mengetik teks" in kanit.last.text
    await kanit.send("11.30")
    assert "Standar SOP 60 menit" in kanit.last.text
    await kanit.send("2")
    assert "5–720" in kanit.last.text
    await kanit.press("✖️ Batal")
    assert "Penugasan dibatalkan" in kanit.last.text


async def test_one_periodic_scan_is_registered_and_survives_misfires(bot: BotHarness):
    jobs = bot.application.job_queue.get_jobs_by_name("notifications")
    assert len(jobs) == 1
    job = jobs[0].job
    assert job.misfire_grace_time is None
    assert job.coalesce is True
    assert job.trigger.interval.total_seconds() == 30


async def test_english_officer_gets_english_reminders(bot: BotHarness, emu: Emulator):
    kanit = emu.user(KANIT_ID, "Kanit")
    await bot.seed_officer(kanit, name="Andi Kanit", nrp="11112222", unit="binkamsa",
                           role="kanit", rank="IPTU")
    budi = emu.user(BUDI_ID, "Budi")
    await bot.seed_officer(budi, name="Budi Santoso", nrp="87654321", unit="binkamsa",
                           language="en")
    await assign_post(kanit, ["Budi Santoso"])
    assert "New assignment" in budi.last.text
    assert "Sunday, 29/11/2026 08:00–09:00 WITA" in budi.last.text
    bot.clock.set(wita(29, 7))
    await scan(bot)
    assert "starts" in budi.last.text
    assert "📝 Report now" in budi.last.buttons[0]


async def test_network_error_is_retried_later(bot: BotHarness, emu: Emulator):
    kanit, budi, _ = await seed_unit(bot, emu)
    await assign_post(kanit, ["Budi Santoso"])
    emu.fail_next("sendMessage", kind="server_error", chat_id=budi.id)
    bot.clock.set(wita(29, 7))
    result = await scan(bot)
    assert result.retried == 1
    assert count(budi, "60 menit lagi") == 0
    bot.clock.set(wita(29, 7, 1))
    await scan(bot)
    assert count(budi, "60 menit lagi") == 1
    reminder = next(n for n in await notifications(bot) if n.key.endswith(":60"))
    assert reminder.attempts == 2
    assert reminder.status is Delivery.SENT


async def test_answers_go_to_the_conversation_touched_last(bot: BotHarness, emu: Emulator):
    kanit, _, _ = await seed_unit(bot, emu)
    await kanit.send("/tugas")
    await kanit.press("POS SAPTA")
    bot.clock.advance(timedelta(seconds=5))
    await kanit.send("/lapor")
    await kanit.press("POS SATRIA")
    await kanit.press("✏️ Nomor Sprin")
    await kanit.send("Sprin/99/XI/2026")  # the report's first question, not the post's place
    async with bot.db.reading() as repos:
        officer = await repos.officers.by_telegram_id(kanit.id)
        report = await repos.drafts.of_officer(officer.id)
        post = await repos.assign_drafts.get(officer.id)
    assert report.answers.get("sprin") == "Sprin/99/XI/2026"
    assert "place" not in post.answers


async def test_an_old_assignment_draft_does_not_swallow_messages(bot: BotHarness,
                                                                 emu: Emulator):
    kanit, _, _ = await seed_unit(bot, emu)
    await kanit.send("/tugas")
    await kanit.press("POS SAPTA")
    bot.clock.advance(timedelta(hours=3))
    await kanit.send("halo")
    assert "Di mana pos" not in kanit.last.text
    await bot.restart()
    await kanit.send("/tugas")
    assert "Di mana pos" in kanit.last.text  # resumed at the same step
    await kanit.send("Pos kamling RW 2")
    assert "Tanggal pelaksanaan" in kanit.last.text


async def test_report_button_checks_who_and_what(bot: BotHarness, emu: Emulator):
    kanit, budi, citra = await seed_unit(bot, emu)
    await assign_post(kanit, ["Budi Santoso"])
    bot.clock.set(wita(29, 9, 5))
    await budi.send("/jadwal")
    schedule = budi.last
    # Citra is not on the post: a forged button opens nothing.
    await citra.send("/jadwal")
    await citra.press_forged("a:sc:rep:1", citra.last)
    assert "tidak berlaku" in citra.callback_answers[-1]["text"]  # as an old button would
    assert citra.messages[-1] is citra.last
    # A banit cannot manage posts with forged leader buttons.
    await budi.press_forged("a:sc:cxy:1:0", schedule)
    assert "tidak berlaku" in budi.callback_answers[-1]["text"]
    await budi.press("📝 Lapor POS SAPTA 29/11 08.00", schedule)
    await walk_rest(budi, photos=1)
    await budi.press("📤 Kirim laporan")
    await budi.press("📝 Lapor POS SAPTA 29/11 08.00", schedule)
    assert "sudah masuk" in budi.callback_answers[-1]["text"]
    async with bot.db.reading() as repos:
        post = await repos.assignments.by_id(1)
    assert post is not None
    assert post.status.value == "planned"


async def test_cancel_command_asks_then_discards_the_assignment_draft(bot: BotHarness,
                                                                      emu: Emulator):
    kanit, _, _ = await seed_unit(bot, emu)
    await kanit.send("/tugas")
    await kanit.press("POS SAPTA")
    await kanit.send("/batal")
    assert "Buang penugasan" in kanit.last.text
    await kanit.press("↩️ Tidak, lanjutkan")
    assert "Di mana pos" in kanit.last.text  # the same step again
    await kanit.send("Pos kamling RW 2")
    assert "Tanggal pelaksanaan" in kanit.last.text
    await kanit.send("/batal")
    await kanit.press("🗑 Ya, buang")
    assert "Penugasan dibatalkan" in kanit.last.text
    async with bot.db.reading() as repos:
        leader = await repos.officers.by_telegram_id(kanit.id)
        assert leader is not None
        assert await repos.assign_drafts.get(leader.id) is None
    await kanit.send("/batal")
    assert "Tidak ada proses" in kanit.last.text


@pytest.mark.parametrize("limiter", [True, False], ids=["rate_limiter", "no_limiter"])
async def test_a_timed_out_reminder_counts_as_sent_and_is_not_repeated(
    emu: Emulator, data_dir: Path, tmp_path: Path, limiter: bool
):
    # Production's limiter (which repeats timed-out replies) with short pauses.
    harness = BotHarness(
        emu, data_dir, start=wita(28, 10), admin_ids=frozenset({ADMIN_TELEGRAM_ID}),
        schedule_file=schedule_file(tmp_path),
        rate_limiter=RetryingRateLimiter(network_delays=(0.01, 0.01, 0.01)) if limiter else False,
    )
    await harness.start()
    try:
        kanit, budi, _ = await seed_unit(harness, emu)
        await assign_post(kanit, ["Budi Santoso"])
        # Telegram delivered the reminder, but the bot never heard back.
        emu.fail_next("sendMessage", kind="timeout", chat_id=budi.id, executed=True)
        harness.clock.set(wita(29, 7))
        await scan(harness)
        assert count(budi, "60 menit lagi") == 1
        harness.clock.set(wita(29, 7, 5))
        await scan(harness)
        await harness.restart()
        assert count(budi, "60 menit lagi") == 1
        reminder = next(n for n in await notifications(harness) if n.key.endswith(":60"))
        assert (reminder.status, reminder.reason, reminder.attempts) == (
            Delivery.SENT, "timed_out", 1)
    finally:
        await harness.stop()


class Crash(BaseException):
    """The process dying between two statements."""


async def test_a_crash_between_send_and_mark_does_not_resend(
    bot: BotHarness, emu: Emulator, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
):
    kanit, budi, _ = await seed_unit(bot, emu)
    await assign_post(kanit, ["Budi Santoso"])

    async def crash(*args: object, **kwargs: object) -> bool:
        raise Crash

    bot.clock.set(wita(29, 6, 59))
    await scan(bot)  # the leader's digest goes out first
    monkeypatch.setattr(NotificationRepository, "mark_sent", crash)
    bot.clock.set(wita(29, 7))
    with pytest.raises(Crash):
        await scan(bot)
    monkeypatch.undo()
    assert count(budi, "60 menit lagi") == 1
    await bot.restart()  # the claim is fresh: left alone, not resent
    caplog.set_level("WARNING", logger="jobs.notifications")
    bot.clock.set(wita(29, 7, 2))
    await bot.restart()  # a minute on: interrupted, marked unknown, still not resent
    await scan(bot)
    assert count(budi, "60 menit lagi") == 1
    reminder = next(n for n in await notifications(bot) if n.key.endswith(":60"))
    assert (reminder.status, reminder.reason) == (Delivery.UNKNOWN, "interrupted")
    assert any(reminder.key in r.getMessage() and "unknown" in r.getMessage()
               for r in caplog.records)
    bot.clock.set(wita(29, 8))
    await scan(bot)
    assert count(budi, "dimulai sekarang") == 1  # the others go out as usual


async def test_a_leader_of_many_officers_pages_through_them_when_assigning(
    bot: BotHarness, emu: Emulator
):
    kanit = emu.user(KANIT_ID, "Kanit")
    await bot.seed_officer(kanit, name="Andi Kanit", nrp="11112222", unit="binkamsa",
                           role="kanit", rank="IPTU")
    for index in range(25):
        await bot.seed_officer(emu.user(3100 + index, f"P{index}"), name=f"Petugas {index:02d}",
                               nrp=f"8800{index:04d}", unit="binkamsa")
    await kanit.send("/tugas")
    await kanit.press("POS SAPTA")
    await kanit.send("RW 03 Kel. Heledulaa")
    await kanit.press("Besok")
    await kanit.send("08.00")
    await kanit.press("60 menit (SOP)")
    await kanit.send("Sprin/12/XI/2026")
    listing = kanit.last
    labels = [label for row in listing.buttons for label in row]
    assert sum(label.startswith("⬜ ") for label in labels) == 20
    assert "Halaman 1/2" in listing.text
    await kanit.press("⬜ BRIPKA Petugas 00")
    await kanit.press("Berikutnya ➡️")
    assert kanit.last.message_id == listing.message_id  # the same message, edited
    assert "Halaman 2/2 · terpilih: 1" in kanit.last.text
    await kanit.press("⬜ BRIPKA Petugas 24")
    await kanit.press("✅ Selesai")
    assert "Periksa penugasan" in kanit.last.text
    assert "Petugas 00" in kanit.last.text
    assert "Petugas 24" in kanit.last.text
    await kanit.press("✅ Simpan tugas")
    async with bot.db.reading() as repos:
        posts = await repos.assignments.in_units(["binkamsa"], wita(28, 0), wita(30, 0))
    assert len(posts) == 1
    assert len(posts[0].officer_ids) == 2


async def test_typed_dates_and_times_read_as_the_report_form_reads_them(bot: BotHarness,
                                                                        emu: Emulator):
    """'12 des', '0830' and '24.00' (which the form took and /tugas refused) are read by the
    one lexer: 24.00 is the midnight that ends the typed day, so the post starts the next
    day at 00.00 (#17 item 2)."""
    kanit, _, _ = await seed_unit(bot, emu)
    leader = await bot.officer(kanit)
    assert leader is not None
    await kanit.send("/tugas")
    await kanit.press("POS SAPTA")
    await kanit.send("RW 03 Kel. Heledulaa")
    await kanit.send("12 des")
    await kanit.send("0830")
    async with bot.db.reading() as repos:
        draft = await repos.assign_drafts.get(leader.id)
    assert draft is not None
    assert (draft.answers["date"], draft.answers["time"]) == ("2026-12-12", "08:30")
    await kanit.press("✖️ Batal")

    await kanit.send("/tugas")
    await kanit.press("POS SAPTA")
    await kanit.send("RW 03 Kel. Heledulaa")
    await kanit.send("30 Nop")
    await kanit.send("24.30")
    assert "Jam tidak dikenali" in kanit.last.text
    await kanit.send("pukul 24.00 WITA")
    async with bot.db.reading() as repos:
        draft = await repos.assign_drafts.get(leader.id)
    assert draft is not None
    assert (draft.answers["date"], draft.answers["time"]) == ("2026-12-01", "00:00")
    await kanit.press("60 menit (SOP)")
    await kanit.press("⏭ Tanpa Sprin")
    await kanit.press("⬜ BRIPKA Budi Santoso")
    await kanit.press("✅ Selesai")
    assert "Waktu: Selasa, 01/12/2026 00.00–01.00 WITA" in kanit.last.text
