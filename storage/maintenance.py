"""Operator tasks on the database file: integrity checks, online backup, restore, references.

Plain ``sqlite3`` with short-lived connections of their own: these run from the command line
(the bot may be running) or in a worker thread of the nightly job, never on the bot's
aiosqlite connection.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from domain.imaging import photo_hashes
from domain.people import Status


@contextlib.contextmanager
def _connect(path: Path, *, read_only: bool = False) -> Iterator[sqlite3.Connection]:
    """A connection that is always closed (``with sqlite3.connect`` only ends transactions)."""
    if read_only:
        # mode=ro never creates the file: a missing database is an error, not an empty one.
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    else:
        connection = sqlite3.connect(path, timeout=10)
    try:
        yield connection
    finally:
        connection.close()


def integrity_problems(path: Path, *, quick: bool = False) -> list[str]:
    """What ``PRAGMA integrity_check`` (or ``quick_check``) reports; empty when sound.

    A file that is missing or not a database is reported as a problem, not raised.
    """
    if not path.is_file():
        return [f"{path}: no database file"]
    pragma = "quick_check" if quick else "integrity_check"
    try:
        with _connect(path, read_only=True) as connection:
            rows = connection.execute(f"PRAGMA {pragma}").fetchall()
    except sqlite3.DatabaseError as error:
        return [f"{path}: {error}"]
    messages = [str(row[0]) for row in rows]
    return [] if messages == ["ok"] else messages


def backup_database(source: Path, target: Path) -> None:
    """Copy a live database with SQLite's online backup API into a new owner-only file.

    The copy is one consistent snapshot even while the bot commits (WAL readers do not block
    writers), and it is left in rollback-journal mode so that it is one self-contained file.
    """
    if target.exists():
        raise FileExistsError(target)
    os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    with _connect(source, read_only=True) as src, _connect(target) as dst:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")


def restore_database(backup: Path, target: Path) -> None:
    """Write ``backup`` over ``target`` (which must not be open anywhere) through the backup API.

    The caller has moved the old file and its ``-wal``/``-shm`` aside first.
    """
    os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o600))
    with _connect(backup, read_only=True) as src, _connect(target) as dst:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=WAL")


def schema_versions(path: Path) -> list[int] | None:
    """Migration versions recorded in the database at ``path`` (None: no migrations table)."""
    with _connect(path, read_only=True) as connection:
        try:
            rows = connection.execute(
                "SELECT version FROM schema_migrations ORDER BY version"
            ).fetchall()
        except sqlite3.OperationalError:
            return None
    return [int(row[0]) for row in rows]


class PhotoReferences:
    """Photo hashes the database refers to, by where they are referred from."""

    def __init__(self, in_reports: set[str], elsewhere: set[str]) -> None:
        self.in_reports = in_reports
        """``report_photos`` rows: these files must exist."""
        self.elsewhere = elsewhere
        """Drafts in progress and the revision history (kept, so not orphans)."""

    @property
    def all(self) -> set[str]:
        """Every referenced hash."""
        return self.in_reports | self.elsewhere


def photo_references(path: Path) -> PhotoReferences:
    """Every photo hash the database at ``path`` refers to."""
    with _connect(path, read_only=True) as connection:
        in_reports = {row[0] for row in connection.execute("SELECT sha256 FROM report_photos")}
        elsewhere: set[str] = set()
        for row in connection.execute("SELECT answers, work FROM report_drafts"):
            for text in row:
                elsewhere.update(photo_hashes(loads_or_none(text)))
        for row in connection.execute("SELECT old_value, new_value FROM report_revisions"):
            for text in row:
                elsewhere.update(photo_hashes(loads_or_none(text)))
        for row in connection.execute("SELECT answers FROM reports"):
            elsewhere.update(photo_hashes(loads_or_none(row[0])))
    return PhotoReferences(in_reports, elsewhere - in_reports)


def officer_nrps(path: Path) -> dict[int, tuple[str, Status]]:
    """Officer id → NRP and status of every officer of the database at ``path`` holding one."""
    with _connect(path, read_only=True) as connection:
        rows = connection.execute("SELECT id, nrp, status FROM officers WHERE nrp IS NOT NULL")
        return {int(row[0]): (str(row[1]), Status(row[2])) for row in rows}


def loads_or_none(text: str | None) -> Any:
    """A stored JSON column's value; None for an empty or unreadable one (check and prune
    read every row and must not stop at one)."""
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


# What can have come to refer to a photo since the references were read (photo_references).
# A new reference to an unreferenced photo only comes from an upload, and every upload touches
# the photo's files (ingest_photo, ensure_stored): the prune's age check under the lock keeps
# it. These two queries are the second line: the open drafts (few), and report_photos (indexed
# by hash, migration 0012) for a draft submitted meanwhile. Other copies of a hash (a
# correction draft, reports.answers, revisions) only repeat one that was already referenced
# when the references were read. Matched as text in drafts: a hash is plain hex in JSON, so a
# row that refers to it contains it; a stray match only keeps a file.
_REFERS_TO = (
    "SELECT EXISTS (SELECT 1 FROM report_photos WHERE sha256 = :sha)"
    " OR EXISTS (SELECT 1 FROM report_drafts WHERE instr(answers, :sha) OR instr(work, :sha))"
)


@contextlib.contextmanager
def photo_write_lock(path: Path, *, timeout: float = 10) -> Iterator[Callable[[str], bool]]:
    """Hold the database's write lock (``BEGIN IMMEDIATE``); yield ``refers_to(sha256)``.

    For deleting a photo that was unreferenced when all references were read: while the lock
    is held no row can commit a reference, in this process or another, and ``refers_to`` says
    whether one committed since (through a draft, see ``_REFERS_TO``) in milliseconds, so the
    bot's writers (busy_timeout 5 s) barely wait. An upload checks its files inside its own
    write transaction, so it either committed before (and ``refers_to`` says so) or looks
    after the deletion and stores the photo again. Waits up to ``timeout`` seconds for a
    writer; nothing is written.
    """
    connection = sqlite3.connect(path, timeout=timeout, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield lambda sha: bool(connection.execute(_REFERS_TO, {"sha": sha}).fetchone()[0])
        finally:
            connection.execute("ROLLBACK")
    finally:
        connection.close()
