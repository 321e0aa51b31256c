"""Correcting a submitted report within the correction window, through the same draft engine.

A correction is a draft bound to the report (``report_id``), seeded with its answers and opened
at a review card whose edit buttons cover the correctable fields only. Changing a field is the
engine's ordinary edit-from-review; saving writes the changed answers, one revision per changed
field and an audit entry in the transaction that records the update, then tells the leaders.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import Forbidden, TelegramError

from conversations.report_photos import draft_photos, release_photos
from conversations.report_submit import notify_leader
from conversations.report_view import prompt, report_card
from domain import reports as flow
from domain.people import Officer
from domain.reports import REVIEW, Draft, Report
from jobs.notifications import BROWSE_NS, BROWSE_OPEN
from ui import callbacks
from ui.access import Actor
from ui.callbacks import Stale
from ui.messages import esc, inline, local_time, remove_buttons, send_html
from ui.services import BotContext, Services
from ui.views import name_of
from usecases.corrections import DraftChanged, NotCorrected, save_correction

logger = logging.getLogger(__name__)
FIX_ACTION = "fix"


def offer(
    services: Services,
    report: Report,
    officer_id: int,
    language: str,
    list_ns: str,
    *,
    returned: bool = False,
) -> tuple[str, InlineKeyboardMarkup] | None:
    """The "✏️ Koreksi" offer under an opened report, or None once the window has passed
    (a report a leader sent back may be corrected until it is fixed)."""
    now = services.clock.now()
    hours = services.settings.correction_window_hours
    if not flow.may_correct(report, officer_id, now, hours, returned=returned):
        return None
    until = flow.correction_deadline(report, hours).astimezone(services.settings.tz)
    if returned:
        text = services.texts(language, "browse.returned_offer", number=report.number)
    else:
        text = services.texts(
            language, "reports.correct.offer", number=report.number,
            until=until.strftime("%d/%m/%Y %H:%M"),
        )
    data = callbacks.pack(list_ns, FIX_ACTION, report.id)
    return text, inline([[(services.texts(language, "reports.correct.button.start"), data)]])


async def start(update: Update, context: BotContext, actor: Actor, report_id: int) -> None:
    """"✏️ Koreksi": open a correction draft of the officer's own report, still in the window."""
    services = context.services
    query = update.callback_query
    assert query is not None
    assert isinstance(query.message, Message)
    language = actor.language
    officer = actor.active_officer
    now = services.clock.now()
    problem: str | None = None
    draft: Draft | None = None
    async with services.db.transaction(update_id=update.update_id, now=now) as tx:
        report = await tx.reports.by_id(report_id)
        existing = await tx.drafts.of_officer(officer.id)
        if report is None or report.officer_id != officer.id:
            problem = "button.stale"
        elif not flow.may_correct(report, officer.id, now,
                                  services.settings.correction_window_hours,
                                  returned=await tx.report_reviews.is_returned(report.id)):
            problem = "reports.correct.closed"
        elif existing is not None and existing.report_id == report.id:
            draft = existing  # pressed again: show the correction already open
        elif existing is not None:
            problem = "reports.correct.draft_open"
        else:
            activity = services.catalogue.activity(report.activity_code)
            draft_id = await tx.drafts.create(
                officer.id, activity.code, REVIEW, now, report_id=report.id,
                answers=report.answers,
            )
            opened = await tx.drafts.of_officer(officer.id)
            assert opened is not None
            assert opened.id == draft_id
            draft = await tx.drafts.save(opened, now)
    if problem is not None or draft is None:
        await query.answer(services.texts(language, problem or "button.stale"), show_alert=True)
        return
    await query.answer()
    text, markup = prompt(services, draft, language)
    await send_html(context.bot, query.message.chat.id, text, reply_markup=markup)


async def save(update: Update, context: BotContext, actor: Actor, draft: Draft) -> None:
    """Save the correction: report, revisions and audit entry in one transaction; then notices.

    Raises:
        Stale: the draft changed since the button was shown.
    """

    services = context.services
    query = update.callback_query
    assert query is not None
    assert isinstance(query.message, Message)
    language = actor.language
    officer = actor.active_officer
    try:
        outcome = await save_correction(
            services.db, services.organisation, services.catalogue.activity(draft.activity_code),
            officer, draft, window_hours=services.settings.correction_window_hours,
            now=services.clock.now(), update_id=update.update_id,
        )
    except DraftChanged:
        raise Stale from None
    # Photos added while correcting but not saved (window closed, nothing changed).
    await release_photos(services, draft_photos(outcome.draft))
    await query.answer()
    await remove_buttons(query.message)
    chat = query.message.chat
    if isinstance(outcome, NotCorrected):
        await chat.send_message(services.texts(language, outcome.reason))
        return
    await chat.send_message(
        services.texts(language, "reports.correct.saved", number=outcome.report.number,
                       fields=_labels(services, outcome.report, outcome.changed, language))
    )
    card = report_card(services, outcome.report, officer, outcome.complaints, outcome.photo_count,
                       language)
    await send_html(context.bot, chat.id, card)
    if outcome.returner is not None:
        await tell_fixed(context, outcome.returner, outcome.report, officer)
    for leader in outcome.leaders:
        if outcome.returner is not None and leader.id == outcome.returner.id:
            continue
        text = services.texts(
            leader.language,
            "reports.correct.leader_notice",
            number=outcome.report.number,
            officer=name_of(officer),
            fields=_labels(services, outcome.report, outcome.changed, leader.language),
        )
        await notify_leader(context, leader, outcome.report, text)


def _labels(services: Services, report: Report, keys: list[str], language: str) -> str:
    activity = services.catalogue.activity(report.activity_code)
    return ", ".join(esc(activity.field(key).label.get(language)) for key in keys)


async def tell_fixed(
    context: BotContext, leader: Officer, report: Report, author: Officer
) -> None:
    """Tell the leader who sent a report back that its officer corrected it."""
    services = context.services
    text = services.texts(leader.language, "browse.fixed_notice", number=report.number,
                          officer=name_of(author),
                          time=local_time(services.clock.now(), services.settings.tz,
                                          services.texts, leader.language))
    markup = inline([[(services.texts(leader.language, "browse.button.open"),
                       callbacks.pack(BROWSE_NS, BROWSE_OPEN, report.id))]])
    try:
        await context.bot.send_message(leader.telegram_id, text, reply_markup=markup)
    except Forbidden:
        async with services.db.transaction() as tx:
            await tx.officers.mark_blocked(leader.telegram_id, services.clock.now())
    except TelegramError:
        logger.exception("could not tell leader %s that report %s was fixed", leader.id,
                         report.id)


__all__ = ["FIX_ACTION", "offer", "save", "start"]
