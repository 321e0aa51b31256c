"""The data directory's files: the lock a running bot holds, and files only the bot may read.

Police records and residents' details live here, so every directory is 0700 and every file
0600 whatever the umask.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO

LOCK_NAME = "polmas.lock"
DIR_MODE = 0o700
FILE_MODE = 0o600


class DataDirBusy(Exception):
    """Another process (a running bot, a restore) holds the data directory."""


@contextlib.contextmanager
def data_dir_lock(data_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on the data directory for the duration of the block.

    The bot holds it while running; ``restore`` needs it, so a restore can never replace a
    database under a live bot. The kernel drops the lock when the process dies, even by
    SIGKILL.
    """
    data_dir.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    handle: IO[bytes] = open(data_dir / LOCK_NAME, "ab")  # noqa: SIM115 - held across yield
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DataDirBusy(str(data_dir)) from None
        yield
    finally:
        handle.close()


def private_dir(path: Path) -> None:
    """Create ``path`` and any missing parents as 0700 (mkdir's parents follow the umask)."""
    missing = []
    while not path.is_dir():
        missing.append(path)
        path = path.parent
    for directory in reversed(missing):
        directory.mkdir(mode=DIR_MODE, exist_ok=True)
        os.chmod(directory, DIR_MODE)


def write_private(path: Path, data: bytes) -> None:
    """Write ``path`` as 0600 and fsync it before returning."""
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
