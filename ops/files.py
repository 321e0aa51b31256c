"""The data directory's files: the lock a running bot holds, and files only the bot may read.

Police records and residents' details live here, so every directory is 0700 and every file
0600 whatever the umask.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from config.settings import Settings

LOCK_NAME = "polmas.lock"
DIR_MODE = 0o700
FILE_MODE = 0o600

_log = logging.getLogger(__name__)


class DataDirBusy(Exception):
    """Another process (a running bot, a restore) holds the data directory."""


OWNER_NAME = "database.owner"
"""On PostgreSQL: which database and schema this data directory's photos belong to."""


class DataDirTaken(Exception):
    """The data directory holds another database's photos: the nightly prune of either
    deployment would delete the other's as orphans."""


def claim_data_dir(data_dir: Path, owner: str) -> None:
    """Record ``owner`` (server, database, schema) as the data directory's, or check it is.

    Instances of one PostgreSQL deployment share the directory (the lock is shared there),
    so the lock no longer tells a second deployment — staging beside production, a wrong
    ``DATABASE_URL`` — from a second instance; this does. The first start writes the file
    (created whole or not at all, so two starting together agree); later ones compare.
    """
    private_dir(data_dir)
    path = data_dir / OWNER_NAME
    if not path.exists():
        scratch = data_dir / f".{OWNER_NAME}.{os.getpid()}.part"
        write_private(scratch, owner.encode())
        try:
            os.link(scratch, path)  # fails if another start wrote it first
        except FileExistsError:
            pass
        finally:
            scratch.unlink(missing_ok=True)
    found = path.read_text(encoding="utf-8").strip()
    if found != owner:
        raise DataDirTaken(
            f"{data_dir} holds the photos of {found}, not of {owner}: give this deployment"
            f" its own DATA_DIR (or remove {path} if the database really moved)"
        )


@contextlib.contextmanager
def data_dir_lock(data_dir: Path, *, shared: bool = False) -> Iterator[None]:
    """Hold a lock on the data directory for the duration of the block: exclusive, or with
    ``shared`` one that other shared holders may hold too.

    The bot holds it while running; ``restore`` needs it exclusively, so a restore can never
    replace a database under a live bot. Bot instances on PostgreSQL hold it shared: they run
    side by side on one data directory, the photo store every instance must see (README
    "PostgreSQL"). The kernel drops the lock when the process dies, even by SIGKILL.
    """
    data_dir.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    handle: IO[bytes] = open(data_dir / LOCK_NAME, "ab")  # noqa: SIM115 - held across yield
    try:
        try:
            fcntl.flock(handle.fileno(), (fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
                        | fcntl.LOCK_NB)
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


def tighten_data_dir(settings: Settings) -> list[Path]:
    """Owner-only for the data directory, every photo and every backup (#19 item 9).

    The bot creates them 0700/0600, but an operator's ``chmod -R``, a restore from another
    machine or a copy with ``cp -r`` under a looser umask leaves residents' photos readable by
    every user of the host. Run at start-up (in a thread: it walks every file); one log line
    names how many were changed. The database files are tightened when it opens.
    """
    changed = []
    for root in (settings.data_dir, settings.photos_dir, settings.backups_dir):
        if not root.is_dir():
            continue
        if root == settings.data_dir:
            changed += _tighten(root, DIR_MODE)
            continue
        for directory, _dirs, files in os.walk(root):
            changed += _tighten(Path(directory), DIR_MODE)
            for name in files:
                changed += _tighten(Path(directory) / name, FILE_MODE)
    if changed:
        _log.warning("permissions tightened to owner-only: %s files and directories under %s"
                     " (first: %s)", len(changed), settings.data_dir, changed[0])
    return changed


def _tighten(path: Path, mode: int) -> list[Path]:
    try:
        if path.lstat().st_mode & 0o077 and not path.is_symlink():
            os.chmod(path, mode)
            return [path]
    except FileNotFoundError:  # pruned or renamed meanwhile
        pass
    return []
