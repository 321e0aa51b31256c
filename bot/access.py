"""The one gate every handler passes: who is this, and may they do this?"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update, User
from telegram.ext import ApplicationHandlerStop

from bot import callbacks
from bot.services import BotContext, Services
from domain.access import ADMIN_ROLE, POLICY, Action, Refusal, refusal
from domain.people import Officer, Status

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Actor:
    """The person behind an update, with the language to answer in."""

    telegram_id: int
    officer: Officer | None
    language: str
    first_name: str

    @property
    def active_officer(self) -> Officer:
        """The officer record; only call after the policy allowed an officer-only action."""
        if self.officer is None or not self.officer.is_active:
            raise PermissionError("not an active officer")
        return self.officer


ActorCallback = Callable[[Update, BotContext, Actor], Awaitable[None]]
HandlerCallback = Callable[[Update, BotContext], Coroutine[Any, Any, None]]


async def identify(user: User, services: Services) -> Actor:
    """Find the officer behind a Telegram user; configured admins are enrolled on first contact."""
    async with services.db.reading() as repos:
        officer = await repos.officers.by_telegram_id(user.id)
        registration = None if officer else await repos.registrations.get(user.id)
    if user.id in services.settings.admin_ids and (
        officer is None or officer.role != ADMIN_ROLE or not officer.is_active
    ):
        officer = await _enrol_admin(user, officer, services)
    if officer is not None and officer.blocked_at is not None:
        # They are talking to the bot again, so they unblocked it: notices may reach them.
        async with services.db.transaction() as tx:
            await tx.officers.mark_blocked(user.id, None)
            officer = await tx.officers.by_telegram_id(user.id)
    if officer is not None and officer.status is not Status.REJECTED:
        language = officer.language
    elif registration is not None:
        language = registration.language
    else:
        language = services.settings.default_language
    return Actor(
        telegram_id=user.id, officer=officer, language=language, first_name=user.first_name
    )


async def _enrol_admin(user: User, officer: Officer | None, services: Services) -> Officer:
    now = services.clock.now()
    async with services.db.transaction() as tx:
        if officer is None:
            officer = await tx.officers.create(
                telegram_id=user.id,
                full_name=user.full_name,
                nrp=None,
                rank=None,
                unit_code=None,
                role=ADMIN_ROLE,
                language=services.settings.default_language,
                status=Status.ACTIVE,
                now=now,
            )
        else:
            await tx.officers.set_role(officer.id, ADMIN_ROLE)
            await tx.officers.decide(
                officer.id, expected=officer.status, new=Status.ACTIVE, by=None, now=now
            )
        await tx.audit.record(
            actor_id=None,
            action="admin.enrol",
            target_type="officer",
            target_id=officer.id,
            now=now,
            reason="ADMIN_IDS",
        )
        enrolled = await tx.officers.by_id(officer.id)
    assert enrolled is not None
    logger.info("enrolled configured admin as officer %s", enrolled.id)
    return enrolled


async def revoke_unlisted_admins(services: Services) -> None:
    """Suspend admins whose id was removed from ADMIN_IDS: the setting is the source of truth."""
    now = services.clock.now()
    async with services.db.transaction(now=now) as tx:
        for admin in await tx.officers.with_roles([ADMIN_ROLE]):
            if admin.telegram_id in services.settings.admin_ids:
                continue
            await tx.officers.decide(
                admin.id, expected=Status.ACTIVE, new=Status.SUSPENDED, by=None, now=now
            )
            await tx.audit.record(
                actor_id=None,
                action="admin.revoke",
                target_type="officer",
                target_id=admin.id,
                now=now,
                reason="not in ADMIN_IDS",
            )
            logger.warning("admin %s is no longer in ADMIN_IDS: suspended", admin.id)


def requires(action: Action) -> Callable[[ActorCallback], HandlerCallback]:
    """Decorate a handler so that it runs only for people the policy table allows."""
    if action not in POLICY:
        raise ValueError(f"{action!r} has no row in the policy table")

    def decorate(callback: ActorCallback) -> HandlerCallback:
        @functools.wraps(callback)
        async def gate(update: Update, context: BotContext) -> None:
            user = update.effective_user
            if user is None:
                return
            if await _unidentifiable(update, context):
                return
            actor = await identify(user, context.services)
            reason = refusal(action, actor.officer, context.services.organisation)
            if reason is not None:
                await refuse(update, context, actor, reason)
                return
            await callback(update, context, actor)

        gate.action = action  # type: ignore[attr-defined]
        return gate

    return decorate


async def _unidentifiable(update: Update, context: BotContext) -> bool:
    """True when the sender is not a person the bot can identify (already answered).

    Automatic forwards from a linked channel are ignored; an anonymous group admin or someone
    posting as a channel is asked to post as themselves.
    """
    message = update.message
    if message is None or message.sender_chat is None:
        return False
    if message.is_automatic_forward:
        return True
    language = context.services.settings.default_language
    key = "access.anonymous" if message.sender_chat.id == message.chat.id else "access.as_channel"
    await message.reply_text(context.services.texts(language, key))
    return True


async def refuse(update: Update, context: BotContext, actor: Actor, reason: Refusal) -> None:
    """Tell the person, in their language, why not and what they can do instead."""
    texts = context.services.texts
    text = texts(actor.language, f"access.{reason.value}")
    if update.callback_query is not None:
        await update.callback_query.answer(text[:200], show_alert=True)
        return
    markup = None
    if reason is Refusal.UNREGISTERED and update.effective_chat and (
        update.effective_chat.type == "private"
    ):
        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton(texts(actor.language, "button.register"),
                                   callback_data=callbacks.pack("rg", "begin"))]]
        )
    if update.effective_message is not None:
        await update.effective_message.reply_text(text, reply_markup=markup)


Reprompt = Callable[[Update, BotContext, Actor], Awaitable[bool]]


def skip_processed_updates(reprompts: Sequence[Reprompt]) -> HandlerCallback:
    """The guard that runs before every handler: an update applied before is not applied again.

    Telegram redelivers an update when the bot stopped before confirming it; the answer is
    already stored, but the reply may never have left. Repeating the current question (never
    the answer's effect) keeps the person from typing the answer again into the next step.
    """

    async def guard(update: Update, context: BotContext) -> None:
        async with context.services.db.reading() as repos:
            seen = await repos.updates.seen(update.update_id)
        if not seen:
            return
        logger.info("update %s was applied before; ignoring the redelivery", update.update_id)
        message = update.message
        user = update.effective_user
        if (
            message is not None
            and user is not None
            and message.chat.type == "private"
            and message.media_group_id is None
        ):
            actor = await identify(user, context.services)
            for reprompt in reprompts:
                if await reprompt(update, context, actor):
                    break
        elif update.callback_query is not None:
            await update.callback_query.answer()
        raise ApplicationHandlerStop

    return guard
