"""Daily and weekly summaries for linked group chats, each sent exactly once across restarts.

The JobQueue only wakes :func:`run_due_summaries` every minute; what is due and what was sent
lives in ``group_summaries``. Each (group, kind, period) gets one row before anything is sent,
each message that goes out is recorded in the transaction right after it, and the last one
marks the row sent: a restart finds the row and sends nothing twice, and a summary that fell
due while the bot was down goes out at start-up (marked late) unless it is stale.

Group messages carry counts and officers' names only (see ``domain/recap.py``): never a
resident's name or contact, a location, or a photo's EXIF.
"""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from telegram import Bot, Message
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import Application, ContextTypes

from domain.charts import BarSection, bar_chart, fold_rows, top_rows
from domain.imaging import spread_choice
from domain.recap import (
    Period,
    PeriodKind,
    Recap,
    day_of,
    days_ending_at,
    month_of,
    week_of,
)
from jobs.planning import schedule_config
from storage import Transaction
from storage.groups import GroupLink, SummaryRecord
from storage.recap import load_recap
from storage.territory import load_coverage
from ui.messages import CAPTION_LIMIT, shorten_html, split_html
from ui.services import Services
from ui.territory import group_counts_line
from ui.views import clock_text

logger = logging.getLogger(__name__)

DAILY = "daily"
WEEKLY = "weekly"
KINDS = (DAILY, WEEKLY)
JOB_NAME = "group-summaries"
LATE_AFTER = timedelta(minutes=5)
"""Sent later than this after its time, a summary says it is late."""
STUCK_AFTER = timedelta(minutes=10)
"""A claim older than this belongs to a runner that died: the summary is pending again."""
MAX_ATTEMPTS = 8
CHART_ROWS = 8
SHEET_PHOTOS = 9
SHEET_CANDIDATES = 3000
"""The latest photos a sheet chooses from (a busy month: about one per report)."""
"""Photos on the weekly sheet (3 x 3 tiles: about as tall as wide, sharp on a phone)."""


@dataclass(frozen=True)
class Part:
    """One message of a summary: a chart photo with a caption, or a text.

    ``key`` names it (``chart``, ``sheet``, ``text:0/2``): a retry skips the parts sent by
    name, not by position, since a rebuilt summary may gain or lose its sheet.
    """

    text: str
    photo: bytes | None = None
    key: str = ""


@dataclass(frozen=True)
class Occurrence:
    """One moment a summary kind fell due, and the closed period it covers."""

    kind: str
    due_at: datetime
    period: Period
    day: date
    """The local date it fell due: with the kind and the group, the summary's key."""


def covered_period(kind: str, due_at: datetime, services: Services) -> Period:
    """What a summary due at ``due_at`` covers: the day or the week that ends at ``due_at``.

    Always closed when the summary is built, and consecutive summaries of a kind leave no gap:
    the 19.00 daily covers 19.00 the day before to 19.00, whatever the weekly day, the weekly
    the seven days up to its time.
    """
    if kind == DAILY:
        return days_ending_at(due_at, 1, services.settings.tz, PeriodKind.DAY)
    return days_ending_at(due_at, 7, services.settings.tz, PeriodKind.WEEK)


def _occurrence(kind: str, day: date, at: time, services: Services) -> Occurrence:
    tz = services.settings.tz
    due = datetime.combine(day, at, tzinfo=tz).astimezone(UTC)
    return Occurrence(kind, due, covered_period(kind, due, services), day)


def latest_occurrence(kind: str, now: datetime, services: Services) -> Occurrence:
    """When ``kind`` last fell due at or before ``now``, in the configured zone."""
    settings = services.settings
    local = now.astimezone(settings.tz)
    if kind == DAILY:
        at = settings.group_daily_summary_time
        day = local.date() if local.time() >= at else local.date() - timedelta(days=1)
        return _occurrence(kind, day, at, services)
    at = settings.group_weekly_summary_time
    back = (local.weekday() - settings.group_weekly_summary_day) % 7
    day = local.date() - timedelta(days=back)
    if back == 0 and local.time() < at:
        day -= timedelta(days=7)
    return _occurrence(kind, day, at, services)


def occurrences_after(
    kind: str, now: datetime, after: datetime, services: Services, *, limit: int = 60
) -> list[Occurrence]:
    """Every time ``kind`` fell due after ``after`` and at or before ``now``, newest first.

    Bounded by ``limit``: a bot down for months does not list every day it missed.
    """
    tz = services.settings.tz
    found: list[Occurrence] = []
    occurrence = latest_occurrence(kind, now, services)
    step = timedelta(days=1 if kind == DAILY else 7)
    while occurrence.due_at > after and len(found) < limit:
        found.append(occurrence)
        # Step by local date, not by 24 h: a zone with daylight saving keeps its clock time.
        local = occurrence.due_at.astimezone(tz)
        occurrence = _occurrence(kind, occurrence.day - step, local.time(), services)
    return found


def period_of(record: SummaryRecord, services: Services) -> Period:
    """The period a stored summary covers (the one ending when it fell due)."""
    return covered_period(record.kind, record.due_at, services)


# ---- rendering --------------------------------------------------------------------------------


def _day(services: Services, language: str, day: date) -> str:
    texts = services.texts
    return f"{texts(language, f'day.{day.weekday()}')}, {day.strftime('%d/%m/%Y')}"


def period_text(services: Services, language: str, period: Period) -> str:
    """``Sabtu, 28/11/2026``, ``Senin, 23/11/2026 – Minggu, 29/11/2026``, or with clock times
    (``Jumat, 27/11/2026 pukul 19.00 – Sabtu, 28/11/2026 pukul 19.00``) when it does not run
    from midnight to midnight.
    """
    tz = services.settings.tz
    start, end = period.start.astimezone(tz), period.end.astimezone(tz)
    if start.time() != time(0) or end.time() != time(0):
        return services.texts(
            language, "summary.period_range",
            first=_moment(services, language, start), last=_moment(services, language, end),
        )
    first = _day(services, language, period.first_day)
    if period.first_day == period.last_day:
        return first
    return services.texts(
        language, "summary.period_range", first=first, last=_day(services, language,
                                                                  period.last_day)
    )


def _moment(services: Services, language: str, moment: datetime) -> str:
    return services.texts(language, "summary.moment", day=_day(services, language, moment.date()),
                          time=clock_text(moment.time(), language))


def summary_text(
    services: Services,
    language: str,
    recap: Recap,
    title: str,
    *,
    late: bool = False,
    extra: Sequence[str] = (),
) -> str:
    """The summary as one HTML text (split later if Telegram's limit needs it); ``extra``
    lines (the reports per kelurahan) close it."""
    lines = [title, period_text(services, language, recap.period)]
    if late:
        lines.append(services.texts(language, "summary.late"))
    return "\n".join([*lines, "", *recap_lines(services, language, recap), *extra])


def recap_lines(services: Services, language: str, recap: Recap) -> list[str]:
    """A recap's numbers as lines: reports per activity, reporting rate, residents reached,
    officers, complaints. Group summaries, /rekap and leader digests all show these lines."""
    texts = services.texts
    catalogue = services.catalogue
    lines = [texts(language, "summary.reports", count=recap.total_reports)]
    for code, count in recap.reports_by_activity.items():
        name = _activity_name(services, language, code)
        lines.append(texts(language, "summary.activity_line", activity=html.escape(name),
                           count=count))
    if recap.schedule is not None and recap.schedule.expected > 0:
        rate = recap.reporting_rate or 0.0
        lines.append(texts(language, "summary.rate", reported=recap.schedule.reported,
                           expected=recap.schedule.expected, percent=round(rate * 100)))
        if recap.schedule.late:
            lines.append(texts(language, "summary.rate_late", count=recap.schedule.late))
    else:
        lines.append(texts(language, "summary.rate_none"))
    lines.append(texts(language, "summary.residents", count=recap.residents_reached))
    lines.append("")
    if recap.officers:
        lines.append(texts(language, "summary.officers", count=len(recap.officers)))
        lines += [
            texts(language, "summary.officer_line", name=html.escape(line.name),
                  count=line.reports)
            for line in recap.officers
        ]
    else:
        lines.append(texts(language, "summary.officers_none"))
    lines.append("")
    if recap.complaints:
        urgent_label = catalogue.urgent_level.label.get(language)
        lines.append(texts(language, "summary.complaints", count=recap.total_complaints))
        for line in recap.complaints:
            category = _category(services, language, line.category)
            if line.urgent:
                lines.append(texts(language, "summary.complaint_line_urgent", category=category,
                                   count=line.total, urgent=line.urgent,
                                   urgent_label=html.escape(urgent_label.lower())))
            else:
                lines.append(texts(language, "summary.complaint_line", category=category,
                                   count=line.total))
    else:
        lines.append(texts(language, "summary.complaints_none"))
    return lines


def _activity_name(services: Services, language: str, code: str) -> str:
    catalogue = services.catalogue
    return catalogue.activity(code).name.get(language) if catalogue.has_activity(code) else code


def _category(services: Services, language: str, key: str) -> str:
    label = services.catalogue.complaint_categories.get(key)
    return html.escape(label.get(language) if label else key)


def chart_sections(services: Services, language: str, recap: Recap) -> list[BarSection]:
    """The bars of the summary chart: per activity, per officer, complaints per category."""
    texts = services.texts
    catalogue = services.catalogue
    empty = texts(language, "summary.chart_empty")
    activities = [
        (_activity_name(services, language, code), count)
        for code, count in recap.reports_by_activity.items()
    ]
    officers, more, their_reports = top_rows(
        [(line.name, line.reports) for line in recap.officers], CHART_ROWS)
    rest = texts(language, "summary.chart_rest", count=more,
                 reports=texts(language, "count.reports", count=their_reports)) if more else ""
    complaints = fold_rows(
        [
            (label.get(language) if (label := catalogue.complaint_categories.get(line.category))
             else line.category, line.total)
            for line in recap.complaints
        ],
        lambda count: texts(language, "summary.chart_others", count=count),
        CHART_ROWS,
    )
    return [
        BarSection(texts(language, "summary.chart_activities"), activities, empty),
        BarSection(texts(language, "summary.chart_officers"), officers, empty, rest),
        BarSection(texts(language, "summary.chart_complaints"), complaints, empty),
    ]


async def render_summary(
    services: Services,
    language: str,
    recap: Recap,
    *,
    title_key: str,
    unit_name: str,
    chart_title_key: str | None,
    late: bool = False,
    extra: Sequence[str] = (),
) -> list[Part]:
    """The messages of one summary: an optional chart photo, then the text."""
    texts = services.texts
    title = texts(language, title_key, unit=html.escape(unit_name))
    body = summary_text(services, language, recap, title, late=late, extra=extra)
    parts: list[Part] = []
    if chart_title_key is not None:
        chart = await asyncio.to_thread(
            bar_chart,
            texts(language, chart_title_key, unit=unit_name),
            period_text(services, language, recap.period),
            chart_sections(services, language, recap),
        )
        caption = texts(
            language,
            "summary.caption",
            title=title,
            period=period_text(services, language, recap.period),
            reports=recap.total_reports,
            complaints=recap.total_complaints,
        )
        parts.append(Part(shorten_html(caption, CAPTION_LIMIT), chart, "chart"))
    chunks = split_html(body)
    # The count is in the key: a text that splits differently when rebuilt is sent whole
    # again rather than with a piece missing.
    parts += [Part(chunk, key=f"text:{index}/{len(chunks)}")
              for index, chunk in enumerate(chunks)]
    return parts


async def photo_sheet(
    services: Services,
    units: frozenset[str],
    period: Period,
    language: str,
    *,
    activity_code: str | None = None,
) -> Part | None:
    """Documentation photos of the period spread over its days and activities
    (:func:`domain.imaging.spread_choice`) on one image, captioned with
    activity, day and officer; None without photos. Built from the unstamped web copies (no
    place, no EXIF). Weekly group summaries (opt-in) and a leader's /rekap send it.
    """
    async with services.db.reading() as repos:
        candidates = await repos.recaps.photos(units, period.start, period.end,
                                               limit=SHEET_CANDIDATES,
                                               activity_code=activity_code)
    tz = services.settings.tz
    present = [c for c in candidates if services.photos.exists(c.sha256)]
    items = [
        (c.sha256, f"{_activity_name(services, language, c.activity_code)}"
                   f" · {c.at.astimezone(tz):%d/%m} · {c.officer_name}")
        for c in spread_choice(present, SHEET_PHOTOS, tz)
    ]
    if not items:
        return None
    data = await services.imaging.contact_sheet(items, columns=3, tile=360)
    caption = services.texts(language, "summary.photo_sheet", count=len(items),
                             period=period_text(services, language, period))
    return Part(shorten_html(caption, CAPTION_LIMIT), data, "sheet")


async def recap_for_unit(services: Services, unit_code: str, period: Period) -> Recap:
    """The recap of a unit and every unit below it."""
    units = services.organisation.units_within(unit_code)
    async with services.db.reading() as repos:
        return await load_recap(
            repos.recaps, services.catalogue, units, period, now=services.clock.now(),
            grace=schedule_config(services).grace,
        )


async def area_counts(services: Services, unit_code: str, period: Period, language: str
                      ) -> list[str]:
    """A group's line of reports per kelurahan (counts only, no resident's details); none
    when no report of the period named a kelurahan."""
    units = services.organisation.units_within(unit_code)
    async with services.db.reading() as repos:
        coverage = await load_coverage(repos.areas, services.territory, services.catalogue,
                                       units, period)
    line = group_counts_line(services, coverage, language)
    return ["", line] if line else []


def on_demand_period(kind: PeriodKind, now: datetime, services: Services) -> Period:
    """Today, this week or this month in the configured zone."""
    tz = services.settings.tz
    if kind is PeriodKind.WEEK:
        return week_of(now, tz)
    if kind is PeriodKind.MONTH:
        return month_of(now, tz)
    return day_of(now, tz)


async def on_demand_parts(
    services: Services, link: GroupLink, kind: PeriodKind
) -> list[Part]:
    """What ``/rekap`` answers in a linked group: the same numbers as the summaries."""
    period = on_demand_period(kind, services.clock.now(), services)
    recap = await recap_for_unit(services, link.unit_code, period)
    chart_key = None if kind is PeriodKind.DAY else f"summary.chart_title_{kind.value}"
    return await render_summary(
        services,
        link.language,
        recap,
        title_key=f"summary.title_{kind.value}",
        unit_name=_unit_name(services, link.unit_code),
        chart_title_key=chart_key,
        extra=await area_counts(services, link.unit_code, period, link.language),
    )


def _unit_name(services: Services, code: str) -> str:
    organisation = services.organisation
    return organisation.unit(code).name if organisation.has_unit(code) else code


THREAD_GONE = "message thread not found"
"""Telegram's answer when the forum topic a message is sent to was deleted (or closed for
good): the group is still there, its General topic too."""


def thread_of(message: Message | None) -> int | None:
    """The forum topic a message was sent in (``None``: General, or the chat is no forum).

    In a group without topics ``message_thread_id`` names a reply chain, not a place to send
    to, so only a topic message counts.
    """
    if message is None or not message.is_topic_message:
        return None
    return message.message_thread_id


async def send_part(bot: Bot, chat_id: int, part: Part, *, thread_id: int | None = None) -> bool:
    """Send one message of a summary, into the forum topic ``thread_id`` when given.

    A topic deleted since falls back to General, logged: False then, so that the caller sends
    the rest there too and forgets the topic. True when it went where it was asked to.
    """
    try:
        await _send_part(bot, chat_id, part, thread_id)
    except BadRequest as error:
        if thread_id is None or THREAD_GONE not in error.message.lower():
            raise
        logger.warning("topic %s of group %s is gone: the summary goes to General instead",
                       thread_id, chat_id)
        await _send_part(bot, chat_id, part, None)
        return False
    return True


async def _send_part(bot: Bot, chat_id: int, part: Part, thread_id: int | None) -> None:
    if part.photo is not None:
        await bot.send_photo(chat_id, part.photo, caption=part.text, message_thread_id=thread_id)
    else:
        await bot.send_message(chat_id, part.text, message_thread_id=thread_id)


# ---- the due scan -----------------------------------------------------------------------------


async def run_due_summaries(services: Services, bot: Bot) -> int:
    """Record every summary that fell due, then send the ones ready; returns how many finished.

    Safe to run at any moment and as often as wanted: the database decides what is due.
    """
    now = services.clock.now()
    max_delay = timedelta(hours=services.settings.group_summary_max_delay_hours)
    async with services.db.transaction() as tx:
        released = await tx.group_summaries.release_stuck(now - STUCK_AFTER)
        if released:
            logger.warning("%s group summaries were left mid-way by a stopped runner", released)
        recorded = await tx.group_summaries.last_due()
        for link in await tx.group_links.active():
            for kind in KINDS:
                # What fell due since the last recorded one (in steady state: nothing, or
                # the one just due), never before the group was linked.
                floor = link.linked_at - timedelta(microseconds=1)
                after = max(recorded.get((link.chat_id, kind), floor), floor)
                for due in occurrences_after(kind, now, after, services):
                    await _record_due(tx, link.chat_id, due, now, max_delay)
        ready = await tx.group_summaries.ready(now)
    finished = 0
    for record in ready:
        try:
            if await _deliver(services, bot, record):
                finished += 1
        except Exception as error:
            # One group's trouble (a failed migration, a database hiccup) must not keep the
            # groups after it in this tick from their summaries.
            logger.exception("the %s summary of group %s failed", record.kind, record.chat_id)
            await _retry_quietly(services, record, repr(error))
    return finished


async def _retry_quietly(services: Services, record: SummaryRecord, error: str) -> None:
    """Put a summary that failed unexpectedly back for later; a stuck claim is released anyway."""
    try:
        await _retry(services, record, timedelta(minutes=5), error)
    except Exception:
        logger.exception("could not reschedule the %s summary of group %s", record.kind,
                         record.chat_id)


async def _record_due(
    tx: Transaction, chat_id: int, due: Occurrence, now: datetime, max_delay: timedelta
) -> None:
    """Make the summary due, or record it as skipped (and say so) when it is too late."""
    if now - due.due_at > max_delay:
        if await tx.group_summaries.skip(
            chat_id, due.kind, due.day, due_at=due.due_at, reason="stale"
        ):
            logger.warning(
                "skipped the %s summary of group %s for %s: due at %s, too late to be useful",
                due.kind, chat_id, due.day, due.due_at,
            )
        return
    await tx.group_summaries.ensure(
        chat_id, due.kind, due.day, due_at=due.due_at,
        late=now - due.due_at > LATE_AFTER,
    )


async def _deliver(services: Services, bot: Bot, record: SummaryRecord) -> bool:
    """Send the rest of one summary; True when it is now completely sent."""
    now = services.clock.now()
    async with services.db.transaction() as tx:
        if not await tx.group_summaries.claim(record, now):
            return False
        link = await tx.group_links.get(record.chat_id)
        if link is None or not link.active:
            await tx.group_summaries.fail_open(record.chat_id, "unlinked")
            return False
    try:
        parts = await _summary_parts(services, link, record)
    except Exception as error:
        logger.exception("could not build the %s summary of group %s", record.kind,
                         record.chat_id)
        await _retry(services, record, timedelta(minutes=5), repr(error))
        return False
    sent = list(record.sent_parts)
    if not sent and record.parts_sent:
        # Recorded before parts had names: they went out in the order built.
        sent = [part.key for part in parts[: record.parts_sent]]
    remaining = [part for part in parts if part.key not in sent]
    if not remaining:
        # Everything went out before (the sheet that was part of it may be gone since).
        async with services.db.transaction() as tx:
            await tx.group_summaries.part_sent(record, sent, done=True,
                                               now=services.clock.now())
        return True
    thread = link.thread_id
    for index, part in enumerate(remaining):
        try:
            if not await send_part(bot, record.chat_id, part, thread_id=thread):
                await _forget_topic(services, record.chat_id, thread)
                thread = None
        except RetryAfter as error:
            await _retry(services, record, _seconds(error.retry_after), "retry_after")
            return False
        except Forbidden as error:
            await deactivate(services, record.chat_id, reason="forbidden", detail=error.message)
            return False
        except ChatMigrated as error:
            await migrate(services, record.chat_id, error.new_chat_id)
            return False
        except BadRequest as error:
            logger.error("group %s refused the %s summary: %s", record.chat_id, record.kind,
                         error.message)
            await _retry(services, record, timedelta(minutes=10), error.message)
            return False
        except NetworkError as error:
            await _retry(services, record, timedelta(minutes=1), error.message)
            return False
        except TelegramError as error:
            logger.error("could not send the %s summary of group %s: %s", record.kind,
                         record.chat_id, error)
            await _retry(services, record, timedelta(minutes=10), error.message)
            return False
        sent.append(part.key)
        async with services.db.transaction() as tx:
            await tx.group_summaries.part_sent(record, sent, done=index + 1 == len(remaining),
                                               now=services.clock.now())
    logger.info("sent the %s summary of group %s for %s", record.kind, record.chat_id,
                record.period_start)
    return True


async def _summary_parts(services: Services, link: GroupLink, record: SummaryRecord) -> list[
    Part
]:
    period = period_of(record, services)
    recap = await recap_for_unit(services, link.unit_code, period)
    weekly = record.kind == WEEKLY
    parts = await render_summary(
        services,
        link.language,
        recap,
        title_key=f"summary.title_{record.kind}",
        unit_name=_unit_name(services, link.unit_code),
        chart_title_key="summary.chart_title_weekly" if weekly else None,
        late=record.late,
        extra=await area_counts(services, link.unit_code, period, link.language),
    )
    if weekly and services.settings.group_weekly_photo_sheet:
        sheet = await photo_sheet(services, services.organisation.units_within(link.unit_code),
                                  period, link.language)
        if sheet is not None:
            # After the chart, before the text.
            parts.insert(1, sheet)
    return parts


def _seconds(retry_after: Any) -> timedelta:
    if isinstance(retry_after, timedelta):
        return retry_after
    return timedelta(seconds=float(retry_after))


async def _retry(services: Services, record: SummaryRecord, delay: timedelta, error: str) -> None:
    give_up = record.attempts + 1 >= MAX_ATTEMPTS
    async with services.db.transaction() as tx:
        await tx.group_summaries.retry_later(
            record, at=services.clock.now() + delay, error=error, give_up=give_up
        )
    if give_up:
        logger.error("gave up the %s summary of group %s after %s attempts: %s", record.kind,
                     record.chat_id, MAX_ATTEMPTS, error)


async def _forget_topic(services: Services, chat_id: int, thread: int | None) -> None:
    """The link's topic was deleted: later summaries go straight to General."""
    if thread is None:
        return
    now = services.clock.now()
    async with services.db.transaction() as tx:
        if await tx.group_links.forget_topic(chat_id, thread):
            await tx.audit.record(actor_id=None, action="group.topic_gone", target_type="group",
                                  target_id=chat_id, now=now, topic=thread)


async def migrate(services: Services, old_chat_id: int, new_chat_id: int) -> None:
    """The group became a supergroup: its link and open summaries move to the new id."""
    now = services.clock.now()
    async with services.db.transaction() as tx:
        if await tx.group_links.get(old_chat_id) is None:
            return
        moved = await tx.group_links.move(old_chat_id, new_chat_id, now)
        if moved:
            # Whatever was being sent goes out again to the new chat at the next scan.
            await tx.group_summaries.reopen(new_chat_id)
        else:
            await tx.group_summaries.fail_open(old_chat_id, "migrated")
        await tx.audit.record(actor_id=None, action="group.migrate", target_type="group",
                              target_id=old_chat_id, now=now, new_chat_id=new_chat_id)
    logger.info("group %s became %s; its link follows", old_chat_id, new_chat_id)


async def deactivate(services: Services, chat_id: int, *, reason: str, detail: str = "") -> bool:
    """The bot can no longer write to the group: stop serving it, and say so in the audit log."""
    now = services.clock.now()
    async with services.db.transaction() as tx:
        changed = await tx.group_links.deactivate(chat_id, reason=reason, now=now)
        await tx.group_summaries.fail_open(chat_id, reason)
        if changed:
            await tx.audit.record(actor_id=None, action="group.deactivate", target_type="group",
                                  target_id=chat_id, now=now, reason=reason, detail=detail)
    if changed:
        logger.info("group %s link deactivated: %s", chat_id, reason)
    return changed


# ---- wiring -----------------------------------------------------------------------------------


def schedule(application: Application[Any, Any, Any, Any, Any, Any], services: Services) -> None:
    """Wake the due scan every ``GROUP_SUMMARY_SCAN_SECONDS``.

    The first scan after start-up sends what fell due while the bot was down. It waits one
    interval, not less: tests drive the scan themselves and must not race a background run.
    """
    job_queue = application.job_queue
    if job_queue is None:
        logger.warning("no JobQueue: group summaries are only sent by /rekap")
        return

    async def tick(context: ContextTypes.DEFAULT_TYPE) -> None:
        # One instance sends the summaries (jobs/scheduler.py runs_scans).
        if await services.db.hold_scheduler():
            await run_due_summaries(services, context.bot)

    for job in job_queue.get_jobs_by_name(JOB_NAME):
        job.schedule_removal()
    interval = services.settings.group_summary_scan_seconds
    job_queue.run_repeating(
        tick,
        interval=interval,
        first=interval,
        name=JOB_NAME,
        # Never skip a tick because the loop was busy; ticks that pile up collapse into one.
        job_kwargs={"misfire_grace_time": None, "coalesce": True},
    )


def summary_times(services: Services, language: str) -> dict[str, str]:
    """The placeholders that tell a group when its summaries come."""
    settings = services.settings
    return {
        "daily": clock_text(settings.group_daily_summary_time, language),
        "weekly": clock_text(settings.group_weekly_summary_time, language),
        "weekday": services.texts(language, f"day.{settings.group_weekly_summary_day}"),
        "zone": services.clock.now().astimezone(settings.tz).tzname() or settings.timezone,
    }

