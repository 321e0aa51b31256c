"""Report commands: /lapor (new report), /lanjut (continue the draft), /laporan (my reports)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import StrEnum

from telegram import InlineKeyboardMarkup, Message, Update

from conversations import report, report_correct
from conversations.report_submit import send_report
from ui import callbacks
from ui.access import Actor
from ui.messages import Button, inline
from ui.services import BotContext

LIST_NS = callbacks.Namespace.REPORT_LIST
PAGE_SIZE = 5


class Listed(StrEnum):
    """What a /laporan button does (the part after the namespace)."""

    PAGE = "page"
    OPEN = "open"
    FIX = report_correct.FIX_ACTION  # correct a report (offered under it, and by /cari)


async def new_report(update: Update, context: BotContext, actor: Actor) -> None:
    """/lapor: start a report (or decide about the open draft)."""
    await report.begin(update, context, actor)


async def resume_report(update: Update, context: BotContext, actor: Actor) -> None:
    """/lanjut: continue the open draft where it stopped."""
    await report.resume(update, context, actor)


async def my_reports(update: Update, context: BotContext, actor: Actor) -> None:
    """/laporan: the officer's recent reports, as buttons that open them."""
    message = update.effective_message
    assert message is not None
    text, markup = await _page(context, actor, 0)
    await message.reply_text(text, reply_markup=markup)


async def _page(
    context: BotContext, actor: Actor, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    services = context.services
    officer = actor.active_officer
    language = actor.language
    async with services.db.reading() as repos:
        total = await repos.reports.count_of_officer(officer.id)
        reports = await repos.reports.of_officer(
            officer.id, limit=PAGE_SIZE, offset=page * PAGE_SIZE
        )
    if total == 0:
        return services.texts(language, "reports.list.empty"), None
    rows: list[list[Button]] = []
    for item in reports:
        activity = services.catalogue.activity(item.activity_code)
        local = item.submitted_at.astimezone(services.settings.tz)
        label = services.texts(
            language, "reports.list.item", number=item.number,
            activity=activity.name.get(language), date=local.strftime("%d/%m"),
        )
        rows.append([(label[:60], callbacks.pack(LIST_NS, Listed.OPEN, item.id))])
    paging: list[Button] = []
    if page > 0:
        paging.append((services.texts(language, "reports.list.newer"),
                       callbacks.pack(LIST_NS, Listed.PAGE, page - 1)))
    if (page + 1) * PAGE_SIZE < total:
        paging.append((services.texts(language, "reports.list.older"),
                       callbacks.pack(LIST_NS, Listed.PAGE, page + 1)))
    if paging:
        rows.append(paging)
    return services.texts(language, "reports.list.heading", total=total), inline(rows)


async def list_button(update: Update, context: BotContext, actor: Actor) -> None:
    """A /laporan button: another page, open one of the officer's own reports, or correct it."""
    services = context.services
    query = update.callback_query
    assert query is not None
    assert query.message is not None
    stale = services.texts(actor.language, "button.stale")
    try:
        action, raw = callbacks.unpack(query.data, LIST_NS)
        number = callbacks.number(raw)
    except (ValueError, callbacks.CallbackDataError):
        await query.answer(stale, show_alert=True)
        return
    act = callbacks.verb(Listed, action)
    if act is None:
        await query.answer(stale, show_alert=True)
        return
    await ON_LISTED[act](update, context, actor, number)


async def _fix(update: Update, context: BotContext, actor: Actor, number: int) -> None:
    await report_correct.start(update, context, actor, number)


async def _turn(update: Update, context: BotContext, actor: Actor, number: int) -> None:
    query = update.callback_query
    assert query is not None
    if number < 0:
        await query.answer(context.services.texts(actor.language, "button.stale"),
                           show_alert=True)
        return
    await query.answer()
    text, markup = await _page(context, actor, number)
    await query.edit_message_text(text, reply_markup=markup)


async def _open(update: Update, context: BotContext, actor: Actor, number: int) -> None:
    """One of the officer's own reports, with the offer to correct it when it may be."""
    services = context.services
    query = update.callback_query
    assert query is not None
    officer = actor.active_officer
    async with services.db.reading() as repos:
        found = await repos.reports.by_id(number)
        complaints = await repos.complaints.of_report(number) if found else []
        hashes = await repos.report_photos.of_report(number) if found else []
        returned = await repos.report_reviews.is_returned(number) if found else False
    if found is None or found.officer_id != officer.id:
        await query.answer(services.texts(actor.language, "button.stale"), show_alert=True)
        return
    await query.answer()
    message = query.message
    assert isinstance(message, Message)
    await send_report(message, services, found, officer, complaints, hashes, actor.language)
    correction = report_correct.offer(services, found, officer.id, actor.language, LIST_NS,
                                      returned=returned)
    if correction is not None:
        text, markup = correction
        await message.chat.send_message(text, reply_markup=markup)


ListedAction = Callable[[Update, BotContext, Actor, int], Awaitable[None]]
ON_LISTED: dict[Listed, ListedAction] = {Listed.FIX: _fix, Listed.PAGE: _turn, Listed.OPEN: _open}
"""What each /laporan button does with the number it carries (a report id or a page)."""
