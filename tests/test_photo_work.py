"""Photo work in worker processes (#15): off the event loop's GIL, same files, same rules."""

from __future__ import annotations

import asyncio
import os
import signal
import stat
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from config.settings import load_settings
from domain.imaging import PhotoProblem, PhotoRejected
from emulator import Emulator
from emulator.harness import BotHarness
from emulator.media import make_jpeg
from storage import photo_work
from storage.photo_work import START_METHOD, PhotoWork, PhotoWorkFailed, default_workers
from storage.photos import PhotoStore
from tests.support import photo_jobs
from tests.support.reports import fill_sapta, seed

TZ = ZoneInfo("Asia/Makassar")


def refuse_here(*args: object, **kwargs: object) -> None:
    """Stands in for an imaging function in this process: a job run here fails the test."""
    raise AssertionError("photo work ran in the bot's own process")


def modes(root: Path) -> set[tuple[str, int]]:
    """(kind, permission bits) of everything under ``root``."""
    return {("dir" if p.is_dir() else "file", stat.S_IMODE(p.stat().st_mode))
            for p in root.rglob("*")}


def test_the_default_is_a_pool_of_processes_started_safely(tmp_path: Path) -> None:
    settings = load_settings(telegram_bot_token="1:x", data_dir=tmp_path)
    work = PhotoWork(PhotoStore(settings.photos_dir), workers=settings.photo_workers)

    assert settings.photo_workers is None
    assert work.in_process
    assert work.workers == default_workers() >= 1
    assert START_METHOD in ("forkserver", "spawn")  # never fork in a process with threads


async def test_a_report_photos_are_ingested_and_stamped_in_worker_processes(
    harness: BotHarness, emu: Emulator, monkeypatch: pytest.MonkeyPatch
):
    # Patched here, these would fail in this process; the workers have their own copies.
    for name in ("ingest_photo", "ensure_stored", "stamp_photo", "contact_sheet"):
        monkeypatch.setattr(photo_work, name, refuse_here)
    officer, _ = await seed(harness, emu)

    await fill_sapta(officer, photos=2)
    await officer.press("📤 Kirim laporan")

    async with harness.db.reading() as repos:
        (report,) = await repos.reports.all()
        hashes = await repos.report_photos.of_report(report.id)
    services = harness.application.bot_data.services
    assert services is not None
    assert services.imaging.in_process
    assert len(hashes) == 2
    for sha in hashes:
        assert services.photos.exists(sha)
        assert services.photos.stamped_path(sha).is_file()
    # Written by the workers, still owner-only, and no temp file left behind.
    assert modes(services.photos.root) == {("dir", 0o700), ("file", 0o600)}
    assert services.photos.temp_files() == []
    assert officer.last.kind == "photo"


async def test_a_photo_refused_in_a_worker_is_refused_to_the_officer(
    harness: BotHarness, emu: Emulator
):
    officer, _ = await seed(harness, emu)
    await fill_sapta(officer, photos=1)
    services = harness.application.bot_data.services
    assert services is not None

    await officer.send_document(b"GIF87a" + bytes(40), file_name="IMG_0002.jpg",
                                mime_type="image/jpeg")

    # The refusal (a PhotoRejected raised in the worker) names the problem and the format.
    assert officer.last.text == services.texts("id", "reports.photo.damaged", format="GIF")


async def test_a_worker_that_dies_is_replaced_and_the_job_still_runs(tmp_path: Path):
    store = PhotoStore(tmp_path / "photos")
    work = PhotoWork(store, workers=1)
    try:
        first = await work.ingest(make_jpeg(800, 600, color=(1, 2, 3)), tz=TZ)
        pid = await work._run(os.getpid)  # noqa: SLF001 - the worker's pid, to kill it
        assert pid != os.getpid()
        os.kill(pid, signal.SIGKILL)

        second = await work.ingest(make_jpeg(800, 600, color=(4, 5, 6)), tz=TZ)
        with pytest.raises(PhotoRejected) as refused:
            await work.ingest(b"not a photo at all", tz=TZ)
    finally:
        await work.close()

    assert store.exists(first.sha256)
    assert store.exists(second.sha256)
    assert refused.value.reason is PhotoProblem.NOT_IMAGE


async def test_closed_photo_work_refuses_jobs(tmp_path: Path):
    work = PhotoWork(PhotoStore(tmp_path / "photos"), workers=1)
    await work.close()

    with pytest.raises(RuntimeError, match="closed"):
        await work.stamp("0" * 64, ["x"])


async def test_zero_workers_run_the_jobs_in_threads_of_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    work = PhotoWork(PhotoStore(tmp_path / "photos"), workers=0)
    monkeypatch.setattr(photo_work, "ingest_photo", refuse_here)

    assert not work.in_process
    with pytest.raises(AssertionError, match="bot's own process"):
        await work.ingest(make_jpeg(800, 600), tz=TZ)


# The bot's side in a process of its own, killed without any shutdown (as SIGKILL or the OOM
# killer would): its photo worker, the fork server and the resource tracker must end too.
KILLED_BOT = """
import asyncio, os, sys, time
from pathlib import Path
from storage.photo_work import PhotoWork
from storage.photos import PhotoStore

async def main():
    work = PhotoWork(PhotoStore(Path(sys.argv[1])), workers=1)
    print(await work._run(os.getpid), flush=True)
    await asyncio.sleep(60)

if __name__ == "__main__":
    asyncio.run(main())
"""


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")  # dead; its parent has yet to reap it


async def test_the_workers_end_when_the_bot_is_killed(tmp_path: Path):
    import asyncio
    import sys

    from tests.support.processes import python_path_env

    script = tmp_path / "killed_bot.py"
    script.write_text(KILLED_BOT)
    out = tmp_path / "worker.pid"
    # Output to a file, not a pipe: a worker left behind would hold a pipe open for ever.
    with out.open("wb") as handle:
        bot = await asyncio.create_subprocess_exec(
            sys.executable, str(script), str(tmp_path / "photos"),
            env=python_path_env(tmp_path), stdout=handle,
        )
    for _ in range(600):
        if out.read_text().strip():
            break
        await asyncio.sleep(0.05)
    worker = int(out.read_text())
    assert not _gone(worker)

    bot.kill()
    await asyncio.wait_for(bot.wait(), 10)

    for _ in range(100):
        if _gone(worker):
            break
        await asyncio.sleep(0.05)
    gone = _gone(worker)
    if not gone:
        os.kill(worker, signal.SIGKILL)  # not left running after a failure
    assert gone


async def test_a_job_that_kills_its_worker_fails_alone_and_the_others_in_flight_still_run(
    tmp_path: Path,
):
    """A dead worker breaks every job on its pool: they are tried again alone, so only the
    job that kills a worker by itself fails (another officer's photo never does)."""
    work = PhotoWork(PhotoStore(tmp_path / "photos"), workers=2)
    try:
        await work.start()
        good, bad = await asyncio.gather(
            work._run(photo_jobs.after, 1.0, "stored"),  # noqa: SLF001 - the pool's own jobs
            work._run(photo_jobs.die_after, 0.2),  # noqa: SLF001
            return_exceptions=True,
        )
        assert good == "stored"
        assert isinstance(bad, PhotoWorkFailed)
        # The pool is whole again for what comes next.
        assert await work._run(photo_jobs.after, 0.0, "next") == "next"  # noqa: SLF001
    finally:
        await work.close()


async def test_an_ingest_whose_processing_dies_asks_for_the_photo_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    work = PhotoWork(PhotoStore(tmp_path / "photos"), workers=1)

    async def dies(*_: object) -> None:
        raise PhotoWorkFailed("a photo worker died running ingest_job alone")

    monkeypatch.setattr(work, "_run", dies)
    with pytest.raises(PhotoRejected) as refused:
        await work.ingest(make_jpeg(800, 600), tz=TZ)
    assert refused.value.reason is PhotoProblem.FAILED
