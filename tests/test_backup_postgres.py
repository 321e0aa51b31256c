"""Backups, restore and ``check`` on PostgreSQL: pg_dump of the bot's schema, photos as on SQLite.

These run on every suite run against the local server (DATABASE_URL's when it names one) and
skip only when no server answers. Each test has its own schema (the URL's ``search_path``).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import threading
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest

from bot.maintenance import operate
from config.settings import load_settings
from domain.imaging import ingest_photo
from emulator import Emulator, pg
from emulator.harness import BotHarness
from emulator.media import make_jpeg
from jobs.maintenance import BACKUP_JOB, RETENTION_JOB
from ops.backup import MANIFEST, PG_DUMP_NAME, backups, make_backup, restore
from ops.check import check
from storage import PostgresDatabase
from storage.pg_maintenance import PostgresToolError, libpq_environment, redact_url
from storage.photos import PhotoStore
from tests.conftest import ADMIN_TELEGRAM_ID, TOKEN
from tests.support.backup import age, file_report, private_files, run_job, stored_reports
from tests.support.processes import python_path_env, run_bot


def _reachable(url: str) -> bool:
    async def probe() -> bool:
        try:
            connection = await asyncpg.connect(url, timeout=3)
        except (OSError, asyncpg.PostgresError, TimeoutError):
            return False
        await connection.close()
        return True

    return asyncio.run(probe())


@pytest.fixture
def pg_url(monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> Iterator[str]:
    """A fresh schema on the server; the harness on ``data_dir`` uses it."""
    server = pg.server_url()
    if not _reachable(server):
        pytest.skip(f"no PostgreSQL server at {redact_url(server, server)}")
    monkeypatch.setattr(pg, "POSTGRES", True)
    monkeypatch.setattr(pg, "BASE_URL", server)
    url = str(pg.run(pg.create_schema(server)))
    monkeypatch.setenv("DATABASE_URL", url)
    pg.adopt(data_dir, url)
    try:
        yield url
    finally:
        pg.run(pg.drop_created())
        pg.run(_drop_all(url))


async def _drop_all(url: str) -> None:
    """Drop the schema and what restores set aside of it."""
    schema = url.rsplit("search_path=", 1)[1]
    connection = await asyncpg.connect(url)
    try:
        names = await connection.fetch(
            "SELECT nspname FROM pg_namespace WHERE nspname = $1 OR nspname LIKE $2",
            schema, f"{schema}_pre_restore_%",
        )
        for row in names:
            await connection.execute(f'DROP SCHEMA IF EXISTS "{row[0]}" CASCADE')
    finally:
        await connection.close()


@pytest.fixture
async def pg_harness(pg_url: str, emu: Emulator, data_dir: Path) -> AsyncIterator[BotHarness]:
    start = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
    bot = BotHarness(emu, data_dir, start=start, admin_ids=frozenset({ADMIN_TELEGRAM_ID}))
    await bot.start()
    assert bot.settings.postgres
    try:
        yield bot
    finally:
        await bot.stop()


def test_the_password_goes_to_the_environment_never_the_command_line() -> None:
    url = "postgresql://bot:s%3Acret@db.example:6543/polmas?sslmode=require&search_path=x"
    env = libpq_environment(url)
    assert (env["PGHOST"], env["PGPORT"], env["PGUSER"], env["PGDATABASE"]) == (
        "db.example", "6543", "bot", "polmas")
    assert env["PGPASSWORD"] == "s:cret"
    assert env["PGSSLMODE"] == "require"
    assert redact_url("auth failed for s:cret and s%3Acret", url) == (
        "auth failed for *** and ***")


async def test_backup_and_restore_round_trip(
    pg_harness: BotHarness, emu: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    harness = pg_harness
    officer, _ = await file_report(harness, emu)
    [(first, first_photos)] = await stored_reports(harness)
    result = await asyncio.to_thread(make_backup, harness.settings, now=harness.clock.now())
    backup = result.path
    manifest = json.loads((backup / MANIFEST).read_text())
    assert manifest["database"] == PG_DUMP_NAME
    assert manifest["backend"] == "postgresql"
    assert manifest["schema"] == harness.settings.database_url.get_secret_value().rsplit("=")[-1]
    assert result.database_bytes == (backup / PG_DUMP_NAME).stat().st_size > 0
    files = sum(1 for p in harness.settings.photos_dir.rglob("*") if p.is_file())
    assert result.photo_files == files > 0
    assert list(private_files(harness.settings.backups_dir)) == []
    assert not list(harness.settings.backups_dir.glob(".*partial"))

    # The next night links the unchanged photos.
    again = make_backup(harness.settings, now=harness.clock.now() + timedelta(days=1))
    assert again.photo_files_linked == files

    # Refused while an instance is connected to the schema.
    now = harness.clock.now()
    assert await asyncio.to_thread(restore, harness.settings, backup, now=now) == 1
    assert "bot instance(s) connected" in capsys.readouterr().out

    # A later report and a lost photo disk: the restore brings the backup's state back.
    await officer.send("/lapor")  # leave some state behind; the report below is what counts
    await harness.stop()
    connection = await asyncpg.connect(harness.settings.database_url.get_secret_value())
    try:
        await connection.execute("DELETE FROM report_photos")
        await connection.execute("DROP TABLE officers CASCADE")
    finally:
        await connection.close()
    shutil.rmtree(harness.settings.photos_dir)
    assert restore(harness.settings, backup, now=now) == 0
    out = capsys.readouterr().out
    assert f"1 reports, {files} photo files copied" in out
    assert "previous schema kept as " in out

    await harness.start()
    [(restored, restored_photos)] = await stored_reports(harness)
    assert restored.number == first.number
    assert restored_photos == first_photos
    assert len(first_photos) == 2
    store = PhotoStore(harness.settings.photos_dir)
    assert all(store.verify(sha) for sha in restored_photos)
    assert check(harness.settings, out=lambda line: None) == 0


async def test_restore_refuses_a_dump_of_a_newer_schema(
    pg_harness: BotHarness, emu: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    harness = pg_harness
    await file_report(harness, emu, photos=1)
    url = harness.settings.database_url.get_secret_value()
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(
            "INSERT INTO schema_migrations VALUES (9999, '9999_future.sql', 'x')")
        backup = make_backup(harness.settings, now=harness.clock.now()).path
        await connection.execute("DELETE FROM schema_migrations WHERE version = 9999")
        await connection.execute("DELETE FROM report_photos")
    finally:
        await connection.close()
    await harness.stop()
    assert restore(harness.settings, backup, now=harness.clock.now()) == 1
    assert "restore refused: the backup's schema (9999) is newer" in capsys.readouterr().out
    await harness.start()
    [(_, photos)] = await stored_reports(harness)
    assert photos == []  # nothing changed


async def test_check_finds_missing_and_orphan_photos_and_prune_removes_the_orphan(
    pg_harness: BotHarness, emu: Emulator
) -> None:
    harness = pg_harness
    await file_report(harness, emu, photos=2)
    lines: list[str] = []
    assert check(harness.settings, out=lines.append) == 0
    assert lines[-1] == "database ok; 2 photos checked, 0 corrupted, 0 missing, 0 orphans"

    store = PhotoStore(harness.settings.photos_dir)
    orphan = ingest_photo(make_jpeg(300, 200, color=(1, 2, 3)), store, tz=harness.settings.tz)
    age(store, orphan.sha256, hours=2)
    lines.clear()
    assert check(harness.settings, out=lines.append) == 2
    assert f"photo orphan (stored, not referenced): {orphan.sha256}" in lines

    # The bot keeps running on the schema (another instance's view): prune takes the orphan.
    lines.clear()
    assert await asyncio.to_thread(check, harness.settings, lines.append, prune=True) == 0
    assert lines[-1].startswith("pruned 1 orphan photos: 4 files")
    assert store.files_of(orphan.sha256) == []
    [(_, [kept, missing])] = await stored_reports(harness)
    assert store.verify(kept)

    store.metadata_path(missing).unlink()
    lines.clear()
    assert check(harness.settings, out=lines.append) == 1
    assert f"photo missing (referenced, not stored): {missing}" in lines
    lines.clear()
    assert check(harness.settings, out=lines.append, prune=True) == 1
    assert lines[-1].startswith("prune skipped: the data is damaged")


async def test_prune_keeps_a_photo_a_row_refers_to_under_the_write_lock(
    pg_harness: BotHarness, emu: Emulator
) -> None:
    harness = pg_harness
    await file_report(harness, emu, photos=1)
    [(_, [used])] = await stored_reports(harness)
    store = PhotoStore(harness.settings.photos_dir)
    age(store, used, hours=2)
    from ops import check as checking
    from storage.pg_maintenance import PostgresData

    class Stale(PostgresData):
        def photo_references(self):  # type: ignore[no-untyped-def]
            references = super().photo_references()
            references.in_reports = set()  # read before the report committed
            references.elsewhere = set()
            return references

    with Stale(harness.settings.database_url.get_secret_value()) as data:
        pruned = await asyncio.to_thread(checking.prune_orphans, data, store,
                                         now=datetime.now(UTC))
    assert pruned.photos == 0
    assert pruned.kept_recent == 1
    assert store.verify(used)


async def test_nightly_job_on_postgres_writes_a_pg_dump_backup(
    pg_harness: BotHarness, emu: Emulator
) -> None:
    harness = pg_harness
    await file_report(harness, emu, photos=1)
    root = harness.settings.backups_dir
    old = make_backup(harness.settings, now=harness.clock.now() - timedelta(days=30))
    assert old.path.is_dir()
    store = PhotoStore(harness.settings.photos_dir)
    orphan = ingest_photo(make_jpeg(300, 200, color=(1, 2, 3)), store, tz=harness.settings.tz)
    age(store, orphan.sha256, hours=2, now=harness.clock.now())
    await run_job(harness, BACKUP_JOB)
    assert store.files_of(orphan.sha256) == []  # pruned after the backup, as on SQLite
    [(_, [used])] = await stored_reports(harness)
    assert store.verify(used)
    [newest] = backups(root)  # the 30-day-old one is past the retention
    assert (newest / PG_DUMP_NAME).stat().st_size > 0
    assert json.loads((newest / MANIFEST).read_text())["backend"] == "postgresql"
    assert os.stat(newest / PG_DUMP_NAME).st_mode & 0o777 == 0o600



def test_backup_keeps_the_password_off_the_command_line_and_out_of_errors(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # A pg_dump that tells what it was given, and fails: the operator's line must not carry
    # the password, and the password must have come through the environment.
    tools = tmp_path / "bin"
    tools.mkdir()
    fake = tools / "pg_dump"
    seen = tmp_path / "seen"
    fake.write_text(
        f'#!/bin/sh\necho "$*" > {seen}.argv\necho "$PGPASSWORD" > {seen}.env\n'
        'echo "argv: $* env: $PGPASSWORD" >&2\nexit 1\n'
    )
    fake.chmod(0o700)
    monkeypatch.setenv("PATH", f"{tools}:{os.environ['PATH']}")
    secret = "Sekr3t-pass"
    url = pg_url.replace("postgresql://postgres@", f"postgresql://postgres:{secret}@")
    assert secret in url  # trust auth: the server ignores it, the tools must still hide it
    asyncio.run(_migrate(url))
    settings = load_settings(
        telegram_bot_token=TOKEN, database_url=url, data_dir=tmp_path / "data"
    )
    assert operate("backup", settings, to=None, backup_dir=None) == 1
    out = capsys.readouterr().out
    assert out.startswith("backup failed: PostgresToolError: pg_dump failed (1): argv: -Fc")
    assert "env: ***" in out
    assert secret not in out
    assert secret not in Path(f"{seen}.argv").read_text()
    assert Path(f"{seen}.env").read_text().strip() == secret
    assert backups(settings.backups_dir) == []
    assert not list(settings.backups_dir.glob(".*partial"))


async def _migrate(url: str) -> None:
    database = PostgresDatabase(url)
    await database.open()
    await database.close()


async def test_a_failed_pg_restore_puts_the_old_schema_back(
    pg_harness: BotHarness, emu: Emulator, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    harness = pg_harness
    await file_report(harness, emu, photos=1)
    backup = make_backup(harness.settings, now=harness.clock.now()).path
    await harness.stop()

    def restore_then_fail(url: str, dump: Path) -> None:
        real_restore_schema(url, dump)  # written, then the tool reports an error
        raise PostgresToolError("pg_restore failed (1): simulated")

    from ops import backup as backing
    real_restore_schema = backing.restore_schema
    monkeypatch.setattr(backing, "restore_schema", restore_then_fail)
    connection = await asyncpg.connect(harness.settings.database_url.get_secret_value())
    try:
        await connection.execute("DELETE FROM report_photos")
    finally:
        await connection.close()
    assert restore(harness.settings, backup, now=harness.clock.now()) == 1
    assert "restore failed, the database is as it was" in capsys.readouterr().out
    await harness.start()
    [(_, photos)] = await stored_reports(harness)
    assert photos == []  # the old schema (photos deleted), not the backup's
    schema = harness.settings.database_url.get_secret_value().rsplit("=")[-1]
    connection = await asyncpg.connect(harness.settings.database_url.get_secret_value())
    try:
        left = await connection.fetch(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE $1", f"{schema}%")
    finally:
        await connection.close()
    assert [row[0] for row in left] == [schema]


async def test_residents_details_are_erased_after_the_retention_period_on_postgres(
    pg_harness: BotHarness, emu: Emulator
) -> None:
    harness = pg_harness
    await file_report(harness, emu, photos=1)
    await run_job(harness, RETENTION_JOB)
    [(report, _)] = await stored_reports(harness)
    assert "Pak Hasan" in json.dumps(report.answers)

    harness.clock.advance(timedelta(days=366))
    other = PostgresDatabase(harness.settings.database_url.get_secret_value())
    await other.open()
    try:
        assert not await other.hold_scheduler()  # the harness's instance erases, once
    finally:
        await other.close()
    await run_job(harness, RETENTION_JOB)
    [(report, _)] = await stored_reports(harness)
    async with harness.db.reading() as repos:
        [complaint] = await repos.complaints.of_report(report.id)
        audit = await repos.audit.recent()
    assert (complaint.resident_name, complaint.resident_contact) == (None, None)
    assert complaint.description == "Sering terjadi pencurian motor di malam hari"
    assert "Pak Hasan" not in json.dumps(report.answers)
    assert [a["action"] for a in audit].count("residents.anonymised") == 1


async def test_an_instance_starting_during_a_restore_waits_for_it(
    pg_harness: BotHarness, emu: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    harness = pg_harness
    await file_report(harness, emu, photos=1)
    backup = make_backup(harness.settings, now=harness.clock.now()).path
    await harness.stop()
    url = harness.settings.database_url.get_secret_value()
    connection = await asyncpg.connect(url)
    try:
        await connection.execute("TRUNCATE reports CASCADE")
    finally:
        await connection.close()

    from ops import backup as backing
    real_restore_schema = backing.restore_schema
    started, checked = threading.Event(), threading.Event()

    def restore_when_checked(url: str, dump: Path) -> None:
        started.set()
        assert checked.wait(10)
        real_restore_schema(url, dump)

    monkeypatch.setattr(backing, "restore_schema", restore_when_checked)
    restoring = asyncio.create_task(
        asyncio.to_thread(restore, harness.settings, backup, now=harness.clock.now()))
    assert await asyncio.to_thread(started.wait, 10)
    other = PostgresDatabase(url)
    opening = asyncio.create_task(other.open())
    await asyncio.sleep(0.5)
    assert not opening.done()  # waiting for the restore's migration lock
    checked.set()
    assert await restoring == 0
    await asyncio.wait_for(opening, 10)
    try:
        async with other.reading() as repos:
            assert len(await repos.reports.all()) == 1  # it opened on the restored data
    finally:
        await other.close()


async def test_backup_check_and_restore_from_the_command_line_on_postgres(
    pg_url: str, tmp_path: Path
) -> None:
    env = python_path_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, DATABASE_URL=pg_url)
    code, output = await run_bot(env, tmp_path, "check")
    assert code == 1  # the bot never started on the schema
    assert "no schema yet" in output
    await _migrate(pg_url)
    code, output = await run_bot(env, tmp_path, "backup")
    assert code == 0, output
    assert "backup written to" in output
    [backup] = backups(tmp_path / "data" / "backups")
    assert (backup / PG_DUMP_NAME).is_file()
    code, output = await run_bot(env, tmp_path, "check", "--prune")
    assert (code, output.strip().splitlines()[-1]) == (
        0, "pruned 0 orphan photos: 0 files, 0 bytes (0 newer than an hour kept)"
    )
    code, output = await run_bot(env, tmp_path, "restore", str(backup))
    assert code == 0, output
    assert "into schema t_" in output
    code, output = await run_bot(
        env | {"DATABASE_URL": ""}, tmp_path, "restore", str(backup))
    assert code == 1
    assert "is a PostgreSQL backup; the bot is on SQLite" in output
