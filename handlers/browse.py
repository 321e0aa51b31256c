"""/cari: leaders browse and search their units' reports, open one, send it back or accept it.

The current filter (activity, officer, period, words) is stored per leader, so the buttons
only carry a page or an id; every query is limited to the units the leader's role reaches,
and every opened report is checked against that reach again.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import Forbidden, TelegramError

from conversations.report_submit import send_report
from domain.access import Action, reach
from domain.dates import DateRange
from domain.people import Officer, Status
from domain.reports import Report
from domain.text import plain_text, search_words
from handlers import dates, exports, recap
from handlers import reports as my_reports
from jobs.notifications import BROWSE_NS, BROWSE_OPEN
from storage.desk import PendingInput, ReportFilter
from ui import callbacks
from ui.access import Actor
from ui.messages import Button, chunked, edit_html, inline, message_id
from ui.services import BotContext, Services
from ui.views import name_of
from usecases.reviews import SentBack, accept_report, send_back_report

logger = logging.getLogger(__name__)
NS = BROWSE_NS
PAGE_SIZE = 8
SEARCH_INPUT = "search"
SENDBACK_INPUT = "sendback"
DATES_INPUT = dates.INPUT
PERIODS = (0, 1, 7, 30)  # days back; 0 = any time, 1 = today
COMMENT_LIMIT = 500


def scope(services: Services, officer: Officer) -> frozenset[str]:
    """The units whose reports this leader may see."""
    return reach(officer, services.organisation)


def _since(services: Services, days: int) -> datetime | None:
    if days <= 0:
        return None
    now = services.clock.now()
    if days == 1:
        local = now.astimezone(services.settings.tz)
        return local.replace(hour=0, minute=0, second=0, microsecond=0)
    return now - timedelta(days=days)


def chosen_range(view: dict[str, Any]) -> DateRange | None:
    """The typed date range of the stored view, if one is chosen (it wins over a preset)."""
    return DateRange.from_code(str(view.get("range") or ""))


def report_filter(services: Services, officer: Officer, view: dict[str, Any]) -> ReportFilter:
    """The stored view as a query, always limited to the leader's units."""
    units = scope(services, officer)
    chosen = view.get("unit")
    if chosen and chosen in units:
        units = services.organisation.units_within(chosen) & units
    days = chosen_range(view)
    period = days.period(services.settings.tz) if days else None
    return ReportFilter(
        units=units,
        activity_code=view.get("activity") or None,
        officer_id=int(view.get("officer") or 0) or None,
        since=period.start if period else _since(services, int(view.get("days") or 0)),
        until=period.end if period else None,
        words=view.get("words") or None,
    )


def period_label(services: Services, language: str, view: dict[str, Any]) -> str:
    """The period part of the list header: the typed range, or the preset's name."""
    days = chosen_range(view)
    if days is not None:
        return dates.range_text(services, language, days)
    return services.texts(language, f"browse.period.{int(view.get('days') or 0)}")


async def list_view(
    services: Services, officer: Officer, language: str, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    """One page of the leader's reports under the stored filter, with filter buttons."""
    texts = services.texts
    async with services.db.reading() as repos:
        view = await repos.desk_views.get(officer.id)
        query = report_filter(services, officer, view)
        total = await repos.report_browser.count(query)
        items = await repos.report_browser.page(query, limit=PAGE_SIZE, offset=page * PAGE_SIZE)
        names = {o.id: o for o in await repos.officers.in_units(
            query.units, statuses=(Status.ACTIVE, Status.SUSPENDED))}
        chosen = await repos.officers.by_id(query.officer_id) if query.officer_id else None
    pages = max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE)
    tz = services.settings.tz
    any_label = texts(language, "browse.any")
    activity = (
        services.catalogue.activity(query.activity_code).name.get(language)
        if query.activity_code and services.catalogue.has_activity(query.activity_code)
        else any_label
    )
    lines = [
        texts(language, "browse.heading", total=total, page=page + 1, pages=pages),
        texts(language, "browse.filters", activity=html.escape(activity),
              unit=html.escape(services.organisation.unit(view["unit"]).name)
              if view.get("unit") and services.organisation.has_unit(view["unit"])
              else any_label,
              officer=html.escape(chosen.full_name) if chosen else any_label,
              period=period_label(services, language, view),
              words=html.escape(view.get("words") or "-")),
    ]
    if total == 0:
        lines.append(texts(language, "browse.empty"))
    rows: list[list[Button]] = []
    for item in items:
        when = (item.started_at or item.submitted_at).astimezone(tz)
        person = names.get(item.officer_id)
        label = texts(language, "browse.item", number=item.number,
                      officer=person.full_name if person else "-", date=when.strftime("%d/%m"))
        rows.append([(label[:60], callbacks.pack(NS, Act.OPEN, item.id))])
    paging: list[Button] = []
    if page > 0:
        paging.append((texts(language, "desk.newer"), callbacks.pack(NS, Act.PAGE, page - 1)))
    if page + 1 < pages:
        paging.append((texts(language, "desk.older"), callbacks.pack(NS, Act.PAGE, page + 1)))
    if paging:
        rows.append(paging)
    rows.append([
        (texts(language, "browse.button.activity"), callbacks.pack(NS, Act.CHOOSE_ACTIVITY)),
        (texts(language, "browse.button.officer"), callbacks.pack(NS, Act.CHOOSE_OFFICER)),
    ])
    rows.append([
        (texts(language, "browse.button.period"), callbacks.pack(NS, Act.CHOOSE_PERIOD)),
        (texts(language, "browse.button.words"), callbacks.pack(NS, Act.TYPE_WORDS)),
    ])
    clear = [(texts(language, "browse.button.clear"), callbacks.pack(NS, Act.CLEAR))]
    if len(scope(services, officer)) > 1:
        clear.insert(0, (texts(language, "browse.button.unit"),
                         callbacks.pack(NS, Act.CHOOSE_UNIT)))
    rows.append(clear)
    return "\n".join(lines), inline(rows)


async def browse_command(update: Update, context: BotContext, actor: Actor) -> None:
    """/cari [words]: a fresh view of the unit's reports, searched when words are given."""
    services = context.services
    message = update.effective_message
    assert message is not None
    officer = actor.active_officer
    words = search_words(" ".join(context.args or []))
    async with services.db.transaction(update_id=update.update_id,
                                       now=services.clock.now()) as tx:
        await tx.desk_views.put(officer.id, {"words": words} if words else {},
                                services.clock.now())
        await tx.desk_inputs.clear(officer.id)
    text, markup = await list_view(services, officer, actor.language, 0)
    await message.reply_text(text, reply_markup=markup)


async def _set_view(
    update: Update, context: BotContext, leader: Officer, **changes: Any
) -> None:
    services = context.services
    now = services.clock.now()
    async with services.db.transaction(update_id=update.update_id, now=now) as tx:
        view = await tx.desk_views.get(leader.id)
        view.update(changes)
        await tx.desk_views.put(leader.id, view, now)


class Act(StrEnum):
    """What a /cari button does (the part after the namespace)."""

    OPEN = BROWSE_OPEN  # also on the notices a report's conversations send leaders
    SEND_BACK = "b"
    ACCEPT = "r"
    PAGE = "p"
    CHOOSE_ACTIVITY = "fa"
    CHOOSE_OFFICER = "fo"
    CHOOSE_UNIT = "fu"
    CHOOSE_PERIOD = "fd"
    TYPE_RANGE = "fr"
    TYPE_WORDS = "fw"
    SET_ACTIVITY = "sa"
    SET_OFFICER = "so"
    SET_UNIT = "su"
    SET_DAYS = "sd"
    CLEAR = "c"
    CANCEL = "x"  # the typed question (words, range)


REPORT_ACTS = frozenset({Act.OPEN, Act.SEND_BACK, Act.ACCEPT})
ANY = "-"
"""The "any" choice of a text filter (activity, unit); an officer filter uses 0."""


async def on_button(update: Update, context: BotContext, actor: Actor) -> None:
    """A /cari button: page, filters, open, send back, accept, cancel a typed input."""
    services = context.services
    query = update.callback_query
    assert query is not None
    assert isinstance(query.message, Message)
    language = actor.language
    texts = services.texts
    try:
        action, *parts = callbacks.unpack(query.data, NS)
        act = Act(action)
    except (ValueError, callbacks.CallbackDataError):
        await query.answer(texts(language, "button.stale"), show_alert=True)
        return
    arg = parts[0] if parts else ""
    if act in REPORT_ACTS:
        await _on_report(update, context, actor, act, arg)
        return
    if act in _ASK:
        await _ASK[act](update, context, actor)
        return
    page = await _SET[act](update, context, actor, arg)
    if page is None:
        await query.answer(texts(language, "button.stale"), show_alert=True)
        return
    await query.answer()
    text, markup = await list_view(services, actor.active_officer, language, page)
    await query.edit_message_text(text, reply_markup=markup)


async def _show_choice(update: Update, context: BotContext, actor: Actor, key: str,
                       options: list[Button]) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_text(context.services.texts(actor.language, key),
                                  reply_markup=inline(chunked(options, 2)))


async def _choose_activity(update: Update, context: BotContext, actor: Actor) -> None:
    services, language = context.services, actor.language
    options = [(services.texts(language, "browse.any"), callbacks.pack(NS, Act.SET_ACTIVITY, ANY))]
    options += [(a.name.get(language), callbacks.pack(NS, Act.SET_ACTIVITY, a.code))
                for a in services.catalogue.activities]
    await _show_choice(update, context, actor, "browse.choose_activity", options)


async def _choose_officer(update: Update, context: BotContext, actor: Actor) -> None:
    services, language = context.services, actor.language
    async with services.db.reading() as repos:
        people = await repos.officers.in_units(scope(services, actor.active_officer))
    options = [(services.texts(language, "browse.any"), callbacks.pack(NS, Act.SET_OFFICER, 0))]
    options += [(person.full_name[:40], callbacks.pack(NS, Act.SET_OFFICER, person.id))
                for person in people]
    await _show_choice(update, context, actor, "browse.choose_officer", options)


async def _choose_unit(update: Update, context: BotContext, actor: Actor) -> None:
    services, language = context.services, actor.language
    options = [(services.texts(language, "browse.any"), callbacks.pack(NS, Act.SET_UNIT, ANY))]
    options += [(unit.name, callbacks.pack(NS, Act.SET_UNIT, unit.code))
                for unit in services.organisation.units
                if unit.code in scope(services, actor.active_officer)]
    await _show_choice(update, context, actor, "browse.choose_unit", options)


async def _choose_period(update: Update, context: BotContext, actor: Actor) -> None:
    texts, language = context.services.texts, actor.language
    options = [(texts(language, f"browse.period.{days}"), callbacks.pack(NS, Act.SET_DAYS, days))
               for days in PERIODS]
    options.append((texts(language, "dates.button"), callbacks.pack(NS, Act.TYPE_RANGE)))
    await _show_choice(update, context, actor, "browse.choose_period", options)


async def _type_range(update: Update, context: BotContext, actor: Actor) -> None:
    await dates.ask(update, context, actor, NS, callbacks.pack(NS, Act.CANCEL))


async def _type_words(update: Update, context: BotContext, actor: Actor) -> None:
    services, language = context.services, actor.language
    query = update.callback_query
    assert query is not None
    assert isinstance(query.message, Message)
    payload = {"chat": query.message.chat.id, "message": query.message.message_id}
    async with services.db.transaction(update_id=update.update_id,
                                       now=services.clock.now()) as tx:
        await tx.desk_inputs.put(actor.active_officer.id, SEARCH_INPUT, payload,
                                 services.clock.now(), asked_by=NS, update_id=update.update_id)
    await query.answer()
    await query.edit_message_text(
        services.texts(language, "browse.ask_words"),
        reply_markup=inline([[(services.texts(language, "button.cancel"),
                               callbacks.pack(NS, Act.CANCEL))]]),
    )


Ask = Callable[[Update, BotContext, Actor], Awaitable[None]]
_ASK: dict[Act, Ask] = {
    Act.CHOOSE_ACTIVITY: _choose_activity,
    Act.CHOOSE_OFFICER: _choose_officer,
    Act.CHOOSE_UNIT: _choose_unit,
    Act.CHOOSE_PERIOD: _choose_period,
    Act.TYPE_RANGE: _type_range,
    Act.TYPE_WORDS: _type_words,
}
"""Buttons that ask for a filter value (a choice, or a typed answer)."""


async def _set_activity(update: Update, context: BotContext, actor: Actor, arg: str
                        ) -> int | None:
    if arg != ANY and not context.services.catalogue.has_activity(arg):
        return None
    await _set_view(update, context, actor.active_officer, activity=None if arg == ANY else arg)
    return 0


async def _set_unit(update: Update, context: BotContext, actor: Actor, arg: str) -> int | None:
    if arg != ANY and arg not in scope(context.services, actor.active_officer):
        return None
    await _set_view(update, context, actor.active_officer, unit=None if arg == ANY else arg)
    return 0


async def _set_officer(update: Update, context: BotContext, actor: Actor, arg: str
                       ) -> int | None:
    if (officer_id := callbacks.as_id(arg)) is None:
        return None
    await _set_view(update, context, actor.active_officer, officer=officer_id)
    return 0


async def _set_days(update: Update, context: BotContext, actor: Actor, arg: str) -> int | None:
    if (days := callbacks.as_id(arg)) is None or days not in PERIODS:
        return None
    await _set_view(update, context, actor.active_officer, days=days, range=None)
    return 0


async def _clear(update: Update, context: BotContext, actor: Actor, arg: str) -> int | None:
    services = context.services
    async with services.db.transaction(update_id=update.update_id,
                                       now=services.clock.now()) as tx:
        await tx.desk_views.put(actor.active_officer.id, {}, services.clock.now())
    return 0


async def _cancel(update: Update, context: BotContext, actor: Actor, arg: str) -> int | None:
    services = context.services
    query = update.callback_query
    assert query is not None
    async with services.db.transaction(update_id=update.update_id,
                                       now=services.clock.now()) as tx:
        await tx.desk_inputs.cancel(actor.active_officer.id, NS, message_id(query))
    return 0


async def _page(update: Update, context: BotContext, actor: Actor, arg: str) -> int | None:
    return callbacks.as_id(arg)


Set = Callable[[Update, BotContext, Actor, str], Awaitable[int | None]]
_SET: dict[Act, Set] = {
    Act.SET_ACTIVITY: _set_activity,
    Act.SET_UNIT: _set_unit,
    Act.SET_OFFICER: _set_officer,
    Act.SET_DAYS: _set_days,
    Act.CLEAR: _clear,
    Act.CANCEL: _cancel,
    Act.PAGE: _page,
}
"""Buttons that change the view and show the list again: the page to show, None if stale."""


async def on_words(
    update: Update, context: BotContext, actor: Actor, pending: PendingInput
) -> None:
    """Typed search words: store them in the view and show the first page of matches."""
    services = context.services
    message = update.effective_message
    assert message is not None
    officer = actor.active_officer
    if not message.text:
        await message.reply_text(services.texts(actor.language, "desk.need_text"))
        return
    now = services.clock.now()
    async with services.db.transaction(update_id=update.update_id, now=now) as tx:
        if not await tx.desk_inputs.take(officer.id, pending.created_at):
            return
        view = await tx.desk_views.get(officer.id)
        view["words"] = search_words(message.text)
        await tx.desk_views.put(officer.id, view, now)
    text, markup = await list_view(services, officer, actor.language, 0)
    await message.reply_text(text, reply_markup=markup)


async def on_range(
    update: Update, context: BotContext, actor: Actor, pending: PendingInput, chosen: DateRange
) -> None:
    """A typed date range: store it in the view and show the first page of that period."""
    services = context.services
    message = update.effective_message
    assert message is not None
    officer = actor.active_officer
    now = services.clock.now()
    async with services.db.transaction(update_id=update.update_id, now=now) as tx:
        if not await tx.desk_inputs.take(officer.id, pending.created_at):
            return
        view = await tx.desk_views.get(officer.id)
        view.update(range=chosen.code(), days=0)
        await tx.desk_views.put(officer.id, view, now)
    text, markup = await list_view(services, officer, actor.language, 0)
    await message.reply_text(text, reply_markup=markup)


on_dates = dates.dispatcher({
    NS: (Action.BROWSE, on_range),
    recap.NS: (Action.RECAP, recap.on_range),
    exports.NS: (Action.EXPORT, exports.on_range),
})
"""The typed date range of /cari, /rekap or /ekspor, handed to whichever asked for it."""


async def _visible_report(
    services: Services, officer: Officer, raw: str
) -> Report | None:
    report_id = callbacks.as_id(raw)
    if report_id is None:
        return None
    async with services.db.reading() as repos:
        found = await repos.reports.by_id(report_id)
    if found is None or found.unit_code not in scope(services, officer):
        return None
    return found


def review_text(
    services: Services, report: Report, state: str | None, language: str
) -> str:
    """The line under an opened report saying where its review stands."""
    return services.texts(language, f"browse.review.{state or 'open'}", number=report.number)


def review_buttons(services: Services, report: Report, language: str) -> InlineKeyboardMarkup:
    """Send back, accept, and the PDF of one report."""
    texts = services.texts
    return inline([
        [(texts(language, "browse.button.send_back"),
          callbacks.pack(NS, Act.SEND_BACK, report.id)),
         (texts(language, "browse.button.accept"), callbacks.pack(NS, Act.ACCEPT, report.id))],
        [(texts(language, "browse.button.pdf"),
          callbacks.pack(exports.NS, exports.Export.PDF, report.id))],
    ])


async def _on_report(
    update: Update, context: BotContext, actor: Actor, action: Act, raw: str
) -> None:
    services = context.services
    query = update.callback_query
    assert query is not None
    assert isinstance(query.message, Message)
    language = actor.language
    officer = actor.active_officer
    texts = services.texts
    report = await _visible_report(services, officer, raw)
    if report is None:
        await query.answer(texts(language, "button.stale"), show_alert=True)
        return
    now = services.clock.now()
    if action is Act.OPEN:
        async with services.db.reading() as repos:
            author = await repos.officers.by_id(report.officer_id)
            complaints = await repos.complaints.of_report(report.id)
            hashes = await repos.report_photos.of_report(report.id)
            review = await repos.report_reviews.get(report.id)
        assert author is not None
        await query.answer()
        await send_report(query.message, services, report, author, complaints, hashes, language)
        await query.message.chat.send_message(
            review_text(services, report, review.state if review else None, language),
            reply_markup=review_buttons(services, report, language),
        )
        return
    if action is Act.SEND_BACK:
        payload = {"report": report.id, "chat": query.message.chat.id,
                   "message": query.message.message_id}
        async with services.db.transaction(update_id=update.update_id, now=now) as tx:
            await tx.desk_inputs.put(officer.id, SENDBACK_INPUT, payload, now, asked_by=NS,
                                     update_id=update.update_id)
        await query.answer()
        await query.edit_message_text(
            texts(language, "browse.ask_comment", number=report.number),
            reply_markup=inline([[(texts(language, "button.cancel"),
                                   callbacks.pack(NS, Act.CANCEL))]]),
        )
        return
    await accept_report(services.db, officer, report, now=now, update_id=update.update_id)
    await query.answer(texts(language, "browse.accepted", number=report.number)[:200])
    await edit_html(query, review_text(services, report, "reviewed", language),
                    reply_markup=review_buttons(services, report, language))


async def on_comment(
    update: Update, context: BotContext, actor: Actor, pending: PendingInput
) -> None:
    """The typed comment of a send-back: mark the report returned and tell its officer."""
    services = context.services
    message = update.effective_message
    assert message is not None
    language = actor.language
    leader = actor.active_officer
    comment = " ".join(plain_text(message.text or "").split())[:COMMENT_LIMIT]
    if not comment:
        await message.reply_text(services.texts(language, "desk.need_text"))
        return
    now = services.clock.now()
    report = await _visible_report(services, leader, str(pending.payload.get("report", "")))
    outcome = await send_back_report(services.db, leader, report, comment,
                                     asked_at=pending.created_at, now=now,
                                     update_id=update.update_id)
    if outcome is None:
        return
    texts = services.texts
    if not isinstance(outcome, SentBack) or report is None:
        await message.reply_text(texts(language, "button.stale"))
        return
    author = outcome.author
    await message.reply_text(texts(language, "browse.sent_back", number=report.number,
                                   officer=name_of(author)))
    notice = texts(author.language, "browse.returned_notice", number=report.number,
                   leader=name_of(leader), comment=html.escape(comment))
    markup = inline([[(texts(author.language, "reports.correct.button.start"),
                       callbacks.pack(my_reports.LIST_NS, my_reports.Listed.FIX,
                                      report.id))]])
    try:
        await context.bot.send_message(author.telegram_id, notice, reply_markup=markup)
    except Forbidden:
        async with services.db.transaction() as tx:
            await tx.officers.mark_blocked(author.telegram_id, now)
    except TelegramError:
        logger.exception("could not tell officer %s about report %s", author.id, report.id)
