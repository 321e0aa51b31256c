"""The one error handler, and the answer to buttons no handler claims."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden

from storage import DuplicateUpdate
from ui.access import identify
from ui.messages import answer_query
from ui.services import BotContext

logger = logging.getLogger(__name__)
ALERT_LIMIT = 200
"""Telegram's limit for the text of an answer to a button."""


async def on_error(update: object, context: BotContext) -> None:
    """Log with context and tell the person something useful in their language."""
    error = context.error
    if isinstance(error, DuplicateUpdate):
        logger.info("update %s was applied before; redelivery ignored", error.args[0])
        return
    if isinstance(error, BadRequest) and "not modified" in error.message.lower():
        # A double tap re-rendered the same card: nothing to tell anyone.
        logger.debug("edit with identical content ignored")
        return
    update_id = update.update_id if isinstance(update, Update) else None
    logger.error("error while handling update %s", update_id, exc_info=error)
    if not isinstance(update, Update) or update.effective_user is None:
        return
    try:
        actor = await identify(update.effective_user, context.services)
        text = context.services.texts(actor.language, "error.generic")
        query = update.callback_query
        if query is not None:
            if await answer_query(query, text[:ALERT_LIMIT], show_alert=True):
                return
            # The press was answered already (or is too old to be): a message must say it.
            # A button in a group is one person's: tell them privately, not the whole group.
            chat = update.effective_chat
            private = chat is not None and chat.type == ChatType.PRIVATE
            target = chat.id if private and chat is not None else update.effective_user.id
            await context.bot.send_message(target, text)
        elif update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id, text)
    except Forbidden:
        logger.info("could not tell user about the error: bot is blocked")
    except Exception:
        logger.exception("could not tell user about the error")


async def on_stale_button(update: Update, context: BotContext) -> None:
    """A button from an old message or an older version of the bot: say so, change nothing."""
    query = update.callback_query
    if query is None or update.effective_user is None:
        return
    actor = await identify(update.effective_user, context.services)
    await query.answer(context.services.texts(actor.language, "button.stale"), show_alert=True)
