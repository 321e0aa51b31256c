"""Start-up catch-up and the periodic scan, wired from ``post_init``."""

from __future__ import annotations

import logging
from typing import Any

from jobs.notifications import SCAN_SECONDS, run_due_notifications
from ui.services import BotContext, Services

logger = logging.getLogger(__name__)
JOB_NAME = "notifications"
LEASE_JOB = "scheduler-lease"


async def runs_scans(services: Services) -> bool:
    """Whether this instance runs the scheduled scans now. On SQLite always; on PostgreSQL
    only the instance holding the scheduler lock (storage/postgres.py): several instances
    side by side send each reminder and summary once, and a standby takes the lock when the
    holder dies."""
    return await services.db.hold_scheduler()


async def start(application: Any, services: Services) -> None:
    """Send what fell due while the bot was down, then scan every ``SCAN_SECONDS``.

    The job may run late or be coalesced: it only ever looks at the database, so a missed
    tick costs a delay, never a notification.
    """
    if await runs_scans(services):
        await _catch_up(services, application.bot)
    job_queue = application.job_queue
    if job_queue is None:
        logger.error("no JobQueue: reminders and digests will not be sent")
        return
    if services.settings.postgres:
        # A standby tries for the lock this often: a dead scheduler is replaced within it.
        job_queue.run_repeating(
            _lease,
            interval=services.settings.scheduler_takeover_seconds,
            first=services.settings.scheduler_takeover_seconds,
            name=LEASE_JOB,
            job_kwargs={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
        )
    job_queue.run_repeating(
        _tick,
        interval=SCAN_SECONDS,
        first=SCAN_SECONDS,
        name=JOB_NAME,
        job_kwargs={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
    )


async def _catch_up(services: Services, bot: Any) -> None:
    try:
        await run_due_notifications(services, bot)
    except Exception:
        logger.exception("start-up scan of due notifications failed; the periodic scan retries")


async def _lease(context: BotContext) -> None:
    """Take the scheduler lock when it is free; the new holder catches up at once."""
    services = context.services
    if services.db.scheduling:
        return
    if await runs_scans(services):
        await _catch_up(services, context.bot)


async def _tick(context: BotContext) -> None:
    """One periodic scan (on the scheduler instance only)."""
    if await runs_scans(context.services):
        await run_due_notifications(context.services, context.bot)
