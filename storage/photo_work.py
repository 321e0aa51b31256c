"""The Pillow work on stored photos, run outside the bot's process: ingest, stamp, sheets.

Decoding a 12 MP camera file, drawing a stamp or laying out a contact sheet is a few hundred
milliseconds of CPU. In a thread of the bot's own process it holds the GIL in long stretches
between Pillow's GIL-free calls, and the event loop (every other officer's answer) waits for
it: 45 ms of loop lag were measured with four officers sending camera files. Here each job
runs in a :class:`~concurrent.futures.ProcessPoolExecutor` worker instead.

- **Start method** ``forkserver``: the bot has threads (aiosqlite's, the executor's own), and
  a plain ``fork`` copies their locks in whatever state they are in. The fork server preloads
  the imaging modules, so a new worker is a fork of a process that has imported them.
- **Jobs** are top-level functions given the store's root; each worker builds its own
  :class:`~storage.photos.PhotoStore` on it. Durability is the store's, unchanged: every
  file is written to a temp file, fsync'd, renamed into place (0600, directories 0700) and
  the sidecar goes last. Holds (:meth:`PhotoStore.hold`) stay in the bot's process, where
  photos are removed.
- **Created on first use** (most runs of the bot send no photo for a while; the memory
  figure is the bot's), and submitted from a thread: starting a worker waits for the fork
  server, which must not happen on the event loop. Shut down by ``post_shutdown``.
- A worker ends when the bot's process ends, even when nothing shut the pool down (a
  SIGKILL): it watches the bot's pid (:func:`_start_worker`).
- A worker that dies (killed, out of memory) breaks the pool and every job in flight on
  it: each is tried once more alone, one at a time, in a pool of its own, so another
  officer's photo never fails for it; a job that kills a worker alone too is reported as
  :class:`PhotoWorkFailed` (for an ingest: the officer is asked to send the photo again,
  ``reports.photo.failed``, rather than waiting forever).

``workers=0`` runs the same jobs in threads of this process (``PHOTO_WORKERS=0``): for a
test that patches imaging functions, or a host that cannot start processes.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import select
import signal
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from domain.imaging import (
    DECODE_BUDGET_BYTES,
    MAX_DECODED_BYTES,
    IngestedPhoto,
    PhotoProblem,
    PhotoRejected,
    contact_sheet,
    ensure_stored,
    ingest_photo,
    stamp_photo,
)
from storage.photos import PhotoStore

logger = logging.getLogger(__name__)
T = TypeVar("T")
START_METHOD = "forkserver"
"""Never plain fork in a process with threads (see the module docstring)."""
_PRELOAD = ["domain.imaging", "storage.photos", "storage.photo_work"]


class PhotoWorkFailed(OSError):
    """A worker process died running the job, and died again running it alone."""


def default_workers() -> int:
    """One worker fewer than the cores this process may use, at least one (the bot's own
    event loop keeps a core; on the 2-core machine: one worker), and at most as many as the
    decode budget holds of the largest decode: each worker has its own budget, so the
    workers together stay within ``DECODE_BUDGET_BYTES`` as the threads did."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 2
    return max(1, min(cores - 1, DECODE_BUDGET_BYTES // MAX_DECODED_BYTES))


# ---------------------------------------------------------------- jobs (in the worker)


def _start_worker(bot_pid: int) -> None:
    """A worker ignores Ctrl-C sent to the process group (the bot stops it at shutdown) and
    ends when the bot's process ends, however it ends.

    A killed bot (SIGKILL, OOM) never shuts the pool down, and a worker holds both ends of
    its own job queue, so it would wait for a job forever; the fork server and the resource
    tracker would stay with it (they live while a worker holds their pipes). Measured: every
    SIGKILL of the bot left those three processes behind.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with, args=(bot_pid,), name="photo-worker-watch",
                     daemon=True).start()


def _exit_with(bot_pid: int) -> None:
    """Wait for the bot's process to end, then end this one (a job half done leaves only a
    temp file: every write is atomic, and ``check --prune`` removes it)."""
    try:
        handle = os.pidfd_open(bot_pid)
    except ProcessLookupError:
        os._exit(0)
    except (AttributeError, OSError):  # pragma: no cover - no pidfd (old kernel): poll
        while True:
            time.sleep(1.0)
            try:
                os.kill(bot_pid, 0)
            except ProcessLookupError:
                os._exit(0)
    select.select([handle], [], [])  # readable once the process has ended
    os._exit(0)


def _warm() -> int:
    """Nothing but proving the worker runs (the modules are preloaded); its pid."""
    return os.getpid()


def ingest_job(root: Path, data: bytes, tz: ZoneInfo) -> IngestedPhoto:
    """:func:`domain.imaging.ingest_photo` into the store at ``root``."""
    return ingest_photo(data, PhotoStore(root), tz=tz)


def ensure_job(root: Path, data: bytes, photo: IngestedPhoto, tz: ZoneInfo) -> bool:
    """:func:`domain.imaging.ensure_stored` on the store at ``root``."""
    return ensure_stored(data, photo, PhotoStore(root), tz=tz)


def stamp_job(root: Path, sha256: str, lines: Sequence[str]) -> Path:
    """:func:`domain.imaging.stamp_photo` on the store at ``root``."""
    return stamp_photo(PhotoStore(root), sha256, list(lines))


def sheet_job(root: Path, items: Sequence[tuple[str, str]], columns: int, tile: int) -> bytes:
    """:func:`domain.imaging.contact_sheet` of photos in the store at ``root``."""
    return contact_sheet(PhotoStore(root), list(items), columns=columns, tile=tile)


# ---------------------------------------------------------------- the bot's side


class PhotoWork:
    """Runs the photo jobs for one photo store: in worker processes, or threads if asked."""

    def __init__(self, store: PhotoStore, *, workers: int | None = None) -> None:
        self.store = store
        self.workers = default_workers() if workers is None else workers
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._alone = asyncio.Lock()
        self._closed = False

    @property
    def in_process(self) -> bool:
        """Whether jobs run in worker processes (False: threads of this process)."""
        return self.workers > 0

    async def ingest(self, data: bytes, *, tz: ZoneInfo) -> IngestedPhoto:
        """Check and store a received photo (:func:`domain.imaging.ingest_photo`).

        Raises:
            PhotoRejected: the bytes are not a usable photo (also when they killed a worker
                again when tried alone: the officer is asked to send it again).
        """
        try:
            return await self._run(ingest_job, self.store.root, data, tz)
        except PhotoWorkFailed as failed:
            raise PhotoRejected(PhotoProblem.FAILED, str(failed)) from failed

    async def ensure_stored(self, data: bytes, photo: IngestedPhoto, *, tz: ZoneInfo) -> bool:
        """:func:`domain.imaging.ensure_stored`: True when the files had to be written again.

        Called inside a write transaction: the usual case (the files are there) is checked
        here, in a thread, so the transaction never queues behind other officers' photos
        in the pool; only files pruned meanwhile (rare) go to a worker.
        """
        store = self.store
        if await asyncio.to_thread(
            lambda: store.get(photo.sha256) is not None and store.touch(photo.sha256)
        ):
            return False
        return await self._run(ensure_job, store.root, data, photo, tz)

    async def stamp(self, sha256: str, lines: Sequence[str]) -> Path:
        """Write the stamped copy (:func:`domain.imaging.stamp_photo`); its path."""
        return await self._run(stamp_job, self.store.root, sha256, tuple(lines))

    async def contact_sheet(
        self, items: Sequence[tuple[str, str]], *, columns: int, tile: int
    ) -> bytes:
        """A JPEG grid of stored photos (:func:`domain.imaging.contact_sheet`)."""
        return await self._run(sheet_job, self.store.root, tuple(items), columns, tile)

    async def start(self) -> None:
        """Start the workers now instead of at the first photo (each proves it runs)."""
        if self.in_process:
            await asyncio.to_thread(self._start_workers)

    async def close(self) -> None:
        """Stop the workers (jobs not started are cancelled); later jobs are refused."""
        self._closed = True
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)

    async def _run(self, job: Callable[..., T], *args: Any) -> T:
        if not self.in_process:
            return await asyncio.to_thread(job, *args)
        # Submitted from a thread: a submit may start a worker, which waits for the fork
        # server (and, the first time, for the fork server itself to start).
        pool, future = await asyncio.to_thread(self._submit, job, *args)
        try:
            return await asyncio.wrap_future(future)
        except BrokenProcessPool:
            self._discard(pool)
            logger.warning("a photo worker died running %s; trying it again alone", job.__name__)
        # A dead worker breaks every job in flight on its pool, not only the one that killed
        # it: each is tried again alone, one at a time, in a pool of its own, so that only a
        # job that kills a worker by itself fails.
        async with self._alone:
            try:
                return await asyncio.to_thread(self._run_alone, job, *args)
            except BrokenProcessPool:
                raise PhotoWorkFailed(
                    f"a photo worker died running {job.__name__} alone"
                ) from None

    def _run_alone(self, job: Callable[..., T], *args: Any) -> T:
        with self._new_pool(1) as pool:
            return pool.submit(job, *args).result()

    def _submit(
        self, job: Callable[..., T], *args: Any
    ) -> tuple[ProcessPoolExecutor, Future[T]]:
        pool = self._ensure_pool()
        try:
            return pool, pool.submit(job, *args)
        except BrokenProcessPool:
            self._discard(pool)
            pool = self._ensure_pool()
            return pool, pool.submit(job, *args)

    def _ensure_pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._closed:
                raise RuntimeError("photo work is closed")
            if self._pool is None:
                self._pool = self._new_pool(self.workers)
            return self._pool

    def _new_pool(self, workers: int) -> ProcessPoolExecutor:
        if self._closed:
            raise RuntimeError("photo work is closed")
        context = multiprocessing.get_context(START_METHOD)
        context.set_forkserver_preload(_PRELOAD)
        return ProcessPoolExecutor(
            workers, mp_context=context, initializer=_start_worker, initargs=(os.getpid(),),
        )

    def _discard(self, pool: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
        pool.shutdown(wait=False, cancel_futures=True)

    def _start_workers(self) -> None:
        pool = self._ensure_pool()
        # One job per worker at once: each submit without an idle worker starts one.
        futures = [pool.submit(_warm) for _ in range(self.workers)]
        for future in futures:
            future.result()
