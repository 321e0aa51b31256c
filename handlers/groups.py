"""Group chats: a leader links a group to a unit; the group asks for recaps with /rekap.

Only a leader whose reach covers the unit may link or unlink, and only while the bot is a member
of the group (asked from Telegram, not assumed). Losing the group (removed, kicked) deactivates
the link, so summaries stop instead of failing every day.
"""

from __future__ import annotations

import html
import logging
from datetime import datetime, timedelta

from telegram import ChatMember, Update
from telegram.constants import ChatMemberStatus
from telegram.error import Forbidden, TelegramError

from domain.access import reach
from domain.recap import PeriodKind
from jobs.summaries import (
    deactivate,
    migrate,
    on_demand_parts,
    send_part,
    summary_times,
    thread_of,
)
from ui.access import Actor
from ui.services import BotContext, Services
from usecases import groups

logger = logging.getLogger(__name__)

PERIOD_WORDS = {
    "hari": PeriodKind.DAY,
    "today": PeriodKind.DAY,
    "minggu": PeriodKind.WEEK,
    "pekan": PeriodKind.WEEK,
    "week": PeriodKind.WEEK,
    "bulan": PeriodKind.MONTH,
    "month": PeriodKind.MONTH,
}
RECAP_COOLDOWN = timedelta(minutes=1)
"""The same recap asked again within this time is not sent again: the group has it above,
and a burst of /rekap must not eat the group's 20 messages a minute."""
PRESENT = frozenset(
    {ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER}
)


async def bot_is_member(context: BotContext, chat_id: int) -> bool:
    """Whether the bot is in the group right now, as Telegram says."""
    try:
        member = await context.bot.get_chat_member(chat_id, context.bot.id)
    except TelegramError as error:
        logger.info("could not check the bot's membership of %s: %s", chat_id, error)
        return False
    if member.status == ChatMemberStatus.RESTRICTED:
        return bool(getattr(member, "is_member", False))
    return member.status in PRESENT


def _unit_name(services: Services, code: str) -> str:
    return html.escape(services.organisation.unit(code).name)


async def _tell(update: Update, context: BotContext, actor: Actor, text: str, *,
                in_group: bool = True) -> None:
    """Answer in the group, or privately when the bot cannot write there."""
    message = update.effective_message
    if in_group and message is not None:
        await message.reply_text(text)
        return
    try:
        await context.bot.send_message(actor.telegram_id, text)
    except Forbidden:
        logger.info("could not tell user privately: they never started the bot")


async def link(update: Update, context: BotContext, actor: Actor) -> None:
    """/hubungkan [unit]: link this group to the leader's unit (or one below it)."""
    services = context.services
    chat = update.effective_chat
    assert chat is not None
    officer = actor.active_officer
    organisation = services.organisation
    texts = services.texts
    language = actor.language
    reachable = reach(officer, organisation)
    code = (context.args[0].lower() if context.args else officer.unit_code) or ""
    if not organisation.has_unit(code):
        codes = ", ".join(sorted(reachable)) or "-"
        await _tell(update, context, actor, texts(language, "group.unknown_unit",
                                                  code=html.escape(code), codes=codes))
        return
    if code not in reachable:
        await _tell(update, context, actor, texts(language, "group.not_your_unit"))
        return
    # Sent in a forum topic: the summaries go to that topic (PTB replies there by itself).
    thread = thread_of(update.effective_message)
    async with services.db.reading() as repos:
        existing = await repos.group_links.get(chat.id)
    if existing is not None and existing.active:
        if existing.unit_code == code and existing.thread_id == thread:
            await _tell(update, context, actor, texts(
                language, "group.already", unit=_unit_name(services, code)))
            return
        if existing.unit_code not in reachable:
            await _tell(update, context, actor, texts(
                language, "group.other_unit", unit=_unit_name(services, existing.unit_code)))
            return
    if not await bot_is_member(context, chat.id):
        await _tell(update, context, actor, texts(language, "group.bot_not_member"),
                    in_group=False)
        return
    await groups.link_group(
        services.db, officer, chat.id, unit=code, title=chat.title or "",
        language=services.settings.default_language, thread=thread, previous=existing,
        now=services.clock.now(), update_id=update.update_id,
    )
    await _tell(update, context, actor, texts(
        language, "group.linked", unit=_unit_name(services, code),
        **summary_times(services, language),
    ))


async def unlink(update: Update, context: BotContext, actor: Actor) -> None:
    """/putuskan: stop this group's summaries (leaders of its unit only)."""
    services = context.services
    chat = update.effective_chat
    assert chat is not None
    officer = actor.active_officer
    texts = services.texts
    async with services.db.reading() as repos:
        existing = await repos.group_links.get(chat.id)
    if existing is None or not existing.active:
        await _tell(update, context, actor, texts(actor.language, "group.not_linked"))
        return
    unit = _unit_name(services, existing.unit_code)
    if existing.unit_code not in reach(officer, services.organisation):
        await _tell(update, context, actor, texts(actor.language, "group.other_unit", unit=unit))
        return
    await groups.unlink_group(services.db, officer, existing, now=services.clock.now(),
                              update_id=update.update_id)
    await _tell(update, context, actor, texts(actor.language, "group.unlinked", unit=unit))


async def group_recap(update: Update, context: BotContext, actor: Actor) -> None:
    """/rekap [hari|minggu|bulan] in a linked group: the unit's numbers, as in the summaries.

    Reached through ``handlers.recap.recap_command``, which applied the access gate.
    """
    services = context.services
    chat = update.effective_chat
    message = update.effective_message
    assert chat is not None
    assert message is not None
    async with services.db.reading() as repos:
        existing = await repos.group_links.get(chat.id)
    if existing is None or not existing.active:
        await message.reply_text(services.texts(actor.language, "group.not_linked"))
        return
    word = context.args[0].lower() if context.args else "hari"
    kind = PERIOD_WORDS.get(word)
    if kind is None:
        await message.reply_text(services.texts(existing.language, "group.recap_usage"))
        return
    now = services.clock.now()
    key = f"recap_sent:{kind.value}"
    last = context.chat_data.get(key) if context.chat_data is not None else None
    if isinstance(last, datetime) and now - last < RECAP_COOLDOWN:
        logger.info("recap %s asked again in %s within a minute: not repeated", kind, chat.id)
        return
    if context.chat_data is not None:
        context.chat_data[key] = now
    thread = thread_of(message)  # answered in the topic it was asked in
    for part in await on_demand_parts(services, existing, kind):
        if not await send_part(context.bot, chat.id, part, thread_id=thread):
            thread = None


async def on_my_chat_member(update: Update, context: BotContext) -> None:
    """The bot was added to or removed from a group: greet, or deactivate the link."""
    change = update.my_chat_member
    if change is not None and change.chat.type == "private":
        await _private_block(update, context)
        return
    if change is None or change.chat.type not in ("group", "supergroup"):
        return
    services = context.services
    chat_id = change.chat.id
    new = change.new_chat_member
    gone = new.status in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED) or (
        new.status == ChatMemberStatus.RESTRICTED and not getattr(new, "is_member", True)
    )
    if gone:
        await deactivate(services, chat_id, reason="removed")
        return
    if not _was_present(change.old_chat_member):
        now = services.clock.now()
        async with services.db.transaction(update_id=update.update_id, now=now) as tx:
            existing = await tx.group_links.get(chat_id)
        if existing is not None and existing.active:
            return
        try:
            await context.bot.send_message(
                chat_id, services.texts(services.settings.default_language, "group.added")
            )
        except TelegramError as error:
            logger.info("could not greet group %s: %s", chat_id, error)


async def _private_block(update: Update, context: BotContext) -> None:
    """The person blocked the bot (``kicked``) or unblocked it: marked at once, as a failed
    send marks them, so notices and digests know before the next send fails."""
    change = update.my_chat_member
    assert change is not None
    services = context.services
    status = change.new_chat_member.status
    if status == ChatMemberStatus.BANNED:
        blocked_at = services.clock.now()
    elif status == ChatMemberStatus.MEMBER:
        blocked_at = None
    else:
        return
    async with services.db.transaction(update_id=update.update_id, now=services.clock.now()) as tx:
        await tx.officers.mark_blocked(change.chat.id, blocked_at)


def _was_present(member: ChatMember) -> bool:
    if member.status == ChatMemberStatus.RESTRICTED:
        return bool(getattr(member, "is_member", False))
    return member.status in PRESENT


async def on_migrate(update: Update, context: BotContext) -> None:
    """The group became a supergroup (new chat id): its link follows."""
    message = update.effective_message
    if message is None or message.migrate_to_chat_id is None:
        return
    await migrate(context.services, message.chat_id, message.migrate_to_chat_id)
