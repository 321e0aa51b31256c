"""Typed answers leaders owe the bot (notes, comments, search words), stored in SQLite.

A button that asks for text stores a pending input; the next private text message answers
it. It is stored, not kept in memory, so a restart between the button and the text loses
nothing; an input left unanswered for an hour, overtaken by work on a report draft, or
followed by a command (the person moved on: /lanjut back to a report, /cari, ...) lapses, and
/batal cancels it. Otherwise a question that stays open on a bad answer (the dates) would
read every later text, report answers included, as its answer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from telegram import Update

from storage.desk import ASKED_IN, PendingInput
from ui.access import Actor, identify
from ui.services import BotContext

InputHandler = Callable[[Update, BotContext, Actor, PendingInput], Awaitable[None]]
Route = Callable[[Update, BotContext, Actor], Awaitable[bool]]
LIFETIME = timedelta(hours=1)


def router(handlers: dict[str, InputHandler]) -> Route:
    """The private-message route that hands a typed answer to whoever asked for it."""

    async def route(update: Update, context: BotContext, actor: Actor) -> bool:
        officer = actor.officer
        if officer is None or not officer.is_active or update.edited_message is not None:
            return False
        services = context.services
        pending, superseded = await _pending(context, officer.id)
        if pending is None:
            return False
        handler = handlers.get(pending.kind)
        if handler is None or superseded or services.clock.now() - pending.created_at > LIFETIME:
            await _take(context, officer.id, pending)
            return False
        await handler(update, context, actor, pending)
        return True

    return route


async def lapse_on_command(update: Update, context: BotContext) -> None:
    """Any command but /batal sent after the question was asked: the answer owed lapses. A
    command Telegram redelivers after a crash was sent before a question asked since, so
    that one stays."""
    user = update.effective_user
    if user is None:
        return
    actor = await identify(user, context.services)
    if actor.officer is None:
        return
    pending, _ = await _pending(context, actor.officer.id)
    if pending is None:
        return
    # Update ids only grow: a command with a lower id than the press that asked (one Telegram
    # redelivers after a crash) was sent before the question. Times would not do: after a
    # stop the bot handles queued updates late, with its own clock.
    asked_in = pending.payload.get(ASKED_IN)
    if not isinstance(asked_in, int) or update.update_id > asked_in:
        await _take(context, actor.officer.id, pending)


async def cancel(update: Update, context: BotContext, actor: Actor) -> bool:
    """/batal while a typed answer is owed: cancel that question, say so; False if none.

    A question the person already left for a report draft (see :func:`router`) lapses
    silently, and /batal goes on to the draft."""
    officer = actor.officer
    message = update.effective_message
    if officer is None or message is None:
        return False
    pending, superseded = await _pending(context, officer.id)
    if pending is None or not await _take(context, officer.id, pending) or superseded:
        return False
    await message.reply_text(context.services.texts(actor.language, "cancel.question"))
    return True


async def _pending(context: BotContext, officer_id: int) -> tuple[PendingInput | None, bool]:
    """The owed answer, and whether a report draft was worked on since it was asked (then
    that is what the person is doing now)."""
    async with context.services.db.point_reads() as repos:
        pending = await repos.desk_inputs.get(officer_id)
        draft = await repos.drafts.of_officer(officer_id) if pending else None
    superseded = (
        pending is not None
        and draft is not None
        and draft.updated_at is not None
        and draft.updated_at > pending.created_at
    )
    return pending, superseded


async def _take(context: BotContext, officer_id: int, pending: PendingInput) -> bool:
    async with context.services.db.transaction() as tx:
        return await tx.desk_inputs.take(officer_id, pending.created_at)
