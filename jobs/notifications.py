"""The one periodic job: find due notifications in the database and send each exactly once.

APScheduler drops a job whose moment passed while the loop was busy or the process was down,
so no notification is ever an in-memory job. Instead one job scans the outbox every
``SCAN_SECONDS`` (and once at start-up): it expands recurring rules and digests into rows,
then sends what is due. Reminders, warnings, escalations and digests are at-most-once (told
twice is worse than a rare loss): the row is claimed (``sending``) in its own transaction before
the send and marked sent after it, so a crash in between leaves a claim that the next scan,
a minute on, marks ``unknown`` (logged, never resent), and a send that timed out - it may well
have reached Telegram - counts as sent (noted) instead of being repeated, by the outbox or by
the rate limiter (``AT_MOST_ONCE``). Announcements of new, moved or cancelled posts are marked
right after their send: a crash may repeat one, never lose it. One that fell due while the bot
was down is sent late (marked) if still useful, or skipped and logged if stale. Telegram's 429
and other network errors are retried later; a person who blocked the bot is recorded on their
officer record (and shown in the leader's digest); any other failure marks that row failed. One
failure never stops the others.
"""

from __future__ import annotations

import asyncio
import html
import logging
import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from telegram import InlineKeyboardMarkup
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from domain.access import follows_every_report
from domain.organisation import Organisation
from domain.people import Officer
from domain.reports import Report, StoredComplaint
from domain.schedule import (
    MAX_ATTEMPTS,
    STUCK_CLAIM,
    Assignment,
    Delivery,
    Kind,
    Notification,
    Planned,
    PostStatus,
    Staleness,
    at_most_once,
    is_late,
    local_day,
    next_digest_after,
    paused_at,
    retry_delay,
    stale_reason,
)
from domain.text import shorten
from jobs.digest import build_digest, render_digest
from jobs.planning import expand_rules, plan_digests, schedule_config
from storage import AnyDatabase
from ui import callbacks
from ui.messages import inline, shorten_html
from ui.ratelimit import AT_MOST_ONCE
from ui.services import Services
from ui.views import activity_name, at_place_text, leaders_of, name_of, place_text, when_text

logger = logging.getLogger(__name__)
SCAN_SECONDS = 30
SCHEDULE_NS = callbacks.Namespace.SCHEDULE
BROWSE_NS = callbacks.Namespace.BROWSE
BROWSE_OPEN = "o"
"""The /cari button that opens a report (``handlers.browse.Act.OPEN`` is this value): leaders'
notices carry it, and a job may not import a handler."""
REPORT_GRACE = timedelta(minutes=2)
"""A leader's notice of a new report is sent by the submit itself, right after its commit
and before the officer's own card and photos; the outbox row falls due this much later, and
the submit leaves a row that is already due to the scan, so the scan sends it only if the
submit did not (the process died in between)."""
URGENT_EXCERPT = 300


class Plan(StrEnum):
    """What a /jadwal or reminder button does (the part after the namespace); answered by
    ``handlers.schedule`` (here because the reminders carry :attr:`REPORT`)."""

    REPORT = "rep"  # report this post now
    PAUSE = "pause"  # ask how many days
    PAUSE_DAYS = "pd"  # the days are chosen: ask the reason
    PAUSE_REASON = "pr"  # pause the reminders
    RESUME = "resume"
    KEEP = "keep"  # do not cancel the post: take the buttons away
    POST = "post"  # a leader opens a post's card
    MOVE = "mv"
    CANCEL = "cx"  # ask to confirm the cancel
    CANCEL_YES = "cxy"
EXPAND_EVERY = timedelta(minutes=10)
_ROUNDS = 4  # an escalation fans out into rows that are due at once: send them in the same run

_locks: weakref.WeakKeyDictionary[AnyDatabase, asyncio.Lock] = weakref.WeakKeyDictionary()
_expanded: weakref.WeakKeyDictionary[AnyDatabase, datetime] = weakref.WeakKeyDictionary()


@dataclass
class ScanResult:
    """What one run did (logged, and handy in tests)."""

    sent: int = 0
    late: int = 0
    skipped: int = 0
    retried: int = 0
    failed: int = 0


@dataclass(frozen=True)
class _Message:
    chat_id: int
    language: str
    text: str
    markup: InlineKeyboardMarkup | None = None


@dataclass(frozen=True)
class _Skip:
    reason: str


@dataclass(frozen=True)
class _FanOut:
    items: list[Planned]


def report_button(services: Services, assignment_id: int, language: str) -> InlineKeyboardMarkup:
    """The "Lapor sekarang" button: opens a report tied to the post."""
    label = services.texts(language, "schedule.button.report_now")
    return inline([[(label, callbacks.pack(SCHEDULE_NS, Plan.REPORT, assignment_id))]])


async def run_due_notifications(services: Services, bot: Any) -> ScanResult:
    """Plan what the schedule implies, then send every due notification once."""
    lock = _locks.setdefault(services.db, asyncio.Lock())
    async with lock:
        now = services.clock.now()
        await _abandon_interrupted(services, now)
        await _plan(services, now)
        result = ScanResult()
        for _ in range(_ROUNDS):
            async with services.db.reading() as repos:
                due = await repos.notifications.due(now)
            if not due:
                break
            for notification in due:
                await _deliver(services, bot, notification, now, result)
        if result.sent or result.skipped or result.failed or result.retried:
            logger.info("notifications: %s", result)
        return result


async def _abandon_interrupted(services: Services, now: datetime) -> None:
    """Claims left by a crash between send and mark: maybe delivered, so never resent."""
    async with services.db.transaction() as tx:
        keys = await tx.notifications.abandon_claims(now - STUCK_CLAIM)
    for key in keys:
        logger.warning("notification %s was being sent when the bot stopped: marked unknown,"
                       " not resent", key)


async def _plan(services: Services, now: datetime) -> None:
    last = _expanded.get(services.db)
    async with services.db.transaction() as tx:
        if last is None or now - last >= EXPAND_EVERY or now < last:
            await expand_rules(tx, services, now)
            _expanded[services.db] = now
        await plan_digests(tx, services, now)


async def _deliver(
    services: Services, bot: Any, notification: Notification, now: datetime, result: ScanResult
) -> None:
    """Decide, send and record one notification; never raises."""
    try:
        decision = await _decide(services, notification, now)
    except Exception:
        logger.exception("notification %s could not be prepared", notification.key)
        async with services.db.transaction() as tx:
            await tx.notifications.fail(notification.id, "prepare_error")
        result.failed += 1
        return
    if isinstance(decision, _Skip):
        if decision.reason in set(Staleness):
            logger.info("notification %s is stale (%s): skipped", notification.key,
                        decision.reason)
        async with services.db.transaction() as tx:
            await tx.notifications.skip(notification.id, decision.reason)
        result.skipped += 1
        return
    if isinstance(decision, _FanOut):
        async with services.db.transaction() as tx:
            await tx.notifications.plan(decision.items, now)
            await tx.notifications.mark_sent(notification.id, now=now, late=False)
        return
    late = is_late(notification.due_at, now)
    text = decision.text
    if late and notification.kind is not Kind.DIGEST:
        text += services.texts(decision.language, "schedule.notice.late_mark")
    once = at_most_once(notification.kind)
    if once:
        async with services.db.transaction() as tx:
            if not await tx.notifications.claim(notification.id, now):
                return
    try:
        await bot.send_message(decision.chat_id, text, reply_markup=decision.markup,
                               **_send_options(bot, once=once))
    except RetryAfter as error:
        await _retry(services, notification, now, _seconds(error.retry_after), "retry_after",
                     result)
        return
    except Forbidden:
        logger.info("notification %s: recipient blocked the bot", notification.key)
        async with services.db.transaction() as tx:
            await tx.officers.mark_blocked(decision.chat_id, now)
            await tx.notifications.fail(notification.id, "blocked")
        result.failed += 1
        return
    except BadRequest as error:
        logger.error("notification %s refused: %s", notification.key, error.message)
        async with services.db.transaction() as tx:
            await tx.notifications.fail(notification.id, f"bad_request: {error.message}"[:200])
        result.failed += 1
        return
    except TimedOut:
        if not once:
            await _retry(services, notification, now, None, "network", result)
            return
        # The request may have reached Telegram: a repeat could be a duplicate, so it counts.
        logger.warning("notification %s timed out: probably sent, not repeated",
                       notification.key)
        async with services.db.transaction() as tx:
            await tx.notifications.mark_sent(notification.id, now=now, late=late,
                                             note="timed_out")
        result.sent += 1
        return
    except NetworkError:
        await _retry(services, notification, now, None, "network", result)
        return
    except TelegramError as error:
        logger.error("notification %s failed: %s", notification.key, error)
        async with services.db.transaction() as tx:
            await tx.notifications.fail(notification.id, "telegram_error")
        result.failed += 1
        return
    except Exception:
        # Whatever went wrong with this one, the others still go out.
        logger.exception("notification %s failed", notification.key)
        async with services.db.transaction() as tx:
            await tx.notifications.fail(notification.id, "error")
        result.failed += 1
        return
    async with services.db.transaction() as tx:
        await tx.notifications.mark_sent(notification.id, now=now, late=late)
    result.sent += 1
    if late:
        result.late += 1
        logger.info("notification %s sent late (due %s)", notification.key,
                    notification.due_at.isoformat())


def _send_options(bot: Any, *, once: bool) -> dict[str, object]:
    """``rate_limit_args`` that stop the rate limiter repeating a timed-out at-most-once send
    (the argument is refused when the bot has no rate limiter)."""
    if once and getattr(bot, "rate_limiter", None) is not None:
        return {"rate_limit_args": AT_MOST_ONCE}
    return {}


def _seconds(value: object) -> float:
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value)  # type: ignore[arg-type]


async def _retry(
    services: Services, notification: Notification, now: datetime, after: float | None,
    reason: str, result: ScanResult,
) -> None:
    async with services.db.transaction() as tx:
        if notification.attempts + 1 >= MAX_ATTEMPTS:
            logger.error("notification %s gave up after %s attempts", notification.key,
                         notification.attempts + 1)
            await tx.notifications.fail(notification.id, reason)
            result.failed += 1
            return
        at = now + retry_delay(notification.attempts + 1, after)
        await tx.notifications.retry_later(notification.id, at, reason)
    logger.info("notification %s: %s, retry at %s", notification.key, reason, at.isoformat())
    result.retried += 1


async def _decide(
    services: Services, notification: Notification, now: datetime
) -> _Message | _Skip | _FanOut:
    kind = notification.kind
    if kind is Kind.DIGEST:
        return await _digest(services, notification, now)
    if kind is Kind.REPORT:
        return await _report_notice(services, notification)
    async with services.db.reading() as repos:
        assignment = (await repos.assignments.by_id(notification.assignment_id)
                      if notification.assignment_id is not None else None)
        officer = (await repos.officers.by_id(notification.officer_id)
                   if notification.officer_id is not None else None)
        recipient = (await repos.officers.by_id(notification.recipient_id)
                     if notification.recipient_id is not None else None)
        if assignment is None or officer is None:
            return _Skip("gone")
        reported = await repos.assignments.reported_at(assignment, officer.id)
        pauses = await repos.pauses.overlapping(officer.id, assignment.starts_at,
                                                assignment.starts_at + timedelta(seconds=1))
    if kind is Kind.CANCELLED:
        return _notice(services, officer, "schedule.notice.cancelled", assignment)
    revision = notification.payload.get("revision")
    if assignment.status is PostStatus.CANCELLED:
        return _Skip("cancelled")
    if revision is not None and revision != assignment.revision:
        return _Skip("moved")
    if not officer.is_active:
        return _Skip("inactive")
    offset = notification.payload.get("offset", 0)
    stale = stale_reason(kind, due_at=notification.due_at, now=now,
                         post_ends_at=assignment.ends_at, next_digest=None,
                         post_starts_at=assignment.starts_at,
                         offset_minutes=offset if isinstance(offset, int) else 0)
    if stale is not None:
        return _Skip(stale.value)
    if kind is Kind.MOVED:
        return _notice(services, officer, "schedule.notice.moved", assignment)
    if kind is Kind.ASSIGNED:
        return await _assigned(services, officer, assignment)
    if reported is not None:
        return _Skip("reported")
    if paused_at(pauses, officer.id, assignment.starts_at) is not None:
        return _Skip("paused")
    if kind is Kind.REMINDER:
        return _reminder(services, officer, assignment, notification)
    if kind is Kind.OVERDUE:
        return _Message(
            officer.telegram_id,
            officer.language,
            _post_text(services, officer.language, "schedule.notice.overdue", assignment),
            report_button(services, assignment.id, officer.language),
        )
    if kind is Kind.ESCALATE:
        return await _fan_out(services, notification, officer, now)
    if kind is Kind.ESCALATE_TO and recipient is not None:
        text = _post_text(services, recipient.language, "schedule.notice.escalate", assignment,
                          officer=name_of(officer))
        return _Message(recipient.telegram_id, recipient.language, text)
    return _Skip("unknown")


def _post_text(
    services: Services, language: str, key: str, assignment: Assignment, **extra: object
) -> str:
    sprin = (services.texts(language, "schedule.notice.sprin", sprin=html.escape(assignment.sprin))
             if assignment.sprin else "")
    return services.texts(
        language, key,
        activity=html.escape(activity_name(services, assignment.activity_code, language)),
        when=when_text(services, assignment, language),
        place=place_text(services, assignment, language),
        at_place=at_place_text(services, assignment, language),
        sprin=sprin,  # str.format ignores it where the text has no {sprin}
        **extra,
    )


def _notice(services: Services, officer: Officer, key: str, assignment: Assignment) -> _Message:
    return _Message(officer.telegram_id, officer.language,
                    _post_text(services, officer.language, key, assignment))


async def _assigned(services: Services, officer: Officer, assignment: Assignment) -> _Message:
    leader_name = "—"
    if assignment.created_by is not None:
        async with services.db.reading() as repos:
            leader = await repos.officers.by_id(assignment.created_by)
        if leader is not None:
            leader_name = name_of(leader)
    text = _post_text(services, officer.language, "schedule.notice.assigned", assignment,
                      leader=leader_name)
    return _Message(officer.telegram_id, officer.language, text)


def _reminder(
    services: Services, officer: Officer, assignment: Assignment, notification: Notification
) -> _Message:
    offset = notification.payload.get("offset", 0)
    language = officer.language
    if offset:
        text = _post_text(services, language, "schedule.notice.reminder", assignment,
                          minutes=offset)
    else:
        text = _post_text(services, language, "schedule.notice.reminder_start", assignment)
    return _Message(officer.telegram_id, language, text,
                    report_button(services, assignment.id, language))


async def _fan_out(
    services: Services, notification: Notification, officer: Officer, now: datetime
) -> _FanOut | _Skip:
    async with services.db.reading() as repos:
        leaders = await leaders_of(repos.officers, services, officer)
    if not leaders:
        return _Skip("no_leader")
    items = [
        Planned(f"{notification.key}:to:{leader.id}", Kind.ESCALATE_TO, now,
                assignment_id=notification.assignment_id, officer_id=officer.id,
                recipient_id=leader.id, payload=dict(notification.payload))
        for leader in leaders
    ]
    return _FanOut(items)


async def _digest(
    services: Services, notification: Notification, now: datetime
) -> _Message | _Skip:
    config = schedule_config(services)
    tz = services.settings.tz
    stale = stale_reason(
        Kind.DIGEST, due_at=notification.due_at, now=now, post_ends_at=None,
        next_digest=next_digest_after(config, tz, notification.due_at),
    )
    if stale is not None:
        return _Skip(stale.value)
    async with services.db.reading() as repos:
        leader = (await repos.officers.by_id(notification.recipient_id)
                  if notification.recipient_id is not None else None)
        if leader is None or not leader.is_active:
            return _Skip("inactive")
        digest = await build_digest(repos, services, config, leader, notification.due_at, now)
    if digest.is_empty:
        return _Skip("empty")
    logger.debug("digest for leader %s on %s", leader.id, local_day(notification.due_at, tz))
    text = render_digest(services, digest, leader.language)
    # One notification is one message (a half-sent series could not be retried safely).
    text = shorten_html(text, more=services.texts(leader.language, "schedule.digest.more"))
    return _Message(leader.telegram_id, leader.language, text)


def plan_report_notices(
    report: Report, complaints: list[StoredComplaint], leaders: list[Officer],
    organisation: Organisation, urgent_key: str, now: datetime,
) -> list[Planned]:
    """The leaders' notices of a new report, planned in the transaction that stores it, so a
    crash after the commit still tells them: emergencies go to every leader, the rest only to
    roles that follow every report (``report_notices`` in the organisation file)."""
    urgent = any(item.urgency == urgent_key for item in complaints)
    return [
        Planned(f"report:{report.id}:to:{leader.id}", Kind.REPORT, now + REPORT_GRACE,
                officer_id=report.officer_id, recipient_id=leader.id,
                payload={"report_id": report.id})
        for leader in leaders
        if urgent or follows_every_report(leader, organisation)
    ]


async def deliver_now(services: Services, bot: Any, keys: list[str]) -> None:
    """Send the notices the submit just planned, without waiting for them to fall due;
    never raises (a failure is recorded on the row as for any notification)."""
    now = services.clock.now()
    result = ScanResult()
    for key in keys:
        try:
            async with services.db.reading() as repos:
                notification = await repos.notifications.by_key(key)
            if notification is None or notification.status is not Delivery.PENDING:
                continue
            if notification.due_at <= now:
                continue  # the scan's now (``REPORT_GRACE`` passed): never both
            await _deliver(services, bot, notification, now, result)
        except Exception:
            # The row stays pending: the scan sends it once it falls due.
            logger.exception("notice %s not sent now; the outbox will send it", key)


async def _report_notice(services: Services, notification: Notification) -> _Message | _Skip:
    report_id = notification.payload.get("report_id")
    async with services.db.reading() as repos:
        report = await repos.reports.by_id(report_id) if isinstance(report_id, int) else None
        officer = (await repos.officers.by_id(notification.officer_id)
                   if notification.officer_id is not None else None)
        leader = (await repos.officers.by_id(notification.recipient_id)
                  if notification.recipient_id is not None else None)
        complaints = await repos.complaints.of_report(report.id) if report else []
    if report is None or officer is None or leader is None:
        return _Skip("gone")
    if not leader.is_active:
        return _Skip("inactive")
    text, markup = report_notice(services, leader, report, officer, complaints)
    return _Message(leader.telegram_id, leader.language, shorten_html(text), markup)


def report_notice(
    services: Services, leader: Officer, report: Report, officer: Officer,
    complaints: list[StoredComplaint],
) -> tuple[str, InlineKeyboardMarkup]:
    """A leader's notice of a new report: emergencies quoted, a button that opens it."""
    language = leader.language
    texts = services.texts
    catalogue = services.catalogue
    urgent_key = catalogue.urgent_level.key
    activity = catalogue.activity(report.activity_code)
    text = texts(
        language,
        "reports.leader_notice",
        number=report.number,
        activity=html.escape(activity.name.get(language)),
        officer=name_of(officer),
    )
    for item in complaints:
        if item.urgency != urgent_key:
            continue
        category = catalogue.complaint_categories.get(item.category)
        label = category.get(language) if category else item.category
        text += texts(
            language,
            "reports.leader_notice_urgent",
            category=html.escape(label),
            description=html.escape(shorten(item.description, URGENT_EXCERPT)),
        )
    markup = inline([[(texts(language, "reports.button.open_report"),
                       callbacks.pack(BROWSE_NS, BROWSE_OPEN, report.id))]])
    return text, markup
