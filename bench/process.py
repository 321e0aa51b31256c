"""Items 4 and 5: the real ``python -m bot`` process against the emulator served over HTTP.

Start-up is timed from spawning the process to its first ``getUpdates``; memory is the bot
process's resident set (``/proc/<pid>/status``) with officers' drafts open, so neither figure
includes the emulator or the bench.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import START, TOKEN, UNITS
from emulator import Emulator
from emulator.params import Params
from storage.values import to_db_time

ROOT = Path(__file__).resolve().parent.parent
Json = dict[str, Any]


class WatchingEmulator(Emulator):
    """The emulator, noting the first ``getUpdates`` and counting the bot's answers."""

    def __init__(self) -> None:
        super().__init__(token=TOKEN, bot_username="polmas_bench_bot", bot_id=123456)
        self.first_poll: float | None = None
        self.waiting: set[int] = set()
        """Chats that still wait for a message from the bot in the current step."""

    async def handle(self, method_name: str, params: Params) -> tuple[int, Json]:
        """Stamp the first poll; note which waiting chats got a message."""
        if method_name == "getUpdates" and self.first_poll is None:
            self.first_poll = time.perf_counter()
            self.notify()
        result = await super().handle(method_name, params)
        if method_name == "sendMessage" and self.waiting:
            self.waiting.discard(int(params.values.get("chat_id", "0")))
        return result

    def _record(self, *args: Any) -> None:
        self.notify()  # no call log: thousands of calls would only cost memory here


def rss_kb(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process in kB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values["VmRSS"], values["VmHWM"]


class BotProcess:
    """``python -m bot`` as a child process, polling the emulator over HTTP."""

    def __init__(self, emu: Emulator, data_dir: Path, base_url: str, file_url: str) -> None:
        self.emu = emu
        self.env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": base_url,
            "TELEGRAM_API_FILE_URL": file_url,
            "DATA_DIR": str(data_dir),
            "LOG_LEVEL": "WARNING",
            "ADMIN_IDS": "",
            "PYTHONPATH": str(ROOT),
        }
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> float:
        """Spawn and wait for the first ``getUpdates``; seconds from spawn to that poll."""
        began = time.perf_counter()
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=ROOT, env=self.env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )
        await self.emu.wait_for(lambda: self.emu.first_poll is not None, 60,  # type: ignore[attr-defined]
                                "the bot's first getUpdates")
        first: float = self.emu.first_poll  # type: ignore[attr-defined]
        return first - began

    async def stop(self) -> None:
        """SIGTERM (a clean shutdown, as ``docker stop``) and wait."""
        process = self.process
        if process is None or process.returncode is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), 20)
        except TimeoutError:
            process.kill()
            await process.wait()

    @property
    def pid(self) -> int:
        """The child's process id."""
        assert self.process is not None
        return self.process.pid


def seed_officers(path: Path, count: int) -> list[int]:
    """Active banit in the (already migrated) database; their Telegram ids."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("BEGIN")
    created = to_db_time(START)
    ids = []
    for index in range(count):
        telegram_id = 400_000 + index
        connection.execute(
            "INSERT INTO officers (telegram_id, full_name, nrp, rank, unit_code, role, language,"
            " status, created_at) VALUES (?, ?, ?, 'BRIPKA', ?, 'banit', 'id', 'active', ?)",
            (telegram_id, f"Anggota {index}", f"{50_000_000 + index}", UNITS[index % 3],
             created),
        )
        ids.append(telegram_id)
    connection.execute("COMMIT")
    connection.close()
    return ids


@dataclass(frozen=True)
class Startup:
    """Median seconds to the first poll, and the baseline's median whole-process time."""

    bot: float
    import_ptb: float
    runs: int


async def time_startup(data_dir: Path, runs: int) -> Startup:
    """Start and stop the bot ``runs`` times on ``data_dir``; time ``import telegram.ext``."""
    firsts: list[float] = []
    baselines: list[float] = []
    for _ in range(runs):
        emu = WatchingEmulator()
        base_url, file_url = await emu.start_http()
        bot = BotProcess(emu, data_dir, base_url, file_url)
        try:
            firsts.append(await bot.start())
        finally:
            await bot.stop()
            await emu.stop_http()
        began = time.perf_counter()
        child = await asyncio.create_subprocess_exec(sys.executable, "-c", "import telegram.ext")
        await child.wait()
        baselines.append(time.perf_counter() - began)
    return Startup(statistics.median(firsts), statistics.median(baselines), runs)


@dataclass(frozen=True)
class Memory:
    """Resident memory of the bot process idle and with ``drafts`` drafts open (kB)."""

    idle_kb: int
    drafts_kb: int
    peak_kb: int
    drafts: int


async def measure_memory(data_dir: Path, officers: int) -> Memory:
    """Open ``officers`` drafts (activity chosen, first question asked) and read the RSS."""
    emu = WatchingEmulator()
    base_url, file_url = await emu.start_http()
    bot = BotProcess(emu, data_dir, base_url, file_url)
    try:
        await bot.start()
        ids = seed_officers(data_dir / "polmas.sqlite3", officers)
        users = [emu.user(i, f"Anggota{i}") for i in ids]
        await asyncio.sleep(0.5)
        idle, _ = rss_kb(bot.pid)
        await _step(emu, users, lambda user: user.send("/lapor"))
        await _step(emu, users, lambda user: user.press("POS SAPTA"))
        await asyncio.sleep(0.5)
        current, peak = rss_kb(bot.pid)
        return Memory(idle, current, peak, officers)
    finally:
        await bot.stop()
        await emu.stop_http()


async def _step(emu: WatchingEmulator, users: list[Any], act: Any) -> None:
    """Every officer acts once (queued for polling); wait until each got the next question."""
    emu.waiting = {user.id for user in users}
    for user in users:
        await act(user)
    await emu.wait_for(lambda: not emu.waiting, 300, "the next question for every officer")
