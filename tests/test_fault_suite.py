"""Fault suite: the real bot process is SIGKILLed again and again while officers file reports.

The bot runs as ``python -m bot`` against the emulator over HTTP on 127.0.0.1, exactly as in
production against Telegram. Officers (concurrent driver tasks) walk the SAPTA form; a killer
task SIGKILLs the process at random moments and starts it again. An answer counts as
acknowledged when the bot replied to it (the bot stores before it replies). At the end every
acknowledged answer must be stored exactly once, every report complete, and the database sound.

Run alone with ``python -m pytest -m fault -s`` to see the figures.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sqlite3
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from emulator import Emulator, SimUser
from emulator.media import make_jpeg
from storage import Database
from storage.maintenance import integrity_problems
from tests.conftest import TOKEN
from tests.support.faults import seed_officers
from tests.support.processes import python_path_env

# The bot processes' SQLite file is seeded and checked directly: on SQLite in both runs.
pytestmark = [pytest.mark.fault, pytest.mark.usefixtures("sqlite_file")]

OFFICERS = 3
KILLS = int(os.environ.get("FAULT_KILLS", "20"))
SEED = int(os.environ.get("FAULT_SEED", "6"))
ACK_TIMEOUT = 8.0
REPORTS_EACH = 2
SETTLE = 0.25
REMINDER = "dimulai sekarang"
REPLY_METHODS = frozenset({
    "sendMessage", "sendPhoto", "sendMediaGroup", "sendDocument",
    "editMessageText", "editMessageReplyMarkup", "editMessageCaption",
})


@dataclass
class Filed:
    """What one officer's report was given, and which of it the bot acknowledged."""

    sprin: str
    summary: str
    complaint: str
    acked: set[str] = field(default_factory=set)
    submitted: bool = False


@dataclass
class Figures:
    kills: int = 0
    starts: int = 0
    acknowledged: int = 0
    unacknowledged: int = 0


class BotProcess:
    """Starts, SIGKILLs and stops ``python -m bot``; collects its output."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.env, self.cwd = env, cwd
        self.process: asyncio.subprocess.Process | None = None
        self.log = cwd / "bot.log"

    async def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", cwd=self.cwd, env=self.env,
                stdout=log, stderr=log,
            )

    async def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        await self.process.wait()

    async def stop(self) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.process.wait(), 30)


class Officer:
    """A driver playing one officer: reads the last bot message, answers, waits for the reply."""

    def __init__(self, emu: Emulator, user: SimUser, figures: Figures, index: int) -> None:
        self.emu, self.user, self.figures, self.index = emu, user, figures, index
        self.reports: list[Filed] = []
        self.pending_submit = False

    def new_report(self) -> Filed:
        number = len(self.reports) + 1
        tag = f"{self.user.id}-{number}"
        filed = Filed(
            sprin=f"Sprin/{tag}/XI/2026",
            summary=f"Sambang warga RT {tag}, situasi aman dan kondusif.",
            complaint=f"Lampu jalan padam di gang {tag}",
        )
        self.reports.append(filed)
        return filed

    async def act(self, action, key: str | None = None) -> bool:
        """Do one action; True when the bot answered it (then ``key`` counts as stored)."""
        start = len(self.emu.calls)
        await action()
        acked = await self._wait_reply(start)
        if acked:
            self.figures.acknowledged += 1
            if key is not None and self.reports:
                self.reports[-1].acked.add(key)
        else:
            self.figures.unacknowledged += 1
        return acked

    def _replies_since(self, start: int) -> int:
        return sum(
            1 for call in self.emu.calls[start:]
            if call.ok and call.method in REPLY_METHODS
            and str(call.params.get("chat_id")) == str(self.user.id)
        )

    async def _wait_reply(self, start: int) -> bool:
        try:
            await self.emu.wait_for(lambda: self._replies_since(start) > 0, ACK_TIMEOUT)
        except AssertionError:
            return False
        seen = self._replies_since(start)
        while True:  # one answer may bring several messages: wait until they stop
            await asyncio.sleep(SETTLE)
            now = self._replies_since(start)
            if now == seen:
                return True
            seen = now

    async def file_reports(self, until: asyncio.Event) -> None:
        """File reports until told to stop (finishing the current one), at least REPORTS_EACH."""
        while not until.is_set() or len(self.reports) < REPORTS_EACH:
            await self.file_one()

    async def file_one(self) -> None:
        filed = self.new_report()
        await self.act(lambda: self.user.send("/lapor"))
        for _ in range(120):
            done = await self.step(filed)
            if done:
                return
        raise AssertionError(f"officer {self.user.id} stuck at: {self.user.last.content}")

    async def step(self, filed: Filed) -> bool:  # noqa: C901 - one branch per form state
        """Answer whatever the bot shows last; True once the report is submitted.

        A question is answered by its button only while the message still shows it: a kill
        can leave the last message an answered question (buttons removed) with the next one
        never sent, and then /lanjut asks again."""
        user = self.user
        if any("Laporan terkirim dengan nomor" in m.content for m in user.messages[-6:]) \
                and self.pending_submit:
            filed.submitted, self.pending_submit = True, False
            return True
        last = user.last
        text = last.content
        labels = [label for row in last.buttons for label in row]
        if "Tidak ada laporan yang belum selesai" in text:
            if self.pending_submit:  # the submit was applied before a kill: it is in
                filed.submitted, self.pending_submit = True, False
                return True
            await self.act(lambda: user.send("/lapor"))
        elif "Periksa laporan" in text and "📤 Kirim laporan" in labels:
            self.pending_submit = True
            await self.act(lambda: user.press("📤 Kirim laporan", last), "submit")
        elif "belum selesai" in text and "▶️ Lanjutkan" in labels:
            await self.act(lambda: user.press("▶️ Lanjutkan", last))
        elif "POS SAPTA" in labels:
            await self.act(lambda: user.press("POS SAPTA", last))
        elif "✏️ Nomor Sprin" in labels:  # preset empty: this report has a Sprin to type
            await self.act(lambda: user.press("✏️ Nomor Sprin", last))
        elif "Surat Perintah Tugas" in text:
            await self.act(lambda: user.send(filed.sprin), "sprin")
        elif "satu jam terakhir" in str(labels):
            await self.act(lambda: user.press("satu jam terakhir", last))
        elif "📍 Tersimpan" in text:
            await self.act(lambda: user.press("➡️ Lanjut", last))
        elif "(📎 → Lokasi)" in text:
            await self.act(lambda: user.send_location(0.5412, 123.0595))
        elif "✅ Saya mematuhi peringatan ini" in labels:
            await self.act(lambda: user.press("✅ Saya mematuhi peringatan ini", last))
        elif "✅ Lengkap semua" in labels:
            await self.act(lambda: user.press("✅ Lengkap semua", last))
        elif "Uraikan singkat" in text:
            await self.act(lambda: user.send(filed.summary), "summary")
        elif "✅ Simpan keluhan" in labels:
            await self.act(lambda: user.press("✅ Simpan keluhan", last))
        elif "Ketik isi keluhan" in text:
            await self.act(lambda: user.send(filed.complaint), "complaint")
        elif "Pencurian" in labels:
            if filed.complaint in text:
                await self.act(lambda: user.press("✅ Selesai", last))
            else:
                await self.act(lambda: user.press("Pencurian", last))
        elif "Foto dokumentasi" in text or "Foto tersimpan" in text:
            if "Foto tersimpan" in text and "✅ Selesai" in labels:
                await self.act(lambda: user.press("✅ Selesai", last))
            else:
                photo = make_jpeg(320, 240, color=(self.index * 60, len(self.reports) * 7, 99))
                await self.act(lambda: user.send_photo(photo), "photo")
        elif "Berapa" in text:
            await self.act(lambda: user.send("25"))
        elif "⏭ Lewati" in labels:
            await self.act(lambda: user.press("⏭ Lewati", last))
        elif any(label.startswith("✅ ") and label != "✅ Selesai" for label in labels):
            await self.act(lambda: user.press("✅ Selesai", last))
        elif any(label.startswith("⬜ ") for label in labels):
            await self.act(lambda: user.press(labels[0], last))
        else:
            # Anything unexpected (an error notice, a late message): ask where we are.
            await self.act(lambda: user.send("/lanjut"))
        return False


def reminders_settled(path: Path) -> bool:
    """Whether the outbox holds start reminders and none is still pending or being sent."""
    if not path.exists():
        return False
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)
    try:
        rows = connection.execute(
            "SELECT status FROM notifications WHERE kind = 'reminder'"
        ).fetchall()
    except sqlite3.Error:
        return False
    finally:
        connection.close()
    return bool(rows) and all(status not in ("pending", "sending") for (status,) in rows)


def reminder_schedule(path: Path) -> datetime:
    """A schedule whose only post starts at the next minute at least 20 s away (a reminder
    at its start), so that the reminder falls due while the bot is being killed."""
    zone = ZoneInfo("Asia/Makassar")
    start = (datetime.now(zone) + timedelta(seconds=80)).replace(second=0, microsecond=0)
    path.write_text(
        "reminder_offsets_minutes = [0]\ngrace_minutes = 600\ndigest_times = []\n"
        "horizon_days = 1\nholidays = []\n\n[[rules]]\nkey = \"satria_fault\"\n"
        f"activity = \"satria\"\ndays = [\"daily\"]\nstart = \"{start:%H:%M}\"\n"
        "unit = \"binkamsa\"\n",
        encoding="utf-8",
    )
    return start


async def test_sigkill_loses_no_acknowledged_answer(tmp_path: Path):
    rng = random.Random(SEED)
    emu = Emulator(token=TOKEN, bot_username="polmas_test_bot", bot_id=123456)
    base_url, file_url = await emu.start_http()
    reminder_at = reminder_schedule(tmp_path / "schedule.toml")
    env = python_path_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=base_url,
                          TELEGRAM_API_FILE_URL=file_url,
                          SCHEDULE_FILE=str(tmp_path / "schedule.toml"),
                          LOG_LEVEL=os.environ.get("FAULT_LOG_LEVEL", "WARNING"))
    database = tmp_path / "data" / "polmas.sqlite3"
    bot = BotProcess(env, tmp_path)
    figures = Figures()
    users = [emu.user(5000 + i, f"Petugas{i}") for i in range(OFFICERS)]
    for user in users:
        user.started = True
    started = asyncio.get_running_loop().time()
    try:
        await bot.start()
        figures.starts += 1
        await emu.wait_for(lambda: bool(emu.calls_to("setMyCommands")), 60)
        await seed_officers(database, users)
        officers = [Officer(emu, user, figures, i) for i, user in enumerate(users)]
        enough = asyncio.Event()

        def reminded() -> bool:
            """Every start reminder settled: received, or lost in the claim window (unknown).

            Reminders are at-most-once by design (a duplicate is worse than a rare loss): a
            kill between claiming a row and sending marks it unknown, never resent.
            """
            if all(any(REMINDER in m.content for m in u.messages) for u in users):
                return True
            return reminders_settled(database)

        async def killer() -> None:
            # Kill on until the reminder went out too, so that it is sent amid the kills.
            deadline = asyncio.get_running_loop().time() + 120
            while figures.kills < KILLS or (
                not reminded() and asyncio.get_running_loop().time() < deadline
            ):
                # After the planned kills, longer lives: start-up must reach the outbox scan.
                await asyncio.sleep(
                    rng.uniform(0.3, 2.5) if figures.kills < KILLS else rng.uniform(2.5, 5.0)
                )
                await bot.kill()
                figures.kills += 1
                await bot.start()
                figures.starts += 1
            enough.set()

        killing = asyncio.create_task(killer())
        try:
            await asyncio.wait_for(
                asyncio.gather(killing, *(o.file_reports(enough) for o in officers)), 240
            )
        except TimeoutError:
            where = {o.user.id: o.user.messages[-1].content[:80] if o.user.messages else None
                     for o in officers}
            raise AssertionError(f"no progress; {figures}; officers at {where}") from None
        # The post's start reminder must reach every officer, once (kills or not).
        wait = (reminder_at - datetime.now(UTC)).total_seconds() + 45
        await emu.wait_for(
            reminded,
            max(wait, 5),
            "the start reminder for every officer",
        )
        # A SIGTERM before the bot has started (the killer may just have restarted it) ends
        # the process with -15 before PTB's handlers exist: stop it once it polls again.
        emu.record_get_updates = True
        await emu.wait_for(lambda: bool(emu.calls_to("getUpdates")), 30,
                           "the restarted bot to poll")
        assert await bot.stop() == 0
    finally:
        if bot.process is not None and bot.process.returncode is None:
            bot.process.kill()
            await bot.process.wait()
        await asyncio.wait_for(emu.stop_http(), 15)
    elapsed = asyncio.get_running_loop().time() - started

    # ---- what is stored -----------------------------------------------------------------
    assert integrity_problems(database) == []
    store = Database(database)
    await store.open()
    try:
        async with store.reading() as repos:
            reports = await repos.reports.all()
            notifications = await repos.notifications.all()
            details = [
                (
                    r,
                    await repos.complaints.of_report(r.id),
                    await repos.report_photos.of_report(r.id),
                )
                for r in reports
            ]
    finally:
        await store.close()
    by_sprin = Counter(r.answers.get("sprin") for r in reports)
    lost: list[str] = []
    filed_count = 0
    for officer in officers:
        for filed in officer.reports:
            mine = [(r, c, p) for r, c, p in details if r.answers.get("sprin") == filed.sprin]
            if filed.submitted:
                filed_count += 1
                if not mine:
                    lost.append(f"report {filed.sprin}")
                    continue
            if not mine:
                continue
            report, complaints, photos = mine[0]
            if "summary" in filed.acked and report.answers.get("summary") != filed.summary:
                lost.append(f"summary of {filed.sprin}")
            described = [c.description for c in complaints]
            if "complaint" in filed.acked and filed.complaint not in described:
                lost.append(f"complaint of {filed.sprin}")
            if "photo" in filed.acked and not photos:
                lost.append(f"photo of {filed.sprin}")
    duplicates = [s for s, n in by_sprin.items() if n > 1]
    for report, complaints, _ in details:
        counts = Counter(c.description for c in complaints)
        duplicates += [f"{report.number}: {d}" for d, n in counts.items() if n > 1]
    reminders = Counter(n.key for n in notifications if n.status.value == "sent")
    received = {u.id: sum(REMINDER in m.content for m in u.messages) for u in users}
    unknown = [n.key for n in notifications if n.status.value == "unknown"]
    reminders_twice = [user for user, count in received.items() if count > 1]
    # A reminder not received must be one the outbox knows it may have lost (claimed, killed).
    assert sum(1 for count in received.values() if count == 0) <= len(unknown), (received,
                                                                                   unknown)
    duplicates += [k for k, n in reminders.items() if n > 1] + [f"reminder to {u}"
                                                                   for u in reminders_twice]
    incomplete = [
        r.number for r, complaints, photos in details
        if not (r.number and r.answers.get("sprin") and r.answers.get("summary")
                and len(complaints) == 1 and photos)
    ]
    print(
        f"\nfault suite: kills survived {figures.kills}, bot starts {figures.starts}, "
        f"officers {OFFICERS}, reports filed {len(reports)} (submitted and seen {filed_count}), "
        f"answers acknowledged {figures.acknowledged}, unacknowledged {figures.unacknowledged}, "
        f"answers lost {len(lost)}, duplicates {len(duplicates)}, incomplete {len(incomplete)}, "
        f"start reminders sent {len(reminders)} (none twice: {not reminders_twice}, "
        f"lost in the claim window: {len(unknown)}), "
        f"integrity_check ok; {elapsed:.0f} s"
    )
    assert figures.kills >= KILLS
    assert lost == []
    assert duplicates == []
    assert incomplete == []
    assert len(reports) == filed_count
