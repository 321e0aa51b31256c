"""/keluhan: follow up residents' complaints in one message edited in place.

Leaders see their units' open complaints; officers see those they recorded or were assigned.
A status move asks for a typed note (stored as a pending input, so a restart loses nothing)
and is applied only if the status is still the one the button showed.
"""

from __future__ import annotations

import html
import logging

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, Forbidden, TelegramError

from bot import callbacks
from bot.access import Actor
from bot.services import BotContext, Services
from bot.ui import Button, edit_html, esc, inline, local_time, message_id, send_html, split_html
from conversations.report_submit import officer_name
from domain import complaints as rules
from domain.access import is_leader, reach
from domain.complaints import CODES, ComplaintStatus, FollowUp
from domain.people import Officer
from storage.desk import PendingInput

logger = logging.getLogger(__name__)
NS = "kl"
NOTE_INPUT = "cnote"
PAGE_SIZE = 8
LISTED = 25 * PAGE_SIZE
"""Pages reach this many open complaints (urgent, then oldest, first) and the count says
"200+" beyond: paging further is no way to work a backlog, and counting it all on every
press would hold the database (/ekspor has every complaint)."""


def _units(officer: Officer, services: Services) -> frozenset[str]:
    return reach(officer, services.organisation) if is_leader(
        officer, services.organisation
    ) else frozenset()


def status_label(services: Services, status: ComplaintStatus, language: str) -> str:
    """The status as people read it."""
    return services.texts(language, f"complaints.status.{status.value}")


def _category(services: Services, key: str, language: str) -> str:
    """The category's label, plain (for buttons): escape it for a message."""
    label = services.catalogue.complaint_categories.get(key)
    return label.get(language) if label else key


def _urgency(services: Services, key: str, language: str) -> str:
    """The urgency's label, plain (for buttons): escape it for a message."""
    try:
        return services.catalogue.urgency(key).label.get(language)
    except KeyError:
        return key


def _is_urgent(services: Services, key: str) -> bool:
    return key == services.catalogue.urgent_level.key


async def list_view(
    services: Services, officer: Officer, language: str, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    """One page of the complaints this person follows, urgent and oldest first."""
    units = _units(officer, services)
    urgent = [services.catalogue.urgent_level.key]
    async with services.db.reading() as repos:
        total = await repos.complaint_desk.count_open_in_scope(units, officer.id,
                                                               cap=LISTED + 1)
        items = await repos.complaint_desk.open_in_scope(
            units, officer.id, urgent=urgent, limit=PAGE_SIZE, offset=page * PAGE_SIZE
        )
    texts = services.texts
    if total == 0:
        return texts(language, "complaints.empty"), None
    pages = (min(total, LISTED) + PAGE_SIZE - 1) // PAGE_SIZE
    days = services.settings.complaint_stale_days
    now = services.clock.now()
    rows: list[list[Button]] = []
    for item in items:
        flags = ("🔴" if _is_urgent(services, item.urgency) else "") + (
            "⚠️" if rules.is_overdue(item, now, days) else ""
        )
        label = texts(
            language, "complaints.item", flags=flags, id=item.id,
            category=_category(services, item.category, language),
            status=status_label(services, item.status, language),
            days=(now - item.created_at).days,
        )
        rows.append([(label[:60], callbacks.pack(NS, "o", item.id, page))])
    paging: list[Button] = []
    if page > 0:
        paging.append((texts(language, "desk.newer"), callbacks.pack(NS, "p", page - 1)))
    if page + 1 < pages:
        paging.append((texts(language, "desk.older"), callbacks.pack(NS, "p", page + 1)))
    if paging:
        rows.append(paging)
    shown = f"{LISTED}+" if total > LISTED else str(total)
    text = texts(language, "complaints.heading", total=shown, page=page + 1, pages=pages,
                 days=days)
    return text, inline(rows)


async def card_view(
    services: Services, viewer: Officer, item: FollowUp, language: str, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    """The complaint with its report, officer, status and the moves this viewer may make."""
    texts = services.texts
    organisation = services.organisation
    async with services.db.reading() as repos:
        reporter = await repos.officers.by_id(item.officer_id)
        assignee = await repos.officers.by_id(item.assigned_to) if item.assigned_to else None
    tz = services.settings.tz
    lines = [
        texts(language, "complaints.card.title", id=item.id),
        texts(language, "complaints.card.category",
              value=esc(_category(services, item.category, language))),
        texts(language, "complaints.card.description", value=html.escape(item.description)),
        texts(language, "complaints.card.place", value=html.escape(item.place)),
        texts(language, "complaints.card.urgency",
              value=esc(_urgency(services, item.urgency, language))),
        texts(language, "complaints.card.report", value=html.escape(item.report_number)),
        texts(language, "complaints.card.officer",
              value=officer_name(reporter) if reporter else "-"),
        texts(language, "complaints.card.recorded",
              value=local_time(item.created_at, tz, texts, language)),
        texts(language, "complaints.card.status",
              value=status_label(services, item.status, language)),
        texts(language, "complaints.card.assignee",
              value=officer_name(assignee) if assignee else "-"),
    ]
    if item.referred_to:
        lines.append(texts(language, "complaints.card.referred",
                           value=html.escape(item.referred_to)))
    if rules.may_see_resident(viewer, item, organisation) and (
        item.resident_name or item.resident_contact
    ):
        lines.append(texts(language, "complaints.card.resident",
                           name=html.escape(item.resident_name or "-"),
                           contact=html.escape(item.resident_contact or "-")))
    if rules.is_overdue(item, services.clock.now(), services.settings.complaint_stale_days):
        lines.append(texts(language, "complaints.card.overdue",
                           days=services.settings.complaint_stale_days))
    rows: list[list[Button]] = []
    if rules.may_change_status(viewer, item, organisation):
        moves = [
            (texts(language, f"complaints.move.{target.value}"),
             callbacks.pack(NS, "s", item.id, CODES[item.status], CODES[target]))
            for target in rules.MOVES[item.status]
        ]
        if moves:
            rows.append(moves)
    if rules.leads(viewer, item, organisation) and item.status in rules.OPEN_STATUSES:
        rows.append([(texts(language, "complaints.button.assign"),
                      callbacks.pack(NS, "a", item.id, CODES[item.status]))])
    rows.append([
        (texts(language, "complaints.button.history"), callbacks.pack(NS, "h", item.id, page)),
        (texts(language, "complaints.button.list"), callbacks.pack(NS, "p", page)),
    ])
    return "\n".join(lines), inline(rows)


async def history_view(
    services: Services, item: FollowUp, language: str, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    """Every change of the complaint: who, when, from, to, note."""
    texts = services.texts
    async with services.db.reading() as repos:
        entries = await repos.complaint_desk.history(item.id)
    tz = services.settings.tz
    lines = [texts(language, "complaints.history.title", id=item.id)]
    for entry in entries:
        when = local_time(entry.at, tz, texts, language)
        if entry.assigned_to is not None:
            lines.append(texts(language, "complaints.history.assigned", time=when,
                               actor=html.escape(entry.actor_name),
                               officer=html.escape(entry.assignee_name or "-")))
        else:
            lines.append(texts(language, "complaints.history.move", time=when,
                               actor=html.escape(entry.actor_name),
                               old=status_label(services, entry.from_status, language),
                               new=status_label(services, entry.to_status, language),
                               note=html.escape(entry.note)))
    if not entries:
        lines.append(texts(language, "complaints.history.none"))
    back = [[(texts(language, "button.back"), callbacks.pack(NS, "o", item.id, page))]]
    return "\n".join(lines), inline(back)


async def complaints_command(update: Update, context: BotContext, actor: Actor) -> None:
    """/keluhan: the first page of open complaints."""
    message = update.effective_message
    assert message is not None
    text, markup = await list_view(context.services, actor.active_officer, actor.language, 0)
    await message.reply_text(text, reply_markup=markup)


async def _visible(services: Services, viewer: Officer, complaint_id: int) -> FollowUp | None:
    async with services.db.reading() as repos:
        item = await repos.complaint_desk.get(complaint_id)
    if item is None or not rules.may_see(viewer, item, services.organisation):
        return None
    return item


async def on_button(update: Update, context: BotContext, actor: Actor) -> None:
    """A /keluhan button: page, open, history, status move, assignment, cancel a note."""
    services = context.services
    query = update.callback_query
    assert query is not None
    language = actor.language
    viewer = actor.active_officer
    stale = services.texts(language, "button.stale")
    try:
        action, *parts = callbacks.unpack(query.data, NS)
        numbers = [int(part) for part in parts if part.isdigit()]
    except (ValueError, callbacks.CallbackDataError):
        await query.answer(stale, show_alert=True)
        return
    if action == "p" and numbers:
        await query.answer()
        text, markup = await list_view(services, viewer, language, max(0, numbers[0]))
        await query.edit_message_text(text, reply_markup=markup)
        return
    item = await _visible(services, viewer, numbers[0]) if numbers else None
    if item is None:
        await query.answer(stale, show_alert=True)
        return
    page = numbers[1] if len(numbers) > 1 else 0
    if action == "o":
        await query.answer()
        text, markup = await card_view(services, viewer, item, language, page)
        await edit_html(query, text, reply_markup=markup)
    elif action == "h":
        await query.answer()
        text, markup = await history_view(services, item, language, page)
        await edit_html(query, text, reply_markup=markup)
    elif action == "s" and len(parts) == 3:
        await _ask_note(update, context, actor, item, parts[1], parts[2])
    elif action == "a" and len(parts) == 2:
        await _assign_menu(update, context, actor, item, parts[1])
    elif action == "A" and len(parts) == 3:
        await _assign(update, context, actor, item, parts[1], int(parts[2]))
    elif action == "x":
        async with services.db.transaction(update_id=update.update_id,
                                           now=services.clock.now()) as tx:
            await tx.desk_inputs.cancel(viewer.id, NS, message_id(query))
        await query.answer()
        text, markup = await card_view(services, viewer, item, language, page)
        await edit_html(query, text, reply_markup=markup)
    else:
        await query.answer(stale, show_alert=True)


async def _refresh_stale(
    update: Update, context: BotContext, actor: Actor, item: FollowUp
) -> None:
    """The complaint changed meanwhile: say so and show it as it is now."""
    services = context.services
    query = update.callback_query
    assert query is not None
    await query.answer(services.texts(actor.language, "complaints.stale"), show_alert=True)
    text, markup = await card_view(services, actor.active_officer, item, actor.language, 0)
    try:
        await edit_html(query, text, reply_markup=markup)
    except BadRequest:
        logger.debug("complaint card unchanged")


async def _ask_note(
    update: Update, context: BotContext, actor: Actor, item: FollowUp, old: str, new: str
) -> None:
    services = context.services
    query = update.callback_query
    assert query is not None
    assert isinstance(query.message, Message)
    viewer = actor.active_officer
    current = rules.BY_CODE.get(old)
    target = rules.BY_CODE.get(new)
    if (
        current is None
        or target is None
        or not rules.may_change_status(viewer, item, services.organisation)
    ):
        await query.answer(services.texts(actor.language, "button.stale"), show_alert=True)
        return
    if item.status is not current or not rules.may_move(current, target):
        await _refresh_stale(update, context, actor, item)
        return
    payload = {"complaint": item.id, "from": current.value, "to": target.value,
               "chat": query.message.chat.id, "message": query.message.message_id}
    async with services.db.transaction(update_id=update.update_id,
                                       now=services.clock.now()) as tx:
        await tx.desk_inputs.put(viewer.id, NOTE_INPUT, payload, services.clock.now(),
                                 asked_by=NS, update_id=update.update_id)
    await query.answer()
    texts = services.texts
    referral = target is ComplaintStatus.REFERRED
    key = "complaints.ask_referral" if referral else "complaints.ask_note"
    text = texts(actor.language, key, id=item.id,
                 old=status_label(services, current, actor.language),
                 new=status_label(services, target, actor.language))
    cancel = [[(texts(actor.language, "button.cancel"), callbacks.pack(NS, "x", item.id))]]
    await query.edit_message_text(text, reply_markup=inline(cancel))


async def on_note(
    update: Update, context: BotContext, actor: Actor, pending: PendingInput
) -> None:
    """The typed note of a status move: apply it if nothing changed meanwhile."""
    services = context.services
    message = update.effective_message
    assert message is not None
    language = actor.language
    viewer = actor.active_officer
    note = rules.clean_note(message.text or "")
    if not note:
        await message.reply_text(services.texts(language, "desk.need_text"))
        return
    now = services.clock.now()
    complaint_id = int(pending.payload["complaint"])
    current = ComplaintStatus(pending.payload["from"])
    target = ComplaintStatus(pending.payload["to"])
    moved = False
    async with services.db.transaction(update_id=update.update_id, now=now) as tx:
        if not await tx.desk_inputs.take(viewer.id, pending.created_at):
            return
        item = await tx.complaint_desk.get(complaint_id)
        if item is not None and rules.may_change_status(viewer, item, services.organisation):
            moved = await tx.complaint_desk.move(
                complaint_id, expected=current, new=target, actor_id=viewer.id, note=note,
                now=now, referred_to=note if target is ComplaintStatus.REFERRED else None,
            )
        if moved:
            await tx.audit.record(actor_id=viewer.id, action="complaint.status",
                                  target_type="complaint", target_id=complaint_id, now=now,
                                  old=current.value, new=target.value)
        item = await tx.complaint_desk.get(complaint_id)
        assignee = (
            await tx.officers.by_id(item.assigned_to) if item and item.assigned_to else None
        )
    texts = services.texts
    if item is None or not moved:
        await message.reply_text(texts(language, "complaints.stale"))
    else:
        await message.reply_text(texts(
            language, "complaints.moved", id=complaint_id,
            old=status_label(services, current, language),
            new=status_label(services, target, language)))
    if item is not None:
        text, markup = await card_view(services, viewer, item, language, 0)
        await _edit_or_send(context, pending, text, markup)
    if moved and item is not None and assignee is not None and assignee.id != viewer.id:
        await _tell(context, assignee, texts(
            assignee.language, "complaints.notify_moved", id=complaint_id,
            new=status_label(services, target, assignee.language), actor=officer_name(viewer),
            note=html.escape(note)), item)


async def _edit_or_send(
    context: BotContext, pending: PendingInput, text: str, markup: InlineKeyboardMarkup
) -> None:
    """Show the card again in the message that asked for the note (or anew, split, when it
    no longer fits one message)."""
    chat_id = int(pending.payload["chat"])
    if len(split_html(text)) == 1:
        try:
            await context.bot.edit_message_text(
                text, chat_id=chat_id, message_id=int(pending.payload["message"]),
                reply_markup=markup,
            )
            return
        except BadRequest:
            logger.debug("complaint card cannot be edited: sent anew")
    await send_html(context.bot, chat_id, text, reply_markup=markup)


async def _assign_menu(
    update: Update, context: BotContext, actor: Actor, item: FollowUp, code: str
) -> None:
    services = context.services
    query = update.callback_query
    assert query is not None
    viewer = actor.active_officer
    if not rules.leads(viewer, item, services.organisation) or item.unit_code is None:
        await query.answer(services.texts(actor.language, "button.stale"), show_alert=True)
        return
    if CODES[item.status] != code or item.status not in rules.OPEN_STATUSES:
        await _refresh_stale(update, context, actor, item)
        return
    async with services.db.reading() as repos:
        people = await repos.officers.in_units([item.unit_code])
    rows = [
        # Button labels are plain text: no HTML escaping here.
        [(" ".join(p for p in (person.rank, person.full_name) if p)[:60],
          callbacks.pack(NS, "A", item.id, code, person.id))]
        for person in people
    ]
    rows.append([(services.texts(actor.language, "button.back"),
                  callbacks.pack(NS, "o", item.id, 0))])
    await query.answer()
    await query.edit_message_text(
        services.texts(actor.language, "complaints.choose_officer", id=item.id),
        reply_markup=inline(rows),
    )


async def _assign(
    update: Update, context: BotContext, actor: Actor, item: FollowUp, code: str, person_id: int
) -> None:
    services = context.services
    query = update.callback_query
    assert query is not None
    viewer = actor.active_officer
    now = services.clock.now()
    if not rules.leads(viewer, item, services.organisation):
        await query.answer(services.texts(actor.language, "button.stale"), show_alert=True)
        return
    status = rules.BY_CODE.get(code)
    assigned = False
    async with services.db.transaction(update_id=update.update_id, now=now) as tx:
        person = await tx.officers.by_id(person_id)
        if (
            status is not None
            and person is not None
            and person.is_active
            and person.unit_code == item.unit_code
        ):
            assigned = await tx.complaint_desk.assign(
                item.id, expected=status, officer_id=person.id, actor_id=viewer.id, now=now
            )
        if assigned:
            await tx.audit.record(actor_id=viewer.id, action="complaint.assign",
                                  target_type="complaint", target_id=item.id, now=now,
                                  officer=person_id)
        fresh = await tx.complaint_desk.get(item.id)
    assert fresh is not None
    if not assigned or person is None:
        await _refresh_stale(update, context, actor, fresh)
        return
    await query.answer(services.texts(actor.language, "complaints.assigned",
                                      officer=person.full_name)[:200])
    text, markup = await card_view(services, viewer, fresh, actor.language, 0)
    await edit_html(query, text, reply_markup=markup)
    if person.id != viewer.id:
        await _tell(context, person, services.texts(
            person.language, "complaints.notify_assigned", id=item.id,
            category=esc(_category(services, item.category, person.language)),
            place=html.escape(item.place), number=html.escape(item.report_number),
            actor=officer_name(viewer)), fresh)


async def _tell(context: BotContext, person: Officer, text: str, item: FollowUp) -> None:
    """Notify an officer about a complaint, with a button that opens it."""
    services = context.services
    markup = inline([[(services.texts(person.language, "complaints.button.open"),
                       callbacks.pack(NS, "o", item.id, 0))]])
    try:
        await send_html(context.bot, person.telegram_id, text, reply_markup=markup)
    except Forbidden:
        async with services.db.transaction() as tx:
            await tx.officers.mark_blocked(person.telegram_id, services.clock.now())
    except TelegramError:
        logger.exception("could not notify officer %s of complaint %s", person.id, item.id)

