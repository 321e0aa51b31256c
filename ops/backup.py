"""Backups (database and photos, hard-linked to the previous backup), retention, restore.

Each operator command returns a process exit code and prints one line per finding.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from config.settings import Settings
from ops.check import Print, check_data, print_findings
from ops.files import DIR_MODE, FILE_MODE, DataDirBusy, data_dir_lock, private_dir, write_private
from storage.database import available_migrations
from storage.maintenance import (
    backup_database,
    integrity_problems,
    restore_database,
    schema_versions,
)
from storage.pg_maintenance import (
    PostgresData,
    PostgresToolError,
    dump_schema,
    dump_versions,
    restore_schema,
)
from storage.photos import PhotoStore
from storage.postgres import available_migrations as postgres_migrations

STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
MANIFEST = "manifest.json"
DB_NAME = "polmas.sqlite3"
PG_DUMP_NAME = "polmas.pgdump"
"""On PostgreSQL: ``pg_dump -Fc`` of the bot's schema (``manifest.json`` names it)."""


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
    private_dir(root)
    os.chmod(root, DIR_MODE)
    stamp = now.astimezone(UTC).strftime(STAMP_FORMAT)
    final = root / stamp
    suffix = 1
    while final.exists():
        suffix += 1
        final = root / f"{stamp}-{suffix}"
    previous = latest_backup(root)
    work = root / f".{final.name}.partial"
    shutil.rmtree(work, ignore_errors=True)
    private_dir(work)
    try:
        if settings.postgres:
            url = settings.database_url.get_secret_value()
            with PostgresData(url) as data:
                schema = data.schema
            if schema is None:
                raise PostgresToolError("PostgreSQL: the URL's schema does not exist")
            name = PG_DUMP_NAME
            dump_schema(url, schema, work / name)
            extra: dict[str, object] = {"backend": "postgresql", "schema": schema,
                                        "format": "pg_dump custom"}
        else:
            name = DB_NAME
            backup_database(settings.database_path, work / name)
            extra = {"backend": "sqlite"}
        result = BackupResult(final, database_bytes=(work / name).stat().st_size)
        _copy_photos(
            settings.photos_dir,
            work / "photos",
            previous / "photos" if previous else None,
            result,
        )
        manifest = {
            "created_at": now.astimezone(UTC).isoformat(),
            "database": name,
            "database_bytes": result.database_bytes,
            "photo_files": result.photo_files,
            **extra,
        }
        write_private(work / MANIFEST, json.dumps(manifest, indent=2).encode())
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
        private_dir(destination.parent)
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
        os.chmod(destination, FILE_MODE)


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

def restore(settings: Settings, source: Path, *, now: datetime, out: Print = print) -> int:
    """Replace the database with a verified backup; the old files are kept aside.

    Refuses while the bot runs (it holds the data directory lock), when the backup is
    incomplete or fails its own check, and when its schema has migrations this code does not
    know (made by a newer version). An older schema is restored as it is and migrated when
    the bot next starts, as any database is.
    """
    source = source.resolve()
    if settings.postgres:
        return restore_postgres(settings, source, now=now, out=out)
    if (source / PG_DUMP_NAME).is_file():
        out(f"restore refused: {source} is a PostgreSQL backup; the bot is on SQLite"
            " (DATABASE_URL)")
        return 1
    if not (source / MANIFEST).is_file() or not (source / DB_NAME).is_file():
        out(f"restore refused: {source} is not a complete backup (no {MANIFEST})")
        return 1
    verdict = check_data(source / DB_NAME, source / "photos")
    if verdict.damaged:
        print_findings(verdict, out)
        out("restore refused: the backup is damaged")
        return 1
    # Checked before anything is touched: a newer schema could be run by this code only
    # wrongly; an older one is brought up to date by the migrations at the next start.
    applied = schema_versions(source / DB_NAME)
    pending = _pending_migrations(source, applied,
                                  [version for version, _, _ in available_migrations()], out)
    if pending is None:
        return 1
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
    _tell_pending(applied or [], pending, out)
    out(f"restored {source.name}: {copied} photo files copied")
    return 1 if problems else 0


def _pending_migrations(
    source: Path, applied: list[int] | None, known: list[int], out: Print
) -> list[int] | None:
    """The migrations a backup lacks (applied at the next start), or None when it must be
    refused: no migration table (not a bot database), or migrations this bot does not know
    (made by a newer version, which this code could only run wrongly)."""
    if applied is None:
        out(f"restore refused: {source.name} has no schema_migrations table (not a bot database)")
        return None
    unknown = sorted(set(applied) - set(known))
    if unknown:
        out(
            f"restore refused: the backup's schema ({_versions(unknown)}) is newer than this"
            f" bot knows (up to {known[-1]:04d}); restore it with the bot version that made it"
        )
        return None
    return sorted(set(known) - set(applied))


def _tell_pending(applied: list[int], pending: list[int], out: Print) -> None:
    """Say which migrations an older backup will be brought up with."""
    if pending:
        out(
            f"the backup's schema is older (up to {max(applied, default=0):04d}): migrations"
            f" {_versions(pending)} are applied when the bot next starts"
        )


def _versions(versions: list[int]) -> str:
    return ", ".join(f"{version:04d}" for version in versions)


def _set_aside(settings: Settings, now: datetime) -> Path | None:
    database = settings.database_path
    companions = [database.with_name(database.name + s) for s in ("", "-wal", "-shm")]
    present = [p for p in companions if p.exists()]
    if not present:
        return None
    aside = settings.data_dir / f"pre-restore-{now.astimezone(UTC).strftime(STAMP_FORMAT)}"
    private_dir(aside)
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
        private_dir(destination.parent)
        shutil.copy2(path, destination)
        os.chmod(destination, FILE_MODE)
        copied += 1
    return copied



def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def restore_postgres(
    settings: Settings, source: Path, *, now: datetime, out: Print = print
) -> int:
    """``restore`` on PostgreSQL: the dump replaces the bot's schema, the old one kept aside.

    Refuses an incomplete backup, damaged photos, a dump of a newer schema, a dump of another
    schema than the URL's, and any bot instance connected to the schema (each holds an
    advisory lock on its run name while connected; the restore holds the migration lock, so
    one starting meanwhile waits until the restore is done). ``pg_restore`` runs in one
    transaction; if it fails, the old schema is put back.
    """
    url = settings.database_url.get_secret_value()
    dump = source / PG_DUMP_NAME
    if not (source / MANIFEST).is_file() or not dump.is_file():
        what = " (it is a SQLite backup)" if (source / DB_NAME).is_file() else ""
        out(f"restore refused: {source} is not a complete PostgreSQL backup{what}")
        return 1
    manifest = json.loads((source / MANIFEST).read_text())
    store = PhotoStore(source / "photos")
    corrupted = [sha for sha in store.iter_hashes() if not store.verify(sha)]
    for sha in corrupted:
        out(f"photo corrupted (hash mismatch): {sha}")
    try:
        applied = dump_versions(dump)
    except PostgresToolError as error:
        out(f"restore refused: the dump cannot be read: {error}")
        return 1
    if corrupted:
        out("restore refused: the backup is damaged")
        return 1
    pending = _pending_migrations(source, applied,
                                  [version for version, _, _ in postgres_migrations()], out)
    if pending is None:
        return 1
    with PostgresData(url) as data:
        current = data.schema
        wanted = dict(parse_qsl(urlsplit(url).query)).get("search_path", "public")
        schema = current or wanted
        if manifest.get("schema") != schema:
            out(
                f"restore refused: the dump is of schema {manifest.get('schema')!r}, the"
                f" DATABASE_URL uses {schema!r} (pg_restore restores into the dump's schema)"
            )
            return 1
        data.hold_migrations()
        live = data.live_runs()
        if live:
            out(
                f"restore refused: {live} bot instance(s) connected to schema {schema};"
                " stop them all first"
            )
            return 1
        try:
            with data_dir_lock(settings.data_dir):
                aside = None
                if current is not None:
                    aside = f"{schema}_pre_restore_{now.astimezone(UTC).strftime('%Y%m%d%H%M%S')}"
                    data.execute(f"ALTER SCHEMA {_quoted(schema)} RENAME TO {_quoted(aside)}")
                data.execute(f"CREATE SCHEMA {_quoted(schema)}")
                try:
                    restore_schema(url, dump)
                except BaseException as error:
                    # Whatever stopped it (the tool, a lost connection, Ctrl-C), the old schema
                    # goes back under its name, or the operator is told where it is.
                    try:
                        data.execute(f"DROP SCHEMA {_quoted(schema)} CASCADE")
                        if aside is not None:
                            data.execute(
                                f"ALTER SCHEMA {_quoted(aside)} RENAME TO {_quoted(schema)}")
                    except BaseException:
                        out(f"restore failed and the previous schema could not be put back:"
                            f" it is kept as {aside}; rename it to {schema} by hand")
                        raise
                    if not isinstance(error, PostgresToolError):
                        out("restore interrupted, the database is as it was")
                        raise
                    out(f"restore failed, the database is as it was: {error}")
                    return 1
                copied = _merge_photos(source / "photos", settings.photos_dir)
        except DataDirBusy:
            out("restore refused: a bot is running on this data directory; stop it first")
            return 1
        reports = data.fetchval(f"SELECT count(*) FROM {_quoted(schema)}.reports")
        problems = data.integrity()
    for problem in problems:
        out(f"database: {problem}")
    if aside is not None:
        out(f"previous schema kept as {aside} (DROP SCHEMA {aside} CASCADE once verified)")
    _tell_pending(applied or [], pending, out)
    out(f"restored {source.name} into schema {schema}: {reports} reports,"
        f" {copied} photo files copied")
    return 1 if problems else 0
