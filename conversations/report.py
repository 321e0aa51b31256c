"""The one engine that walks any activity form, from "which activity?" to the submitted report.

State lives in ``report_drafts``: every answer is written (in the transaction that also records
the Telegram update id) before the bot replies, so a restart continues at the same step and a
redelivered update changes nothing. Buttons carry the draft id and version; a button from an
older message, another draft or another person is answered as stale.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta

from telegram import Message, Update
from telegram.error import BadRequest

from conversations import report_correct, report_photos, report_place, report_submit
from conversations.report_view import (
    NS,
    activity_menu,
    cancel_question,
    draft_question,
    equipment_state,
    prompt,
)
from domain import answers as parse
from domain import reports as flow
from domain.answers import (
    Complaint,
    InvalidAnswer,
    Location,
    TimeRange,
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
from domain.reports import REVIEW, Draft
from ui import callbacks
from ui.access import Actor
from ui.callbacks import Stale
from ui.messages import edit_html, send_html
from ui.services import BotContext, Services

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


Change = Callable[[Draft], Draft]


async def open_draft(services: Services, officer_id: int) -> Draft | None:
    """The officer's open draft, if any."""
    async with services.db.reading() as repos:
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
    """Load, change and store the draft in one transaction that records the update.

    Raises:
        Stale: no draft, or not the draft/version the button was made for.
        InvalidAnswer: the change refused the input (nothing is stored).
    """
    now = services.clock.now()
    async with services.db.transaction(update_id=update.update_id, now=now) as tx:
        draft = await tx.drafts.of_officer(officer_id)
        if draft is None or (draft_id is not None and draft.id != draft_id):
            raise Stale
        if version is not None and draft.version != version:
            raise Stale
        return await tx.drafts.save(change(draft), now, bump=bump)


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
    if draft.step == REVIEW:
        await message.reply_text(services.texts(language, "reports.wrong.buttons"))
        return
    activity = services.catalogue.activity(draft.activity_code)
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
    if message.text is None and not contact_card:
        key = "reports.wrong.location" if isinstance(form_field, LocationField) else (
            "reports.wrong.text"
        )
        await message.reply_text(services.texts(language, key))
        return
    try:
        if contact_card:
            assert isinstance(form_field, ComplaintsField)
            change = _contact_card_change(draft, message)
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
            return lambda d: flow.with_work(d, pending=typed.to_json())
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
    if draft.work.get("phase") != "reasons" or not state.needs_reason():
        return None
    updated = state.set_reason(state.needs_reason()[0], raw)
    return lambda d: _equipment_next(activity, d, updated)


def _equipment_next(activity: Activity, draft: Draft, state: parse.EquipmentState) -> Draft:
    if state.is_complete():
        return flow.after_answer(activity, draft, draft.step, state.to_json())
    return flow.with_work(draft, state=state.to_json(), phase="reasons")


_COMPLAINT_NEXT = {"description": "place", "place": "name", "name": "contact",
                   "contact": "urgency"}


def _contact_card_change(draft: Draft, message: Message) -> Change | None:
    """A shared contact card at the resident's name or phone: it fills both (the name only when
    none was typed) and moves on to the urgency; None at any other phase (buttons then)."""
    card = message.contact
    assert card is not None
    phase = draft.work.get("phase", "menu")
    if phase not in ("name", "contact"):
        return None
    current = dict(draft.work.get("current", {}))
    phone = card.phone_number.strip()
    if phone and not phone.startswith(("+", "0", "62")):
        phone = "+" + phone  # Telegram sends international numbers without their "+"
    current["contact"] = parse.resident_contact(phone)
    full_name = " ".join(p for p in (card.first_name, card.last_name) if p)
    if not current.get("name") and full_name.strip():
        current["name"] = parse.resident_name(full_name)
    return lambda d: flow.with_work(d, current=current, phase="urgency")


def _complaint_text(
    services: Services, form_field: ComplaintsField, draft: Draft, raw: str
) -> Change | None:
    phase = draft.work.get("phase", "menu")
    current = dict(draft.work.get("current", {}))
    if phase == "category":
        current["category"] = parse.complaint_category(
            raw, services.catalogue.categories_for(form_field)
        )
        following = "description"
    elif phase == "urgency":
        level = parse.urgency(raw, services.catalogue.urgency_levels)
        return lambda d: _complaint_finish(d, current, level)
    elif phase in _COMPLAINT_NEXT:
        cleaners: dict[str, Callable[[str], str]] = {
            "description": parse.complaint_description,
            "place": parse.complaint_place,
            "name": parse.resident_name,
            "contact": parse.resident_contact,
        }
        current[phase] = cleaners[phase](raw)
        following = _COMPLAINT_NEXT[phase]
    else:
        return None
    return lambda d: flow.with_work(d, current=current, phase=following)


def _complaint_finish(draft: Draft, current: dict[str, str], level: str) -> Draft:
    item = Complaint(
        category=current["category"],
        description=current["description"],
        place=current["place"],
        urgency=level,
        resident_name=current.get("name"),
        resident_contact=current.get("contact"),
    )
    items = [*draft.work.get("items", []), item.to_json()]
    return flow.with_work(draft, items=items, phase="menu", current={})


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
    guess = report_place.resolve_pin(services, pin)
    venue = message.venue
    place: str | None = None
    if venue is not None:
        try:
            place = parse.venue_place(venue.title, venue.address)
        except InvalidAnswer:
            place = None  # a venue without usable text is just its pin

    def change(draft: Draft) -> Draft:
        if draft.step != form_field.key:
            raise Stale
        if place is not None:
            # A shared venue names the place and pins it: the step is answered.
            kelurahan = draft.work.get("kel") or guess
            location = {**Location(pin, place, kelurahan).to_json(), "live": None}
            activity = services.catalogue.activity(draft.activity_code)
            return flow.after_answer(activity, draft, form_field.key, location)
        return flow.with_work(draft, pin=pin.to_json(), live=live, kel_guess=guess)

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
        draft_id, version = int(raw_id), int(raw_version)
    except (ValueError, callbacks.CallbackDataError):
        await query.answer(stale, show_alert=True)
        return
    officer = actor.active_officer
    if action == "new":
        await _new_draft(update, context, actor, args[0] if args else "")
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
        await _act(update, context, actor, draft, action, args)
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
            fresh = flow.new_draft(draft_id, officer.id, activity)
            draft = await tx.drafts.save(fresh, now)
    if existing is not None:
        await query.answer(services.texts(actor.language, "button.stale"), show_alert=True)
        return
    await query.answer()
    await _strip(query.message)
    await send_prompt(query.message, services, draft, actor.language)  # type: ignore[arg-type]


async def _strip(message: object) -> None:
    """Take the buttons off an answered question (so it cannot be answered twice)."""
    if not isinstance(message, Message):
        return
    try:
        await message.edit_reply_markup(None)
    except BadRequest:
        logger.debug("could not remove buttons from message %s", message.message_id)


async def _act(
    update: Update, context: BotContext, actor: Actor, draft: Draft, action: str,
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

    if action == "resume":
        await query.answer()
        await _strip(message)
        await send_prompt(message, services, draft, language)  # type: ignore[arg-type]
        return
    if action in ("discard", "drop"):
        await _discard(update, context, actor, draft, show_menu=action == "discard")
        return
    if action == "stay":
        await query.answer()
        await _strip(message)
        await send_prompt(message, services, draft, language)  # type: ignore[arg-type]
        return
    if action == "cancel":
        await query.answer()
        text, markup = cancel_question(services, draft, language)
        await message.chat.send_message(text, reply_markup=markup)
        return
    if action == "back":
        await store(lambda d: flow.back(activity, d))
        return
    if draft.step == REVIEW:
        editable = flow.correctable_fields(activity) if draft.is_correction else activity.fields
        if action == "edit" and args and args[0] in {f.key for f in editable}:
            await store(lambda d: flow.edit(activity, d, args[0]))
            return
        if action == "submit" and not draft.is_correction:
            await report_submit.submit(update, context, actor, draft)
            return
        if action == "save" and draft.is_correction:
            await report_correct.save(update, context, actor, draft)
            return
        raise Stale
    form_field = activity.field(draft.step)
    key = form_field.key
    now = services.clock.now()
    if action == "keep" and draft.answers.get(key) is not None:
        await store(lambda d: flow.after_answer(activity, d, key, d.answers[key]))
    elif action == "skip" and not form_field.required:
        await store(lambda d: flow.after_answer(activity, d, key, None))
    elif action == "opt" and isinstance(form_field, ChoiceField) and args:
        option = parse.choice(form_field, args[0])
        await store(lambda d: flow.after_answer(activity, d, key, option))
    elif action == "tog" and isinstance(form_field, MultiChoiceField) and args:
        selected = parse.toggle_option(form_field, draft.work.get("selected", []), args[0])
        await store(lambda d: flow.with_work(d, selected=selected), in_place=True)
    elif action == "done" and isinstance(form_field, MultiChoiceField):
        chosen = parse.multi_choice(form_field, draft.work.get("selected", []))
        await store(lambda d: flow.after_answer(activity, d, key, chosen))
    elif action == "now" and form_field.type == FieldType.TIME_RANGE:
        suggestion = default_time_range(now, activity.duration_minutes).to_json()
        await store(lambda d: flow.after_answer(activity, d, key, suggestion))
    elif action == "tok" and "pending" in draft.work:
        pending = TimeRange.from_json(draft.work["pending"]).to_json()
        await store(lambda d: flow.after_answer(activity, d, key, pending))
    elif action == "ack" and form_field.type == FieldType.WARNINGS_ACK:
        ack = WarningsAck(now).to_json()
        await store(lambda d: flow.after_answer(activity, d, key, ack))
    elif action == "done" and form_field.type == FieldType.LOCATION:
        if not report_place.has_answer(draft.work):
            raise Stale
        location = report_place.location_answer(draft.work)
        await store(lambda d: flow.after_answer(activity, d, key, location))
    elif (action == report_place.KELURAHAN_ACTION and form_field.type == FieldType.LOCATION
          and len(args) == 1 and report_place.may_pick(draft, args[0])):
        answered, work = report_place.picked(draft.work, args[0])
        if answered:
            location = report_place.location_answer(work)
            await store(lambda d: flow.after_answer(activity, d, key, location))
        else:
            await store(lambda d: flow.with_work(d, **work))
    elif form_field.type == FieldType.EQUIPMENT and action in ("eq", "eqall", "done"):
        await _equipment_button(store, activity, draft, action, args)
    elif isinstance(form_field, ComplaintsField):
        await _complaint_button(store, services, activity, form_field, draft, action, args)
    elif action == "done" and isinstance(form_field, PhotosField):
        photos = list(draft.work.get("photos", []))
        parse.check_photos_done(form_field, len(photos))
        await store(lambda d: flow.after_answer(activity, d, key, d.work.get("photos", [])))
    else:
        raise Stale


async def _equipment_button(
    store: Callable[..., Awaitable[None]],
    activity: Activity,
    draft: Draft,
    action: str,
    args: list[str],
) -> None:
    state = equipment_state(activity, draft)
    if draft.work.get("phase") == "reasons":
        raise Stale
    if action == "eq" and args:
        toggled = state.toggle(args[0])
        await store(lambda d: flow.with_work(d, state=toggled.to_json()),
                    in_place=True)
    elif action == "eqall":
        complete = state.all_complete().to_json()
        await store(lambda d: flow.after_answer(activity, d, d.step, complete))
    else:
        await store(lambda d: _equipment_next(activity, d, state))


async def _complaint_button(
    store: Callable[..., Awaitable[None]],
    services: Services,
    activity: Activity,
    form_field: ComplaintsField,
    draft: Draft,
    action: str,
    args: list[str],
) -> None:
    work = draft.work
    phase = work.get("phase", "menu")
    items = list(work.get("items", []))
    current = dict(work.get("current", {}))
    key = form_field.key
    if action == "cadd" and phase == "menu":
        parse.check_can_add_complaint(form_field, len(items))
        await store(lambda d: flow.with_work(d, phase="category", current={}))
    elif action == "none" and phase == "menu" and not items:
        await store(lambda d: flow.after_answer(activity, d, key, []))
    elif action == "done" and phase == "menu":
        await store(lambda d: flow.after_answer(activity, d, key, items))
    elif action == "cat" and phase == "category" and args:
        current["category"] = parse.complaint_category(
            args[0], services.catalogue.categories_for(form_field)
        )
        await store(
            lambda d: flow.with_work(d, current=current, phase="description")
        )
    elif action == "cskip" and phase in ("name", "contact"):
        following = _COMPLAINT_NEXT[phase]
        await store(lambda d: flow.with_work(d, phase=following))
    elif action == "urg" and phase == "urgency" and args:
        level = parse.urgency(args[0], services.catalogue.urgency_levels)
        await store(lambda d: _complaint_finish(d, current, level))
    else:
        raise Stale


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
