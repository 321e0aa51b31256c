"""Test helpers for several real ``python -m bot`` webhook processes on one PostgreSQL schema
(issue #16; from tests/test_postgres_processes*.py).

:class:`Instances` starts the processes against the emulator served over HTTP, all on one
schema and one data directory (the shared photo store, as in deploy/docker-compose.yml),
spreads the emulator's updates over their webhook URLs (every third to two of them at once, as
a front does after a timeout), and keeps each process's log lines with the moment they were
written. :class:`ProcessOfficer` is the scripted officer of ``bench/taps.py`` for a bot in
another process: each action waits for the bot's answer and keeps what was answered.
"""

from __future__ import annotations

import asyncio
import json
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import httpx

from bench.taps import Officer
from domain.people import Status
from domain.schedule import Kind, ScheduleConfig, plan_officer
from emulator import Emulator, SimUser, pg
from storage import PostgresDatabase
from tests.conftest import TOKEN
from tests.support.processes import python_path_env
from tests.support.run_modes import SECRET, free_port, start_bot

WITA = ZoneInfo("Asia/Makassar")
SCHEDULE = 'reminder_offsets_minutes = [0]\ngrace_minutes = 600\ndigest_times = []\n'
"""No rules and no digests: the only notifications are the posts a test seeds."""
REPLY_METHODS = frozenset({
    "sendMessage", "sendPhoto", "sendMediaGroup", "sendDocument",
    "editMessageText", "editMessageReplyMarkup", "editMessageCaption",
})
TAKES_SCANS = "now runs the scheduled scans"
"""What storage/postgres.py logs when an instance takes the scheduler lock."""


async def reachable() -> bool:
    """Whether the PostgreSQL server of the tests answers."""
    try:
        connection = await asyncio.wait_for(asyncpg.connect(pg.server_url()), timeout=5)
    except (TimeoutError, OSError, asyncpg.PostgresError):
        return False
    await connection.close()
    return True


@dataclass
class Instance:
    """One bot process, its webhook URL and its log lines (loop time, line)."""

    index: int
    hook: str
    process: asyncio.subprocess.Process
    lines: list[tuple[float, str]] = field(default_factory=list)
    readers: list[asyncio.Task[None]] = field(default_factory=list)

    @property
    def alive(self) -> bool:
        return self.process.returncode is None

    def first(self, fragment: str) -> float | None:
        """When the log first said ``fragment`` (loop time), None when it has not."""
        return next((at for at, line in self.lines if fragment in line), None)

    @property
    def log(self) -> str:
        return "\n".join(line for _, line in self.lines)


class Instances:
    """``count`` webhook processes on the schema at ``url``, fed by ``emu``."""

    def __init__(self, emu: Emulator, tmp_path: Path, url: str, *, count: int = 2,
                 takeover_seconds: int = 2) -> None:
        self.emu, self.tmp_path, self.url = emu, tmp_path, url
        self.count, self.takeover_seconds = count, takeover_seconds
        self.instances: list[Instance] = []
        self.client = httpx.AsyncClient(timeout=20)
        self.turn = 0
        self.stopped = False
        self.schedule = tmp_path / "schedule.toml"
        self.schedule.write_text(SCHEDULE, encoding="utf-8")

    async def start(self) -> None:
        """Start every instance (together, as after a deploy) and wait until each listens."""
        base_url, file_url = await self.emu.start_http()
        loop = asyncio.get_running_loop()
        for index in range(self.count):
            port = free_port()
            hook = f"http://127.0.0.1:{port}/tg/hook"
            cwd = self.tmp_path / f"i{index}"
            cwd.mkdir()
            env = python_path_env(
                self.tmp_path, TELEGRAM_BOT_TOKEN=TOKEN,
                TELEGRAM_API_BASE_URL=base_url, TELEGRAM_API_FILE_URL=file_url,
                RUN_MODE="webhook", WEBHOOK_URL=hook, WEBHOOK_LISTEN="127.0.0.1",
                WEBHOOK_PORT=str(port), WEBHOOK_SECRET=SECRET, DATABASE_URL=self.url,
                SCHEDULER_TAKEOVER_SECONDS=str(self.takeover_seconds),
                SCHEDULE_FILE=str(self.schedule), LOG_LEVEL="INFO",
            )
            instance = Instance(index, hook, await start_bot(env, cwd))
            for stream in (instance.process.stdout, instance.process.stderr):
                assert stream is not None
                instance.readers.append(loop.create_task(_read(stream, instance.lines)))
            self.instances.append(instance)
        try:
            for _ in range(300):  # an instance that exits at start-up says why at once
                if len(self.emu.calls_to("setWebhook")) >= self.count or any(
                        not i.alive for i in self.instances):
                    break
                await asyncio.sleep(0.2)
            await asyncio.sleep(0.3)
            for instance in self.instances:
                assert instance.alive, f"instance {instance.index} exited:\n{instance.log}"
            await asyncio.gather(*(self._listening(i.hook) for i in self.instances))
        except BaseException:
            await self.stop()
            raise
        self.emu.deliver = self.spread

    async def _listening(self, hook: str) -> None:
        for _ in range(200):
            try:
                await self.client.post(hook, content="{}", headers={
                    "X-Telegram-Bot-Api-Secret-Token": "wrong"})
                return
            except httpx.TransportError:
                await asyncio.sleep(0.2)
        raise AssertionError(f"{hook} never listened")

    async def post(self, instance: Instance, update: dict[str, Any]) -> None:
        response = await self.client.post(instance.hook, content=json.dumps(update), headers={
            "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET,
        })
        assert response.status_code == 200, response.text

    async def spread(self, update: dict[str, Any]) -> None:
        """Round robin over the live instances; every third update to two of them at once."""
        alive = [instance for instance in self.instances if instance.alive]
        self.turn += 1
        if self.turn % 3 == 0 and len(alive) > 1:
            pair = [alive[self.turn % len(alive)], alive[(self.turn + 1) % len(alive)]]
            await asyncio.gather(*(self.post(instance, update) for instance in pair))
        else:
            await self.post(alive[self.turn % len(alive)], update)

    def scheduler(self) -> Instance | None:
        """The live instance whose log says it took the scheduler lock last, if any."""
        holders = [(i.first(TAKES_SCANS), i) for i in self.instances if i.alive]
        taken = [(at, i) for at, i in holders if at is not None]
        return max(taken, key=lambda pair: pair[0])[1] if taken else None

    async def kill(self, instance: Instance) -> float:
        """SIGKILL ``instance``; the loop time it died."""
        instance.process.send_signal(signal.SIGKILL)
        await instance.process.wait()
        return asyncio.get_running_loop().time()

    async def stop(self) -> list[tuple[int, str]]:
        """SIGTERM the live instances; (exit code, log) of each (-9 for one killed)."""
        self.emu.deliver = None
        results: list[tuple[int, str]] = []
        if self.stopped:
            return [(i.process.returncode or 0, i.log) for i in self.instances]
        self.stopped = True
        for instance in self.instances:
            if instance.process.returncode is None:
                instance.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(instance.process.wait(), 30)
            except TimeoutError:
                instance.process.kill()
                await instance.process.wait()
            await asyncio.gather(*instance.readers, return_exceptions=True)
            results.append((instance.process.returncode or 0, instance.log))
        await self.client.aclose()
        await self.emu.stop_http()
        return results


async def _read(stream: asyncio.StreamReader, lines: list[tuple[float, str]]) -> None:
    loop = asyncio.get_running_loop()
    while raw := await stream.readline():
        lines.append((loop.time(), raw.decode(errors="replace").rstrip()))


# ------------------------------------------------------------------------ seeding the schema


async def seed_officers(url: str, users: list[SimUser], unit: str = "binkamsa") -> list[int]:
    """Registered, active Banit for ``users`` straight into the schema; their officer ids."""
    database = PostgresDatabase(url)
    await database.open()
    ids = []
    try:
        async with database.transaction() as tx:
            for number, user in enumerate(users):
                officer = await tx.officers.create(
                    telegram_id=user.id, full_name=f"Petugas {number}", nrp=f"8800{number:04d}",
                    rank="BRIPKA", unit_code=unit, role="banit", language="id",
                    status=Status.ACTIVE, now=datetime.now(UTC),
                )
                ids.append(officer.id)
                user.started = True
    finally:
        await database.close()
    return ids


async def seed_posts(url: str, officer_ids: list[int], starts: list[datetime],
                     unit: str = "binkamsa") -> list[str]:
    """A SAPTA post starting at each of ``starts`` (an hour long) for every officer, with its
    at-start reminder in the outbox, as /tugas stores them; the posts' places, in order."""
    config = ScheduleConfig(reminder_offsets_minutes=(0,), digest_times=())
    now = datetime.now(UTC)
    places = []
    database = PostgresDatabase(url)
    await database.open()
    try:
        async with database.transaction() as tx:
            for number, starts_at in enumerate(starts):
                place = f"Pos Uji {number:02d}"
                ends_at = starts_at + timedelta(hours=1)
                post_id = await tx.assignments.create(
                    activity_code="sapta", unit_code=unit, place=place, starts_at=starts_at,
                    ends_at=ends_at, sprin=None, created_by=None, now=now,
                )
                assert post_id is not None
                await tx.assignments.add_officers(post_id, officer_ids)
                post = await tx.assignments.by_id(post_id)
                assert post is not None
                for officer_id in officer_ids:
                    planned = plan_officer(
                        config, WITA, assignment_id=post_id, revision=post.revision,
                        officer_id=officer_id, starts_at=starts_at, ends_at=ends_at, now=now,
                        announce=None,
                    )
                    await tx.notifications.plan(
                        [item for item in planned if item.kind is Kind.REMINDER], now)
                places.append(place)
    finally:
        await database.close()
    return places


def reminders_received(user: SimUser, place: str) -> int:
    """How many at-start reminders of the post at ``place`` ``user`` received."""
    return sum(1 for m in user.messages if "dimulai sekarang" in m.content and place in m.content)


# ------------------------------------------------------------------------ the scripted officer


@dataclass(frozen=True)
class Action:
    """One thing an officer did and the bot's calls to their chat in answer."""

    what: str
    replies: tuple[tuple[str, str], ...]
    """(method, text or caption) of each call answering it."""


class ProcessOfficer(Officer):
    """bench.taps' scripted officer, waiting after each action until the bot (in another
    process) has answered and gone quiet; every action and its answers are kept."""

    SETTLE = 0.35
    TIMEOUT = 30.0

    def __init__(self, emu: Emulator, user: SimUser) -> None:
        super().__init__(user)
        self.emu = emu
        self.actions: list[Action] = []

    def _replies(self, start: int) -> list[tuple[str, str]]:
        chat = str(self.user.id)
        return [
            (call.method, str(call.params.get("text") or call.params.get("caption") or ""))
            for call in self.emu.calls[start:]
            if call.method in REPLY_METHODS and str(call.params.get("chat_id")) == chat
        ]

    async def _answered(self, what: str, action: Callable[[], Awaitable[None]]) -> None:
        start = len(self.emu.calls)
        await action()
        await self.emu.wait_for(lambda: bool(self._replies(start)), self.TIMEOUT,
                                f"an answer to officer {self.user.id}'s {what}")
        seen = len(self._replies(start))
        while True:  # one answer may be several calls: wait until they stop
            await asyncio.sleep(self.SETTLE)
            now = len(self._replies(start))
            if now == seen:
                break
            seen = now
        self.actions.append(Action(what, tuple(self._replies(start))))

    async def send(self, text: str) -> None:
        await self._answered(f"text {text[:20]!r}", lambda: Officer.send(self, text))

    async def press(self, label: str) -> None:
        await self._answered(f"tap {label!r}", lambda: Officer.press(self, label))

    async def pin(self) -> None:
        await self._answered("pin", lambda: Officer.pin(self))

    async def photos(self, count: int) -> None:
        await self._answered(f"{count} photos", lambda: Officer.photos(self, count))

    def repeated_answers(self) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
        """Actions answered with the same message twice (an update handled by two
        instances, or one answer sent by both)."""
        return [
            (action.what, action.replies) for action in self.actions
            if len(set(action.replies)) < len(action.replies)
        ]


async def no_flush() -> None:
    """The walker's album flush: a bot in another process answers an album by itself."""
