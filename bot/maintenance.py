"""Operator commands: health probe, backup, restore and the consistency check.

Each returns a process exit code and prints one line per finding, so that cron, Docker and a
person at a terminal read the same thing. None of them needs Telegram.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING

from config.settings import Settings
from domain.people import NrpFindings, look_alike_nrps
from domain.photos import PhotoStore
from storage.database import available_migrations
from storage.maintenance import (
    backup_database,
    integrity_problems,
    officer_nrps,
    photo_references,
    photo_write_lock,
    restore_database,
    schema_versions,
)
from storage.postgres import server_problems

STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
MANIFEST = "manifest.json"
DB_NAME = "polmas.sqlite3"
LOCK_NAME = "polmas.lock"
_DIR_MODE = 0o700
_FILE_MODE = 0o600

Print = Callable[[str], None]

if TYPE_CHECKING:
    from bot.application import BotApplication


class DataDirBusy(Exception):
    """Another process (a running bot, a restore) holds the data directory."""


@contextlib.contextmanager
def data_dir_lock(data_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on the data directory for the duration of the block.

    The bot holds it while running; ``restore`` needs it, so a restore can never replace a
    database under a live bot. The kernel drops the lock when the process dies, even by
    SIGKILL.
    """
    data_dir.mkdir(parents=True, exist_ok=True, mode=_DIR_MODE)
    handle: IO[bytes] = open(data_dir / LOCK_NAME, "ab")  # noqa: SIM115 - held across yield
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DataDirBusy(str(data_dir)) from None
        yield
    finally:
        handle.close()


# --------------------------------------------------------------------------- run and dispatch


def log_secrets(settings: Settings) -> list[str]:
    """What the log redaction must hide: the token and the webhook secret (PTB logs both)."""
    return [
        settings.telegram_bot_token.get_secret_value(),
        settings.webhook_secret.get_secret_value(),
    ]


def run(application: BotApplication, settings: Settings) -> None:
    """Run until SIGINT/SIGTERM, then finish the updates in flight and shut down cleanly.

    PTB's ``run_*`` install the signal handlers: on a signal they stop fetching, let the
    update being processed finish, stop the JobQueue and call ``post_shutdown`` (which closes
    the database). Pending updates are never dropped: Telegram keeps what we did not confirm.
    """
    from bot.application import ALLOWED_UPDATES

    if settings.run_mode == "webhook":
        application.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=settings.webhook_url_path,
            webhook_url=settings.webhook_url,
            secret_token=settings.webhook_secret.get_secret_value(),
            allowed_updates=ALLOWED_UPDATES,
            drop_pending_updates=False,
        )
    else:
        application.run_polling(allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False)


def operate(
    command: str,
    settings: Settings,
    *,
    to: Path | None,
    backup_dir: Path | None,
    prune: bool = False,
) -> int:
    """Run one operator command; returns the exit code."""
    now = datetime.now(UTC)
    if command == "health":
        return health(settings)
    if command == "check":
        return check(settings, prune=prune, now=now)
    if command == "backup":
        result = make_backup(settings, now=now, to=to)
        print(
            f"backup written to {result.path}: database {result.database_bytes} bytes,"
            f" {result.photo_files} photo files ({result.photo_files_linked} unchanged, linked)"
        )
        return 0
    if backup_dir is None:
        print("restore needs the backup directory: python -m bot restore DATA_DIR/backups/...")
        return 1
    return restore(settings, backup_dir, now=now)


# --------------------------------------------------------------------------- health


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


# --------------------------------------------------------------------------- backup


@dataclass
class BackupResult:
    """What one backup wrote (figures for the log and the README)."""

    path: Path
    database_bytes: int = 0
    photo_files: int = 0
    photo_files_linked: int = 0
    pruned: list[Path] = field(default_factory=list)


def make_backup(settings: Settings, *, now: datetime, to: Path | None = None) -> BackupResult:
    """Snapshot the database (online backup API) and the photo store into ``to/<UTC stamp>/``.

    The database goes first and the photos second: photos are written before the rows that
    refer to them, so every photo the snapshot refers to is already on disk when it is copied.
    Photo files unchanged since the previous backup are hard links (content-addressed files
    never change under their name), so a nightly backup costs only the new photos. The
    directory appears under its final name only when complete (with ``manifest.json``).
    """
    root = to or settings.backups_dir
    _private_dir(root)
    os.chmod(root, _DIR_MODE)
    stamp = now.astimezone(UTC).strftime(STAMP_FORMAT)
    final = root / stamp
    suffix = 1
    while final.exists():
        suffix += 1
        final = root / f"{stamp}-{suffix}"
    previous = latest_backup(root)
    work = root / f".{final.name}.partial"
    shutil.rmtree(work, ignore_errors=True)
    _private_dir(work)
    try:
        backup_database(settings.database_path, work / DB_NAME)
        result = BackupResult(final, database_bytes=(work / DB_NAME).stat().st_size)
        _copy_photos(
            settings.photos_dir,
            work / "photos",
            previous / "photos" if previous else None,
            result,
        )
        manifest = {
            "created_at": now.astimezone(UTC).isoformat(),
            "database": DB_NAME,
            "database_bytes": result.database_bytes,
            "photo_files": result.photo_files,
        }
        _write_private(work / MANIFEST, json.dumps(manifest, indent=2).encode())
        os.replace(work, final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return result


def _copy_photos(source: Path, target: Path, previous: Path | None, result: BackupResult) -> None:
    if not source.is_dir():
        return
    for path in sorted(source.rglob("*")):
        if not path.is_file() or path.name.startswith(".tmp-"):
            continue  # a write in progress; its final file is copied next time
        relative = path.relative_to(source)
        destination = target / relative
        _private_dir(destination.parent)
        stat = path.stat()
        earlier = previous / relative if previous else None
        result.photo_files += 1
        if earlier is not None and _same_file(earlier, stat):
            try:
                os.link(earlier, destination)
                result.photo_files_linked += 1
                continue
            except OSError:
                pass  # another file system: copy instead
        shutil.copy2(path, destination)
        os.chmod(destination, _FILE_MODE)


def _same_file(path: Path, stat: os.stat_result) -> bool:
    try:
        other = path.stat()
    except OSError:
        return False
    return other.st_size == stat.st_size and other.st_mtime_ns == stat.st_mtime_ns


def backups(root: Path) -> list[Path]:
    """Complete backups under ``root``, oldest first."""
    if not root.is_dir():
        return []
    found = [p for p in root.iterdir() if p.is_dir() and _stamp_of(p) and (p / MANIFEST).is_file()]
    return sorted(found, key=lambda p: p.name)


def latest_backup(root: Path) -> Path | None:
    """The newest complete backup, if any."""
    found = backups(root)
    return found[-1] if found else None


def prune_backups(root: Path, *, now: datetime, keep_days: int) -> list[Path]:
    """Delete backups older than ``keep_days`` (never the newest one); return what went."""
    cutoff = now - timedelta(days=keep_days)
    found = backups(root)
    removed = []
    for path in found[:-1]:
        made = _stamp_of(path)
        if made is not None and made < cutoff:
            shutil.rmtree(path)
            removed.append(path)
    return removed


def backup_time(path: Path) -> datetime | None:
    """When a backup was made (from its directory name), or None for another name."""
    return _stamp_of(path)


def _stamp_of(path: Path) -> datetime | None:
    try:
        return datetime.strptime(path.name.split("-", 1)[0], STAMP_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


# --------------------------------------------------------------------------- check

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


def check_data(database: Path, photos: Path, *, now: datetime | None = None) -> CheckResult:
    """Integrity of the database, every photo's hash, and references both ways.

    With ``now``, orphans younger than :data:`ORPHAN_MIN_AGE` are kept apart as recent.
    """
    integrity = integrity_problems(database)
    store = PhotoStore(photos)
    stored = list(store.iter_hashes())
    corrupted = [sha for sha in stored if not store.verify(sha)]
    if integrity:
        return CheckResult(integrity, len(stored), corrupted, [], [])
    references = photo_references(database)
    missing = sorted(sha for sha in references.all if not store.exists(sha))
    orphans, recent = _by_age(store, sorted(set(stored) - references.all), now)
    temp, recent_temp = _temp_by_age(store, now)
    nrps = look_alike_nrps(officer_nrps(database))
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


def prune_orphans(database: Path, store: PhotoStore, *, now: datetime) -> PruneResult:
    """Delete photo files no row refers to and nobody touched for :data:`ORPHAN_MIN_AGE`,
    and temporary files (``.tmp-*.part``) as old.

    Runs beside the bot (a worker thread of the nightly job, or ``check --prune`` in another
    process, where the bot's holds are not visible), so each candidate is deleted while the
    database's write lock is held (:func:`~storage.maintenance.photo_write_lock`), after
    looking again, under it, whether a row refers to it, whether it was touched (an officer
    sent it again) and whether this process holds it. An upload checks its photo's files
    inside its own write transaction and stores them again if they are gone
    (:func:`~domain.photos.ensure_stored`): whichever takes the lock first, the row that
    commits never refers to deleted files. The caller makes sure the database is sound:
    references are read from it.
    """
    references = photo_references(database)
    unreferenced = sorted(set(store.iter_hashes()) - references.all)
    old, recent = _by_age(store, unreferenced, now)
    result = PruneResult(kept_recent=len(recent))
    for index, sha in enumerate(old):
        if index:
            # A pause between the short locks: a writer in SQLite's busy handler retries every
            # few (up to 100) ms and must find the lock free, not taken again at once.
            time.sleep(PRUNE_PAUSE)
        # One short lock per photo: the bot's writers wait for it (busy_timeout), not long.
        with photo_write_lock(database) as refers_to:
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
    result = check_data(settings.database_path, settings.photos_dir, now=now)
    _print_findings(result, out)
    if not prune:
        return result.exit_code
    if result.damaged:
        out("prune skipped: the data is damaged (orphans are judged against the database)")
        return 1
    clashes = 1 if result.nrps.clashes else 0
    pruned = prune_orphans(settings.database_path, PhotoStore(settings.photos_dir), now=now)
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


def _print_findings(result: CheckResult, out: Print) -> None:
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


# --------------------------------------------------------------------------- restore


def restore(settings: Settings, source: Path, *, now: datetime, out: Print = print) -> int:
    """Replace the database with a verified backup; the old files are kept aside.

    Refuses while the bot runs (it holds the data directory lock), when the backup is
    incomplete or fails its own check, and when its schema has migrations this code does not
    know (made by a newer version). An older schema is restored as it is and migrated when
    the bot next starts, as any database is.
    """
    source = source.resolve()
    if not (source / MANIFEST).is_file() or not (source / DB_NAME).is_file():
        out(f"restore refused: {source} is not a complete backup (no {MANIFEST})")
        return 1
    verdict = check_data(source / DB_NAME, source / "photos")
    if verdict.damaged:
        _print_findings(verdict, out)
        out("restore refused: the backup is damaged")
        return 1
    # Checked before anything is touched: a newer schema could be run by this code only
    # wrongly; an older one is brought up to date by the migrations at the next start.
    applied = schema_versions(source / DB_NAME)
    if applied is None:
        out(f"restore refused: {source.name} has no schema_migrations table (not a bot database)")
        return 1
    known = [version for version, _, _ in available_migrations()]
    unknown = sorted(set(applied) - set(known))
    if unknown:
        out(
            f"restore refused: the backup's schema ({_versions(unknown)}) is newer than this"
            f" bot knows (up to {known[-1]:04d}); restore it with the bot version that made it"
        )
        return 1
    pending = sorted(set(known) - set(applied))
    try:
        with data_dir_lock(settings.data_dir):
            aside = _set_aside(settings, now)
            restore_database(source / DB_NAME, settings.database_path)
            copied = _merge_photos(source / "photos", settings.photos_dir)
    except DataDirBusy:
        out("restore refused: the bot is running on this data directory; stop it first")
        return 1
    problems = integrity_problems(settings.database_path)
    for problem in problems:
        out(f"database: {problem}")
    if aside is not None:
        out(f"previous database kept in {aside}")
    if pending:
        out(
            f"the backup's schema is older (up to {max(applied, default=0):04d}): migrations"
            f" {_versions(pending)} are applied when the bot next starts"
        )
    out(f"restored {source.name}: {copied} photo files copied")
    return 1 if problems else 0


def _versions(versions: list[int]) -> str:
    return ", ".join(f"{version:04d}" for version in versions)


def _set_aside(settings: Settings, now: datetime) -> Path | None:
    database = settings.database_path
    companions = [database.with_name(database.name + s) for s in ("", "-wal", "-shm")]
    present = [p for p in companions if p.exists()]
    if not present:
        return None
    aside = settings.data_dir / f"pre-restore-{now.astimezone(UTC).strftime(STAMP_FORMAT)}"
    _private_dir(aside)
    for path in present:
        os.replace(path, aside / path.name)
    return aside


def _merge_photos(source: Path, target: Path) -> int:
    """Copy photo files the store lacks; content-addressed names make merging safe."""
    copied = 0
    if not source.is_dir():
        return copied
    for path in sorted(source.rglob("*")):
        if not path.is_file():
            continue
        destination = target / path.relative_to(source)
        if destination.is_file() and destination.stat().st_size == path.stat().st_size:
            continue
        _private_dir(destination.parent)
        shutil.copy2(path, destination)
        os.chmod(destination, _FILE_MODE)
        copied += 1
    return copied


# --------------------------------------------------------------------------- helpers


def _private_dir(path: Path) -> None:
    """Create ``path`` and any missing parents as 0700 (mkdir's parents follow the umask)."""
    missing = []
    while not path.is_dir():
        missing.append(path)
        path = path.parent
    for directory in reversed(missing):
        directory.mkdir(mode=_DIR_MODE, exist_ok=True)
        os.chmod(directory, _DIR_MODE)


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, _FILE_MODE)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
