"""Test helpers shared by several test modules (from tests/test_backup.py)."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from bot.logging_setup import install_redaction
from bot.maintenance import log_secrets
from emulator import Emulator
from emulator.harness import BotHarness
from storage.photos import PhotoStore
from tests.support.reports import fill_sapta, seed

SECRET = "webhook-Secret_0123456789abcdef"


def private_files(root: Path) -> Iterator[Path]:
    """Every file or directory under root that others could read."""
    for path in [root, *root.rglob("*")]:
        if path.stat().st_mode & 0o077:
            yield path


@contextlib.contextmanager
def every_record_at_debug(emu: Emulator, data_dir: Path
                          ) -> Iterator[tuple[BotHarness, list[str]]]:
    """A harness at DEBUG with a webhook secret, and every log record it writes, formatted
    through the redaction ``python -m bot`` installs on its handler."""
    records: list[str] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(self.format(record))

    handler = Capture(level=logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        harness = BotHarness(emu, data_dir, start=datetime(2026, 11, 28, 2, tzinfo=UTC),
                             webhook_secret=SECRET, log_level="DEBUG")
        install_redaction(handler, log_secrets(harness.settings))
        yield harness, records
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


async def file_report(harness: BotHarness, emu: Emulator, *, photos: int = 2):
    officer, kanit = await seed(harness, emu)
    await fill_sapta(officer, photos=photos)
    await officer.press("📤 Kirim laporan")
    return officer, kanit


async def stored_reports(harness: BotHarness):
    async with harness.db.reading() as repos:
        reports = await repos.reports.all()
        return [(r, await repos.report_photos.of_report(r.id)) for r in reports]


async def run_job(harness: BotHarness, name: str) -> None:
    queue = harness.application.job_queue
    assert queue is not None
    job = next(j for j in queue.jobs() if j.name == name)
    await job.run(harness.application)


def age(store: PhotoStore, sha: str, *, hours: float, now: datetime | None = None) -> None:
    """Make every file of a stored photo look last touched ``hours`` before ``now``."""
    moment = (now or datetime.now(UTC)).timestamp() - hours * 3600
    for path in store.files_of(sha):
        os.utime(path, (moment, moment))
