"""Registration: an unknown person gives name, NRP, rank, unit and role, then waits for approval.

State lives in the ``registrations`` table: every answer is written before the bot replies, so
a restart mid-registration continues at the same step.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from enum import StrEnum

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import Forbidden, TelegramError

from domain import registration as flow
from domain.access import may_decide_on
from domain.organisation import Scope
from domain.people import (
    InvalidRegistrationAnswer,
    Officer,
    Registration,
    RegistrationStep,
    Status,
    clean_name,
    clean_nrp,
)
from ui import callbacks
from ui.access import Actor
from ui.i18n import Translator
from ui.menu import send_help
from ui.messages import Button, chunked, inline
from ui.services import BotContext, Services
from ui.territory import KECAMATAN_LIST, Pick, area_picker, areas_text, toggled, valid_pick
from usecases import people
from usecases import registration as usecase

logger = logging.getLogger(__name__)
NS = callbacks.Namespace.REGISTRATION
APPROVAL_NS = callbacks.Namespace.APPROVAL
AREA_PICK = "area_pick"
"""Answers key of the kelurahan ticked so far at the area step (a list of codes)."""
AREA_KECAMATAN = "area_kec"
"""Answers key of the kecamatan whose kelurahan the area step shows."""


class Reg(StrEnum):
    """What a registration button does (the part after the namespace)."""

    BEGIN = callbacks.REGISTER  # "register" (with the language chosen, or not)
    RANK = RegistrationStep.RANK.value
    UNIT = RegistrationStep.UNIT.value
    ROLE = RegistrationStep.ROLE.value
    KECAMATAN = Pick.KECAMATAN.value
    KELURAHAN = Pick.KELURAHAN.value
    AREA_DONE = Pick.DONE.value
    BACK = "back"
    CANCEL = "cancel"
    SEND = "send"


class Verdict(StrEnum):
    """What an approval button decides."""

    APPROVE = "ok"
    REJECT = "no"


VERDICT_STATUS = {Verdict.APPROVE: Status.ACTIVE, Verdict.REJECT: Status.REJECTED}


async def begin(
    update: Update, context: BotContext, actor: Actor, *, invitation_id: int | None = None
) -> None:
    """Open (or continue) a registration for this person."""
    services = context.services
    message = update.effective_message
    assert message is not None
    if actor.officer is not None and actor.officer.status is not Status.REJECTED:
        key = {
            Status.ACTIVE: "registration.already_active",
            Status.PENDING: "access.pending",
            Status.SUSPENDED: "access.suspended",
        }[actor.officer.status]
        await message.reply_text(services.texts(actor.language, key))
        return
    async with services.db.transaction(update_id=update.update_id, now=services.clock.now()) as tx:
        current = await tx.registrations.get(actor.telegram_id)
        if current is None or (
            invitation_id is not None and current.invitation_id != invitation_id
        ):
            current = Registration(
                telegram_id=actor.telegram_id,
                step=RegistrationStep.NAME,
                invitation_id=invitation_id,
                language=actor.language,
            )
            await tx.registrations.save(current, services.clock.now())
    await message.reply_text(services.texts(actor.language, "registration.intro"))
    await send_prompt(message, services, current)


async def reprompt(update: Update, context: BotContext, actor: Actor) -> bool:
    """Repeat the open registration's question (after a redelivered update); False if none."""
    services = context.services
    async with services.db.reading() as repos:
        registration = await repos.registrations.get(actor.telegram_id)
    if registration is None or update.effective_message is None:
        return False
    await send_prompt(update.effective_message, services, registration)
    return True


async def send_prompt(message: Message, services: Services, registration: Registration) -> None:
    """Ask the question of the registration's current step."""
    text, markup = prompt(services, registration)
    await message.chat.send_message(text, reply_markup=markup)


def prompt(services: Services, registration: Registration) -> tuple[str, InlineKeyboardMarkup]:
    """The question and buttons for the current step."""
    texts, language = services.texts, registration.language
    step = registration.step
    choices: list[Button] = []
    per_row = 2
    if step is RegistrationStep.RANK:
        choices = [
            (rank, callbacks.pack(NS, Reg.RANK, rank)) for rank in services.organisation.ranks
        ]
        per_row = 3
    elif step is RegistrationStep.UNIT:
        choices = [
            (unit.name, callbacks.pack(NS, Reg.UNIT, unit.code))
            for unit in services.organisation.units
        ]
    elif step is RegistrationStep.ROLE:
        choices = [
            (role.name.get(language), callbacks.pack(NS, Reg.ROLE, role.code))
            for role in services.organisation.self_registration_roles()
        ]
        per_row = 1
    rows = chunked(choices, per_row)
    if step is RegistrationStep.CONFIRM:
        rows.append([(texts(language, "button.send"), callbacks.pack(NS, Reg.SEND))])
        text = texts(language, "registration.confirm", card=card(services, registration, language))
    elif step is RegistrationStep.AREA:
        picker, rows = area_picker(
            services, language, picked=registration.answers.get(AREA_PICK, []),
            kecamatan=registration.answers.get(AREA_KECAMATAN),
            pack=lambda *parts: callbacks.pack(NS, *parts),
        )
        text = texts(language, "registration.ask_area") + "\n\n" + picker
    else:
        text = texts(language, f"registration.ask_{step.value}")
    navigation: list[Button] = []
    if step is not flow.steps(registration)[0]:
        navigation.append((texts(language, "button.back"), callbacks.pack(NS, Reg.BACK)))
    navigation.append((texts(language, "button.cancel"), callbacks.pack(NS, Reg.CANCEL)))
    rows.append(navigation)
    return text, inline(rows)


def card(services: Services, registration: Registration, language: str) -> str:
    """The registration's answers as a short card."""
    answers = registration.answers
    organisation = services.organisation
    unit = answers.get("unit")
    role = answers.get("role")
    return services.texts(
        language,
        "registration.card",
        name=html.escape(answers.get("name", "-")),
        nrp=html.escape(answers.get("nrp", "-")),
        rank=html.escape(answers.get("rank", "-")),
        unit=html.escape(organisation.unit(unit).name)
        if unit and organisation.has_unit(unit) else "-",
        role=html.escape(organisation.role(role).name.get(language))
        if role and organisation.has_role(role)
        else "-",
    ) + "\n" + services.texts(language, "territory.card_line", areas=areas_text(
        services, flow.area_codes(registration), language))


async def on_message(
    update: Update, context: BotContext, actor: Actor, registration: Registration
) -> None:
    """A message while registering: the answer to the current step."""
    services = context.services
    message = update.effective_message
    assert message is not None
    language = registration.language
    step = registration.step
    if not message.text:
        await message.reply_text(services.texts(language, f"registration.need_text_{step.value}"))
        return
    try:
        value = await _validated(services, registration, message.text)
    except InvalidRegistrationAnswer as problem:
        await message.reply_text(services.texts(language, problem.key, **problem.params))
        return
    await _store_answer(update, context, registration, step, value)


async def _validated(services: Services, registration: Registration, raw: str) -> str:
    step = registration.step
    if step is RegistrationStep.NAME:
        return clean_name(raw)
    if step is RegistrationStep.NRP:
        nrp = clean_nrp(raw)
        async with services.db.reading() as repos:
            holder = await repos.officers.by_nrp(nrp)
        if holder is not None and holder.telegram_id != registration.telegram_id:
            raise InvalidRegistrationAnswer("registration.nrp_taken")
        return nrp
    if step is RegistrationStep.RANK:
        typed = raw.strip().upper()
        if typed in services.organisation.ranks:
            return typed
        raise InvalidRegistrationAnswer("registration.rank_invalid")
    # Unit, role and confirmation are answered with buttons.
    raise InvalidRegistrationAnswer(f"registration.use_buttons_{step.value}")


async def _store_answer(
    update: Update,
    context: BotContext,
    registration: Registration,
    step: RegistrationStep,
    value: str,
) -> None:
    services = context.services
    updated = flow.answered(registration, step, value)
    async with services.db.transaction(update_id=update.update_id, now=services.clock.now()) as tx:
        await tx.registrations.save(updated, services.clock.now())
    message = update.effective_message
    assert message is not None
    await send_prompt(message, services, updated)


async def on_button(update: Update, context: BotContext, actor: Actor) -> None:
    """A registration button: a choice, back, cancel or send."""
    services = context.services
    query = update.callback_query
    assert query is not None
    assert query.message is not None
    parts = callbacks.unpack(query.data, NS)
    async with services.db.reading() as repos:
        registration = await repos.registrations.get(actor.telegram_id)
    act = callbacks.verb(Reg, parts[0]) if parts else None
    if act is not Reg.BEGIN and registration is None:
        await query.answer(services.texts(actor.language, "button.stale"), show_alert=True)
        return
    if act is None or not await ON_REGISTRATION[act](update, context, actor, registration, act,
                                                     parts):
        assert registration is not None
        await query.answer(services.texts(registration.language, "button.stale"),
                           show_alert=True)


async def _begin_button(update: Update, context: BotContext, actor: Actor,
                        registration: Registration | None, act: Reg, parts: list[str]) -> bool:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await _begin_from_button(update, context, actor, parts)
    return True


async def _choice_button(update: Update, context: BotContext, actor: Actor,
                         registration: Registration | None, act: Reg, parts: list[str]) -> bool:
    """A rank, unit or role, when it is the step's and one the organisation has."""
    services, query = context.services, update.callback_query
    assert query is not None
    assert registration is not None
    if len(parts) != 2:
        return False
    step = RegistrationStep(act)
    if registration.step is not step or not _valid_choice(services, step, parts[1]):
        return False
    await query.answer()
    await _store_answer(update, context, registration, step, parts[1])
    return True


async def _pick_button(update: Update, context: BotContext, actor: Actor,
                       registration: Registration | None, act: Reg, parts: list[str]) -> bool:
    assert registration is not None
    await _area_button(update, context, registration, act, parts[1:])
    return True


async def _back_button(update: Update, context: BotContext, actor: Actor,
                       registration: Registration | None, act: Reg, parts: list[str]) -> bool:
    services, query = context.services, update.callback_query
    assert query is not None
    assert registration is not None
    await query.answer()
    updated = flow.back(registration)
    async with services.db.transaction(
        update_id=update.update_id, now=services.clock.now()
    ) as tx:
        await tx.registrations.save(updated, services.clock.now())
    await send_prompt(query.message, services, updated)  # type: ignore[arg-type]
    return True


async def _cancel_button(update: Update, context: BotContext, actor: Actor,
                         registration: Registration | None, act: Reg, parts: list[str]) -> bool:
    services, query = context.services, update.callback_query
    assert query is not None
    assert query.message is not None
    assert registration is not None
    await query.answer()
    async with services.db.transaction(
        update_id=update.update_id, now=services.clock.now()
    ) as tx:
        await tx.registrations.delete(actor.telegram_id)
    await query.message.chat.send_message(
        services.texts(registration.language, "registration.cancelled"))
    return True


async def _send_button(update: Update, context: BotContext, actor: Actor,
                       registration: Registration | None, act: Reg, parts: list[str]) -> bool:
    query = update.callback_query
    assert query is not None
    assert registration is not None
    if registration.step is not RegistrationStep.CONFIRM:
        return False
    await query.answer()
    await _submit(update, context, actor, registration)
    return True


RegAction = Callable[[Update, BotContext, Actor, Registration | None, Reg, list[str]],
                     Awaitable[bool]]
ON_REGISTRATION: dict[Reg, RegAction] = {
    Reg.BEGIN: _begin_button,  # the only one answered without an open registration
    Reg.RANK: _choice_button,
    Reg.UNIT: _choice_button,
    Reg.ROLE: _choice_button,
    Reg.KECAMATAN: _pick_button,
    Reg.KELURAHAN: _pick_button,
    Reg.AREA_DONE: _pick_button,
    Reg.BACK: _back_button,
    Reg.CANCEL: _cancel_button,
    Reg.SEND: _send_button,
}
"""What each registration button does; False when it does not fit the registration (stale)."""


async def _area_button(
    update: Update, context: BotContext, registration: Registration, action: Reg,
    args: list[str],
) -> None:
    """The kelurahan picker: browse a kecamatan, tick a kelurahan (edited in place), done."""
    services, query = context.services, update.callback_query
    assert query is not None
    language, territory = registration.language, services.territory
    if registration.step is not RegistrationStep.AREA or (
        action is not Reg.AREA_DONE
        and (len(args) != 1 or not valid_pick(territory, action, args[0]))
    ):
        await query.answer(services.texts(language, "button.stale"), show_alert=True)
        return
    picked = list(registration.answers.get(AREA_PICK, []))
    if action is Reg.AREA_DONE:
        if not picked and await _needs_area(services, registration):
            await query.answer(services.texts(language, "registration.area_needed"),
                               show_alert=True)
            return
        await query.answer()
        await _store_answer(update, context, registration, RegistrationStep.AREA,
                            ",".join(picked))
        return
    answers = dict(registration.answers)
    if action is Reg.KECAMATAN:
        answers[AREA_KECAMATAN] = None if args[0] == KECAMATAN_LIST else args[0]
    else:
        answers[AREA_PICK] = toggled(picked, args[0], territory)
    updated = replace(registration, answers=answers)
    async with services.db.transaction(update_id=update.update_id, now=services.clock.now()) as tx:
        await tx.registrations.save(updated, services.clock.now())
    await query.answer()
    text, markup = prompt(services, updated)
    await query.edit_message_text(text, reply_markup=markup)


async def _needs_area(services: Services, registration: Registration) -> bool:
    """An officer who reports serves at least one kelurahan; a leader may have none."""
    role = registration.answers.get("role")
    if registration.invitation_id is not None:
        async with services.db.reading() as repos:
            invitation = await repos.invitations.by_id(registration.invitation_id)
        role = invitation.role if invitation else None
    organisation = services.organisation
    return not (role and organisation.has_role(role)
                and organisation.role(role).scope is not Scope.SELF)


async def _begin_from_button(
    update: Update, context: BotContext, actor: Actor, parts: list[str]
) -> None:
    language = parts[1] if len(parts) > 1 and parts[1] in ("id", "en") else actor.language
    await begin(update, context, replace(actor, language=language))


def _valid_choice(services: Services, step: RegistrationStep, value: str) -> bool:
    organisation = services.organisation
    if step is RegistrationStep.RANK:
        return value in organisation.ranks
    if step is RegistrationStep.UNIT:
        return organisation.has_unit(value)
    return organisation.has_role(value) and organisation.role(value).self_register


async def _submit(
    update: Update, context: BotContext, actor: Actor, registration: Registration
) -> None:
    services = context.services
    query = update.callback_query
    assert query is not None
    assert query.message is not None
    chat = query.message.chat
    outcome = await usecase.submit_registration(
        services.db, services.organisation, services.territory, actor.telegram_id, registration,
        now=services.clock.now(), update_id=update.update_id,
    )
    language = registration.language
    if isinstance(outcome, usecase.Refused):
        await chat.send_message(services.texts(language, outcome.reason))
        if outcome.retry is not None:
            text, markup = prompt(services, outcome.retry)
            await chat.send_message(text, reply_markup=markup)
        return
    saved = outcome.officer
    await query.edit_message_reply_markup(None)
    if outcome.invitation is not None:
        await chat.send_message(services.texts(language, "registration.welcome_invited"))
        await _send_help(update, context, saved)
        if outcome.inviter is not None:
            await _notify(context, outcome.inviter, "invitation.used_notice", name=_who(saved))
        return
    key = "registration.submitted" if outcome.approvers else "registration.no_approver"
    await chat.send_message(services.texts(language, key))
    for approver in outcome.approvers:
        await _send_approval_request(context, approver, saved)


def _who(officer: Officer) -> str:
    parts = [html.escape(officer.rank or ""), html.escape(officer.full_name)]
    return " ".join(part for part in parts if part)


async def _send_approval_request(
    context: BotContext, approver: Officer, candidate: Officer
) -> None:
    services = context.services
    language = approver.language
    text = services.texts(
        language,
        "approval.request",
        card=officer_card(services.texts, services, candidate, language),
    )
    markup = inline([approval_buttons(services, candidate, language)])
    await _deliver(context, approver, text, markup)


def approval_buttons(services: Services, candidate: Officer, language: str) -> list[Button]:
    """Approve and reject, naming this very application."""
    application = _application(candidate)
    return [
        (
            services.texts(language, "button.approve"),
            callbacks.pack(APPROVAL_NS, Verdict.APPROVE, candidate.id, application),
        ),
        (
            services.texts(language, "button.reject"),
            callbacks.pack(APPROVAL_NS, Verdict.REJECT, candidate.id, application),
        ),
    ]


def _application(officer: Officer) -> str:
    """Identifies one application: a re-application after rejection gets a new one."""
    return str(int(officer.created_at.timestamp()))


def officer_card(texts: Translator, services: Services, officer: Officer, language: str) -> str:
    """An officer's identity as a short card."""
    organisation = services.organisation
    unit = officer.unit_code
    return texts(
        language,
        "registration.card",
        name=html.escape(officer.full_name),
        nrp=html.escape(officer.nrp or "-"),
        rank=html.escape(officer.rank or "-"),
        unit=html.escape(organisation.unit(unit).name)
        if unit and organisation.has_unit(unit) else "-",
        role=html.escape(organisation.role(officer.role).name.get(language)
                         if organisation.has_role(officer.role) else officer.role),
    )


async def _deliver(
    context: BotContext, officer: Officer, text: str, markup: InlineKeyboardMarkup | None = None
) -> bool:
    """Send a private message; a person who blocked the bot is recorded, not an error."""
    services = context.services
    try:
        await context.bot.send_message(officer.telegram_id, text, reply_markup=markup)
    except Forbidden:
        async with services.db.transaction() as tx:
            await tx.officers.mark_blocked(officer.telegram_id, services.clock.now())
        logger.warning("officer %s has blocked the bot", officer.id)
        return False
    except TelegramError:
        logger.exception("could not message officer %s", officer.id)
        return False
    return True


async def _notify(context: BotContext, officer: Officer, key: str, **params: object) -> bool:
    return await _deliver(
        context, officer, context.services.texts(officer.language, key, **params)
    )


async def _send_help(update: Update, context: BotContext, officer: Officer) -> None:

    await send_help(context, officer.telegram_id, officer)


async def on_approval_button(update: Update, context: BotContext, actor: Actor) -> None:
    """A leader pressed approve or reject on a registration request."""
    services = context.services
    query = update.callback_query
    assert query is not None
    leader = actor.active_officer
    try:
        verdict, raw_id, application = callbacks.unpack(query.data, APPROVAL_NS)
        candidate_id = callbacks.number(raw_id)
        new_status = VERDICT_STATUS[Verdict(verdict)]
    except (ValueError, callbacks.CallbackDataError):
        await query.answer(services.texts(actor.language, "button.stale"), show_alert=True)
        return
    now = services.clock.now()
    async with services.db.reading() as repos:
        candidate = await repos.officers.by_id(candidate_id)
    if candidate is None or not may_decide_on(
        leader, candidate.unit_code, candidate.role, services.organisation
    ):
        await query.answer(services.texts(actor.language, "access.not_your_unit"), show_alert=True)
        return
    if candidate.status is Status.PENDING and application != _application(candidate):
        # The button belongs to an earlier application of the same person.
        await query.answer(services.texts(actor.language, "button.stale"), show_alert=True)
        return
    decision = await people.decide_application(
        services.db, leader, candidate, approve=new_status is Status.ACTIVE, now=now,
        update_id=update.update_id,
    )
    decided, decider, changed = decision.officer, decision.decider, decision.changed
    outcome = services.texts(
        actor.language,
        f"approval.outcome_{decided.status.value}",
        leader=_who(decider) if decider else "-",
    )
    shown = replace(decided, nrp=decided.nrp or candidate.nrp)
    card_text = officer_card(services.texts, services, shown, actor.language)
    await query.answer(
        services.texts(actor.language, "approval.done" if changed else "approval.already")
    )
    await query.edit_message_text(
        services.texts(actor.language, "approval.decided", card=card_text, outcome=outcome)
    )
    if not changed:
        return
    if new_status is Status.ACTIVE:
        await _notify(context, decided, "approval.you_are_approved")
        await _send_help(update, context, decided)
    else:
        await _notify(context, decided, "approval.you_are_rejected")
