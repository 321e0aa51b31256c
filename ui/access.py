"""The one gate every handler passes: who is this, and may they do this?"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update, User
from telegram.ext import ApplicationHandlerStop

from domain.access import ADMIN_ROLE, POLICY, Action, Holder, Kind, Refusal, may_see, refusal
from domain.people import Officer, Status
from storage.repositories import UpdateClaim
from ui import callbacks
from ui.services import BotContext, Services

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
    async with services.db.point_reads() as repos:
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


@dataclass(frozen=True, slots=True)
class ButtonRule:
    """What a button family's data refers to, and whether it may be pressed in a group."""

    namespace: str
    refs: Mapping[str, tuple[callbacks.Ref, ...]]
    verb_at: int = 0
    in_groups: bool = False


def requires(
    action: Action, button: ButtonRule | None = None
) -> Callable[[ActorCallback], HandlerCallback]:
    """Decorate a handler so that it runs only for people the policy table allows.

    With ``button``, a press must also come from a chat the family allows and every id or unit
    in its data must be within the presser's scope; anything else is answered as a stale button
    before the handler runs, so a forged id looks exactly like an old one.
    """
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
            query = update.callback_query
            if button is not None and query is not None:
                problem = await _button_problem(update, context, actor, button)
                if problem is not None:
                    text = context.services.texts(actor.language, problem)
                    await query.answer(text[:200], show_alert=True)
                    return
            await callback(update, context, actor)

        gate.action = action  # type: ignore[attr-defined]
        return gate

    return decorate


async def _button_problem(
    update: Update, context: BotContext, actor: Actor, button: ButtonRule
) -> str | None:
    """The message key that refuses this press, or None when the handler may run."""
    chat = update.effective_chat
    if (chat is None or chat.type != "private") and not button.in_groups:
        # Refused rather than answered privately: no group message carries these buttons,
        # handlers edit the message pressed on, and the presser may never have started the bot.
        return "button.private_only"
    query = update.callback_query
    assert query is not None
    if getattr(query.message, "text", None) is None:
        # The bot puts buttons on text messages only: a press on a photo, a document or a
        # message too old to read is forged or stale, and handlers edit the text in place.
        return "button.stale"
    try:
        parts = callbacks.unpack(query.data, button.namespace)
    except callbacks.CallbackDataError:
        return "button.stale"
    refs = callbacks.refs_in(parts, button.refs, button.verb_at)
    if refs is None or not parts:  # every button this bot packs has at least one part
        return "button.stale"
    if not refs:
        return None
    officer = actor.officer
    services = context.services
    organisation = services.organisation
    if officer is None or not officer.is_active:
        return "button.stale"
    wanted: list[tuple[Kind, int]] = []
    for kind, raw in refs:
        if kind is Kind.UNIT:
            if not organisation.has_unit(raw) or not may_see(
                officer, Holder(raw, frozenset()), organisation
            ):
                return "button.stale"
            continue
        number = callbacks.as_id(raw)
        if number is None:
            return "button.stale"
        wanted.append((kind, number))
    if not wanted:
        return None
    async with services.db.point_reads() as repos:
        holders = await repos.holders.of(wanted)
    for key in wanted:
        holder = holders.get(key)
        if holder is None or not may_see(officer, holder, organisation):
            return "button.stale"
    return None


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
                                   callback_data=callbacks.pack(
                                       callbacks.Namespace.REGISTRATION, callbacks.REGISTER))]]
        )
    if update.effective_message is not None:
        await update.effective_message.reply_text(text, reply_markup=markup)


Reprompt = Callable[[Update, BotContext, Actor], Awaitable[bool]]


def skip_processed_updates(reprompts: Sequence[Reprompt]) -> HandlerCallback:
    """The guard that runs before every handler: each update is claimed once, reads included.

    A copy of an update this run already has (a webhook redelivery, even while the first is
    still in hand) is dropped unanswered. Telegram also redelivers an update when the bot
    stopped before confirming it; if its answer is already stored, the reply may never have
    left. Repeating the current question (never the answer's effect) keeps the person from
    typing the answer again into the next step.
    """

    async def guard(update: Update, context: BotContext) -> None:
        services = context.services
        claim = await services.db.claim_update(update.update_id, services.clock.now())
        if claim is UpdateClaim.NEW:
            return
        if claim is UpdateClaim.ELSEWHERE:
            # Another live instance has it and answers (or answered): a question repeated
            # here would reach the person twice.
            logger.info("update %s is handled by another instance; copy dropped",
                        update.update_id)
            raise ApplicationHandlerStop
        if claim is UpdateClaim.TAKEN:
            async with services.db.point_reads() as repos:
                applied = await repos.updates.seen(update.update_id)
            if not applied:
                # A copy of a read, or of a write still in hand (webhook redelivery): the
                # first answers; this one must not answer again.
                logger.info("update %s is handled already; copy dropped", update.update_id)
                raise ApplicationHandlerStop
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
