"""Health probe and the consistency check (database against photo files), with pruning.

Each returns a process exit code and prints one line per finding, so that cron, Docker and a
person at a terminal read the same thing. None of them needs Telegram.
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg

from config.settings import Settings
from domain.people import NrpFindings, Status, look_alike_nrps
from storage.maintenance import (
    PhotoReferences,
    integrity_problems,
    officer_nrps,
    photo_references,
    photo_write_lock,
)
from storage.pg_maintenance import PostgresData, redact_url
from storage.photos import PhotoStore
from storage.postgres import server_problems

Print = Callable[[str], None]


class SqliteData:
    """The SQLite file as the check and the prune read it (``PostgresData`` is the twin)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def integrity(self) -> list[str]:
        """``PRAGMA integrity_check``'s findings."""
        return integrity_problems(self.path)

    def photo_references(self) -> PhotoReferences:
        """Every photo hash a row refers to."""
        return photo_references(self.path)

    def officer_nrps(self) -> dict[int, tuple[str, Status]]:
        """Officer id → NRP and status."""
        return officer_nrps(self.path)

    @contextlib.contextmanager
    def photo_write_lock(self) -> Iterator[Callable[[str], bool]]:
        """The database's write lock for one photo's deletion (``refers_to`` inside)."""
        with photo_write_lock(self.path) as refers_to:
            yield refers_to

    def close(self) -> None:
        """Nothing held between calls."""


DataSource = SqliteData | PostgresData


def _source(database: Path | DataSource) -> DataSource:
    return SqliteData(database) if isinstance(database, Path) else database


def health(settings: Settings, out: Print = print) -> int:
    """Exit 0 when the database opens and passes ``quick_check`` (PostgreSQL: the server
    answers with a schema this bot knows), and the webhook port answers."""
    if settings.postgres:
        problems = server_problems(settings.database_url.get_secret_value())
    else:
        problems = integrity_problems(settings.database_path, quick=True)
    if not problems and settings.run_mode == "webhook":
        host = settings.webhook_listen
        host = "127.0.0.1" if host in ("0.0.0.0", "") else "::1" if host == "::" else host
        try:
            socket.create_connection((host, settings.webhook_port), timeout=3).close()
        except OSError as error:
            problems.append(f"webhook server {host}:{settings.webhook_port}: {error}")
    for problem in problems:
        out(f"unhealthy: {problem}")
    if problems:
        return 1
    out("healthy")
    return 0

ORPHAN_MIN_AGE = timedelta(hours=1)
"""Photos are stored before the draft row that refers to them commits: an unreferenced photo
younger than this may be one about to be saved, so it is listed but not a finding, and never
pruned."""


@dataclass
class CheckResult:
    """Findings of ``python -m bot check``."""

    integrity: list[str]
    photos_checked: int
    corrupted: list[str]
    missing: list[str]
    orphans: list[str]
    """Unreferenced photos untouched for :data:`ORPHAN_MIN_AGE`: leftovers to prune."""
    recent_orphans: list[str] = field(default_factory=list)
    """Unreferenced photos newer than that: possibly an upload being saved right now."""
    temp_files: list[Path] = field(default_factory=list)
    """Temporary photo files (``.tmp-*.part``) untouched for :data:`ORPHAN_MIN_AGE`: left
    half-written by a crash, leftovers to prune."""
    recent_temp_files: list[Path] = field(default_factory=list)
    """Newer ones: possibly a write in progress."""
    nrps: NrpFindings = field(default_factory=lambda: NrpFindings({}, {}))
    """NRPs stored in look-alike digits: clashes need an admin (exit 1, never merged); the
    others are stored in ASCII at the bot's next start."""

    @property
    def damaged(self) -> bool:
        """Something is broken (as opposed to merely unreferenced)."""
        return bool(self.integrity or self.corrupted or self.missing)

    @property
    def exit_code(self) -> int:
        """0 sound, 1 damage, 2 a warning: only leftovers (orphan photos, temporary files)
        older than an hour."""
        if self.damaged or self.nrps.clashes:
            return 1
        return 2 if self.orphans or self.temp_files else 0


PRUNE_PAUSE = 0.05
"""Seconds between two orphans' deletions (each under the write lock for milliseconds)."""


@dataclass
class PruneResult:
    """What pruning orphan photos removed and kept."""

    photos: int = 0
    files: int = 0
    bytes: int = 0
    kept_recent: int = 0
    """Orphans kept: newer than an hour, held, or referred to by a row committed meanwhile."""
    temp_files: int = 0
    """Temporary files (``.tmp-*.part``) older than an hour deleted."""
    temp_bytes: int = 0


def check_data(
    database: Path | DataSource, photos: Path, *, now: datetime | None = None
) -> CheckResult:
    """Integrity of the database, every photo's hash, and references both ways.

    ``database`` is the SQLite file or a source (``PostgresData``: the server's problems
    stand for the integrity check). With ``now``, orphans younger than
    :data:`ORPHAN_MIN_AGE` are kept apart as recent.
    """
    source = _source(database)
    integrity = source.integrity()
    store = PhotoStore(photos)
    stored = list(store.iter_hashes())
    corrupted = [sha for sha in stored if not store.verify(sha)]
    if integrity:
        return CheckResult(integrity, len(stored), corrupted, [], [])
    references = source.photo_references()
    missing = sorted(sha for sha in references.all if not store.exists(sha))
    orphans, recent = _by_age(store, sorted(set(stored) - references.all), now)
    temp, recent_temp = _temp_by_age(store, now)
    nrps = look_alike_nrps(source.officer_nrps())
    return CheckResult(
        integrity, len(stored), corrupted, missing, orphans, recent, temp, recent_temp, nrps
    )


def _temp_by_age(store: PhotoStore, now: datetime | None) -> tuple[list[Path], list[Path]]:
    """The store's temporary files split into (untouched for ORPHAN_MIN_AGE, newer)."""
    old: list[Path] = []
    recent: list[Path] = []
    cutoff = (now - ORPHAN_MIN_AGE).timestamp() if now is not None else None
    for path in store.temp_files():
        try:
            modified = path.stat().st_mtime
        except FileNotFoundError:
            continue  # renamed into place (or deleted) meanwhile
        (recent if cutoff is not None and modified > cutoff else old).append(path)
    return old, recent


def _by_age(
    store: PhotoStore, hashes: list[str], now: datetime | None
) -> tuple[list[str], list[str]]:
    """Split photos into (untouched for ORPHAN_MIN_AGE, newer)."""
    if now is None:
        return hashes, []
    old: list[str] = []
    recent: list[str] = []
    for sha in hashes:
        (recent if _is_recent(store, sha, now) else old).append(sha)
    return old, recent


def _is_recent(store: PhotoStore, sha: str, now: datetime) -> bool:
    modified = store.last_modified(sha)
    return modified is not None and modified > (now - ORPHAN_MIN_AGE).timestamp()


def prune_orphans(
    database: Path | DataSource, store: PhotoStore, *, now: datetime
) -> PruneResult:
    """Delete photo files no row refers to and nobody touched for :data:`ORPHAN_MIN_AGE`,
    and temporary files (``.tmp-*.part``) as old.

    Runs beside the bot (a worker thread of the nightly job, or ``check --prune`` in another
    process, where the bot's holds are not visible), so each candidate is deleted while the
    database's write lock is held (:func:`~storage.maintenance.photo_write_lock`), after
    looking again, under it, whether a row refers to it, whether it was touched (an officer
    sent it again) and whether this process holds it. An upload checks its photo's files
    inside its own write transaction and stores them again if they are gone
    (:func:`~domain.imaging.ensure_stored`): whichever takes the lock first, the row that
    commits never refers to deleted files. The caller makes sure the database is sound:
    references are read from it.
    """
    source = _source(database)
    references = source.photo_references()
    unreferenced = sorted(set(store.iter_hashes()) - references.all)
    old, recent = _by_age(store, unreferenced, now)
    result = PruneResult(kept_recent=len(recent))
    for index, sha in enumerate(old):
        if index:
            # A pause between the short locks: a writer in SQLite's busy handler retries every
            # few (up to 100) ms and must find the lock free, not taken again at once.
            time.sleep(PRUNE_PAUSE)
        # One short lock per photo: the bot's writers wait for it (busy_timeout), not long.
        with source.photo_write_lock() as refers_to:
            if store.is_held(sha) or _is_recent(store, sha, now) or refers_to(sha):
                result.kept_recent += 1
                continue
            files, size = store.remove(sha)
        result.photos += 1
        result.files += files
        result.bytes += size
    for path in _temp_by_age(store, now)[0]:
        # Nothing refers to a temp file and a live write renames its own within moments.
        try:
            size = path.stat().st_size
            path.unlink()
        except FileNotFoundError:
            continue
        result.temp_files += 1
        result.temp_bytes += size
    return result


def check(
    settings: Settings, out: Print = print, *, prune: bool = False, now: datetime | None = None
) -> int:
    """``python -m bot check [--prune]``: print every finding; the exit code of ``CheckResult``.

    With ``prune``, orphans and temporary photo files older than an hour are deleted
    afterwards (not when anything is
    damaged: orphans are judged against the database) and no longer count.
    """
    now = now or datetime.now(UTC)
    source: DataSource
    if settings.postgres:
        url = settings.database_url.get_secret_value()
        try:
            source = PostgresData(url)
        except (OSError, TimeoutError, asyncpg.PostgresError) as error:
            line = redact_url(f"{type(error).__name__}: {error}", url)
            out(f"database: PostgreSQL: cannot connect: {line}")
            return 1
    else:
        source = SqliteData(settings.database_path)
    try:
        return _check(settings, source, out, prune=prune, now=now)
    finally:
        source.close()


def _check(
    settings: Settings, source: DataSource, out: Print, *, prune: bool, now: datetime
) -> int:
    result = check_data(source, settings.photos_dir, now=now)
    print_findings(result, out)
    if not prune:
        return result.exit_code
    if result.damaged:
        out("prune skipped: the data is damaged (orphans are judged against the database)")
        return 1
    clashes = 1 if result.nrps.clashes else 0
    pruned = prune_orphans(source, PhotoStore(settings.photos_dir), now=now)
    temp = (
        f"; {pruned.temp_files} temporary files, {pruned.temp_bytes} bytes"
        if pruned.temp_files
        else ""
    )
    out(
        f"pruned {pruned.photos} orphan photos: {pruned.files} files, {pruned.bytes} bytes"
        f" ({pruned.kept_recent} newer than an hour kept){temp}"
    )
    return clashes


def print_findings(result: CheckResult, out: Print) -> None:
    """One line per finding, the way `check` and `restore` report them."""
    for problem in result.integrity:
        out(f"database: {problem}")
    for sha in result.corrupted:
        out(f"photo corrupted (hash mismatch): {sha}")
    for sha in result.missing:
        out(f"photo missing (referenced, not stored): {sha}")
    for sha in result.orphans:
        out(f"photo orphan (stored, not referenced): {sha}")
    for sha in result.recent_orphans:
        out(f"photo orphan, newer than an hour (may be an upload being saved): {sha}")
    for path in result.temp_files:
        out(f"photo temporary file (left half-written by a crash): {path}")
    for path in result.recent_temp_files:
        out(f"photo temporary file, newer than an hour (may be a write in progress): {path}")
    for nrp, ids in result.nrps.clashes.items():
        out(f"officers {', '.join(map(str, ids))}: NRPs in look-alike digits that read as {nrp}"
            " (one person twice, or an impostor: suspend all but one in /anggota; never merged)")
    for officer_id, nrp in result.nrps.rewrite.items():
        out(f"officer {officer_id}: NRP stored in look-alike digits, read as {nrp}"
            " (stored in ASCII at the bot's next start)")
    recent = f" (+{len(result.recent_orphans)} newer)" if result.recent_orphans else ""
    temp = ""
    if result.temp_files or result.recent_temp_files:
        newer = f" (+{len(result.recent_temp_files)} newer)" if result.recent_temp_files else ""
        temp = f", {len(result.temp_files)} temporary files{newer}"
    out(
        f"database {'ok' if not result.integrity else 'DAMAGED'}; "
        f"{result.photos_checked} photos checked, {len(result.corrupted)} corrupted, "
        f"{len(result.missing)} missing, {len(result.orphans)} orphans{recent}{temp}"
    )

