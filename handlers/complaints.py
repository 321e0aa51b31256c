"""/keluhan: follow up residents' complaints in one message edited in place.

Leaders see their units' open complaints; officers see those they recorded or were assigned.
A status move asks for a typed note (stored as a pending input, so a restart loses nothing)
and is applied only if the status is still the one the button showed.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable
from enum import StrEnum

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import Forbidden, TelegramError

from domain import complaints as rules
from domain.access import is_leader, reach
from domain.complaints import CODES, ComplaintStatus, FollowUp
from domain.people import Officer
from storage.desk import PendingInput
from ui import callbacks
from ui.access import Actor
from ui.messages import (
    Button,
    edit_html,
    edit_or_resend,
    esc,
    inline,
    local_time,
    message_id,
    send_html,
)
from ui.services import BotContext, Services
from ui.views import name_of
from usecases.complaints import Moved, NotMoved, assign_complaint, move_complaint

logger = logging.getLogger(__name__)
NS = callbacks.Namespace.COMPLAINTS
NOTE_INPUT = "cnote"


class Act(StrEnum):
    """What a /keluhan button does (the part after the namespace)."""

    PAGE = "p"
    OPEN = "o"
    HISTORY = "h"
    MOVE = "s"  # ask the note of a status move
    ASSIGN_MENU = "a"  # choose the officer
    ASSIGN = "A"  # give it to the chosen officer
    CANCEL = "x"  # cancel the note question

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
        rows.append([(label[:60], callbacks.pack(NS, Act.OPEN, item.id, page))])
    paging: list[Button] = []
    if page > 0:
        paging.append((texts(language, "desk.newer"), callbacks.pack(NS, Act.PAGE, page - 1)))
    if page + 1 < pages:
        paging.append((texts(language, "desk.older"), callbacks.pack(NS, Act.PAGE, page + 1)))
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
              value=name_of(reporter) if reporter else "-"),
        texts(language, "complaints.card.recorded",
              value=local_time(item.created_at, tz, texts, language)),
        texts(language, "complaints.card.status",
              value=status_label(services, item.status, language)),
        texts(language, "complaints.card.assignee",
              value=name_of(assignee) if assignee else "-"),
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
             callbacks.pack(NS, Act.MOVE, item.id, CODES[item.status], CODES[target]))
            for target in rules.MOVES[item.status]
        ]
        if moves:
            rows.append(moves)
    if rules.leads(viewer, item, organisation) and item.status in rules.OPEN_STATUSES:
        rows.append([(texts(language, "complaints.button.assign"),
                      callbacks.pack(NS, Act.ASSIGN_MENU, item.id, CODES[item.status]))])
    rows.append([
        (texts(language, "complaints.button.history"),
         callbacks.pack(NS, Act.HISTORY, item.id, page)),
        (texts(language, "complaints.button.list"), callbacks.pack(NS, Act.PAGE, page)),
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
    back = [[(texts(language, "button.back"), callbacks.pack(NS, Act.OPEN, item.id, page))]]
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
        numbers = callbacks.numbers(parts)
    except callbacks.CallbackDataError:
        await query.answer(stale, show_alert=True)
        return
    try:
        act = Act(action)
    except ValueError:
        await query.answer(stale, show_alert=True)
        return
    if act is Act.PAGE and numbers:
        await query.answer()
        text, markup = await list_view(services, viewer, language, max(0, numbers[0]))
        await query.edit_message_text(text, reply_markup=markup)
        return
    item = await _visible(services, viewer, numbers[0]) if numbers else None
    arity = _ARITY.get(act)
    if item is None or (arity is not None and len(parts) != arity):
        await query.answer(stale, show_alert=True)
        return
    await _ON_ITEM[act](update, context, actor, item, parts, numbers[1] if len(numbers) > 1 else 0)


async def _open(update: Update, context: BotContext, actor: Actor, item: FollowUp,
                parts: list[str], page: int) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    text, markup = await card_view(context.services, actor.active_officer, item, actor.language,
                                   page)
    await edit_html(query, text, reply_markup=markup)


async def _history(update: Update, context: BotContext, actor: Actor, item: FollowUp,
                   parts: list[str], page: int) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    text, markup = await history_view(context.services, item, actor.language, page)
    await edit_html(query, text, reply_markup=markup)


async def _cancel_note(update: Update, context: BotContext, actor: Actor, item: FollowUp,
                       parts: list[str], page: int) -> None:
    services = context.services
    query = update.callback_query
    assert query is not None
    async with services.db.transaction(update_id=update.update_id,
                                       now=services.clock.now()) as tx:
        await tx.desk_inputs.cancel(actor.active_officer.id, NS, message_id(query))
    await _open(update, context, actor, item, parts, page)



async def _move(update: Update, context: BotContext, actor: Actor, item: FollowUp,
                parts: list[str], page: int) -> None:
    await _ask_note(update, context, actor, item, parts[1], parts[2])


async def _choose_officer(update: Update, context: BotContext, actor: Actor, item: FollowUp,
                          parts: list[str], page: int) -> None:
    await _assign_menu(update, context, actor, item, parts[1])


async def _give(update: Update, context: BotContext, actor: Actor, item: FollowUp,
                parts: list[str], page: int) -> None:
    assignee = callbacks.as_id(parts[2])
    if assignee is None:
        await _refresh_stale(update, context, actor, item)
        return
    await _assign(update, context, actor, item, parts[1], assignee)


ItemAction = Callable[[Update, BotContext, Actor, FollowUp, list[str], int], Awaitable[None]]
_ON_ITEM: dict[Act, ItemAction] = {
    Act.OPEN: _open,
    Act.HISTORY: _history,
    Act.MOVE: _move,
    Act.ASSIGN_MENU: _choose_officer,
    Act.ASSIGN: _give,
    Act.CANCEL: _cancel_note,
}
"""What a button naming one complaint does; Act.PAGE names none and is answered above."""
_ARITY = {Act.MOVE: 3, Act.ASSIGN_MENU: 2, Act.ASSIGN: 3}
"""How many parts those buttons carry (the complaint id, then their own)."""

async def _refresh_stale(
    update: Update, context: BotContext, actor: Actor, item: FollowUp
) -> None:
    """The complaint changed meanwhile: say so and show it as it is now."""
    services = context.services
    query = update.callback_query
    assert query is not None
    await query.answer(services.texts(actor.language, "complaints.stale"), show_alert=True)
    text, markup = await card_view(services, actor.active_officer, item, actor.language, 0)
    await edit_html(query, text, reply_markup=markup)


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
    cancel = [[(texts(actor.language, "button.cancel"), callbacks.pack(NS, Act.CANCEL, item.id))]]
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
    complaint_id = int(pending.payload["complaint"])
    current = ComplaintStatus(pending.payload["from"])
    target = ComplaintStatus(pending.payload["to"])
    outcome = await move_complaint(
        services.db, services.organisation, viewer, complaint_id, expected=current,
        target=target, note=note, asked_at=pending.created_at, now=services.clock.now(),
        update_id=update.update_id,
    )
    if outcome is None:
        return
    texts = services.texts
    item = outcome.item
    if isinstance(outcome, NotMoved):
        await message.reply_text(texts(language, "complaints.stale"))
    else:
        await message.reply_text(texts(
            language, "complaints.moved", id=complaint_id,
            old=status_label(services, current, language),
            new=status_label(services, target, language)))
    if item is not None:
        text, markup = await card_view(services, viewer, item, language, 0)
        await _edit_or_send(context, pending, text, markup)
    assignee = outcome.assignee if isinstance(outcome, Moved) else None
    if item is not None and assignee is not None and assignee.id != viewer.id:
        await _tell(context, assignee, texts(
            assignee.language, "complaints.notify_moved", id=complaint_id,
            new=status_label(services, target, assignee.language), actor=name_of(viewer),
            note=html.escape(note)), item)


async def _edit_or_send(
    context: BotContext, pending: PendingInput, text: str, markup: InlineKeyboardMarkup
) -> None:
    """Show the card again in the message that asked for the note (or anew)."""
    await edit_or_resend(context.bot, int(pending.payload["chat"]),
                         int(pending.payload["message"]), text, reply_markup=markup)


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
          callbacks.pack(NS, Act.ASSIGN, item.id, code, person.id))]
        for person in people
    ]
    rows.append([(services.texts(actor.language, "button.back"),
                  callbacks.pack(NS, Act.OPEN, item.id, 0))])
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
    if not rules.leads(viewer, item, services.organisation):
        await query.answer(services.texts(actor.language, "button.stale"), show_alert=True)
        return
    outcome = await assign_complaint(
        services.db, services.organisation, viewer, item, expected=rules.BY_CODE.get(code),
        person_id=person_id, now=services.clock.now(), update_id=update.update_id,
    )
    if isinstance(outcome, NotMoved):
        await _refresh_stale(update, context, actor, outcome.item or item)
        return
    fresh, person = outcome.item, outcome.person
    await query.answer(services.texts(actor.language, "complaints.assigned",
                                      officer=person.full_name)[:200])
    text, markup = await card_view(services, viewer, fresh, actor.language, 0)
    await edit_html(query, text, reply_markup=markup)
    if person.id != viewer.id:
        await _tell(context, person, services.texts(
            person.language, "complaints.notify_assigned", id=item.id,
            category=esc(_category(services, item.category, person.language)),
            place=html.escape(item.place), number=html.escape(item.report_number),
            actor=name_of(viewer)), fresh)


async def _tell(context: BotContext, person: Officer, text: str, item: FollowUp) -> None:
    """Notify an officer about a complaint, with a button that opens it."""
    services = context.services
    markup = inline([[(services.texts(person.language, "complaints.button.open"),
                       callbacks.pack(NS, Act.OPEN, item.id, 0))]])
    try:
        await send_html(context.bot, person.telegram_id, text, reply_markup=markup)
    except Forbidden:
        async with services.db.transaction() as tx:
            await tx.officers.mark_blocked(person.telegram_id, services.clock.now())
    except TelegramError:
        logger.exception("could not notify officer %s of complaint %s", person.id, item.id)

