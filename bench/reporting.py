"""Item 1: K officers file a complete POS SAPTA report at once, against a bare echo bot.

Updates go to ``Application.process_update`` from a queue drained by as many workers as the
application's ``concurrent_updates`` (production: ``bot.fairness.PerPersonProcessor``, so
different officers' updates run side by side; each simulated officer waits for the answer
before its next update, which keeps one officer's in order), or by one worker when
``one_at_a_time`` (the processing cost of one update alone). The time from an update entering
the queue to the bot's first answer to it (``answerCallbackQuery``, ``sendMessage``...) is its
latency. The baseline is a bare PTB ``Application`` that answers every update once, fed the
same recorded updates the same way (one worker: its handler never waits).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import io
import random
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiosqlite
from PIL import Image
from telegram import Update
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler, MessageHandler
from telegram.ext import filters as ptb_filters

from bench.common import RunningBot, new_emulator
from domain.imaging import ingest_photo
from emulator import Emulator, SimUser
from emulator import media as emulator_media
from emulator.media import PhotoSize, image_size
from emulator.params import Params

Json = dict[str, Any]


@dataclass
class Pending:
    """One update in flight: when it was queued, first answered, finished."""

    update: Json
    queued: float
    done: asyncio.Future[None]
    started: float = 0.0
    answered: float = 0.0
    finished: float = 0.0
    kind: str = ""
    trips: int = 0
    """Trips to aiosqlite's thread while processing it."""
    db: float = 0.0
    """Seconds spent awaiting those trips."""
    commit: float = 0.0
    """Of which awaiting COMMIT (the fsync of synchronous=FULL)."""


_current: contextvars.ContextVar[Pending | None] = contextvars.ContextVar(
    "bench_update", default=None
)


def _telegram_side_photo(data: bytes) -> list[PhotoSize]:
    """Telegram recompresses sent photos on its servers: not the bot's time, so skip it."""
    width, height = image_size(data)
    return [PhotoSize(width, height, data)]


class TimingEmulator(Emulator):
    """The emulator, noting the first bot call made while each update is processed."""

    keep_calls = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        emulator_media.compress_photo = _telegram_side_photo

    async def handle(self, method_name: str, params: Params) -> tuple[int, Json]:
        """Answer the call, then stamp the update being processed (if any) as answered."""
        result = await super().handle(method_name, params)
        pending = _current.get()
        if pending is not None and not pending.answered:
            pending.answered = time.perf_counter()
        return result

    def _record(self, *args: Any) -> None:
        # A thousand reports with photos would keep hundreds of MB of call log otherwise.
        if self.keep_calls:
            super()._record(*args)
        else:
            self.notify()


@dataclass
class TripCount:
    """Every trip to aiosqlite's thread while counting."""

    trips: int = 0


@contextlib.contextmanager
def counting_database_trips() -> Iterator[TripCount]:
    """Charge every trip to aiosqlite's thread to the update being processed."""
    original: Callable[..., Awaitable[Any]] = aiosqlite.Connection._execute
    count = TripCount()

    async def counted(
        self: aiosqlite.Connection, fn: Callable[..., Any], *args: Any, **kwargs: Any
    ) -> Any:
        count.trips += 1
        pending = _current.get()
        began = time.perf_counter()
        try:
            return await original(self, fn, *args, **kwargs)
        finally:
            if pending is not None:
                spent = time.perf_counter() - began
                pending.trips += 1
                pending.db += spent
                if args and args[0] == "COMMIT":
                    pending.commit += spent

    aiosqlite.Connection._execute = counted  # type: ignore[method-assign]
    try:
        yield count
    finally:
        aiosqlite.Connection._execute = original  # type: ignore[method-assign,assignment]


def _kind(update: Json) -> str:
    if "callback_query" in update:
        # The submit press stamps and sends the album and notifies the leaders: its own kind.
        return "submit" if "submit" in str(update["callback_query"].get("data")) else "button"
    message = update.get("message") or {}
    if "photo" in message:
        return "photo"
    if "location" in message:
        return "location"
    return "text"


class Feeder:
    """Queues updates and feeds them to ``process_update`` like PTB's update fetcher."""

    def __init__(
        self,
        app: Application[Any, Any, Any, Any, Any, Any],
        emu: Emulator,
        think: Callable[[], float] | None = None,
        *,
        one_at_a_time: bool = False,
        others: Sequence[Application[Any, Any, Any, Any, Any, Any]] = (),
    ) -> None:
        self.app = app
        self.think = think
        self.apps = [app, *others]
        """With ``others``, instances side by side: updates go to each in turn."""
        self.queues: list[asyncio.Queue[Pending]] = [asyncio.Queue() for _ in self.apps]
        self.done: list[Pending] = []
        self.record: dict[int, list[Json]] = {}
        self._turn = 0
        self._workers = [
            asyncio.create_task(self._work(each, queue))
            for each, queue in zip(self.apps, self.queues, strict=True)
            for _ in range(1 if one_at_a_time else max(1, each.concurrent_updates))
        ]
        emu.deliver = self.deliver

    async def deliver(self, update: Json) -> None:
        """``Emulator.deliver``: queue the update and wait until it has been processed."""
        if self.think is not None:
            await asyncio.sleep(self.think())  # the officer reads, types, walks
        loop = asyncio.get_running_loop()
        pending = Pending(update, time.perf_counter(), loop.create_future(), kind=_kind(update))
        chat = _chat_of(update)
        self.record.setdefault(chat, []).append(update)
        self._turn += 1
        self.queues[self._turn % len(self.queues)].put_nowait(pending)
        await pending.done

    async def _work(
        self, app: Application[Any, Any, Any, Any, Any, Any], queue: asyncio.Queue[Pending]
    ) -> None:
        while True:
            pending = await queue.get()
            token = _current.set(pending)
            pending.started = time.perf_counter()
            try:
                parsed = Update.de_json(pending.update, app.bot)
                await app.process_update(parsed)
            finally:
                pending.finished = time.perf_counter()
                _current.reset(token)
                self.done.append(pending)
                if not pending.done.done():
                    pending.done.set_result(None)

    async def close(self) -> None:
        """Stop the workers."""
        for task in self._workers:
            task.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)


def _chat_of(update: Json) -> int:
    if "callback_query" in update:
        return int(update["callback_query"]["from"]["id"])
    return int(update["message"]["chat"]["id"])


# ------------------------------------------------------------------------ the officer


def camera_photo(seed: int, size: tuple[int, int] = (1280, 960)) -> bytes:
    """A Telegram-sized JPEG with some texture (flat images compress unrealistically)."""
    img = Image.effect_noise(size, 40 + seed).convert("RGB")
    out = io.BytesIO()
    img.save(out, "JPEG", quality=87)
    return out.getvalue()


async def send_stored(officer: SimUser, content: Json) -> None:
    """Send a photo or file already on the emulator (as a resend by ``file_id`` does)."""
    await officer._deliver(officer, "message", officer._message(officer, content))


PhotoSender = Callable[[SimUser], Awaitable[None]]


def stored_photos(photos: list[list[Json]]) -> PhotoSender:
    """Send these already-uploaded photos, one message each."""

    async def send(officer: SimUser) -> None:
        for sizes in photos:
            await send_stored(officer, {"photo": sizes})

    return send


async def file_report(officer: SimUser, send_photos: PhotoSender) -> None:
    """Walk the SAPTA form answering every field, two complaints and two photos; submit."""
    await officer.send("/lapor")
    await officer.press("POS SAPTA")
    for _ in range(80):
        last = officer.last
        text = last.content
        labels = [label for row in last.buttons for label in row]
        if "Periksa laporan" in text:
            await officer.press("📤 Kirim laporan")
            return
        if any("satu jam terakhir" in label for label in labels):
            await officer.press("satu jam terakhir")
        elif "📍 Tersimpan" in text:
            await officer.press("➡️ Lanjut")
        elif "(📎 → Lokasi)" in text:
            await officer.send("RW 03 Kel. Heledulaa")
            await officer.send_location(0.5412, 123.0595)
        elif "✅ Saya mematuhi peringatan ini" in labels:
            await officer.press("✅ Saya mematuhi peringatan ini")
        elif "✅ Lengkap semua" in labels:
            await officer.press("✅ Lengkap semua")
        elif "Pencurian" in labels and "Foto" not in text:
            if "2." in text:
                await officer.press("✅ Selesai")
            else:
                await _complaint(officer, again="1." not in text)
        elif "Foto dokumentasi" in text and "Foto tersimpan" in text and "✅ Selesai" in labels:
            await officer.press("✅ Selesai")
        elif "Foto dokumentasi" in text:
            await send_photos(officer)
        elif "jumlah" in text.lower() or "Berapa" in text:
            await officer.send("25")
        elif any(label.startswith(("✅ ", "⬜ ")) for label in labels):
            await officer.press(labels[0])  # one tap picks it and moves on
            if "✅ Selesai" in str(officer.last.buttons):
                await officer.press("✅ Selesai")
        elif len([lab for lab in labels if lab not in ("⬅️ Kembali", "✖️ Batal", "⏭ Lewati")]) >= 2:
            await officer.press(labels[0])
        else:
            await officer.send("Sambang warga dan penyuluhan kamtibmas bersama tokoh masyarakat.")
    raise RuntimeError(f"officer {officer.id} never reached the review: {officer.last.content}")


async def _complaint(officer: SimUser, *, again: bool) -> None:
    """One complaint on the compact card, every part changed (the most updates it takes)."""
    await officer.press("Pencurian")
    await officer.send("Sering terjadi pencurian motor di malam hari")
    await officer.press("Segera")
    await officer.press("📍 Tempat")
    await officer.send("Jl. Raja Eyato")
    await officer.press("👤 Nama warga")
    await officer.send("Pak Hasan")
    await officer.press("📞 Telepon")
    await officer.send("081234567890")
    await officer.press("➕ Simpan, tambah keluhan lain" if again else "✅ Simpan keluhan")


# ------------------------------------------------------------------------------ runs


@dataclass
class RunResult:
    """What one run measured."""

    updates: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    """Queued → first answer, per update (all kinds)."""
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    service: list[float] = field(default_factory=list)
    """Processing time per update (start → finished), without queueing."""
    service_by_kind: dict[str, list[float]] = field(default_factory=dict)
    record: dict[int, list[Json]] = field(default_factory=dict)
    complete: bool = True
    """Whether every officer filed the whole report (False: the run was cut at its limit)."""
    trips: list[float] = field(default_factory=list)
    db: list[float] = field(default_factory=list)
    commit: list[float] = field(default_factory=list)
    all_trips: int = 0
    """Every trip to aiosqlite's thread in the run, a group commit's included (that one runs
    in its own task, so ``trips`` charges it to the update that started the group)."""

    @property
    def per_second(self) -> float:
        """Updates per second over the whole run."""
        return self.updates / self.seconds if self.seconds else 0.0


def _result(feeder: Feeder, seconds: float) -> RunResult:
    result = RunResult(len(feeder.done), seconds, record=feeder.record)
    for pending in feeder.done:
        answered = pending.answered or pending.finished
        result.latencies.append(answered - pending.queued)
        result.by_kind.setdefault(pending.kind, []).append(answered - pending.queued)
        result.service.append(pending.finished - pending.started)
        result.service_by_kind.setdefault(pending.kind, []).append(
            pending.finished - pending.started
        )
        result.trips.append(pending.trips)
        result.db.append(pending.db)
        result.commit.append(pending.commit)
    return result


async def run_bot(
    officers: int, *, rate: float | None = None, duration: float | None = None,
    one_at_a_time: bool = False, instances: int = 1,
) -> RunResult:
    """K officers file concurrently through the real application (synchronous=FULL).

    Without ``rate`` every officer acts as soon as the previous answer came (saturation).
    With ``rate`` (updates/s over all officers) each waits a random think time first, so
    updates arrive like independent people's (Poisson); the run stops after ``duration``.
    ``one_at_a_time`` feeds the updates one by one as the echo is fed, so that processing
    per update is its own cost, not time spent waiting for other officers' updates.
    ``instances`` > 1 (PostgreSQL): that many applications side by side on one schema and one
    data directory, in this process, the updates handed to each in turn.
    """
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        emu = TimingEmulator(token=new_emulator().token, bot_id=123456)
        bots = [RunningBot(emu, Path(tmp) / "data") for _ in range(instances)]
        bot = bots[0]
        started: list[RunningBot] = []
        try:
            for each in bots:
                await each.start()
                started.append(each)
            ids = await bot.seed_officers(officers)
            services = bot.application.bot_data.services
            assert services is not None
            photos: list[list[Json]] = []
            for seed in range(2):
                data = camera_photo(seed)
                ingest_photo(data, services.photos, tz=services.settings.tz)  # pre-ingested
                stored = emu.store_photo([PhotoSize(1280, 960, data)])
                photos.append([f.photo_size_dict() for f in stored])
            users = [emu.user(i, f"Petugas{i}") for i in ids]
            think = None
            if rate is not None:
                rng = random.Random(11)
                mean = officers / rate
                think = lambda: rng.expovariate(1 / mean)  # noqa: E731
            feeder = Feeder(bot.application, emu, think, one_at_a_time=one_at_a_time,
                            others=[each.application for each in bots[1:]])
            began = time.perf_counter()
            send = stored_photos(photos)
            work = asyncio.gather(*(file_report(user, send) for user in users))
            complete = True
            with counting_database_trips() as count:
                try:
                    await asyncio.wait_for(work, duration)
                except TimeoutError:
                    complete = False  # cut at the time limit; the rate so far still holds
            seconds = time.perf_counter() - began
            await feeder.close()
            result = _result(feeder, seconds)
            result.complete = complete
            result.all_trips = count.trips
            return result
        finally:
            for each in reversed(started):
                await each.stop()


def echo_application(emu: Emulator) -> Application[Any, Any, Any, Any, Any, Any]:
    """The floor: a bare PTB application answering every update once."""

    async def echo_message(update: Update, context: Any) -> None:
        message = update.effective_message
        assert message is not None
        await message.reply_text(message.text or "ok")

    async def echo_button(update: Update, context: Any) -> None:
        assert update.callback_query is not None
        await update.callback_query.answer()

    app = (
        ApplicationBuilder()
        .token(emu.token)
        .request(emu.request())
        .get_updates_request(emu.request())
        .build()
    )
    app.add_handler(MessageHandler(ptb_filters.ALL, echo_message))
    app.add_handler(CallbackQueryHandler(echo_button))
    return app


async def run_echo(record: dict[int, list[Json]]) -> RunResult:
    """Replay the bot run's updates, officer by officer in order, to the bare echo app."""
    emu = TimingEmulator(token=new_emulator().token, bot_id=123456)
    for chat in record:
        emu.user(chat, f"U{chat}").started = True
    app = echo_application(emu)
    await app.initialize()
    await app.start()
    feeder = Feeder(app, emu)

    async def replay(updates: list[Json]) -> None:
        for update in updates:
            query = update.get("callback_query")
            if query is not None:
                # A fresh query id the emulator knows, so answering it is legal.
                message = query.get("message") or {}
                chat = (message.get("chat") or {}).get("id")
                query["id"] = emu.new_callback_query(
                    query["from"]["id"], chat, message.get("message_id"), query.get("data")
                )
            await feeder.deliver(update)

    began = time.perf_counter()
    await asyncio.gather(*(replay(updates) for updates in record.values()))
    seconds = time.perf_counter() - began
    await feeder.close()
    await app.stop()
    await app.shutdown()
    return _result(feeder, seconds)


Runner = Callable[[], Awaitable[RunResult]]


async def postgres_reachable(url: str) -> bool:
    """Whether the PostgreSQL server at ``url`` answers (the backends section needs one)."""
    import asyncpg  # local: only the backends section talks to the server directly

    try:
        connection = await asyncpg.connect(url, timeout=5)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    await connection.close()
    return True
