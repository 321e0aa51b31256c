"""/jadwal and /tugas, the schedule buttons, and "Lapor sekarang" from a reminder.

/jadwal shows an officer their coming posts (in WITA) and whether their reminders are paused;
a leader also gets their units' posts as buttons to move or cancel, and who paused reminders
or blocked the bot. Every change is one transaction that records the update; the officers
affected are told through the notifications outbox, sent at once.
"""

from __future__ import annotations

import contextlib
import html
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from conversations import assign
from conversations.report import send_prompt
from domain import reports as flow
from domain.access import is_leader, reach
from domain.catalogue import FieldType
from domain.people import Officer
from domain.schedule import Assignment, PostStatus, report_prefill
from jobs.notifications import SCHEDULE_NS, Plan, run_due_notifications
from storage import Transaction
from ui import callbacks
from ui.access import Actor
from ui.messages import Button, chunked, inline, local_time
from ui.services import BotContext, Services
from ui.views import activity_name, name_of, names, place_text, post_lines, when_text
from usecases import schedule

VIEW_DAYS = 7
PAUSE_DAYS = (1, 3, 7, 14)
PAUSE_REASONS = ("cuti", "sakit", "dinas")
NS = SCHEDULE_NS


async def schedule_command(update: Update, context: BotContext, actor: Actor) -> None:
    """/jadwal: the officer's coming posts; for leaders also the units' posts to manage."""
    services = context.services
    message = update.effective_message
    assert message is not None
    officer = actor.active_officer
    language = actor.language
    texts = services.texts
    now = services.clock.now()
    until = now + timedelta(days=VIEW_DAYS)
    async with services.db.reading() as repos:
        recent = await repos.assignments.of_officer(officer.id, now - timedelta(days=1), until)
        pauses = await repos.pauses.current([officer.id], now)
        unreported = [post for post in recent if post.starts_at <= now
                      and await repos.assignments.reported_at(post, officer.id) is None]
    mine = [post for post in recent if post.ends_at > now]
    lines = [texts(language, "schedule.view.officer_heading", days=VIEW_DAYS)]
    for post in mine:
        lines.extend(post_lines(services, post, language))
    if not mine:
        lines = [texts(language, "schedule.view.officer_empty", days=VIEW_DAYS)]
    rows: list[list[Button]] = []
    for post in unreported[:5]:
        # A post that began (even yesterday, before midnight) is reported from here.
        local = post.starts_at.astimezone(services.settings.tz)
        label = texts(language, "schedule.button.report_post",
                      activity=activity_name(services, post.activity_code, language),
                      when=local.strftime("%d/%m %H.%M"))
        rows.append([(label[:60], callbacks.pack(NS, Plan.REPORT, post.id))])
    if pauses:
        pause = pauses[0]
        lines.append("")
        lines.append(texts(language, "schedule.view.paused_self",
                           until=local_time(pause.ends_at, services.settings.tz, texts, language),
                           reason=texts(language, f"schedule.reason.{pause.reason}")))
        button = (texts(language, "schedule.button.resume"), callbacks.pack(NS, Plan.RESUME))
    else:
        button = (texts(language, "schedule.button.pause"), callbacks.pack(NS, Plan.PAUSE))
    rows.append([button])
    await message.reply_text("\n".join(lines), reply_markup=inline(rows))
    if is_leader(officer, services.organisation):
        text, markup = await unit_view(services, officer, language)
        await message.reply_text(text, reply_markup=markup)


async def unit_view(
    services: Services, leader: Officer, language: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The leader's units' posts (as buttons), paused and blocked officers."""
    texts = services.texts
    tz = services.settings.tz
    now = services.clock.now()
    units = reach(leader, services.organisation)
    async with services.db.reading() as repos:
        posts = await repos.assignments.in_units(units, now - timedelta(hours=12),
                                                 now + timedelta(days=VIEW_DAYS))
        officers = {o.id: o for o in await repos.officers.in_units(units)}
        pauses = await repos.pauses.current(officers, now)
    posts = [post for post in posts if post.ends_at > now]
    if posts:
        lines = [texts(language, "schedule.view.unit_heading", days=VIEW_DAYS)]
        for post in posts:
            lines.extend(post_lines(services, post, language, officers))
        lines.extend(["", texts(language, "schedule.view.manage_hint")])
    else:
        lines = [texts(language, "schedule.view.unit_empty", days=VIEW_DAYS)]
    if pauses:
        lines.extend(["", texts(language, "schedule.view.paused_heading")])
        for pause in pauses:
            officer = officers.get(pause.officer_id)
            lines.append(texts(language, "schedule.view.paused_line",
                               name=name_of(officer) if officer else "—",
                               until=local_time(pause.ends_at, tz, texts, language),
                               reason=texts(language, f"schedule.reason.{pause.reason}")))
    blocked = [o for o in officers.values() if o.blocked_at is not None]
    if blocked:
        lines.append("")
        lines.extend(texts(language, "schedule.view.blocked_line", name=name_of(o))
                     for o in blocked)
    buttons: list[Button] = []
    for post in posts[:30]:
        local = post.starts_at.astimezone(tz)
        name = activity_name(services, post.activity_code, language)
        label = f"{local.strftime('%d/%m %H.%M')} {name}"
        buttons.append((label[:60], callbacks.pack(NS, Plan.POST, post.id)))
    return "\n".join(lines), inline(chunked(buttons, 1)) if buttons else None


async def assign_command(update: Update, context: BotContext, actor: Actor) -> None:
    """/tugas: assign officers to a post."""
    await assign.begin(update, context, actor)


async def schedule_button(update: Update, context: BotContext, actor: Actor) -> None:
    """A /jadwal or reminder button: report now, pause/resume, manage a post."""
    services = context.services
    query = update.callback_query
    assert query is not None
    stale = services.texts(actor.language, "button.stale")
    try:
        action, *args = callbacks.unpack(query.data, NS)
        numbers = callbacks.numbers(args)
    except callbacks.CallbackDataError:
        await query.answer(stale, show_alert=True)
        return
    act = callbacks.verb(Plan, action)
    if act is None or not await ON_PLAN[act](update, context, actor, act, args, numbers):
        await query.answer(stale, show_alert=True)


async def _report_post(update: Update, context: BotContext, actor: Actor, act: Plan,
                       args: list[str], numbers: list[int]) -> bool:
    if not numbers:
        return False
    await report_for_post(update, context, actor, numbers[0])
    return True


async def _ask_days(update: Update, context: BotContext, actor: Actor, act: Plan,
                    args: list[str], numbers: list[int]) -> bool:
    await _ask_pause(update, context, actor, None)
    return True


async def _ask_reason(update: Update, context: BotContext, actor: Actor, act: Plan,
                      args: list[str], numbers: list[int]) -> bool:
    if not numbers or numbers[0] not in PAUSE_DAYS:
        return False
    await _ask_pause(update, context, actor, numbers[0])
    return True


async def _pause_for(update: Update, context: BotContext, actor: Actor, act: Plan,
                     args: list[str], numbers: list[int]) -> bool:
    if not numbers or numbers[0] not in PAUSE_DAYS or args[-1] not in PAUSE_REASONS:
        return False
    await _pause(update, context, actor, numbers[0], args[-1])
    return True


async def _resume_now(update: Update, context: BotContext, actor: Actor, act: Plan,
                      args: list[str], numbers: list[int]) -> bool:
    await _resume(update, context, actor)
    return True


async def _keep_post(update: Update, context: BotContext, actor: Actor, act: Plan,
                     args: list[str], numbers: list[int]) -> bool:
    query = update.callback_query
    assert query is not None
    await query.answer()
    with contextlib.suppress(BadRequest):
        await query.edit_message_reply_markup(None)
    return True


async def _on_post(update: Update, context: BotContext, actor: Actor, act: Plan,
                   args: list[str], numbers: list[int]) -> bool:
    return await _manage(update, context, actor, act, numbers)


PlanAction = Callable[[Update, BotContext, Actor, Plan, list[str], list[int]], Awaitable[bool]]
ON_PLAN: dict[Plan, PlanAction] = {
    Plan.REPORT: _report_post,
    Plan.PAUSE: _ask_days,
    Plan.PAUSE_DAYS: _ask_reason,
    Plan.PAUSE_REASON: _pause_for,
    Plan.RESUME: _resume_now,
    Plan.KEEP: _keep_post,
    Plan.POST: _on_post,
    Plan.MOVE: _on_post,
    Plan.CANCEL: _on_post,
    Plan.CANCEL_YES: _on_post,
}
"""What each /jadwal button does; False when its data does not fit (answered as stale)."""


# ------------------------------------------------------------------------ report a post


async def report_for_post(
    update: Update, context: BotContext, actor: Actor, assignment_id: int
) -> None:
    """"Lapor sekarang": open a report draft tied to the post, with what the post knows."""
    services = context.services
    query = update.callback_query
    assert query is not None
    assert query.message is not None
    officer = actor.active_officer
    language = actor.language
    now = services.clock.now()
    problem: str | None = None
    async with services.db.transaction(update_id=update.update_id, now=now) as tx:
        post = await tx.assignments.by_id(assignment_id)
        existing = await tx.drafts.of_officer(officer.id)
        if post is None or post.status is not PostStatus.PLANNED or (
            officer.id not in post.officer_ids
        ) or not services.catalogue.has_activity(post.activity_code):
            problem = "schedule.report.gone"
        elif existing is not None and existing.assignment_id == post.id:
            draft = existing  # pressed again: continue the same draft
        elif existing is not None:
            problem = "schedule.report.draft_open"
        elif await tx.assignments.reported_at(post, officer.id) is not None:
            problem = "schedule.report.already"
        else:
            draft = await _open_draft(tx, services, post, officer.id, now)
    if problem is not None:
        await query.answer(services.texts(language, problem)[:200], show_alert=True)
        return
    await query.answer()
    await send_prompt(query.message, services, draft, language)  # type: ignore[arg-type]


async def _open_draft(
    tx: Transaction, services: Services, post: Assignment, officer_id: int, now: datetime
) -> flow.Draft:
    """A draft tied to the post, prefilled, at the first question the post cannot answer."""
    activity = services.catalogue.activity(post.activity_code)

    def first_key(kind: FieldType) -> str | None:
        found = activity.fields_of(kind)
        return found[0].key if found else None

    sprin = next((f.key for f in activity.fields if f.key == "sprin"), None)
    answers = report_prefill(post, sprin_key=sprin, time_key=first_key(FieldType.TIME_RANGE),
                             location_key=first_key(FieldType.LOCATION), now=now)
    draft_id = await tx.drafts.create(officer_id, activity.code, flow.first_step(activity), now,
                                      answers=dict(answers))
    await tx.assignments.bind_draft(draft_id, post.id)
    # What the post filled (and the form's defaults) is shown on the first question asked, and
    # confirmed by moving on.
    return await tx.drafts.save(flow.opened(draft_id, officer_id, activity, now, answers), now)


# --------------------------------------------------------------------------------- pauses


async def _ask_pause(
    update: Update, context: BotContext, actor: Actor, days: int | None
) -> None:
    services = context.services
    texts = services.texts
    language = actor.language
    query = update.callback_query
    assert query is not None
    if days is None:
        text = texts(language, "schedule.pause.ask_days")
        rows = chunked([(texts(language, "schedule.button.days", count=count),
                         callbacks.pack(NS, Plan.PAUSE_DAYS, count)) for count in PAUSE_DAYS], 4)
    else:
        text = texts(language, "schedule.pause.ask_reason")
        rows = [[(texts(language, f"schedule.reason.{reason}"),
                  callbacks.pack(NS, Plan.PAUSE_REASON, days, reason))
                 for reason in PAUSE_REASONS]]
    await query.answer()
    await query.edit_message_text(text, reply_markup=inline(rows))


async def _pause(
    update: Update, context: BotContext, actor: Actor, days: int, reason: str
) -> None:
    services = context.services
    query = update.callback_query
    assert query is not None
    officer = actor.active_officer
    ends = await schedule.pause_reminders(
        services.db, officer.id, days=days, reason=reason, now=services.clock.now(),
        update_id=update.update_id,
    )
    texts = services.texts
    language = actor.language
    await query.answer()
    await query.edit_message_text(texts(
        language, "schedule.pause.done",
        until=local_time(ends, services.settings.tz, texts, language),
        reason=texts(language, f"schedule.reason.{reason}"),
    ))


async def _resume(update: Update, context: BotContext, actor: Actor) -> None:
    services = context.services
    query = update.callback_query
    assert query is not None
    officer = actor.active_officer
    ended = await schedule.resume_reminders(services.db, officer.id, now=services.clock.now(),
                                            update_id=update.update_id)
    await query.answer()
    key = "schedule.pause.resumed" if ended else "schedule.pause.none"
    await query.edit_message_text(services.texts(actor.language, key))


# ----------------------------------------------------------------------- move and cancel


async def _manage(
    update: Update, context: BotContext, actor: Actor, action: Plan, numbers: list[int]
) -> bool:
    """A leader's button on a post: its card, move, cancel (asked), cancel (confirmed)."""
    services = context.services
    if not numbers or not is_leader(actor.active_officer, services.organisation):
        return False
    texts = services.texts
    language = actor.language
    query = update.callback_query
    assert query is not None
    leader = actor.active_officer
    async with services.db.reading() as repos:
        post = await repos.assignments.by_id(numbers[0])
        officers = {}
        for officer_id in post.officer_ids if post else ():
            found = await repos.officers.by_id(officer_id)
            if found is not None:
                officers[officer_id] = found
    now = services.clock.now()
    revision = numbers[1] if len(numbers) > 1 else None
    if post is None or post.status is not PostStatus.PLANNED or post.ends_at <= now or not (
        assign.may_manage(services, leader, post)
    ) or (revision is not None and revision != post.revision):
        await query.answer(texts(language, "schedule.assign.not_yours"), show_alert=True)
        return True
    activity = html.escape(activity_name(services, post.activity_code, language))
    when = when_text(services, post, language)
    if action is Plan.POST:
        text = texts(language, "schedule.view.post_card", activity=activity, when=when,
                     place=place_text(services, post, language),
                     names=names(post.officer_ids, officers))
        rows = [[(texts(language, "schedule.button.move"),
                  callbacks.pack(NS, Plan.MOVE, post.id, post.revision)),
                 (texts(language, "schedule.button.cancel_post"),
                  callbacks.pack(NS, Plan.CANCEL, post.id, post.revision))]]
        await query.answer()
        assert query.message is not None
        await context.bot.send_message(query.message.chat.id, text, reply_markup=inline(rows))
    elif action is Plan.MOVE:
        await assign.begin_move(update, context, actor, post)
    elif action is Plan.CANCEL:
        rows = [[(texts(language, "schedule.button.cancel_yes"),
                  callbacks.pack(NS, Plan.CANCEL_YES, post.id, post.revision)),
                 (texts(language, "schedule.button.keep_post"), callbacks.pack(NS, Plan.KEEP))]]
        await query.answer()
        await query.edit_message_text(
            texts(language, "schedule.assign.cancel_confirm", activity=activity, when=when),
            reply_markup=inline(rows),
        )
    else:
        await _cancel_post(update, context, actor, post)
    return True


async def _cancel_post(
    update: Update, context: BotContext, actor: Actor, post: Assignment
) -> None:
    services = context.services
    query = update.callback_query
    assert query is not None
    leader = actor.active_officer
    cancelled = await schedule.cancel_post(
        services.db, leader.id, post, now=services.clock.now(), update_id=update.update_id
    )
    if not cancelled:
        await query.answer(services.texts(actor.language, "schedule.assign.not_yours"),
                           show_alert=True)
        return
    await query.answer()
    with contextlib.suppress(BadRequest):  # the card may be too old to edit
        await query.edit_message_text(services.texts(actor.language,
                                                     "schedule.assign.post_cancelled"))
    await run_due_notifications(services, context.bot)
