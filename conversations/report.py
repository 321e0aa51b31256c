"""The one engine that walks any activity form, from "which activity?" to the submitted report.

State lives in ``report_drafts``: every answer is written (in the transaction that also records
the Telegram update id) before the bot replies, so a restart continues at the same step and a
redelivered update changes nothing. Buttons carry the draft id and version; a button from an
older message, another draft or another person is answered as stale.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from telegram import MaybeInaccessibleMessage, Message, Update

from conversations import report_correct, report_photos, report_place, report_submit
from conversations.report_taps import Tap
from conversations.report_view import (
    NS,
    activity_menu,
    cancel_question,
    draft_question,
    equipment_state,
    one_tap_pick,
    paired_count,
    prompt,
)
from domain import answers as parse
from domain import reports as flow
from domain.answers import (
    Complaint,
    InvalidAnswer,
    Location,
    WarningsAck,
    default_time_range,
    duration_warning,
)
from domain.catalogue import (
    Activity,
    ChoiceField,
    ComplaintsField,
    Field,
    FieldType,
    IntegerField,
    LocationField,
    LongTextField,
    MultiChoiceField,
    PhotosField,
    ShortTextField,
    TimeRangeField,
)
from domain.draft_work import (
    TYPED_PARTS,
    ChoiceWork,
    ComplaintPhase,
    ComplaintsWork,
    EquipmentWork,
    TimeWork,
)
from domain.reports import REVIEW, Draft
from ui import callbacks
from ui.access import Actor
from ui.callbacks import Stale
from ui.messages import edit_html, remove_buttons, send_html
from ui.services import BotContext, Services
from usecases.drafts import Change, change_draft

logger = logging.getLogger(__name__)
__all__ = [
    "NS",
    "ask_cancel",
    "begin",
    "on_button",
    "on_edited_location",
    "reprompt",
    "resume",
    "route",
]


DOUBLE_TAP = timedelta(seconds=5)
"""A stale press this soon after the draft last changed is a double tap, not a lost question."""


async def open_draft(services: Services, officer_id: int) -> Draft | None:
    """The officer's open draft, if any."""
    async with services.db.point_reads() as repos:
        return await repos.drafts.of_officer(officer_id)


async def send_prompt(
    chat_message: Message, services: Services, draft: Draft, language: str
) -> None:
    """Ask the current step's question in a new message."""
    text, markup = prompt(services, draft, language)
    await send_html(chat_message.get_bot(), chat_message.chat.id, text, reply_markup=markup)


async def begin(update: Update, context: BotContext, actor: Actor) -> None:
    """/lapor: choose an activity, or (with a draft open) continue or discard it."""
    services = context.services
    message = update.effective_message
    assert message is not None
    draft = await open_draft(services, actor.active_officer.id)
    if draft is not None:
        text, markup = draft_question(services, draft, actor.language)
    else:
        text, markup = activity_menu(services, actor.language)
    await message.reply_text(text, reply_markup=markup)


async def resume(update: Update, context: BotContext, actor: Actor) -> None:
    """/lanjut: repeat the open draft's current question."""
    services = context.services
    message = update.effective_message
    assert message is not None
    draft = await open_draft(services, actor.active_officer.id)
    if draft is None:
        await message.reply_text(services.texts(actor.language, "reports.no_draft"))
        return
    await send_prompt(message, services, draft, actor.language)


async def reprompt(update: Update, context: BotContext, actor: Actor) -> bool:
    """Repeat the open draft's question (after a redelivered update); False if none."""
    officer = actor.officer
    message = update.effective_message
    if officer is None or not officer.is_active or message is None:
        return False
    draft = await open_draft(context.services, officer.id)
    if draft is None:
        return False
    await send_prompt(message, context.services, draft, actor.language)
    return True


async def ask_cancel(update: Update, context: BotContext, actor: Actor) -> bool:
    """/batal with a draft open: ask before discarding it. False when there is no draft."""
    officer = actor.officer
    if officer is None or not officer.is_active:
        return False
    services = context.services
    draft = await open_draft(services, officer.id)
    message = update.effective_message
    if draft is None or message is None:
        return False
    text, markup = cancel_question(services, draft, actor.language)
    await message.reply_text(text, reply_markup=markup)
    return True


async def _apply(
    update: Update,
    services: Services,
    officer_id: int,
    change: Change,
    *,
    draft_id: int | None = None,
    version: int | None = None,
    bump: bool = True,
) -> Draft:
    """Load, change and store the draft, recording the update, in one storage trip
    (``usecases.drafts``).

    Raises:
        Stale: no draft, or not the draft/version the button was made for.
        InvalidAnswer: the change refused the input (nothing is stored).
    """
    saved = await change_draft(
        services.db, officer_id, change, update_id=update.update_id, now=services.clock.now(),
        draft_id=draft_id, version=version, bump=bump,
    )
    if saved is None:
        raise Stale
    return saved


async def _reply_problem(message: Message, services: Services, language: str,
                         problem: InvalidAnswer) -> None:
    await message.reply_text(services.texts(language, problem.key, **problem.params))


# ------------------------------------------------------------------------------ messages


async def route(update: Update, context: BotContext, actor: Actor) -> bool:
    """The private-message route: an officer with a draft open is answering its step."""
    officer = actor.officer
    if officer is None or not officer.is_active:
        return False
    if update.edited_message is not None:
        await on_edited_location(update, context)
        return True  # an edited answer is not a new answer
    services = context.services
    draft = await open_draft(services, officer.id)
    if draft is None:
        return False
    await on_message(update, context, actor, draft)
    return True


async def on_message(update: Update, context: BotContext, actor: Actor, draft: Draft) -> None:
    """A message while a draft is open: the answer to its current step, or a polite refusal."""
    services = context.services
    message = update.effective_message
    assert message is not None
    language = actor.language
    activity = services.catalogue.activity(draft.activity_code)
    if draft.step == REVIEW:
        photos_fields = activity.fields_of(FieldType.PHOTOS)
        if (message.photo or message.document) and photos_fields and not draft.is_correction:
            # More photos on the review card join the report's (before it is sent).
            assert isinstance(photos_fields[0], PhotosField)
            await report_photos.on_photo(update, context, actor, photos_fields[0])
            return
        await message.reply_text(services.texts(language, "reports.wrong.buttons"))
        return
    form_field = activity.field(draft.step)
    if isinstance(form_field, PhotosField):
        if message.photo or message.document:
            await report_photos.on_photo(update, context, actor, form_field)
        else:
            await message.reply_text(services.texts(language, "reports.wrong.photo"))
        return
    if isinstance(form_field, LocationField) and message.location is not None:
        await _on_pin(update, context, actor, form_field)
        return
    contact_card = message.contact is not None and isinstance(form_field, ComplaintsField)
    complaint_pin = message.location is not None and isinstance(form_field, ComplaintsField)
    if message.text is None and not (contact_card or complaint_pin):
        key = "reports.wrong.location" if isinstance(form_field, LocationField) else (
            "reports.wrong.text"
        )
        await message.reply_text(services.texts(language, key))
        return
    try:
        if contact_card:
            change = _contact_card_change(draft, message)
        elif complaint_pin:
            change = _complaint_pin_change(services, draft, message, language)
        else:
            change = _text_change(services, activity, form_field, draft, message)
    except InvalidAnswer as problem:
        await _reply_problem(message, services, language, problem)
        return
    if change is None:
        await message.reply_text(services.texts(language, "reports.wrong.buttons"))
        return
    try:
        saved = await _apply(update, services, actor.active_officer.id, change,
                             version=draft.version)
    except InvalidAnswer as problem:
        await _reply_problem(message, services, language, problem)
        return
    except Stale:
        await message.reply_text(services.texts(language, "reports.wrong.buttons"))
        return
    await send_prompt(message, services, saved, language)


def _text_change(
    services: Services, activity: Activity, form_field: Field, draft: Draft, message: Message
) -> Change | None:
    """How typed text changes the draft; None when this step takes buttons only.

    Validation happens here, before anything is stored (raises ``InvalidAnswer``).
    """
    raw = message.text or ""
    key = form_field.key
    if not form_field.required and parse.is_skip_word(raw) and form_field.type in (
        FieldType.SHORT_TEXT, FieldType.LONG_TEXT, FieldType.INTEGER
    ):
        return lambda d: flow.after_answer(activity, d, key, None)
    if isinstance(form_field, ShortTextField | LongTextField):
        text_value = parse.text(form_field, raw)
        return lambda d: flow.after_answer(activity, d, key, text_value)
    if isinstance(form_field, IntegerField):
        pair = paired_count(activity, form_field, draft)
        if pair is not None:
            both = parse.two_integers(form_field, pair, raw)
            if both is not None:
                first, second = both
                return lambda d: flow.after_answer(
                    activity, flow.after_answer(activity, d, key, first), pair.key, second
                )
        number = parse.integer(form_field, raw)
        return lambda d: flow.after_answer(activity, d, key, number)
    if isinstance(form_field, ChoiceField):
        option = parse.choice(form_field, raw)
        return lambda d: flow.after_answer(activity, d, key, option)
    if isinstance(form_field, TimeRangeField):
        typed = parse.parse_time_range(
            raw,
            now=message.date,
            tz=services.settings.tz,
            activity_minutes=activity.duration_minutes,
            max_minutes=form_field.max_duration_minutes,
        )
        if duration_warning(typed, activity.duration_minutes, form_field.warn_tolerance_minutes):
            return lambda d: flow.with_work(d, **TimeWork.changes(pending=typed))
        return lambda d: flow.after_answer(activity, d, key, typed.to_json())
    if isinstance(form_field, LocationField):
        if not form_field.allow_text:
            return None
        place = parse.place_text(raw)
        return lambda d: flow.with_work(d, place=place)
    if form_field.type == FieldType.EQUIPMENT:
        return _equipment_reason(activity, draft, raw)
    if isinstance(form_field, ComplaintsField):
        return _complaint_text(services, form_field, draft, raw)
    return None


def _equipment_reason(activity: Activity, draft: Draft, raw: str) -> Change | None:
    state = equipment_state(activity, draft)
    if not EquipmentWork.of(draft.work).asking_reasons or not state.needs_reason():
        return None
    updated = state.set_reason(state.needs_reason()[0], raw)
    return lambda d: _equipment_next(activity, d, updated)


def _equipment_next(activity: Activity, draft: Draft, state: parse.EquipmentState) -> Draft:
    if state.is_complete():
        return flow.after_answer(activity, draft, draft.step, state.to_json())
    return flow.with_work(draft, **EquipmentWork.changes(state=state, asking_reasons=True))


def _contact_card_change(draft: Draft, message: Message) -> Change | None:
    """A shared contact card on the complaint card (or at its name or phone question) fills
    the resident's phone, and the name when none was typed; None at any other phase."""
    card = message.contact
    assert card is not None
    work = ComplaintsWork.of(draft.work)
    if work.phase not in (ComplaintPhase.CARD, ComplaintPhase.NAME, ComplaintPhase.CONTACT):
        return None
    current = dict(work.current)
    phone = card.phone_number.strip()
    if phone and not phone.startswith(("+", "0", "62")):
        phone = "+" + phone  # Telegram sends international numbers without their "+"
    current["contact"] = parse.resident_contact(phone)
    full_name = " ".join(p for p in (card.first_name, card.last_name) if p)
    if not current.get("name") and full_name.strip():
        current["name"] = parse.resident_name(full_name)
    return lambda d: flow.with_work(d, **ComplaintsWork.changes(current=current,
                                                                phase=ComplaintPhase.CARD))


def _complaint_pin_change(
    services: Services, draft: Draft, message: Message, language: str
) -> Change | None:
    """A location pin (or a shared venue) on the complaint card answers "where is it"."""
    location = message.location
    assert location is not None
    work = ComplaintsWork.of(draft.work)
    if work.phase not in (ComplaintPhase.CARD, ComplaintPhase.PLACE):
        return None
    pin = parse.location_from_pin(location.latitude, location.longitude)
    place = _venue_place(message)
    if place is None:
        place = parse.complaint_place(services.texts(
            language, "reports.complaint.pin_place", lat=f"{pin.latitude:.6f}",
            lon=f"{pin.longitude:.6f}"))
    current = {**work.current, "place": place}
    return lambda d: flow.with_work(d, **ComplaintsWork.changes(current=current,
                                                                phase=ComplaintPhase.CARD))


def _venue_place(message: Message) -> str | None:
    """The place text of a shared venue (title, address); None for a bare pin."""
    venue = message.venue
    if venue is None:
        return None
    try:
        return parse.venue_place(venue.title, venue.address)
    except InvalidAnswer:
        return None  # a venue without usable text is just its pin


def place_of_report(draft: Draft, activity: Activity) -> str | None:
    """Where the report says the activity was: the default place of its complaints."""
    for form_field in activity.fields:
        value = draft.answers.get(form_field.key)
        if form_field.type != FieldType.LOCATION or not isinstance(value, dict):
            continue
        location = Location.from_json(value)
        if location.place:
            return location.place
        if location.pin is not None:
            return f"{location.pin.latitude:.6f}, {location.pin.longitude:.6f}"
    return None


def _complaint_text(
    services: Services, form_field: ComplaintsField, draft: Draft, raw: str
) -> Change | None:
    work = ComplaintsWork.of(draft.work)
    phase = work.phase
    current = dict(work.current)
    if phase == ComplaintPhase.DESCRIPTION:
        current["description"] = parse.complaint_description(raw)
        activity = services.catalogue.activity(draft.activity_code)
        # The card starts with the defaults set: shown there, changed with one tap each.
        current.setdefault("urgency", services.catalogue.urgency_levels[0].key)
        place = place_of_report(draft, activity)
        if place is not None:
            current.setdefault("place", place)
        following = ComplaintPhase.CARD if current.get("place") else ComplaintPhase.PLACE
        return lambda d: flow.with_work(d, **ComplaintsWork.changes(current=current,
                                                                    phase=following))
    cleaners: dict[str, Callable[[str], str]] = {
        ComplaintPhase.PLACE: parse.complaint_place,
        ComplaintPhase.NAME: parse.resident_name,
        ComplaintPhase.CONTACT: parse.resident_contact,
    }
    if phase not in cleaners:
        return None
    current[phase] = cleaners[phase](raw)
    return lambda d: flow.with_work(d, **ComplaintsWork.changes(current=current,
                                                                phase=ComplaintPhase.CARD))


def _complaint_finish(draft: Draft, current: Mapping[str, str]) -> list[dict[str, Any]]:
    """The complaint list with the card's complaint added."""
    item = Complaint(
        category=current["category"],
        description=current["description"],
        place=current["place"],
        urgency=current["urgency"],
        resident_name=current.get("name"),
        resident_contact=current.get("contact"),
    )
    return [*ComplaintsWork.of(draft.work).items, item.to_json()]


async def _on_pin(update: Update, context: BotContext, actor: Actor,
                  form_field: LocationField) -> None:
    services = context.services
    message = update.effective_message
    assert message is not None
    assert message.location is not None
    language = actor.language
    if not form_field.allow_pin:
        await message.reply_text(services.texts(language, "reports.wrong.text"))
        return
    try:
        pin = parse.location_from_pin(message.location.latitude, message.location.longitude)
    except InvalidAnswer as problem:
        await _reply_problem(message, services, language, problem)
        return
    live = message.message_id if message.location.live_period else None
    venue_place = _venue_place(message)
    guess = report_place.resolve_pin(services, pin)

    def change(draft: Draft) -> Draft:
        if draft.step != form_field.key:
            raise Stale
        # A pin answers the step: the place typed before it (or the venue's) goes with it,
        # and the kelurahan tapped before it, else the one the pin is nearest. A guessed
        # kelurahan is shown on the next question, changed there or confirmed by moving on;
        # place and kelurahan can still be changed from the review card.
        place = venue_place or draft.work.get("place")
        chosen = draft.work.get("kel")
        location = {**Location(pin, place, chosen or guess).to_json(),
                    "live": None if venue_place else live}
        activity = services.catalogue.activity(draft.activity_code)
        if chosen is None and guess is not None:
            return flow.picked(activity, draft, form_field.key, location)
        return flow.after_answer(activity, draft, form_field.key, location)

    try:
        saved = await _apply(update, services, actor.active_officer.id, change)
    except Stale:
        return
    await send_prompt(message, services, saved, language)


async def on_edited_location(update: Update, context: BotContext) -> None:
    """A live location moved: update the stored pin quietly (no reply, buttons stay valid)."""
    message = update.edited_message
    user = update.effective_user
    if message is None or message.location is None or user is None:
        return
    services = context.services
    async with services.db.reading() as repos:
        officer = await repos.officers.by_telegram_id(user.id)
    if officer is None or not officer.is_active:
        return
    try:
        pin = parse.location_from_pin(message.location.latitude, message.location.longitude)
    except InvalidAnswer:
        return

    def change(draft: Draft) -> Draft:
        activity = services.catalogue.activity(draft.activity_code)
        for form_field in activity.fields:
            if form_field.type != FieldType.LOCATION:
                continue
            if draft.step == form_field.key and draft.work.get("live") == message.message_id:
                return flow.with_work(draft, pin=pin.to_json())
            stored = draft.answers.get(form_field.key)
            if isinstance(stored, dict) and stored.get("live") == message.message_id:
                answers = {**draft.answers, form_field.key: {**stored, "pin": pin.to_json()}}
                return replace(draft, answers=answers)
        raise Stale

    try:
        await _apply(update, services, officer.id, change, bump=False)
    except Stale:
        return


# ------------------------------------------------------------------------------- buttons


async def on_button(update: Update, context: BotContext, actor: Actor) -> None:
    """Any report button: parse, check it belongs to the open draft's current version, act."""
    services = context.services
    query = update.callback_query
    assert query is not None
    assert query.message is not None
    language = actor.language
    stale = services.texts(language, "button.stale")
    try:
        raw_id, raw_version, action, *args = callbacks.unpack(query.data, NS)
        draft_id, version = callbacks.number(raw_id), callbacks.number(raw_version)
    except (ValueError, callbacks.CallbackDataError):
        await query.answer(stale, show_alert=True)
        return
    officer = actor.active_officer
    act = callbacks.verb(Tap, action)
    if act in ON_UNBOUND:
        await ON_UNBOUND[act](update, context, actor, args[0] if args else "")
        return
    draft = await open_draft(services, officer.id)
    if draft is None or draft.id != draft_id or draft.version != version:
        await query.answer(stale, show_alert=True)
        if (
            draft is not None
            and isinstance(query.message, Message)
            and (draft.updated_at is None
                 or services.clock.now() - draft.updated_at >= DOUBLE_TAP)
        ):
            # "Use the latest message" needs one: after a crash between storing an answer and
            # sending the next question, the newest message in the chat is this stale one.
            # A second tap right after the first is not that: its question is on its way.
            await send_prompt(query.message, services, draft, language)
        return
    try:
        if act is None:  # a verb this version never packs
            raise Stale
        await _act(update, context, actor, draft, act, args)
    except Stale:
        await query.answer(stale, show_alert=True)
    except InvalidAnswer as problem:
        await query.answer(services.texts(language, problem.key, **problem.params)[:200],
                           show_alert=True)


async def _new_draft(update: Update, context: BotContext, actor: Actor, code: str) -> None:
    services = context.services
    query = update.callback_query
    assert query is not None
    assert query.message is not None
    officer = actor.active_officer
    if not services.catalogue.has_activity(code):
        await query.answer(services.texts(actor.language, "button.stale"), show_alert=True)
        return
    activity = services.catalogue.activity(code)
    now = services.clock.now()
    async with services.db.transaction(update_id=update.update_id, now=now) as tx:
        existing = await tx.drafts.of_officer(officer.id)
        if existing is None:
            draft_id = await tx.drafts.create(officer.id, code, flow.first_step(activity), now)
            previous = await tx.reports.latest_of_activity(officer.id, code)
            fresh = replace(flow.opened(draft_id, officer.id, activity, now),
                            offers=flow.offers(activity, previous.answers if previous else {}))
            draft = await tx.drafts.save(fresh, now)
    if existing is not None:
        await query.answer(services.texts(actor.language, "button.stale"), show_alert=True)
        return
    await query.answer()
    await _strip(query.message)
    await send_prompt(query.message, services, draft, actor.language)  # type: ignore[arg-type]


async def _strip(message: object) -> None:
    """Take the buttons off an answered question (so it cannot be answered twice)."""
    if isinstance(message, Message):
        await remove_buttons(message)


Unbound = Callable[[Update, BotContext, Actor, str], Awaitable[None]]
ON_UNBOUND: dict[Tap, Unbound] = {Tap.NEW: _new_draft}
"""Buttons bound to no draft (the activity menu): answered before the draft is checked."""


@dataclass(frozen=True)
class Press:
    """A report button pressed on the open draft's current version, with what answers it."""

    update: Update
    context: BotContext
    actor: Actor
    draft: Draft
    activity: Activity
    act: Tap
    args: list[str]
    store: Callable[..., Awaitable[None]]
    """Apply a change to the draft and ask the next question (``in_place``: edit this one)."""

    @property
    def services(self) -> Services:
        """The bot's services."""
        return self.context.services

    @property
    def message(self) -> MaybeInaccessibleMessage:
        """The message whose button was pressed."""
        query = self.update.callback_query
        assert query is not None
        assert query.message is not None
        return query.message


async def _act(
    update: Update, context: BotContext, actor: Actor, draft: Draft, act: Tap,
    args: list[str],
) -> None:
    services = context.services
    query = update.callback_query
    assert query is not None
    assert query.message is not None
    message = query.message
    language = actor.language
    officer_id = actor.active_officer.id
    activity = services.catalogue.activity(draft.activity_code)

    async def store(change: Change, *, in_place: bool = False) -> None:
        saved = await _apply(update, services, officer_id, change, draft_id=draft.id,
                             version=draft.version)
        await query.answer()
        text, markup = prompt(services, saved, language)
        if in_place:
            await edit_html(query, text, reply_markup=markup)
            return
        await _strip(message)
        await send_html(query.get_bot(), message.chat.id, text, reply_markup=markup)

    press = Press(update, context, actor, draft, activity, act, args, store)
    if act in ON_DRAFT:
        await ON_DRAFT[act](press)
        return
    if draft.step == REVIEW:
        if act in ON_REVIEW and await ON_REVIEW[act](press):
            return
        raise Stale
    form_field = activity.field(draft.step)
    if act in ON_FIELD and await ON_FIELD[act](press, form_field):
        return
    if isinstance(form_field, ComplaintsField):
        await _complaint_button(press, form_field)
        return
    raise Stale


# The draft as a whole, at any step.

async def _ask_again(press: Press) -> None:
    """Resume, or /batal declined: the current question again, under the newest message."""
    query = press.update.callback_query
    assert query is not None
    await query.answer()
    await _strip(press.message)
    await send_prompt(press.message, press.services, press.draft,  # type: ignore[arg-type]
                      press.actor.language)


async def _discard_draft(press: Press) -> None:
    await _discard(press.update, press.context, press.actor, press.draft,
                   show_menu=press.act is Tap.DISCARD)


async def _ask_cancel(press: Press) -> None:
    query = press.update.callback_query
    assert query is not None
    await query.answer()
    text, markup = cancel_question(press.services, press.draft, press.actor.language)
    await press.message.chat.send_message(text, reply_markup=markup)


async def _back(press: Press) -> None:
    activity = press.activity
    await press.store(lambda d: flow.back(activity, d))


DraftAction = Callable[[Press], Awaitable[None]]
ON_DRAFT: dict[Tap, DraftAction] = {
    Tap.RESUME: _ask_again,
    Tap.DISCARD: _discard_draft,
    Tap.DROP: _discard_draft,
    Tap.STAY: _ask_again,
    Tap.CANCEL: _ask_cancel,
    Tap.BACK: _back,
}
"""Buttons about the draft as a whole, answered at any step."""


# The review card: True when the button fits the draft (else it is stale).

async def _edit(press: Press) -> bool:
    draft, activity, args = press.draft, press.activity, press.args
    editable = flow.correctable_fields(activity) if draft.is_correction else activity.fields
    if not args or args[0] not in {f.key for f in editable}:
        return False
    await press.store(lambda d: flow.edit(activity, d, args[0]))
    return True


async def _submit(press: Press) -> bool:
    if press.draft.is_correction:
        return False
    await report_submit.submit(press.update, press.context, press.actor, press.draft)
    return True


async def _save(press: Press) -> bool:
    if not press.draft.is_correction:
        return False
    await report_correct.save(press.update, press.context, press.actor, press.draft)
    return True


ReviewAction = Callable[[Press], Awaitable[bool]]
ON_REVIEW: dict[Tap, ReviewAction] = {Tap.EDIT: _edit, Tap.SUBMIT: _submit, Tap.SAVE: _save}
"""Buttons of the review card."""


# A question of the form: True when the button fits the question; when none does, a complaints
# question gets the press (its own buttons), any other answers it as stale.

async def _keep(press: Press, form_field: Field) -> bool:
    key, activity = form_field.key, press.activity
    if press.draft.answers.get(key) is None:
        return False
    await press.store(lambda d: flow.after_answer(activity, d, key, d.answers[key]))
    return True


async def _preset(press: Press, form_field: Field) -> bool:
    args, activity = press.args, press.activity
    if not args or args[0] not in flow.shown_presets(activity, press.draft):
        return False
    await press.store(lambda d: flow.revisit(activity, d, args[0]))
    return True


async def _same(press: Press, form_field: Field) -> bool:
    key, activity, draft = form_field.key, press.activity, press.draft
    if not draft.offers.get(key):
        return False
    offered = _offered(activity, form_field, draft.offers[key])
    await press.store(lambda d: flow.after_answer(activity, d, key, offered))
    return True


async def _skip(press: Press, form_field: Field) -> bool:
    key, activity = form_field.key, press.activity
    if form_field.required:
        return False
    await press.store(lambda d: flow.after_answer(activity, d, key, None))
    return True


async def _option(press: Press, form_field: Field) -> bool:
    key, activity, args = form_field.key, press.activity, press.args
    if not isinstance(form_field, ChoiceField) or not args:
        return False
    option = parse.choice(form_field, args[0])
    await press.store(lambda d: flow.after_answer(activity, d, key, option))
    return True


async def _toggle(press: Press, form_field: Field) -> bool:
    key, activity, args, draft = form_field.key, press.activity, press.args, press.draft
    if not isinstance(form_field, MultiChoiceField) or not args:
        return False
    selected = parse.toggle_option(form_field, ChoiceWork.of(draft.work).selected, args[0])
    if one_tap_pick(form_field, draft):
        # The first tap picks and moves on; more are added from the ✏️ on the next question.
        chosen = parse.multi_choice(form_field, selected)
        await press.store(lambda d: flow.picked(activity, d, key, chosen))
    else:
        await press.store(lambda d: flow.with_work(d, **ChoiceWork.changes(selected=selected)),
                          in_place=True)
    return True


async def _done(press: Press, form_field: Field) -> bool:
    """Continue from a multiple choice, the place, the equipment or the photos."""
    key, activity, draft = form_field.key, press.activity, press.draft
    if isinstance(form_field, MultiChoiceField):
        chosen = parse.multi_choice(form_field, ChoiceWork.of(draft.work).selected)
        await press.store(lambda d: flow.after_answer(activity, d, key, chosen))
    elif form_field.type == FieldType.LOCATION:
        if not report_place.has_answer(draft.work):
            raise Stale
        location = report_place.location_answer(draft.work)
        await press.store(lambda d: flow.after_answer(activity, d, key, location))
    elif form_field.type == FieldType.EQUIPMENT:
        await _equipment_button(press)
    elif isinstance(form_field, PhotosField):
        photos = list(draft.work.get("photos", []))
        parse.check_photos_done(form_field, len(photos))
        await press.store(lambda d: flow.after_answer(activity, d, key, d.work.get("photos", [])))
    else:
        return False
    return True


async def _now(press: Press, form_field: Field) -> bool:
    key, activity = form_field.key, press.activity
    if form_field.type != FieldType.TIME_RANGE:
        return False
    now = press.services.clock.now()
    suggestion = default_time_range(now, activity.duration_minutes).to_json()
    await press.store(lambda d: flow.after_answer(activity, d, key, suggestion))
    return True


async def _time_ok(press: Press, form_field: Field) -> bool:
    key, activity, draft = form_field.key, press.activity, press.draft
    typed = TimeWork.of(draft.work).pending
    if typed is None:
        return False
    pending = typed.to_json()
    await press.store(lambda d: flow.after_answer(activity, d, key, pending))
    return True


async def _ack(press: Press, form_field: Field) -> bool:
    key, activity = form_field.key, press.activity
    if form_field.type != FieldType.WARNINGS_ACK:
        return False
    ack = WarningsAck(press.services.clock.now()).to_json()
    await press.store(lambda d: flow.after_answer(activity, d, key, ack))
    return True


async def _kelurahan(press: Press, form_field: Field) -> bool:
    key, activity, args, draft = form_field.key, press.activity, press.args, press.draft
    if (form_field.type != FieldType.LOCATION or len(args) != 1
            or not report_place.may_pick(draft, args[0])):
        return False
    answered, work = report_place.picked(draft.work, args[0])
    if answered:
        location = report_place.location_answer(work)
        await press.store(lambda d: flow.after_answer(activity, d, key, location))
    else:
        await press.store(lambda d: flow.with_work(d, **work))
    return True


async def _equipment(press: Press, form_field: Field) -> bool:
    if form_field.type != FieldType.EQUIPMENT:
        return False
    await _equipment_button(press)
    return True


FieldAction = Callable[[Press, Field], Awaitable[bool]]
ON_FIELD: dict[Tap, FieldAction] = {
    Tap.KEEP: _keep,
    Tap.PRESET: _preset,
    Tap.SAME: _same,
    Tap.SKIP: _skip,
    Tap.OPTION: _option,
    Tap.TOGGLE: _toggle,
    Tap.DONE: _done,
    Tap.NOW: _now,
    Tap.TIME_OK: _time_ok,
    Tap.ACK: _ack,
    Tap.KELURAHAN: _kelurahan,
    Tap.EQUIPMENT: _equipment,
    Tap.EQUIPMENT_ALL: _equipment,
}
"""Buttons of a question of the form."""


def _offered(activity: Activity, form_field: Field, value: Any) -> Any:
    """A previous report's answer, checked again against today's form (it may have changed)."""
    if isinstance(form_field, MultiChoiceField):
        return parse.multi_choice(form_field, value)
    if form_field.type == FieldType.LOCATION:
        return {**Location.from_json(value).to_json(), "live": None}
    raise Stale


async def _equipment_button(press: Press) -> None:
    activity, draft, args = press.activity, press.draft, press.args
    state = equipment_state(activity, draft)
    if EquipmentWork.of(draft.work).asking_reasons:
        raise Stale
    if press.act is Tap.EQUIPMENT and args:
        toggled = state.toggle(args[0])
        await press.store(lambda d: flow.with_work(d, **EquipmentWork.changes(state=toggled)),
                          in_place=True)
    elif press.act is Tap.EQUIPMENT_ALL:
        complete = state.all_complete().to_json()
        await press.store(lambda d: flow.after_answer(activity, d, d.step, complete))
    else:
        await press.store(lambda d: _equipment_next(activity, d, state))


async def _complaint_button(press: Press, form_field: ComplaintsField) -> None:
    action = ON_COMPLAINT.get(press.act)
    if action is None or not await action(press, form_field, ComplaintsWork.of(press.draft.work)):
        raise Stale


async def _category(press: Press, form_field: ComplaintsField, work: ComplaintsWork) -> bool:
    if work.phase != ComplaintPhase.MENU or not press.args:
        return False
    parse.check_can_add_complaint(form_field, len(work.items))
    category = parse.complaint_category(press.args[0],
                                        press.services.catalogue.categories_for(form_field))
    await press.store(lambda d: flow.with_work(d, **ComplaintsWork.changes(
        current={"category": category}, phase=ComplaintPhase.DESCRIPTION)))
    return True


async def _no_complaints(press: Press, form_field: ComplaintsField, work: ComplaintsWork
                         ) -> bool:
    activity, key = press.activity, form_field.key
    if work.phase != ComplaintPhase.MENU or work.items:
        return False
    await press.store(lambda d: flow.after_answer(activity, d, key, []))
    return True


async def _complaints_done(press: Press, form_field: ComplaintsField, work: ComplaintsWork
                           ) -> bool:
    activity, key, items = press.activity, form_field.key, list(work.items)
    if work.phase != ComplaintPhase.MENU:
        return False
    await press.store(lambda d: flow.after_answer(activity, d, key, items))
    return True


async def _urgency(press: Press, form_field: ComplaintsField, work: ComplaintsWork) -> bool:
    if work.phase != ComplaintPhase.CARD or not press.args:
        return False
    current = {**work.current,
               "urgency": parse.urgency(press.args[0], press.services.catalogue.urgency_levels)}
    await press.store(lambda d: flow.with_work(d, **ComplaintsWork.changes(current=current)),
                      in_place=True)
    return True


async def _complaint_set(press: Press, form_field: ComplaintsField, work: ComplaintsWork
                         ) -> bool:
    args = press.args
    if work.phase != ComplaintPhase.CARD or not args or args[0] not in TYPED_PARTS:
        return False
    part = ComplaintPhase(args[0])
    await press.store(lambda d: flow.with_work(d, **ComplaintsWork.changes(phase=part)))
    return True


async def _complaint_card(press: Press, form_field: ComplaintsField, work: ComplaintsWork
                          ) -> bool:
    if work.phase not in TYPED_PARTS or not work.current.get("place"):
        return False
    await press.store(lambda d: flow.with_work(d, **ComplaintsWork.changes(
        phase=ComplaintPhase.CARD)))
    return True


async def _complaint_save(press: Press, form_field: ComplaintsField, work: ComplaintsWork
                          ) -> bool:
    """Save the complaint: the answer (``csave``), or then record another (``cmore``)."""
    activity, key = press.activity, form_field.key
    if work.phase != ComplaintPhase.CARD:
        return False
    current = dict(work.current)
    current.setdefault("urgency", press.services.catalogue.urgency_levels[0].key)
    saved = _complaint_finish(press.draft, current)
    if press.act is Tap.COMPLAINT_SAVE:
        await press.store(lambda d: flow.after_answer(activity, d, key, saved))
    else:
        parse.check_can_add_complaint(form_field, len(saved))
        await press.store(lambda d: flow.with_work(d, **ComplaintsWork.changes(
            items=saved, phase=ComplaintPhase.MENU, current={})))
    return True


ComplaintAction = Callable[[Press, ComplaintsField, ComplaintsWork], Awaitable[bool]]
ON_COMPLAINT: dict[Tap, ComplaintAction] = {
    Tap.CATEGORY: _category,
    Tap.NO_COMPLAINTS: _no_complaints,
    Tap.DONE: _complaints_done,
    Tap.URGENCY: _urgency,
    Tap.COMPLAINT_SET: _complaint_set,
    Tap.COMPLAINT_CARD: _complaint_card,
    Tap.COMPLAINT_SAVE: _complaint_save,
    Tap.COMPLAINT_MORE: _complaint_save,
}
"""Buttons of the complaints question (any other press on it is stale)."""


async def _discard(
    update: Update, context: BotContext, actor: Actor, draft: Draft, *, show_menu: bool
) -> None:
    services = context.services
    query = update.callback_query
    assert query is not None
    assert query.message is not None
    now = services.clock.now()
    async with services.db.transaction(update_id=update.update_id, now=now) as tx:
        current = await tx.drafts.of_officer(actor.active_officer.id)
        if current is None or current.id != draft.id or current.version != draft.version:
            raise Stale
        await tx.drafts.delete(draft.id)
    await report_photos.release_photos(services, report_photos.draft_photos(current))
    await query.answer()
    await _strip(query.message)
    chat = query.message.chat
    await chat.send_message(services.texts(actor.language, "reports.discarded"))
    if show_menu:
        text, markup = activity_menu(services, actor.language)
        await chat.send_message(text, reply_markup=markup)


def now_of(message: Message | None, services: Services) -> datetime:
    """When the officer acted: the message's date, else the clock."""
    return message.date if message is not None else services.clock.now()
