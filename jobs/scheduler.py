"""Start-up catch-up and the periodic scan, wired from ``post_init``."""

from __future__ import annotations

import logging
from typing import Any

from jobs.notifications import SCAN_SECONDS, run_due_notifications
from ui.services import BotContext, Services

logger = logging.getLogger(__name__)
JOB_NAME = "notifications"


async def start(application: Any, services: Services) -> None:
    """Send what fell due while the bot was down, then scan every ``SCAN_SECONDS``.

    The job may run late or be coalesced: it only ever looks at the database, so a missed
    tick costs a delay, never a notification.
    """
    try:
        await run_due_notifications(services, application.bot)
    except Exception:
        logger.exception("start-up scan of due notifications failed; the periodic scan retries")
    job_queue = application.job_queue
    if job_queue is None:
        logger.error("no JobQueue: reminders and digests will not be sent")
        return
    job_queue.run_repeating(
        _tick,
        interval=SCAN_SECONDS,
        first=SCAN_SECONDS,
        name=JOB_NAME,
        job_kwargs={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
    )


async def _tick(context: BotContext) -> None:
    """One periodic scan."""
    await run_due_notifications(context.services, context.bot)
