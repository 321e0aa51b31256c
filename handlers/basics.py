"""Start, help, language, and the router for messages outside any command."""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from enum import StrEnum

from telegram import InlineKeyboardMarkup, Update

from conversations import assign, desk_input, registration, report
from domain import registration as flow
from domain.access import Action, refusal
from domain.people import Status
from ui import callbacks
from ui.access import Actor, HandlerCallback, identify, refuse
from ui.menu import menu_command, send_help
from ui.messages import inline
from ui.services import BotContext, Services

LANGUAGE_NS = callbacks.Namespace.LANGUAGE


class Lang(StrEnum):
    """What a language button does (the part after the namespace)."""

    MENU = "menu"  # show the choice
    SET = "set"  # store the language that follows


async def start(update: Update, context: BotContext, actor: Actor) -> None:
    """Greet, open an invitation link, or offer registration."""
    services = context.services
    message = update.effective_message
    assert message is not None
    payload = context.args[0] if context.args else ""
    if payload.startswith(flow.INVITATION_PREFIX):
        token = payload.removeprefix(flow.INVITATION_PREFIX)
        await _open_invitation(update, context, actor, token)
        return
    officer = actor.officer
    if officer is not None and officer.is_active:
        await message.reply_text(
            services.texts(
                actor.language, "start.welcome_back", name=html.escape(officer.full_name)
            )
        )
        await send_help(context, message.chat_id, officer)
        return
    reason = refusal(Action.REPORT, officer, services.organisation)
    if reason is not None and reason.value in ("pending", "suspended"):
        await message.reply_text(services.texts(actor.language, f"access.{reason.value}"))
        return
    async with services.db.reading() as repos:
        open_registration = await repos.registrations.get(actor.telegram_id)
    if open_registration is not None:
        await registration.send_prompt(message, services, open_registration)
        return
    await message.reply_text(
        services.texts(actor.language, "start.welcome_guest"),
        reply_markup=inline(
            [
                [(services.texts(actor.language, "button.register"),
                  callbacks.pack(registration.NS, registration.Reg.BEGIN, actor.language))],
                [(services.texts(actor.language, "button.language"),
                  callbacks.pack(LANGUAGE_NS, Lang.MENU))],
            ]
        ),
    )


async def _open_invitation(update: Update, context: BotContext, actor: Actor, token: str) -> None:
    services = context.services
    message = update.effective_message
    assert message is not None
    officer = actor.officer
    if officer is not None and officer.status is not Status.REJECTED:
        # Only a newcomer (or a rejected applicant) may claim a link: a pending or suspended
        # person opening it must neither burn it nor use it to lift a suspension.
        key = "registration.already_active" if officer.is_active else f"access.{officer.status}"
        await message.reply_text(services.texts(actor.language, key))
        return
    now = services.clock.now()
    async with services.db.transaction(now=now) as tx:
        invitation = await tx.invitations.by_token_hash(flow.hash_token(token))
        problem = flow.invitation_problem(invitation, actor.telegram_id, now)
        if problem is None and invitation is not None:
            await tx.invitations.claim(invitation.id, actor.telegram_id, now)
    if problem is not None or invitation is None:
        await message.reply_text(services.texts(actor.language, problem or "invitation.invalid"))
        return
    unit = html.escape(services.organisation.unit(invitation.unit_code).name)
    role = html.escape(services.organisation.role(invitation.role).name.get(actor.language))
    await message.reply_text(
        services.texts(actor.language, "invitation.opened", unit=unit, role=role)
    )
    await registration.begin(update, context, actor, invitation_id=invitation.id)


async def cancel(update: Update, context: BotContext, actor: Actor) -> None:
    """/batal: abandon what is in progress; a report or /tugas draft only after confirmation."""
    services = context.services
    message = update.effective_message
    assert message is not None
    # The most recent thing first: a question the desk asked, then a draft.
    if await desk_input.cancel(update, context, actor):
        return
    if await report.ask_cancel(update, context, actor):
        return
    if await assign.ask_cancel(update, context, actor):
        return
    async with services.db.transaction(update_id=update.update_id, now=services.clock.now()) as tx:
        open_registration = await tx.registrations.get(actor.telegram_id)
        if open_registration is not None:
            await tx.registrations.delete(actor.telegram_id)
    key = "registration.cancelled" if open_registration else "cancel.nothing"
    await message.reply_text(services.texts(actor.language, key))


async def register(update: Update, context: BotContext, actor: Actor) -> None:
    """/daftar: begin or continue registration."""
    await registration.begin(update, context, actor)


async def help_command(update: Update, context: BotContext, actor: Actor) -> None:
    """/bantuan: what this person may do."""
    chat = update.effective_chat
    assert chat is not None
    await send_help(context, chat.id, actor.officer if actor.officer else None)


async def language_command(update: Update, context: BotContext, actor: Actor) -> None:
    """/bahasa: choose Indonesian or English."""
    message = update.effective_message
    assert message is not None
    text, markup = _language_menu(context.services, actor.language)
    await message.reply_text(text, reply_markup=markup)


def _language_menu(services: Services, language: str) -> tuple[str, InlineKeyboardMarkup]:
    return services.texts(language, "language.choose"), inline(
        [
            [
                ("🇮🇩 Bahasa Indonesia", callbacks.pack(LANGUAGE_NS, Lang.SET, "id")),
                ("🇬🇧 English", callbacks.pack(LANGUAGE_NS, Lang.SET, "en")),
            ]
        ]
    )


async def language_button(update: Update, context: BotContext, actor: Actor) -> None:
    """Store the chosen language (officer, or registration in progress)."""
    services = context.services
    query = update.callback_query
    assert query is not None
    assert query.message is not None
    parts = callbacks.unpack(query.data, LANGUAGE_NS)
    act = callbacks.verb(Lang, parts[0]) if parts else None
    if act is None or not await ON_LANGUAGE[act](update, context, actor, parts):
        await query.answer(services.texts(actor.language, "button.stale"), show_alert=True)


async def _language_choice(update: Update, context: BotContext, actor: Actor, parts: list[str]
                           ) -> bool:
    query = update.callback_query
    assert query is not None
    assert query.message is not None
    if len(parts) != 1:
        return False
    await query.answer()
    text, markup = _language_menu(context.services, actor.language)
    await query.message.chat.send_message(text, reply_markup=markup)
    return True


async def _set_language(update: Update, context: BotContext, actor: Actor, parts: list[str]
                        ) -> bool:
    services = context.services
    query = update.callback_query
    assert query is not None
    assert query.message is not None
    if len(parts) != 2 or parts[1] not in ("id", "en"):
        return False
    language = parts[1]
    now = services.clock.now()
    async with services.db.transaction(update_id=update.update_id, now=now) as tx:
        if actor.officer is not None:
            await tx.officers.set_language(actor.officer.id, language)
        current = await tx.registrations.get(actor.telegram_id)
        if current is not None:
            await tx.registrations.save(replace(current, language=language), now)
    await query.answer()
    await query.edit_message_text(services.texts(language, "language.changed"))
    officer = actor.officer
    if officer is not None and officer.is_active:
        await send_help(context, query.message.chat.id, replace(officer, language=language))
    elif current is None:
        await query.message.chat.send_message(
            services.texts(language, "start.welcome_guest"),
            reply_markup=inline(
                [[(services.texts(language, "button.register"),
                   callbacks.pack(registration.NS, registration.Reg.BEGIN, language))]]
            ),
        )
    return True


LanguageAction = Callable[[Update, BotContext, Actor, list[str]], Awaitable[bool]]
ON_LANGUAGE: dict[Lang, LanguageAction] = {Lang.MENU: _language_choice, Lang.SET: _set_language}
"""What each language button does; False when its data does not fit (answered as stale)."""


Route = Callable[[Update, BotContext, Actor], Awaitable[bool]]


def private_router(routes: Sequence[Route], menu: Mapping[str, HandlerCallback]
                   ) -> HandlerCallback:
    """The handler for private messages that are not commands.

    A menu button runs its command (``menu``: the gated handlers by name, from the command
    table); a registration in progress takes the answer; then each
    conversation route (reports, ...) may claim the message; otherwise the person is guided.
    """

    async def private_message(update: Update, context: BotContext) -> None:
        services = context.services
        user = update.effective_user
        message = update.effective_message
        if user is None or message is None:
            return
        actor = await identify(user, services)
        if message.text and actor.officer is not None and actor.officer.is_active:
            command = menu_command(services, message.text)
            if command is not None:
                await menu[command.name](update, context)
                return
        async with services.db.point_reads() as repos:
            open_registration = await repos.registrations.get(user.id)
        if open_registration is not None:
            await registration.on_message(update, context, actor, open_registration)
            return
        for route in routes:
            if await route(update, context, actor):
                return
        reason = refusal(Action.REPORT, actor.officer, services.organisation)
        if reason is None:
            await message.reply_text(services.texts(actor.language, "start.use_menu"))
            return
        await refuse(update, context, actor, reason)

    return private_message


async def unknown_command(update: Update, context: BotContext) -> None:
    """A command the bot does not know, in private chat: point to /bantuan."""
    services = context.services
    user = update.effective_user
    message = update.effective_message
    if user is None or message is None:
        return
    actor = await identify(user, services)
    await message.reply_text(services.texts(actor.language, "start.unknown_command"))
