"""Backups, restore, the consistency check and residents' data retention, as operators run them."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from domain.imaging import ingest_photo
from emulator import Emulator
from emulator.harness import BotHarness
from emulator.media import make_jpeg
from jobs.maintenance import BACKUP_JOB, CATCH_UP_JOB, RETENTION_JOB
from ops import check as maintenance
from ops.backup import DB_NAME, MANIFEST, backups, make_backup, restore
from ops.check import check, check_data, prune_orphans
from ops.files import data_dir_lock
from storage import Database
from storage.database import available_migrations
from storage.photos import PhotoStore
from tests.conftest import TOKEN
from tests.support.backup import (
    SECRET,
    age,
    every_record_at_debug,
    file_report,
    private_files,
    run_job,
    stored_reports,
)
from tests.support.reports import draft_of, fill_sapta, seed, walk_rest

# The SQLite file's backups, restore and checks: on SQLite in both suite runs.
pytestmark = pytest.mark.usefixtures("sqlite_file")




async def reports_in(path: Path) -> list[str]:
    """Report numbers in a database file (opened on a copy, so the file itself is untouched)."""
    copy = path.with_name("inspect.sqlite3")
    shutil.copyfile(path, copy)
    database = Database(copy)
    await database.open()
    try:
        async with database.reading() as repos:
            return [r.number for r in await repos.reports.all()]
    finally:
        await database.close()
        copy.unlink()



async def test_backup_while_the_bot_is_writing(harness: BotHarness, emu: Emulator):
    await file_report(harness, emu)
    writes = 0
    stop = asyncio.Event()

    async def writer() -> None:
        nonlocal writes
        while not stop.is_set():
            async with harness.db.transaction() as tx:
                await tx.audit.record(actor_id=None, action="test.write", target_type="test",
                                      target_id=writes, now=harness.clock.now())
            writes += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(writer())
    results = []
    during = []
    for second in range(3):
        before = writes
        now = harness.clock.now() + timedelta(seconds=second)
        results.append(await asyncio.to_thread(make_backup, harness.settings, now=now))
        during.append(writes - before)
    stop.set()
    await task

    assert min(during) > 0, "the bot did not write while the backup ran"
    assert [p.name for p in backups(harness.settings.backups_dir)] == [
        r.path.name for r in results
    ]
    for result in results:
        verdict = check_data(result.path / DB_NAME, result.path / "photos")
        assert not verdict.damaged
        assert verdict.orphans == []
        assert verdict.photos_checked == 2
        assert await reports_in(result.path / DB_NAME) == ["LAP/SAPTA/2026/11/0001"]
        manifest = json.loads((result.path / MANIFEST).read_text())
        assert manifest["database_bytes"] == result.database_bytes
    # Photos unchanged since the previous backup are hard links, not copies.
    assert results[0].photo_files_linked == 0
    assert results[2].photo_files_linked == results[2].photo_files > 0
    assert list(private_files(harness.settings.backups_dir)) == []


async def test_restore_round_trip_keeps_the_old_database_aside(
    harness: BotHarness, emu: Emulator, capsys: pytest.CaptureFixture[str]
):
    officer, _ = await file_report(harness, emu)
    [(first, first_photos)] = await stored_reports(harness)
    backup = make_backup(harness.settings, now=harness.clock.now()).path

    await fill_sapta(officer, photos=1)
    await officer.press("📤 Kirim laporan")
    assert len(await stored_reports(harness)) == 2

    # The running bot holds the data directory: restore refuses.
    with data_dir_lock(harness.settings.data_dir):
        assert restore(harness.settings, backup, now=harness.clock.now()) == 1
    assert "stop it first" in capsys.readouterr().out

    await harness.stop()
    shutil.rmtree(harness.settings.photos_dir)  # a lost disk: photos come back too
    assert restore(harness.settings, backup, now=harness.clock.now()) == 0
    output = capsys.readouterr().out
    assert "previous database kept in" in output
    aside = next(harness.settings.data_dir.glob("pre-restore-*"))
    assert await reports_in(aside / DB_NAME) == [
        "LAP/SAPTA/2026/11/0001", "LAP/SAPTA/2026/11/0002"
    ]

    await harness.start()
    [(restored, restored_photos)] = await stored_reports(harness)
    assert restored.number == first.number
    assert restored.answers == first.answers
    assert restored_photos == first_photos
    assert check(harness.settings, out=lambda line: None) == 0
    # The bot carries on from the restored state: the next number follows the restored one.
    await fill_sapta(officer, photos=1)
    await officer.press("📤 Kirim laporan")
    assert [r.number for r, _ in await stored_reports(harness)][-1] == "LAP/SAPTA/2026/11/0002"


async def test_restore_refuses_a_damaged_or_incomplete_backup(
    harness: BotHarness, emu: Emulator, capsys: pytest.CaptureFixture[str]
):
    await file_report(harness, emu, photos=1)
    backup = make_backup(harness.settings, now=harness.clock.now()).path
    await harness.stop()
    store = PhotoStore(backup / "photos")
    [sha] = list(store.iter_hashes())
    original = store.original_path(sha)
    original.write_bytes(original.read_bytes()[:-10] + b"0123456789")
    assert restore(harness.settings, backup, now=harness.clock.now()) == 1
    assert "backup is damaged" in capsys.readouterr().out
    (backup / MANIFEST).unlink()
    assert restore(harness.settings, backup, now=harness.clock.now()) == 1
    assert "not a complete backup" in capsys.readouterr().out
    assert not list(harness.settings.data_dir.glob("pre-restore-*"))
    await harness.start()


def backup_of_schema(root: Path, versions: list[int]) -> Path:
    """A complete backup whose database has exactly the migrations ``versions`` applied."""
    path = root / "20261101T000000Z"
    path.mkdir(parents=True)
    connection = sqlite3.connect(path / DB_NAME)
    connection.execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
        " applied_at TEXT NOT NULL)"
    )
    for version, name, sql in available_migrations():
        if version in versions:
            connection.executescript(
                f"BEGIN;\n{sql}\n;INSERT INTO schema_migrations VALUES"
                f" ({version}, '{name}', '2026-11-01T00:00:00Z');\nCOMMIT;"
            )
    connection.close()
    (path / MANIFEST).write_text(json.dumps({"created_at": "2026-11-01T00:00:00+00:00"}))
    return path


async def test_restore_refuses_a_backup_of_a_newer_schema(
    harness: BotHarness, emu: Emulator, capsys: pytest.CaptureFixture[str]
):
    await file_report(harness, emu, photos=1)
    backup = make_backup(harness.settings, now=harness.clock.now()).path
    await harness.stop()
    known = [version for version, _, _ in available_migrations()]
    future = known[-1] + 1
    connection = sqlite3.connect(backup / DB_NAME)
    with connection:
        connection.execute(
            "INSERT INTO schema_migrations VALUES (?, ?, ?)",
            (future, f"{future:04d}_from_the_future.sql", "2027-01-01T00:00:00Z"),
        )
    connection.close()
    database = harness.settings.database_path
    before = database.read_bytes()

    assert restore(harness.settings, backup, now=harness.clock.now()) == 1
    output = capsys.readouterr().out
    assert f"restore refused: the backup's schema ({future:04d}) is newer than this bot" in output
    assert database.read_bytes() == before  # nothing changed, nothing set aside
    assert not list(harness.settings.data_dir.glob("pre-restore-*"))
    await harness.start()
    assert len(await stored_reports(harness)) == 1


async def test_restore_of_an_older_schema_is_migrated_at_the_next_start(
    harness: BotHarness, emu: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    known = [version for version, _, _ in available_migrations()]
    backup = backup_of_schema(tmp_path / "old", known[:-1])
    await harness.stop()

    assert restore(harness.settings, backup, now=harness.clock.now()) == 0
    output = capsys.readouterr().out
    assert (
        f"the backup's schema is older (up to {known[-2]:04d}): migrations {known[-1]:04d}"
        " are applied when the bot next starts"
    ) in output
    await harness.start()
    assert await harness.db.applied_migrations() == known
    await file_report(harness, emu, photos=1)  # and the bot works on it
    assert check(harness.settings, out=lambda line: None) == 0


async def test_check_finds_corrupted_missing_and_orphan_photos(harness: BotHarness, emu: Emulator):
    await file_report(harness, emu, photos=2)
    lines: list[str] = []
    assert check(harness.settings, out=lines.append) == 0
    assert lines[-1] == "database ok; 2 photos checked, 0 corrupted, 0 missing, 0 orphans"

    store = PhotoStore(harness.settings.photos_dir)
    orphan = ingest_photo(make_jpeg(300, 200, color=(1, 2, 3)), store, tz=harness.settings.tz)
    lines.clear()
    # Just stored: may be an upload whose draft row is about to commit, not a finding.
    assert check(harness.settings, out=lines.append) == 0
    assert lines[-1] == (
        "database ok; 3 photos checked, 0 corrupted, 0 missing, 0 orphans (+1 newer)"
    )
    age(store, orphan.sha256, hours=2)
    lines.clear()
    assert check(harness.settings, out=lines.append) == 2
    assert f"photo orphan (stored, not referenced): {orphan.sha256}" in lines

    [(_, hashes)] = await stored_reports(harness)
    corrupted, missing = hashes
    path = store.original_path(corrupted)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    store.metadata_path(missing).unlink()
    lines.clear()
    assert check(harness.settings, out=lines.append) == 1
    assert f"photo corrupted (hash mismatch): {corrupted}" in lines
    assert f"photo missing (referenced, not stored): {missing}" in lines
    assert lines[-1] == "database ok; 3 photos checked, 1 corrupted, 1 missing, 1 orphans"



async def to_photo_step(officer) -> None:
    await officer.send("/lapor")
    await officer.press("POS SAPTA")
    await officer.press("✏️ Nomor Sprin")
    await officer.send("Sprin/12/XI/2026/Satbinmas")
    await officer.send("RW 03 Kel. Heledulaa")
    await officer.send_location(0.5412, 123.0595)
    await walk_rest(officer, photos=0, until=lambda text: "Foto dokumentasi" in text)


async def test_a_discarded_draft_takes_its_photo_files_along(harness: BotHarness, emu: Emulator):
    officer, _ = await seed(harness, emu)
    store = PhotoStore(harness.settings.photos_dir)
    await to_photo_step(officer)
    await officer.send_photo(make_jpeg(640, 480, color=(200, 10, 10)))
    [sha] = list(store.iter_hashes())
    assert store.exists(sha)
    await officer.send("/batal")
    await officer.press("🗑 Ya, buang")

    assert await draft_of(harness, officer) is None
    assert store.files_of(sha) == []
    lines: list[str] = []
    assert check(harness.settings, out=lines.append) == 0
    assert lines[-1] == "database ok; 0 photos checked, 0 corrupted, 0 missing, 0 orphans"


async def test_a_discarded_draft_keeps_a_photo_a_report_still_uses(
    harness: BotHarness, emu: Emulator
):
    officer, _ = await file_report(harness, emu, photos=1)
    [(_, [used])] = await stored_reports(harness)
    await to_photo_step(officer)
    # The same picture again (walk_rest's first photo), and a new one.
    await officer.send_photo(make_jpeg(800, 600, color=(0, 80, 120)))
    await officer.send_photo(make_jpeg(640, 480, color=(9, 9, 9)))
    store = PhotoStore(harness.settings.photos_dir)
    [new] = set(store.iter_hashes()) - {used}
    await officer.send("/batal")
    await officer.press("🗑 Ya, buang")

    assert store.exists(used)
    assert store.verify(used)
    assert store.files_of(new) == []
    assert check(harness.settings, out=lambda line: None) == 0


async def test_prune_takes_old_orphans_and_keeps_recent_ones(
    harness: BotHarness, emu: Emulator
):
    await file_report(harness, emu, photos=1)
    store = PhotoStore(harness.settings.photos_dir)
    old = ingest_photo(make_jpeg(300, 200, color=(1, 2, 3)), store, tz=harness.settings.tz)
    fresh = ingest_photo(make_jpeg(300, 200, color=(4, 5, 6)), store, tz=harness.settings.tz)
    age(store, old.sha256, hours=2)
    size = sum(path.stat().st_size for path in store.files_of(old.sha256))

    lines: list[str] = []
    assert check(harness.settings, out=lines.append, prune=True) == 0
    assert lines[-1] == (
        f"pruned 1 orphan photos: 4 files, {size} bytes (1 newer than an hour kept)"
    )
    assert store.files_of(old.sha256) == []
    assert store.exists(fresh.sha256)
    [(_, [used])] = await stored_reports(harness)
    assert store.exists(used)

    # An old orphan sent again is young again: pruning must not take it from the new draft.
    again = ingest_photo(make_jpeg(300, 200, color=(7, 8, 9)), store, tz=harness.settings.tz)
    age(store, again.sha256, hours=2)
    assert ingest_photo(make_jpeg(300, 200, color=(7, 8, 9)), store, tz=harness.settings.tz)
    lines.clear()
    assert check(harness.settings, out=lines.append, prune=True) == 0
    assert store.exists(again.sha256)


async def test_prune_refuses_when_the_data_is_damaged(harness: BotHarness, emu: Emulator):
    await file_report(harness, emu, photos=1)
    store = PhotoStore(harness.settings.photos_dir)
    orphan = ingest_photo(make_jpeg(300, 200, color=(1, 2, 3)), store, tz=harness.settings.tz)
    age(store, orphan.sha256, hours=2)
    [(_, [used])] = await stored_reports(harness)
    store.metadata_path(used).unlink()  # a referenced photo is missing: damage
    lines: list[str] = []
    assert check(harness.settings, out=lines.append, prune=True) == 1
    assert lines[-1].startswith("prune skipped")
    assert store.exists(orphan.sha256)


async def test_nightly_job_prunes_old_orphans_but_not_held_ones(
    harness: BotHarness, emu: Emulator
):
    await file_report(harness, emu, photos=1)
    services = harness.application.bot_data.services
    assert services is not None
    store = services.photos
    now = harness.clock.now()
    old, held, fresh = (
        ingest_photo(make_jpeg(300, 200, color=(i, i, i)), store, tz=harness.settings.tz)
        for i in (1, 2, 3)
    )
    age(store, old.sha256, hours=2, now=now)
    age(store, held.sha256, hours=2, now=now)
    age(store, fresh.sha256, hours=0.5, now=now)
    with store.hold(held.sha256):  # an upload of it is being added to a draft
        await run_job(harness, BACKUP_JOB)
    assert store.files_of(old.sha256) == []
    assert store.exists(held.sha256)
    assert store.exists(fresh.sha256)
    [(_, [used])] = await stored_reports(harness)
    assert store.exists(used)
    # The backup made before the prune still has the orphan.
    [backup] = backups(harness.settings.backups_dir)
    assert PhotoStore(backup / "photos").exists(old.sha256)


async def _old_orphan_at_the_photo_step(harness: BotHarness, emu: Emulator):
    """An officer at the photo step and an old orphan (3 h) of the photo they will send again,
    seen by the pruner through a store of its own (another process: no holds visible)."""
    officer, _ = await seed(harness, emu)
    await to_photo_step(officer)
    data = make_jpeg(640, 480, color=(1, 2, 3))
    store = PhotoStore(harness.settings.photos_dir)
    sha = ingest_photo(data, store, tz=harness.settings.tz).sha256
    age(store, sha, hours=3)
    return officer, data, sha, store


async def test_prune_deleting_a_photo_an_upload_just_found_cannot_leave_the_draft_without_it(
    harness: BotHarness, emu: Emulator, monkeypatch: pytest.MonkeyPatch
):
    # The interleaving of /tmp/review/prune_race.py: the prune has judged the orphan old and
    # unreferenced; the officer sends it again, the upload finds it stored and touches it;
    # the prune then deletes it; the upload's row commits. Forced with events, as that
    # script does by wrapping remove().
    officer, data, sha, store = await _old_orphan_at_the_photo_step(harness, emu)
    ingested, deleting = threading.Event(), threading.Event()
    imaging = harness.application.bot_data.services.imaging
    real_ingest, real_remove = imaging.ingest, store.remove

    async def ingest_then_let_prune_delete(*args, **kwargs):
        photo = await real_ingest(*args, **kwargs)
        ingested.set()
        return photo

    def remove_once_the_upload_found_it(h: str) -> tuple[int, int]:
        deleting.set()
        assert ingested.wait(10)
        return real_remove(h)

    monkeypatch.setattr(imaging, "ingest", ingest_then_let_prune_delete)
    monkeypatch.setattr(store, "remove", remove_once_the_upload_found_it)
    prune = asyncio.ensure_future(asyncio.to_thread(
        prune_orphans, harness.settings.database_path, store, now=datetime.now(UTC)
    ))
    assert await asyncio.to_thread(deleting.wait, 10)
    await officer.send_photo(data, compress=False)
    result = await prune

    assert (result.photos, result.files) == (1, 4)  # it did delete them, under the lock
    draft = await draft_of(harness, officer)
    assert draft is not None
    assert [p["sha256"] for p in draft.answers["photos"]] == [sha]  # the photo answered
    # The upload's transaction waited for the prune, saw the files gone, stored them again.
    assert store.exists(sha)
    assert store.verify(sha)
    lines: list[str] = []
    assert check(harness.settings, out=lines.append) == 0, lines


async def test_prune_keeps_an_orphan_a_draft_took_after_the_references_were_read(
    harness: BotHarness, emu: Emulator, monkeypatch: pytest.MonkeyPatch
):
    # The other order: the upload commits between the prune's reading of the references and
    # its deletion. The files are aged again, so that only the reference can save them.
    officer, data, sha, store = await _old_orphan_at_the_photo_step(harness, emu)
    read, uploaded = threading.Event(), threading.Event()
    real_references = maintenance.photo_references

    def references_then_wait(path: Path):
        found = real_references(path)
        read.set()
        assert uploaded.wait(10)
        return found

    monkeypatch.setattr(maintenance, "photo_references", references_then_wait)
    prune = asyncio.ensure_future(asyncio.to_thread(
        prune_orphans, harness.settings.database_path, store, now=datetime.now(UTC)
    ))
    assert await asyncio.to_thread(read.wait, 10)
    await officer.send_photo(data, compress=False)
    age(store, sha, hours=3)
    uploaded.set()
    result = await prune

    assert (result.photos, result.kept_recent) == (0, 1)
    draft = await draft_of(harness, officer)
    assert draft is not None
    assert [p["sha256"] for p in draft.answers["photos"]] == [sha]  # the photo answered
    assert store.exists(sha)


async def test_check_lists_and_prune_deletes_old_temporary_photo_files(
    harness: BotHarness, emu: Emulator
):
    await file_report(harness, emu, photos=1)
    store = PhotoStore(harness.settings.photos_dir)
    [(_, [used])] = await stored_reports(harness)
    shard = store.shard_dir(used)
    stale, fresh = shard / ".tmp-crashed.part", shard / ".tmp-writing.part"
    stale.write_bytes(b"half a jpeg")
    fresh.write_bytes(b"a write in progress")
    moment = datetime.now(UTC).timestamp() - 2 * 3600
    os.utime(stale, (moment, moment))

    lines: list[str] = []
    assert check(harness.settings, out=lines.append) == 2  # a leftover, not damage
    assert f"photo temporary file (left half-written by a crash): {stale}" in lines
    assert (
        f"photo temporary file, newer than an hour (may be a write in progress): {fresh}"
    ) in lines
    assert lines[-1] == (
        "database ok; 1 photos checked, 0 corrupted, 0 missing, 0 orphans,"
        " 1 temporary files (+1 newer)"
    )
    lines.clear()
    assert check(harness.settings, out=lines.append, prune=True) == 0
    assert lines[-1] == (
        "pruned 0 orphan photos: 0 files, 0 bytes (0 newer than an hour kept);"
        " 1 temporary files, 11 bytes"
    )
    assert not stale.exists()
    assert fresh.exists()
    assert store.exists(used)


async def test_nightly_job_deletes_old_temporary_photo_files(harness: BotHarness, emu: Emulator):
    await file_report(harness, emu, photos=1)
    services = harness.application.bot_data.services
    assert services is not None
    stale = services.photos.root / ".tmp-crashed.part"
    stale.write_bytes(b"x")
    moment = harness.clock.now().timestamp() - 2 * 3600
    os.utime(stale, (moment, moment))
    await run_job(harness, BACKUP_JOB)
    assert not stale.exists()
    assert services.photos.temp_files() == []


async def test_nightly_backup_job_keeps_the_retention_period(harness: BotHarness, emu: Emulator):
    await file_report(harness, emu, photos=1)
    root = harness.settings.backups_dir
    for days in (30, 13):
        old = make_backup(harness.settings, now=harness.clock.now() - timedelta(days=days))
        assert old.path.is_dir()
    await run_job(harness, BACKUP_JOB)
    names = [p.name for p in backups(root)]
    now = harness.clock.now()
    assert names == [
        (now - timedelta(days=13)).strftime("%Y%m%dT%H%M%SZ"),
        now.strftime("%Y%m%dT%H%M%SZ"),
    ]
    queue = harness.application.job_queue
    assert queue is not None
    [job] = [j for j in queue.jobs() if j.name == BACKUP_JOB]
    fire = job.next_t
    assert fire is not None
    assert fire.astimezone(harness.settings.tz).hour == 2  # 02:00 WITA by default


async def test_a_missed_night_is_caught_up_after_start(harness: BotHarness, emu: Emulator):
    root = harness.settings.backups_dir
    await run_job(harness, CATCH_UP_JOB)  # no backup yet: make one
    assert len(backups(root)) == 1
    harness.clock.advance(timedelta(hours=20))
    await run_job(harness, CATCH_UP_JOB)  # recent enough: nothing to do
    assert len(backups(root)) == 1
    harness.clock.advance(timedelta(hours=7))
    await run_job(harness, CATCH_UP_JOB)  # 27 h old: a night was missed
    assert len(backups(root)) == 2


async def test_residents_details_are_erased_after_the_retention_period(
    harness: BotHarness, emu: Emulator
):
    await file_report(harness, emu, photos=1)
    await run_job(harness, RETENTION_JOB)
    [(report, _)] = await stored_reports(harness)
    assert "Pak Hasan" in json.dumps(report.answers)

    harness.clock.advance(timedelta(days=366))
    await run_job(harness, RETENTION_JOB)
    [(report, _)] = await stored_reports(harness)
    async with harness.db.reading() as repos:
        [complaint] = await repos.complaints.of_report(report.id)
        audit = await repos.audit.recent()
    assert (complaint.resident_name, complaint.resident_contact) == (None, None)
    assert complaint.description == "Sering terjadi pencurian motor di malam hari"
    assert "Pak Hasan" not in json.dumps(report.answers)
    assert audit[0]["action"] == "residents.anonymised"
    assert audit[0]["details"]["retention_days"] == 365


async def test_data_files_are_owner_only(harness: BotHarness, emu: Emulator):
    # Without the umask `python -m bot` sets: the code itself creates everything private.
    old = os.umask(0o022)
    try:
        await file_report(harness, emu, photos=2)
        make_backup(harness.settings, now=harness.clock.now())
    finally:
        os.umask(old)
    data_dir = harness.settings.data_dir
    assert (data_dir / "polmas.sqlite3-wal").exists()
    assert (data_dir / "polmas.sqlite3-shm").exists()
    assert list(private_files(data_dir)) == []


async def test_no_secret_in_any_log_record_of_a_full_report_flow(
    emu: Emulator, data_dir: Path
):
    with every_record_at_debug(emu, data_dir) as (harness, records):
        await harness.start()
        try:
            await file_report(harness, emu)
        finally:
            await harness.stop()
    text = "\n".join(records)
    assert len(records) > 100
    assert "[REDACTED]" in text  # PTB does log the token: the redaction keeps it out
    assert "LAP/SAPTA/2026/11/0001" in text or "sendPhoto" in text
    for secret in (TOKEN, TOKEN.split(":", 1)[1], SECRET):
        assert secret not in text


def test_the_reference_check_under_the_write_lock_reads_an_index_not_every_report(
    tmp_path: Path,
):
    """Prune asks it per photo while the bot's writers wait: a scan of every report there held
    them past their busy timeout at 1 M reports (review)."""
    from storage.database import Database
    from storage.maintenance import _REFERS_TO

    database = tmp_path / "polmas.sqlite3"

    async def create() -> None:
        store = Database(database)
        await store.open()
        await store.close()

    asyncio.run(create())
    with sqlite3.connect(database) as connection:
        plan = " | ".join(row[3] for row in connection.execute(
            f"EXPLAIN QUERY PLAN {_REFERS_TO}", {"sha": "ab" * 32}))
    assert "report_photos_sha256" in plan, plan
    assert "reports" not in plan.replace("report_photos", ""), plan
