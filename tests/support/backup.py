"""Test helpers shared by several test modules (from tests/test_backup.py)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from bot.logging_setup import install_redaction
from bot.maintenance import log_secrets
from emulator import Emulator
from emulator.harness import BotHarness

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
