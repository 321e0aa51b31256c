"""Submitting a draft: one transaction stores the report; then card, photos and notices."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, InputMediaPhoto, Message, Update
from telegram.error import BadRequest, Forbidden, TelegramError

from conversations.report_photos import draft_photos, release_photos
from conversations.report_view import prompt, report_card, stamp_lines
from domain import reports as flow
from domain.people import Officer
from domain.reports import Draft, Report, StoredComplaint
from jobs.notifications import deliver_now, plan_report_notices
from ui.access import Actor
from ui.callbacks import Stale
from ui.messages import (
    CAPTION_LIMIT,
    answer_query,
    remove_buttons,
    send_html,
    shorten_html,
)
from ui.services import BotContext, Services
from ui.views import leaders_of, photo_path

logger = logging.getLogger(__name__)
ALBUM_LIMIT = 10
URGENT_EXCERPT = 300


async def submit(update: Update, context: BotContext, actor: Actor, draft: Draft) -> None:
    """Store the report in one transaction, then send card, photos and leaders' notices."""

    services = context.services
    query = update.callback_query
    assert query is not None
    assert query.message is not None
    officer = actor.active_officer
    activity = services.catalogue.activity(draft.activity_code)
    now = services.clock.now()
    local = now.astimezone(services.settings.tz)
    blocked: Draft | None = None
    async with services.db.transaction(update_id=update.update_id, now=now) as tx:
        current = await tx.drafts.of_officer(officer.id)
        if current is None or current.id != draft.id or current.version != draft.version:
            raise Stale
        missing = flow.can_submit(activity, current)
        if missing is not None:
            blocked = await tx.drafts.save(flow.edit(activity, current, missing.key), now)
        else:
            columns = flow.columns(activity, current.answers)
            sequence = await tx.report_numbers.next(activity.code, local.year, local.month)
            number = flow.format_number(activity.number_code, local.year, local.month, sequence)
            report_id = await tx.reports.create(
                number=number,
                activity_code=activity.code,
                officer_id=officer.id,
                unit_code=officer.unit_code,
                columns=columns,
                answers=current.answers,
                assignment_id=current.assignment_id,
                now=now,
            )
            await tx.complaints.add(report_id, columns.complaints, now,
                                    kelurahan=columns.kelurahan)
            await tx.report_photos.add(report_id, columns.photos)
            await tx.drafts.delete(current.id)
            report = await tx.reports.by_id(report_id)
            assert report is not None
            complaints = await tx.complaints.of_report(report_id)
            leaders = await leaders_of(tx.officers, services, officer)
            notices = plan_report_notices(report, complaints, leaders, services.organisation,
                                          services.catalogue.urgent_level.key, now)
            await tx.notifications.plan(notices, now)
    if blocked is not None:
        await answer_query(query, services.texts(actor.language, "reports.incomplete"),
                           show_alert=True)
        text, markup = prompt(services, blocked, actor.language)
        await send_html(context.bot, query.message.chat.id, text, reply_markup=markup)
        return
    assert report is not None
    # The report and its leaders' notices are stored: whatever happens to the officer's
    # messages below (an expired button, a photo Telegram refuses, a blocked chat), the
    # leaders are told now, or by the outbox scan if this process dies first.
    try:
        # Photos left in an unfinished photo step are in no report: their files go.
        await release_photos(services, draft_photos(current))
        await answer_query(query)
        await remove_buttons(query.message)
    finally:
        # Before the officer's card and photos, which may take long (stamping, an album sent
        # again photo by photo): the notices must go out before their outbox rows fall due.
        await deliver_now(services, context.bot, [notice.key for notice in notices])
    hashes = [photo["sha256"] for photo in columns.photos]
    await _stamp(services, report, officer, hashes, actor.language)
    chat = query.message.chat
    await chat.send_message(services.texts(actor.language, "reports.submitted", number=number))
    message = query.message
    assert isinstance(message, Message)
    await send_report(message, services, report, officer, complaints, hashes, actor.language)


async def _stamp(
    services: Services, report: Report, officer: Officer, hashes: list[str], language: str
) -> None:
    lines = stamp_lines(services, report, officer, language)
    for sha in hashes:
        try:
            await services.imaging.stamp(sha, lines)
        except (OSError, ValueError):
            logger.exception("could not stamp photo %s of report %s", sha, report.number)


async def send_report(
    message: Message,
    services: Services,
    report: Report,
    officer: Officer,
    complaints: list[StoredComplaint],
    hashes: list[str],
    language: str,
) -> None:
    """The report card (split when long) followed by its photos as albums of up to ten.

    An album Telegram refuses (one photo it cannot show, e.g. ``PHOTO_INVALID_DIMENSIONS``,
    sinks the whole album) is sent again photo by photo, each refused one as a file, and the
    reader is told.
    """
    chat = message.chat
    bot = message.get_bot()
    card = report_card(services, report, officer, complaints, len(hashes), language)
    await send_html(bot, chat.id, card)
    caption = shorten_html(
        services.texts(language, "reports.photo_caption", number=report.number), CAPTION_LIMIT
    )
    as_files = 0
    lost = 0
    for start in range(0, len(hashes), ALBUM_LIMIT):
        group = hashes[start : start + ALBUM_LIMIT]
        first_caption = caption if start == 0 else None
        try:
            if len(group) == 1:
                await chat.send_photo(photo_path(services, group[0]).read_bytes(),
                                      caption=first_caption)
            else:
                media = [
                    InputMediaPhoto(photo_path(services, sha).read_bytes(),
                                    caption=first_caption if index == 0 else None)
                    for index, sha in enumerate(group)
                ]
                await chat.send_media_group(media)
        except BadRequest as error:
            logger.warning("photos of report %s refused (%s): sending one by one",
                           report.number, error.message)
            files, failed = await _one_by_one(message, services, report, group, first_caption)
            as_files += files
            lost += failed
    if as_files:
        await chat.send_message(services.texts(language, "reports.album.as_files",
                                               count=as_files, number=report.number))
    if lost:
        await chat.send_message(services.texts(language, "reports.album.lost",
                                               count=lost, number=report.number))


async def _one_by_one(
    message: Message, services: Services, report: Report, group: list[str],
    caption: str | None,
) -> tuple[int, int]:
    """Each photo on its own, as a file where Telegram refuses it as a photo.

    Returns how many went as files and how many could not be sent at all.
    """
    chat = message.chat
    files = lost = 0
    for index, sha in enumerate(group, start=1):
        data = photo_path(services, sha).read_bytes()
        try:
            await chat.send_photo(data, caption=caption)
        except BadRequest:
            try:
                await chat.send_document(
                    data, filename=f"{report.number.replace('/', '-')}-{index}.jpg",
                    caption=caption,
                )
                files += 1
            except BadRequest:
                logger.exception("photo %s of report %s not sent", sha, report.number)
                lost += 1
        caption = None
    return files, lost


async def notify_leader(
    context: BotContext,
    leader: Officer,
    report: Report,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Send one leader a notice about ``report``; a leader who blocked the bot is marked."""
    services = context.services
    try:
        await send_html(context.bot, leader.telegram_id, text, reply_markup=markup)
    except Forbidden:
        async with services.db.transaction() as tx:
            await tx.officers.mark_blocked(leader.telegram_id, services.clock.now())
    except TelegramError:
        logger.exception("could not notify leader %s of report %s", leader.id, report.number)
