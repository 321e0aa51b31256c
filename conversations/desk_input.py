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

from bot.access import Actor, identify
from bot.services import BotContext
from storage.desk import PendingInput

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
        async with services.db.reading() as repos:
            pending = await repos.desk_inputs.get(officer.id)
            draft = await repos.drafts.of_officer(officer.id) if pending else None
        if pending is None:
            return False
        handler = handlers.get(pending.kind)
        # A report draft touched after the question was asked is what the person is doing now:
        # the question lapses rather than swallowing the draft's answers.
        superseded = (
            draft is not None
            and draft.updated_at is not None
            and draft.updated_at > pending.created_at
        )
        if handler is None or superseded or services.clock.now() - pending.created_at > LIFETIME:
            async with services.db.transaction() as tx:
                await tx.desk_inputs.take(officer.id, pending.created_at)
            return False
        await handler(update, context, actor, pending)
        return True

    return route


async def lapse_on_command(update: Update, context: BotContext) -> None:
    """Any command but /batal: the typed answer still owed, if any, lapses."""
    user = update.effective_user
    if user is None:
        return
    actor = await identify(user, context.services)
    if actor.officer is not None:
        await _drop(context, actor.officer.id)


async def cancel(update: Update, context: BotContext, actor: Actor) -> bool:
    """/batal while a typed answer is owed: cancel that question, say so; False if none."""
    officer = actor.officer
    message = update.effective_message
    if officer is None or message is None or not await _drop(context, officer.id):
        return False
    await message.reply_text(context.services.texts(actor.language, "cancel.question"))
    return True


async def _drop(context: BotContext, officer_id: int) -> bool:
    services = context.services
    async with services.db.reading() as repos:
        pending = await repos.desk_inputs.get(officer_id)
    if pending is None:
        return False
    async with services.db.transaction() as tx:
        return await tx.desk_inputs.take(officer_id, pending.created_at)
