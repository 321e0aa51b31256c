"""/tugas: a leader assigns officers of their unit to a post, step by step; moving a post too.

State lives in ``assignment_drafts`` (one per leader) and every answer is stored in the
transaction that records the Telegram update, like the report engine: a restart continues at
the same step and a redelivered update changes nothing. Buttons carry the draft's version, so
a button from an older message is answered as stale. Saving stores the post, its officers and
every notification they will get in one transaction, then sends what is due at once.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from telegram import InlineKeyboardMarkup, Update

from domain.access import reach
from domain.people import Officer
from domain.schedule import (
    AssignDraft,
    Assignment,
    PostStatus,
    ScheduleInputError,
    at_local,
    clean_place,
    clean_sprin,
    days_ahead,
    local_day,
    parse_clock,
    parse_clock_text,
    parse_date,
    parse_minutes,
    post_start,
)
from jobs.notifications import run_due_notifications
from jobs.planning import schedule_config
from ui import callbacks
from ui.access import Actor
from ui.callbacks import Stale
from ui.messages import Button, chunked, inline, local_time
from ui.services import BotContext, Services
from ui.views import activity_name, names, offsets_text, when_text
from usecases import schedule

NS = callbacks.Namespace.ASSIGN


class Do(StrEnum):
    """What a /tugas button does (the part after the draft's version)."""

    CANCEL = "cancel"
    KEEP = "keep"  # /batal answered "no": ask the current step again
    SAVE = "save"
    ACTIVITY = "act"
    DATE = "date"
    TIME = "time"
    DURATION = "dur"
    NO_SPRIN = "nosprin"
    TOGGLE_OFFICER = "tog"
    OFFICER_PAGE = "opg"
    DONE = "done"


NEW_STEPS = ("activity", "place", "date", "time", "duration", "sprin", "officers", "confirm")
MOVE_STEPS = ("date", "time", "confirm")
DATE_BUTTONS = 7
TYPING_LIFETIME = timedelta(hours=2)
OFFICERS_PER_PAGE = 20
"""Officers on one page of the choice (a KBO's or Kasat's units hold more than the 100
buttons Telegram allows on one keyboard)."""


def _data(draft: AssignDraft, action: str, *args: str | int) -> str:
    return callbacks.pack(NS, draft.version, action, *args)


def _officer_page(draft: AssignDraft) -> int:
    page = draft.answers.get("officer_page", 0)
    return page if isinstance(page, int) and page >= 0 else 0


def _next_step(draft: AssignDraft) -> str:
    steps = MOVE_STEPS if draft.mode == "move" else NEW_STEPS
    return steps[steps.index(draft.step) + 1]


def _answered(draft: AssignDraft, **answers: Any) -> AssignDraft:
    return replace(draft, answers={**draft.answers, **answers}, step=_next_step(draft))


async def units_officers(services: Services, leader: Officer) -> list[Officer]:
    """The active officers a leader may assign (their reach)."""
    async with services.db.reading() as repos:
        return await repos.officers.in_units(reach(leader, services.organisation))


# ------------------------------------------------------------------------------- entries


async def begin(update: Update, context: BotContext, actor: Actor) -> None:
    """/tugas: start a new assignment (or show the step of the one in progress)."""
    services = context.services
    leader = actor.active_officer
    message = update.effective_message
    assert message is not None
    now = services.clock.now()
    async with services.db.transaction(update_id=update.update_id, now=now) as tx:
        draft = await tx.assign_drafts.get(leader.id)
        if draft is None:
            draft = await tx.assign_drafts.save(
                AssignDraft(officer_id=leader.id, mode="new", step="activity"), now
            )
        else:
            # Touched again: typed answers belong to it, and its older buttons go stale.
            draft = await tx.assign_drafts.save(draft, now)
    if draft.step != "activity":
        await message.reply_text(services.texts(actor.language, "schedule.assign.open_draft"))
    text, markup = await prompt(services, draft, leader, actor.language)
    await message.reply_text(text, reply_markup=markup)


async def ask_cancel(update: Update, context: BotContext, actor: Actor) -> bool:
    """/batal with an assignment open: ask before discarding it. False when there is none."""
    officer = actor.officer
    message = update.effective_message
    if officer is None or not officer.is_active or message is None:
        return False
    services = context.services
    async with services.db.reading() as repos:
        draft = await repos.assign_drafts.get(officer.id)
    if draft is None:
        return False
    texts, language = services.texts, actor.language
    await message.reply_text(
        texts(language, "schedule.assign.discard_confirm"),
        reply_markup=inline([[
            (texts(language, "schedule.button.discard_yes"), _data(draft, Do.CANCEL)),
            (texts(language, "schedule.button.discard_no"), _data(draft, Do.KEEP)),
        ]]),
    )
    return True


async def begin_move(
    update: Update, context: BotContext, actor: Actor, assignment: Assignment
) -> None:
    """Moving a post: the same conversation, asking only the new date and time."""
    services = context.services
    leader = actor.active_officer
    now = services.clock.now()
    async with services.db.transaction(update_id=update.update_id, now=now) as tx:
        draft = await tx.assign_drafts.save(
            AssignDraft(officer_id=leader.id, mode="move", step="date",
                        assignment_id=assignment.id,
                        answers={"revision": assignment.revision,
                                 "duration": assignment.duration_minutes,
                                 "activity": assignment.activity_code}),
            now,
        )
    query = update.callback_query
    assert query is not None
    assert query.message is not None
    await query.answer()
    text, markup = await prompt(services, draft, leader, actor.language, assignment=assignment)
    await context.bot.send_message(query.message.chat.id, text, reply_markup=markup)


# -------------------------------------------------------------------------------- prompts


async def prompt(
    services: Services, draft: AssignDraft, leader: Officer, language: str,
    *, assignment: Assignment | None = None,
) -> tuple[str, InlineKeyboardMarkup]:
    """The current step's question and buttons."""
    texts = services.texts
    tz = services.settings.tz
    answers = draft.answers
    code = str(answers.get("activity", ""))
    activity = html.escape(activity_name(services, code, language)) if code else ""
    rows: list[list[Button]] = []
    step = draft.step
    if step == "activity":
        text = texts(language, "schedule.assign.choose_activity")
        rows = chunked([(a.name.get(language), _data(draft, Do.ACTIVITY, a.code))
                        for a in services.catalogue.activities], 2)
    elif step == "place":
        text = texts(language, "schedule.assign.ask_place", activity=activity)
    elif step == "date":
        if draft.mode == "move" and assignment is not None:
            text = texts(language, "schedule.assign.move_ask_date", activity=activity,
                         when=when_text(services, assignment, language))
        else:
            text = texts(language, "schedule.assign.ask_date")
        today = local_day(services.clock.now(), tz)
        rows = chunked([(_day_label(services, day, today, language),
                         _data(draft, Do.DATE, day.strftime("%Y%m%d")))
                        for day in days_ahead(today, DATE_BUTTONS)], 3)
    elif step == "time":
        text = texts(language, "schedule.assign.ask_time")
        usual = _usual_time(services, code)
        if usual is not None:
            rows = [[(texts(language, "schedule.button.time_default",
                            time=usual.strftime("%H.%M" if language == "id" else "%H:%M")),
                      _data(draft, Do.TIME, usual.strftime("%H%M")))]]
    elif step == "duration":
        standard = services.catalogue.activity(code).duration_minutes
        text = texts(language, "schedule.assign.ask_duration", minutes=standard)
        rows = [[(texts(language, "schedule.button.default_duration", minutes=standard),
                  _data(draft, Do.DURATION, standard))]]
        rows.append([
            (texts(language, "schedule.button.minutes", minutes=m), _data(draft, Do.DURATION, m))
            for m in (90, 120, 180) if m != standard
        ])
    elif step == "sprin":
        text = texts(language, "schedule.assign.ask_sprin")
        rows = [[(texts(language, "schedule.button.skip"), _data(draft, Do.NO_SPRIN))]]
    elif step == "officers":
        officers = await units_officers(services, leader)
        if not officers:
            text = texts(language, "schedule.assign.no_officers")
        else:
            text = texts(language, "schedule.assign.ask_officers")
            chosen = set(_ids(answers.get("officers")))
            pages = (len(officers) + OFFICERS_PER_PAGE - 1) // OFFICERS_PER_PAGE
            page = min(_officer_page(draft), pages - 1)
            shown = officers[page * OFFICERS_PER_PAGE:(page + 1) * OFFICERS_PER_PAGE]
            rows = [[(("✅ " if o.id in chosen else "⬜ ") + " ".join(
                p for p in (o.rank, o.full_name) if p)[:50],
                _data(draft, Do.TOGGLE_OFFICER, o.id))]
                for o in shown]
            if pages > 1:
                text += "\n" + texts(language, "schedule.assign.officers_page", page=page + 1,
                                     pages=pages, chosen=len(chosen))
                paging = []
                if page > 0:
                    paging.append((texts(language, "desk.newer"),
                                   _data(draft, Do.OFFICER_PAGE, page - 1)))
                if page + 1 < pages:
                    paging.append((texts(language, "desk.older"),
                                   _data(draft, Do.OFFICER_PAGE, page + 1)))
                rows.append(paging)
            rows.append([(texts(language, "schedule.button.done"), _data(draft, Do.DONE))])
    else:
        text = await _confirm_text(services, draft, language, assignment)
        label = "schedule.button.save_move" if draft.mode == "move" else "schedule.button.save"
        rows = [[(texts(language, label), _data(draft, Do.SAVE))]]
    rows.append([(texts(language, "button.cancel"), _data(draft, Do.CANCEL))])
    return text, inline(rows)


def _day_label(services: Services, day: date, today: date, language: str) -> str:
    if day == today:
        return services.texts(language, "schedule.button.today")
    if day == today + timedelta(days=1):
        return services.texts(language, "schedule.button.tomorrow")
    weekday = services.texts(language, f"day.{day.weekday()}")
    return f"{weekday[:3]} {day.strftime('%d/%m')}"


def _usual_time(services: Services, code: str) -> time | None:
    """The start time of the activity's recurring rule, offered as a one-tap answer."""
    for rule in schedule_config(services).rules:
        if rule.activity == code:
            return parse_clock_text(rule.start)
    return None


def _ids(value: object) -> list[int]:
    return [int(item) for item in value] if isinstance(value, list) else []


def planned_times(services: Services, answers: dict[str, Any]) -> tuple[datetime, datetime]:
    """Start and end of the post the answers describe (wall clock in the precinct's zone)."""
    day = date.fromisoformat(str(answers["date"]))
    start = at_local(day, parse_clock_text(str(answers["time"])), services.settings.tz)
    return start, start + timedelta(minutes=int(answers["duration"]))


async def _confirm_text(
    services: Services, draft: AssignDraft, language: str, assignment: Assignment | None
) -> str:
    texts = services.texts
    answers = draft.answers
    start, end = planned_times(services, answers)
    code = str(answers["activity"])
    probe = Assignment(id=0, activity_code=code, unit_code=None, place=None, starts_at=start,
                       ends_at=end, sprin=None, status=PostStatus.PLANNED, revision=0,
                       rule_key=None, created_by=None)
    activity = html.escape(activity_name(services, code, language))
    if draft.mode == "move" and assignment is not None:
        return texts(language, "schedule.assign.move_confirm", activity=activity,
                     old=when_text(services, assignment, language),
                     new=when_text(services, probe, language))
    async with services.db.reading() as repos:
        officers = {}
        for officer_id in _ids(answers.get("officers")):
            found = await repos.officers.by_id(officer_id)
            if found is not None:
                officers[officer_id] = found
    return texts(
        language, "schedule.assign.confirm", activity=activity,
        when=when_text(services, probe, language),
        place=html.escape(str(answers.get("place", ""))),
        sprin=html.escape(str(answers.get("sprin") or "—")),
        names=names(_ids(answers.get("officers")), officers),
    )


# ------------------------------------------------------------------------------ messages


async def route(update: Update, context: BotContext, actor: Actor) -> bool:
    """The private-message route: a leader with an assignment open is answering its step."""
    officer = actor.officer
    if officer is None or not officer.is_active:
        return False
    services = context.services
    async with services.db.point_reads() as repos:
        draft = await repos.assign_drafts.get(officer.id)
        report = await repos.drafts.of_officer(officer.id) if draft is not None else None
        asked = await repos.desk_inputs.get(officer.id) if draft is not None else None
    if draft is None:
        return False
    # Whatever the person touched last gets the typed answer: a report in progress or a
    # question of the leaders' desk asked after the assignment's last step.
    touched = [moment for moment in (report.updated_at if report else None,
                                     asked.created_at if asked else None) if moment is not None]
    if draft.updated_at is not None and any(moment > draft.updated_at for moment in touched):
        return False
    if draft.updated_at is not None and services.clock.now() - draft.updated_at > TYPING_LIFETIME:
        return False  # left for hours: a typed message is not its answer (/tugas resumes it)
    message = update.effective_message
    assert message is not None
    language = actor.language
    raw = message.text
    if raw is None:
        await message.reply_text(services.texts(language, "schedule.input.text_only"))
        return True
    try:
        change = _text_change(services, draft, raw)
    except ScheduleInputError as problem:
        await message.reply_text(services.texts(language, problem.key, **problem.params))
        return True
    if change is None:
        await message.reply_text(services.texts(language, "schedule.input.text_only"))
        return True
    await _store_and_prompt(update, context, actor, draft, change)
    return True


def _text_change(
    services: Services, draft: AssignDraft, raw: str
) -> Callable[[AssignDraft], AssignDraft] | None:
    step = draft.step
    tz = services.settings.tz
    if step == "place":
        place = clean_place(raw)
        return lambda d: _answered(d, place=place)
    if step == "date":
        day = parse_date(raw, local_day(services.clock.now(), tz))
        return lambda d: _answered(d, date=day.isoformat())
    if step == "time":
        # 24.00 is the midnight that ends the chosen day: the post starts the next day.
        day, clock = post_start(date.fromisoformat(str(draft.answers["date"])), parse_clock(raw))
        _check_future(services, day, clock)
        return lambda d: _answered(d, date=day.isoformat(), time=clock.strftime("%H:%M"))
    if step == "duration":
        minutes = parse_minutes(raw)
        return lambda d: _answered(d, duration=minutes)
    if step == "sprin":
        sprin = clean_sprin(raw)
        return lambda d: _answered(d, sprin=sprin)
    return None


def _check_future(services: Services, day: date, clock: time) -> None:
    if at_local(day, clock, services.settings.tz) <= services.clock.now():
        raise ScheduleInputError("schedule.assign.in_past")


async def _store_and_prompt(
    update: Update, context: BotContext, actor: Actor, draft: AssignDraft,
    change: Callable[[AssignDraft], AssignDraft], *, version: int | None = None,
) -> None:
    services = context.services
    leader = actor.active_officer
    now = services.clock.now()
    async with services.db.transaction(update_id=update.update_id, now=now) as tx:
        current = await tx.assign_drafts.get(leader.id)
        if current is None or current.version != (version or draft.version):
            raise Stale
        saved = await tx.assign_drafts.save(change(current), now)
        assignment = (await tx.assignments.by_id(saved.assignment_id)
                      if saved.assignment_id is not None else None)
    text, markup = await prompt(services, saved, leader, actor.language, assignment=assignment)
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_message(chat.id, text, reply_markup=markup)


# ------------------------------------------------------------------------------- buttons


async def on_button(update: Update, context: BotContext, actor: Actor) -> None:
    """Any /tugas button: check it belongs to the open draft's current version, then act."""
    services = context.services
    query = update.callback_query
    assert query is not None
    language = actor.language
    stale = services.texts(language, "button.stale")
    try:
        raw_version, action, *args = callbacks.unpack(query.data, NS)
        version = callbacks.number(raw_version)
    except (ValueError, callbacks.CallbackDataError):
        await query.answer(stale, show_alert=True)
        return
    leader = actor.active_officer
    async with services.db.reading() as repos:
        draft = await repos.assign_drafts.get(leader.id)
    if draft is None or draft.version != version:
        await query.answer(stale, show_alert=True)
        return
    try:
        await _act(update, context, actor, draft, action, args)
    except Stale:
        await query.answer(stale, show_alert=True)
    except ScheduleInputError as problem:
        await query.answer(services.texts(language, problem.key, **problem.params)[:200],
                           show_alert=True)


Change = Callable[[AssignDraft], AssignDraft]
ChangeFor = Callable[[Services, Actor, AssignDraft, list[str]], Awaitable[Change]]


async def _activity(services: Services, actor: Actor, draft: AssignDraft, args: list[str]
                    ) -> Change:
    if not args or not services.catalogue.has_activity(args[0]):
        raise Stale
    code = args[0]
    return lambda d: _answered(d, activity=code)


async def _date(services: Services, actor: Actor, draft: AssignDraft, args: list[str]
                ) -> Change:
    if not args:
        raise Stale
    day = parse_date(f"{args[0][6:8]}/{args[0][4:6]}/{args[0][:4]}",
                     local_day(services.clock.now(), services.settings.tz))
    return lambda d: _answered(d, date=day.isoformat())


async def _time(services: Services, actor: Actor, draft: AssignDraft, args: list[str]
                ) -> Change:
    hhmm = callbacks.as_id(args[0]) if args and len(args[0]) == 4 else None
    if hhmm is None or hhmm // 100 > 23 or hhmm % 100 > 59:
        raise Stale
    clock = time(hhmm // 100, hhmm % 100)
    _check_future(services, date.fromisoformat(str(draft.answers["date"])), clock)
    return lambda d: _answered(d, time=clock.strftime("%H:%M"))


async def _duration(services: Services, actor: Actor, draft: AssignDraft, args: list[str]
                    ) -> Change:
    if not args:
        raise Stale
    minutes = parse_minutes(args[0])
    return lambda d: _answered(d, duration=minutes)


async def _no_sprin(services: Services, actor: Actor, draft: AssignDraft, args: list[str]
                    ) -> Change:
    return lambda d: _answered(d, sprin=None)


async def _toggle_officer(services: Services, actor: Actor, draft: AssignDraft,
                          args: list[str]) -> Change:
    allowed = {o.id for o in await units_officers(services, actor.active_officer)}
    officer_id = callbacks.as_id(args[0]) if args else None
    if officer_id is None or officer_id not in allowed:
        raise Stale
    picked = sorted(set(_ids(draft.answers.get("officers"))) ^ {officer_id})
    return lambda d: replace(d, answers={**d.answers, "officers": picked})


async def _turn_officer_page(services: Services, actor: Actor, draft: AssignDraft,
                             args: list[str]) -> Change:
    page = callbacks.as_id(args[0]) if args else None
    if page is None:
        raise Stale
    return lambda d: replace(d, answers={**d.answers, "officer_page": page})


async def _keep(services: Services, actor: Actor, draft: AssignDraft, args: list[str]
                ) -> Change:
    return lambda d: d


async def _done(services: Services, actor: Actor, draft: AssignDraft, args: list[str]
                ) -> Change:
    if not _ids(draft.answers.get("officers")):
        raise ScheduleInputError("schedule.assign.pick_one")
    return lambda d: replace(d, step="confirm")


CHANGES: dict[Do, tuple[str | None, ChangeFor]] = {
    Do.ACTIVITY: ("activity", _activity),
    Do.DATE: ("date", _date),
    Do.TIME: ("time", _time),
    Do.DURATION: ("duration", _duration),
    Do.NO_SPRIN: ("sprin", _no_sprin),
    Do.TOGGLE_OFFICER: ("officers", _toggle_officer),
    Do.OFFICER_PAGE: ("officers", _turn_officer_page),
    Do.KEEP: (None, _keep),
    Do.DONE: ("officers", _done),
}
"""The step each button answers (None: any) and how it changes the draft."""
IN_PLACE = frozenset({Do.TOGGLE_OFFICER, Do.OFFICER_PAGE})
"""Buttons that edit the officers list in place instead of asking the next step."""


async def _act(
    update: Update, context: BotContext, actor: Actor, draft: AssignDraft, action: str,
    args: list[str],
) -> None:
    services = context.services
    query = update.callback_query
    assert query is not None
    try:
        do = Do(action)
    except ValueError:
        raise Stale from None
    if do is Do.CANCEL:
        await _cancel(update, context, actor)
        return
    if do is Do.SAVE:
        if draft.step != "confirm":
            raise Stale
        await (_save_move if draft.mode == "move" else _save_new)(update, context, actor, draft)
        return
    step, change_for = CHANGES[do]
    if step is not None and draft.step != step:
        raise Stale
    change = await change_for(services, actor, draft, args)
    await query.answer()
    if do in IN_PLACE:
        await _store_in_place(update, context, actor, draft, change)
        return
    await _strip(query)
    await _store_and_prompt(update, context, actor, draft, change, version=draft.version)


async def _store_in_place(
    update: Update, context: BotContext, actor: Actor, draft: AssignDraft,
    change: Callable[[AssignDraft], AssignDraft],
) -> None:
    services = context.services
    now = services.clock.now()
    async with services.db.transaction(update_id=update.update_id, now=now) as tx:
        current = await tx.assign_drafts.get(actor.active_officer.id)
        if current is None or current.version != draft.version:
            raise Stale
        saved = await tx.assign_drafts.save(change(current), now)
    text, markup = await prompt(services, saved, actor.active_officer, actor.language)
    query = update.callback_query
    assert query is not None
    await query.edit_message_text(text, reply_markup=markup)


async def _strip(query: Any) -> None:
    try:
        await query.edit_message_reply_markup(None)
    except Exception:  # noqa: BLE001 - an old message may not be editable any more
        return


async def _cancel(update: Update, context: BotContext, actor: Actor) -> None:
    services = context.services
    query = update.callback_query
    assert query is not None
    assert query.message is not None
    now = services.clock.now()
    async with services.db.transaction(update_id=update.update_id, now=now) as tx:
        await tx.assign_drafts.delete(actor.active_officer.id)
    await query.answer()
    await _strip(query)
    await context.bot.send_message(query.message.chat.id,
                                   services.texts(actor.language, "schedule.assign.cancelled"))


def _unit_of(leader: Officer, officers: list[Officer]) -> str | None:
    units = {o.unit_code for o in officers}
    return units.pop() if len(units) == 1 else leader.unit_code


async def _save_new(
    update: Update, context: BotContext, actor: Actor, draft: AssignDraft
) -> None:
    services = context.services
    query = update.callback_query
    assert query is not None
    assert query.message is not None
    leader = actor.active_officer
    now = services.clock.now()
    answers = draft.answers
    start, end = planned_times(services, answers)
    if start <= now:
        raise ScheduleInputError("schedule.assign.in_past")
    allowed = {o.id: o for o in await units_officers(services, leader)}
    chosen = [allowed[i] for i in _ids(answers.get("officers")) if i in allowed]
    if not chosen:
        raise ScheduleInputError("schedule.assign.pick_one")
    try:
        await schedule.create_post(
            services.db, leader, form_version=draft.version, activity=str(answers["activity"]),
            unit=_unit_of(leader, chosen), place=str(answers["place"]),
            sprin=str(answers["sprin"]) if answers.get("sprin") else None,
            starts_at=start, ends_at=end, officer_ids=[o.id for o in chosen],
            config=schedule_config(services), tz=services.settings.tz, now=now,
            update_id=update.update_id,
        )
    except schedule.PlanChanged:
        raise Stale from None
    await query.answer()
    await _strip(query)
    offsets = offsets_text(services, schedule_config(services).reminder_offsets_minutes,
                           actor.language)
    await context.bot.send_message(
        query.message.chat.id,
        services.texts(actor.language, "schedule.assign.saved", offsets=offsets),
    )
    await run_due_notifications(services, context.bot)


async def _save_move(
    update: Update, context: BotContext, actor: Actor, draft: AssignDraft
) -> None:
    services = context.services
    query = update.callback_query
    assert query is not None
    assert query.message is not None
    leader = actor.active_officer
    now = services.clock.now()
    start, end = planned_times(services, draft.answers)
    if start <= now:
        raise ScheduleInputError("schedule.assign.in_past")
    assert draft.assignment_id is not None
    try:
        assignment = await schedule.move_post(
            services.db, services.organisation, leader, draft.assignment_id,
            form_version=draft.version, revision=int(str(draft.answers["revision"])),
            starts_at=start, ends_at=end, config=schedule_config(services),
            tz=services.settings.tz, now=now, update_id=update.update_id,
        )
    except schedule.PlanChanged:
        raise Stale from None
    await query.answer()
    await _strip(query)
    await context.bot.send_message(
        query.message.chat.id,
        services.texts(actor.language, "schedule.assign.moved",
                       when=when_text(services, assignment, actor.language)),
    )
    await run_due_notifications(services, context.bot)


def may_manage(services: Services, leader: Officer, post: Assignment) -> bool:
    """Whether the leader may move or cancel the post (its unit is within their reach)."""
    return schedule.may_manage(services.organisation, leader, post)


def local_clock(services: Services, moment: datetime, language: str) -> str:
    """A moment as officers read it (re-exported for the schedule handlers)."""
    return local_time(moment, services.settings.tz, services.texts, language)
