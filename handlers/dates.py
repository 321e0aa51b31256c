"""A date range the leader types (📅 Pilih tanggal), for /cari, /rekap and /ekspor.

The button stores a pending typed input (``conversations.desk_input``) naming the desk that
asked, by its callback namespace; the next text is read by :func:`domain.dates.parse_date_range`
and handed to that desk. Bad input gets a reason and an example and the question stays open,
so the leader just types again (or presses ✖️ Batal).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update

from conversations.desk_input import InputHandler
from domain.access import Action, refusal
from domain.dates import DateRange, parse_date_range
from domain.errors import InputError
from storage.desk import ASKED_BY, PendingInput
from ui.access import Actor
from ui.messages import inline
from ui.services import BotContext, Services

logger = logging.getLogger(__name__)
INPUT = "dates"
TARGET = ASKED_BY
"""Payload key naming the desk that asked (its callback namespace)."""

RangeHandler = Callable[[Update, BotContext, Actor, PendingInput, DateRange], Awaitable[None]]


def range_text(services: Services, language: str, chosen: DateRange) -> str:
    """``01/11/2026–15/11/2026`` (one day shows once)."""
    if chosen.first == chosen.last:
        return services.texts(language, "dates.day", day=f"{chosen.first:%d/%m/%Y}")
    return services.texts(language, "dates.range", first=f"{chosen.first:%d/%m/%Y}",
                          last=f"{chosen.last:%d/%m/%Y}")


async def ask(
    update: Update,
    context: BotContext,
    actor: Actor,
    target: str,
    cancel: str,
    **payload: Any,
) -> None:
    """Turn the pressed message into the question and wait for the typed range."""
    services = context.services
    query = update.callback_query
    assert query is not None
    assert isinstance(query.message, Message)
    now = services.clock.now()
    stored = {"cancel": cancel, "chat": query.message.chat.id,
              "message": query.message.message_id, **payload}
    async with services.db.transaction(update_id=update.update_id, now=now) as tx:
        await tx.desk_inputs.put(actor.active_officer.id, INPUT, stored, now, asked_by=target,
                                 update_id=update.update_id)
    await query.answer()
    await query.edit_message_text(services.texts(actor.language, "dates.ask"),
                                  reply_markup=_cancel(services, actor.language, cancel))


def _cancel(services: Services, language: str, data: str) -> InlineKeyboardMarkup:
    return inline([[(services.texts(language, "button.cancel"), data)]])


async def taken(update: Update, context: BotContext, actor: Actor, pending: PendingInput) -> bool:
    """Close the question; False when another question replaced it meanwhile."""
    services = context.services
    now = services.clock.now()
    async with services.db.transaction(update_id=update.update_id, now=now) as tx:
        return await tx.desk_inputs.take(actor.active_officer.id, pending.created_at)


def dispatcher(targets: Mapping[str, tuple[Action, RangeHandler]]) -> InputHandler:
    """The typed-input handler: read the range, or explain; then hand it to the desk that asked.

    Typed inputs pass no button gate, so the desk's policy action is asked again here: a
    leader who lost the role since pressing the button gets the refusal, not the data.
    """

    async def on_dates(
        update: Update, context: BotContext, actor: Actor, pending: PendingInput
    ) -> None:
        """A typed date range: to the desk that asked, or a reason and an example."""
        services = context.services
        message = update.effective_message
        assert message is not None
        language = actor.language
        target = targets.get(str(pending.payload.get(TARGET)))
        if target is None:
            logger.warning("date range for an unknown desk %r", pending.payload.get(TARGET))
            await taken(update, context, actor, pending)
            await message.reply_text(services.texts(language, "button.stale"))
            return
        action, handler = target
        reason = refusal(action, actor.officer, services.organisation)
        if reason is not None:
            await taken(update, context, actor, pending)
            await message.reply_text(services.texts(language, f"access.{reason.value}"))
            return
        if not message.text:
            await message.reply_text(services.texts(language, "desk.need_text"))
            return
        today = services.clock.now().astimezone(services.settings.tz).date()
        try:
            chosen = parse_date_range(message.text, today)
        except InputError as error:
            reply = await message.reply_text(
                services.texts(language, error.key, **error.params)
                + "\n" + services.texts(language, "dates.example"),
                reply_markup=_cancel(services, language, str(pending.payload.get("cancel"))),
            )
            # The question stays open; the ✖️ under this explanation cancels it too.
            async with services.db.transaction() as tx:
                await tx.desk_inputs.note_reply(actor.active_officer.id, pending.created_at,
                                                reply.message_id)
            return
        await handler(update, context, actor, pending, chosen)

    return on_dates
