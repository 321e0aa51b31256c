"""Nightly jobs that keep the data safe: backups with retention, orphan photos pruned after
them, residents' data retention.

Both run in the precinct's time zone; the slow parts run in a thread so that officers filing
reports at 02:00 still get answers. A misfire grace of an hour lets a job that was due while
the loop was busy (or the bot was restarting) still run instead of being skipped.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, time, timedelta
from typing import Any

from telegram.ext import Application

from config.settings import Settings
from ops.backup import backup_time, latest_backup, make_backup, prune_backups
from ops.check import PruneResult, prune_orphans
from storage.maintenance import integrity_problems
from storage.pg_maintenance import PostgresData
from storage.photos import PhotoStore
from storage.privacy import ResidentData
from ui.services import BotContext

logger = logging.getLogger(__name__)
BACKUP_JOB = "nightly-backup"
CATCH_UP_JOB = "catch-up-backup"
# A restart shortly before the nightly run must not skip a night: catch up after start-up
# (once the bot has settled) when the newest backup is older than a day and a bit.
CATCH_UP_AFTER = timedelta(minutes=5)
CATCH_UP_AGE = timedelta(hours=26)
RETENTION_JOB = "resident-data-retention"
# After the backup, so that last night's backup still holds what is about to be erased
# only until it ages out of the backup retention.
RETENTION_TIME = time(3, 30)
_JOB_KWARGS = {"misfire_grace_time": 3600, "coalesce": True}


def schedule_maintenance(application: Application[Any, Any, Any, Any, Any, Any],
                         settings: Settings) -> None:
    """Register the nightly backup and the retention job on the application's JobQueue."""
    queue = application.job_queue
    if queue is None:  # pragma: no cover - the job-queue extra is a dependency
        raise RuntimeError("the JobQueue is not available")
    queue.run_daily(
        nightly_backup,
        time=settings.backup_time.replace(tzinfo=settings.tz),
        name=BACKUP_JOB,
        job_kwargs=_JOB_KWARGS,
    )
    queue.run_once(catch_up_backup, when=CATCH_UP_AFTER, name=CATCH_UP_JOB)
    queue.run_daily(
        anonymise_residents,
        time=RETENTION_TIME.replace(tzinfo=settings.tz),
        name=RETENTION_JOB,
        job_kwargs=_JOB_KWARGS,
    )


async def nightly_backup(context: BotContext) -> None:
    """Back up the database and photos, then drop backups past the retention period."""
    services = context.services
    settings = services.settings
    now = services.clock.now()
    if not await services.db.hold_scheduler():
        return  # PostgreSQL: the scheduler instance backs up (pg_dump, once for all instances)
    try:
        result = await asyncio.to_thread(make_backup, settings, now=now)
        removed = await asyncio.to_thread(
            prune_backups, settings.backups_dir, now=now, keep_days=settings.backup_retention_days
        )
    except Exception:
        # Never take the bot down for a failed backup; the log line is the alarm.
        logger.exception("nightly backup failed")
    else:
        logger.info(
            "backup written to %s (%d bytes database, %d photo files, %d linked); %d old removed",
            result.path,
            result.database_bytes,
            result.photo_files,
            result.photo_files_linked,
            len(removed),
        )
    await prune_orphan_photos(context)


async def prune_orphan_photos(context: BotContext) -> None:
    """Delete photo files nothing refers to, untouched for an hour (after the backup)."""
    services = context.services
    settings = services.settings
    if not await services.db.hold_scheduler():
        return  # PostgreSQL: the scheduler instance prunes
    try:
        if settings.postgres:
            pruned = await asyncio.to_thread(
                _prune_on_postgres, settings, services.photos, services.clock.now()
            )
        else:
            problems = await asyncio.to_thread(
                integrity_problems, settings.database_path, quick=True
            )
            if problems:
                # References are read from the database: a damaged one could make a photo
                # look unused. `python -m bot check` says what is wrong.
                logger.error("orphan photos not pruned: the database fails quick_check")
                return
            pruned = await asyncio.to_thread(
                prune_orphans, settings.database_path, services.photos, now=services.clock.now()
            )
    except Exception:
        logger.exception("pruning orphan photos failed")
        return
    if pruned.photos or pruned.temp_files:
        logger.info(
            "pruned %d orphan photos (%d files, %d bytes) and %d temporary files (%d bytes)",
            pruned.photos, pruned.files, pruned.bytes, pruned.temp_files, pruned.temp_bytes,
        )


def _prune_on_postgres(settings: Settings, photos: PhotoStore, now: datetime) -> PruneResult:
    """The prune on its own connection (in a worker thread: its own event loop)."""
    with PostgresData(settings.database_url.get_secret_value()) as data:
        if data.integrity():
            # The twin of quick_check: references are read from a schema this bot knows.
            logger.error("orphan photos not pruned: %s", "; ".join(data.integrity()))
            return PruneResult()
        return prune_orphans(data, photos, now=now)


async def catch_up_backup(context: BotContext) -> None:
    """Back up now when the bot was down (or restarting) at the last nightly run."""
    services = context.services
    newest = latest_backup(services.settings.backups_dir)
    made = backup_time(newest) if newest is not None else None
    if made is None or services.clock.now() - made > CATCH_UP_AGE:
        await nightly_backup(context)


async def anonymise_residents(context: BotContext) -> None:
    """Erase residents' names and contacts from complaints older than the retention period."""
    services = context.services
    now = services.clock.now()
    cutoff = now - timedelta(days=services.settings.resident_contact_retention_days)
    db = services.db
    if not await db.hold_scheduler():
        return  # PostgreSQL: the scheduler instance erases (once for all instances)
    async with db.transaction(now=now) as tx:
        count = await ResidentData(db.connection).anonymise_before(cutoff, now)
        if count:
            await tx.audit.record(
                actor_id=None,
                action="residents.anonymised",
                target_type="complaints",
                target_id=count,
                now=now,
                cutoff=cutoff.isoformat(),
                retention_days=services.settings.resident_contact_retention_days,
            )
    if count:
        logger.info("anonymised residents' details on %d complaints before %s", count, cutoff)
