"""Item 2: the photo pipeline against Pillow's naive path, and the event loop while photos flow.

Pipeline: :func:`domain.imaging.ingest_photo` (check, hash, draft decode, orient, web copy,
thumbnail, fsync'd writes) then :func:`domain.imaging.stamp_photo`. Naive: what one would write
first — ``Image.open().load()``, ``exif_transpose``, ``thumbnail((1600, 1600))``, save.
"""

from __future__ import annotations

import asyncio
import io
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image, ImageOps

from domain.imaging import ingest_photo, stamp_photo
from storage.photos import PhotoStore

TZ = ZoneInfo("Asia/Makassar")
STAMP = ("POS SAPTA · LAP/SAPTA/2026/11/0001", "Sabtu 28-11-2026 10:00 WITA",
         "RW 03 Kel. Heledulaa", "BRIPKA Budi Santoso")


def camera_jpeg(width: int, height: int, *, exif: bool, seed: int = 0) -> bytes:
    """A camera-like JPEG: smooth gradients with sensor-like noise, EXIF orientation and GPS.

    Pure noise would compress (and decode) unlike a photo; a flat image far too well.
    """
    small = Image.merge(
        "RGB",
        [
            Image.linear_gradient("L").resize((width // 8, height // 8)),
            Image.radial_gradient("L").resize((width // 8, height // 8)),
            Image.effect_noise((width // 8, height // 8), 60 + seed).convert("L"),
        ],
    ).resize((width, height), Image.Resampling.BILINEAR)
    noise = Image.effect_noise((width, height), 18).convert("RGB")
    img = Image.blend(small, noise, 0.18)
    out = io.BytesIO()
    if exif:
        tags = Image.Exif()
        tags[0x0112] = 6  # Orientation: rotate 90° to show upright
        tags[0x0132] = "2026:11:28 09:15:00"
        gps = tags.get_ifd(0x8825)
        gps.update({1: "N", 2: (0.0, 32.0, 28.3), 3: "E", 4: (123.0, 3.0, 34.2)})
        img.save(out, "JPEG", quality=92, exif=tags)
    else:
        img.save(out, "JPEG", quality=87)
    return out.getvalue()


def naive(data: bytes, out_dir: Path) -> None:
    """The naive path: full decode, transpose at full size, thumbnail, save."""
    with Image.open(io.BytesIO(data)) as img:
        img.load()
        upright = ImageOps.exif_transpose(img)
        upright.thumbnail((1600, 1600))
        upright.convert("RGB").save(out_dir / "naive.jpg", "JPEG", quality=85)


def pipeline(data: bytes, store_dir: Path) -> None:
    """Our path: ingest (web copy and thumbnail) and stamp, into a fresh store."""
    store = PhotoStore(store_dir)
    photo = ingest_photo(data, store, tz=TZ)
    stamp_photo(store, photo.sha256, STAMP)


@dataclass(frozen=True)
class Comparison:
    """Median times of both paths over alternating runs, and the median pairwise ratio."""

    pipeline: float
    naive: float
    ratio: float


def compare(data: bytes, repeats: int) -> Comparison:
    """Alternate naive and pipeline runs (A B A B...) so drift hits both alike."""
    ours: list[float] = []
    theirs: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-photo-") as tmp:
        root = Path(tmp)
        naive(data, root)  # warm-up: imports, codec tables, font
        pipeline(data, root / "warm")
        for index in range(repeats):
            start = time.perf_counter()
            naive(data, root)
            theirs.append(time.perf_counter() - start)
            start = time.perf_counter()
            pipeline(data, root / f"store{index}")
            ours.append(time.perf_counter() - start)
    ratios = [a / b for a, b in zip(ours, theirs, strict=True)]
    return Comparison(statistics.median(ours), statistics.median(theirs),
                      statistics.median(ratios))


class LagProbe:
    """A 5 ms ticker: how late each tick wakes is how long the loop was blocked."""

    def __init__(self, period: float = 0.005) -> None:
        self.period = period
        self.lags: list[float] = []
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start ticking on the running loop."""
        self._task = asyncio.create_task(self._tick())

    async def stop(self) -> None:
        """Stop ticking."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _tick(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(self.period)
            self.lags.append(max(0.0, loop.time() - before - self.period))

    @property
    def max_lag(self) -> float:
        """The longest block seen."""
        return max(self.lags, default=0.0)


@dataclass(frozen=True)
class Lag:
    """The loop's lag while officers send photos through the real bot and submit."""

    max_lag: float
    p99: float
    photos: int


async def loop_lag(officers: int, camera: bytes, compressed: bytes) -> Lag:
    """Officers each send a camera file and a compressed photo, then submit (stamping).

    Every photo has distinct bytes (a tag after the JPEG's end marker), so each is really
    decoded and stored; the files are on the emulator before the ticker starts, so the
    emulator's own work (Telegram's side) is not in the figure.
    """
    from bench.common import RunningBot
    from bench.reporting import Feeder, TimingEmulator, file_report, send_stored
    from emulator import SimUser
    from emulator.media import PhotoSize

    with tempfile.TemporaryDirectory(prefix="bench-lag-") as tmp:
        emu = TimingEmulator()
        bot = RunningBot(emu, Path(tmp) / "data")
        await bot.start()
        probe = LagProbe()
        try:
            ids = await bot.seed_officers(officers)
            contents: dict[int, list[dict[str, object]]] = {}
            for number, telegram_id in enumerate(ids):
                tag = f"bench-{number}".encode()
                document = emu.store_file("document", camera + tag, file_name="IMG_0001.jpg",
                                          mime_type="image/jpeg")
                photo = emu.store_photo([PhotoSize(1280, 960, compressed + tag)])
                contents[telegram_id] = [
                    {"document": document.document_dict()},
                    {"photo": [f.photo_size_dict() for f in photo]},
                ]

            async def send(officer: SimUser) -> None:
                for content in contents[officer.id]:
                    await send_stored(officer, content)

            users = [emu.user(i, f"Petugas{i}") for i in ids]
            feeder = Feeder(bot.application, emu)
            probe.start()
            await asyncio.gather(*(file_report(user, send) for user in users))
            await probe.stop()
            await feeder.close()
        finally:
            await bot.stop()
    lags = sorted(probe.lags)
    p99 = lags[min(len(lags) - 1, int(len(lags) * 0.99))] if lags else 0.0
    return Lag(probe.max_lag, p99, 2 * officers)
