"""/rekap: in a linked group the unit's recap; in private a leader's units or an officer's own.

The private recap is one message that buttons edit (period, unit, activity) instead of
flooding the chat, plus buttons that send the chart, the reporting rate and the photo sheet.
It shows the same numbers as the group summaries and the digests: all of them read
``storage.recap.load_recap``.
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from telegram import InlineKeyboardMarkup, Message, Update

from domain.access import is_leader, reach
from domain.charts import line_chart
from domain.coverage import Coverage
from domain.dates import DateRange, parse_date_range
from domain.errors import InputError
from domain.people import Officer
from domain.recap import Period, PeriodKind, Recap, weeks_back
from handlers import dates
from handlers.groups import group_recap
from jobs.planning import schedule_config
from jobs.summaries import (
    Part,
    on_demand_period,
    period_text,
    photo_sheet,
    render_summary,
    send_part,
    summary_text,
)
from storage.desk import PendingInput
from storage.recap import load_recap, rate_series
from storage.territory import load_coverage
from ui import callbacks
from ui.access import Actor
from ui.messages import Button, edit_or_resend, inline, message_id, send_html
from ui.services import BotContext, Services
from ui.territory import coverage_lines, coverage_picture

NS = callbacks.Namespace.RECAP
SELF = "me"
RATE_WEEKS = 8
SIMPLE_PERIODS = {"d": PeriodKind.DAY, "w": PeriodKind.WEEK, "m": PeriodKind.MONTH}
PERIOD_WORDS = {
    "hari": "d", "today": "d", "minggu": "w", "pekan": "w", "week": "w", "bulan": "m",
    "month": "m",
}


ALL = "*"
"""Every activity (the activity part of a view)."""


class Show(StrEnum):
    """What a /rekap button does (the part after the namespace; the view follows it)."""

    VIEW = "v"  # show this view in the same message
    CHART = "c"
    RATE = "r"  # the reporting rate chart
    PHOTOS = "p"  # the photo sheet (a unit's view only)
    COVERAGE = "k"  # the kelurahan coverage picture (a unit's view only)
    TYPE_RANGE = "t"
    CANCEL_RANGE = "x"  # the typed range was cancelled: show the view again


UNIT_ONLY = frozenset({Show.PHOTOS, Show.COVERAGE})
"""Buttons a view of the officer themself (:data:`SELF`) never carries."""


@dataclass(frozen=True)
class View:
    """What the recap message shows: a period code, a scope (a unit code, or the officer) and
    an activity code (or :data:`ALL`)."""

    period: str
    scope: str
    activity: str = ALL

    @property
    def activity_code(self) -> str | None:
        """The one activity shown, or None for all of them."""
        return None if self.activity == ALL else self.activity

    def button(self, action: Show, **changes: str) -> str:
        """Callback data for ``action`` on this view, or on it with ``changes``."""
        view = replace(self, **changes)
        return callbacks.pack(NS, action, view.period, view.scope, view.activity)


async def recap_command(update: Update, context: BotContext, actor: Actor) -> None:
    """/rekap: the group's unit recap in a group; in private, the person's own view."""
    chat = update.effective_chat
    message = update.effective_message
    assert chat is not None
    assert message is not None
    if chat.type != "private":
        await group_recap(update, context, actor)
        return
    services = context.services
    officer = actor.active_officer
    try:
        period = _period_from_args(context.args or [], services)
    except InputError as error:
        await message.reply_text(
            services.texts(actor.language, error.key, **error.params) + "\n"
            + services.texts(actor.language, "recap.usage")
        )
        return
    view = View(period, default_scope(officer, services))
    text, markup = await render_view(services, actor, view)
    coverage = await load_view_coverage(services, actor, view)
    if coverage is not None and coverage.kelurahan:
        # The picture first: the recap with its buttons stays the newest message.
        picture = await coverage_image(services, actor, view, coverage)
        assert picture is not None
        await message.reply_photo(picture)
    await send_html(context.bot, chat.id, text, reply_markup=markup)


async def recap_button(update: Update, context: BotContext, actor: Actor) -> None:
    """A recap button: show another period or unit in the same message, or send the chart."""
    services = context.services
    query = update.callback_query
    assert query is not None
    stale = services.texts(actor.language, "button.stale")
    try:
        action, period, scope, *rest = callbacks.unpack(query.data, NS)
    except (ValueError, callbacks.CallbackDataError):
        await query.answer(stale, show_alert=True)
        return
    officer = actor.active_officer
    view = View(period, scope, rest[0] if rest else ALL)
    act = callbacks.verb(Show, action)
    if (
        act is None
        or len(rest) > 1
        or not _known_activity(services, view.activity)
        or scope not in scopes(officer, services)
        or (act in UNIT_ONLY and scope == SELF)
        or resolve_period(period, services) is None
    ):
        await query.answer(stale, show_alert=True)
        return
    await ON_SHOW[act](update, context, actor, view)


async def _ask_range(update: Update, context: BotContext, actor: Actor, view: View) -> None:
    await dates.ask(update, context, actor, NS, view.button(Show.CANCEL_RANGE), scope=view.scope,
                    activity=view.activity)


async def _show(update: Update, context: BotContext, actor: Actor, view: View) -> None:
    """The view in the same message."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    text, markup = await render_view(context.services, actor, view)
    message = query.message
    assert message is not None
    await edit_or_resend(context.bot, message.chat.id, message.message_id, text,
                         reply_markup=markup)


async def _cancel_range(update: Update, context: BotContext, actor: Actor, view: View) -> None:
    services = context.services
    query = update.callback_query
    assert query is not None
    async with services.db.transaction(update_id=update.update_id,
                                       now=services.clock.now()) as tx:
        await tx.desk_inputs.cancel(actor.active_officer.id, NS, message_id(query))
    await _show(update, context, actor, view)


async def _send_chart(update: Update, context: BotContext, actor: Actor, view: View) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    message = query.message
    assert isinstance(message, Message)
    parts = await _chart_parts(context.services, actor, view)
    await send_part(context.bot, message.chat_id, parts[0])


async def _send_rate(update: Update, context: BotContext, actor: Actor, view: View) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    message = query.message
    assert isinstance(message, Message)
    await context.bot.send_photo(message.chat_id, await rate_chart(context.services, actor, view))


async def _send_coverage(update: Update, context: BotContext, actor: Actor, view: View
                         ) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    message = query.message
    assert isinstance(message, Message)
    picture = await coverage_image(context.services, actor, view)
    assert picture is not None  # a unit view: checked by the caller
    await context.bot.send_photo(message.chat_id, picture)


async def _send_photo_sheet(
    update: Update, context: BotContext, actor: Actor, view: View
) -> None:
    """The period's documentation photos on one image, for a leader (photos may show
    residents: groups get it only when GROUP_WEEKLY_PHOTO_SHEET allows)."""
    services = context.services
    query = update.callback_query
    assert query is not None
    message = query.message
    assert isinstance(message, Message)
    period = resolve_period(view.period, services)
    assert period is not None
    units, _, _ = _scope_units(services, actor.active_officer, view.scope)
    sheet = await photo_sheet(services, units, period, actor.language,
                              activity_code=view.activity_code)
    if sheet is None:
        await query.answer(services.texts(actor.language, "recap.photos_none"), show_alert=True)
        return
    await query.answer()
    await send_part(context.bot, message.chat_id, sheet)


ShowAction = Callable[[Update, BotContext, Actor, View], Awaitable[None]]
ON_SHOW: dict[Show, ShowAction] = {
    Show.VIEW: _show,
    Show.CHART: _send_chart,
    Show.RATE: _send_rate,
    Show.PHOTOS: _send_photo_sheet,
    Show.COVERAGE: _send_coverage,
    Show.TYPE_RANGE: _ask_range,
    Show.CANCEL_RANGE: _cancel_range,
}
"""What each /rekap button does with the view it carries (checked by the caller)."""


def default_scope(officer: Officer, services: Services) -> str:
    """A leader sees their own unit (with the units below it); an officer sees themself."""
    options = scopes(officer, services)
    if officer.unit_code in options:
        return officer.unit_code or SELF
    return next(iter(options))


def scopes(officer: Officer, services: Services) -> list[str]:
    """What the person may look at: the units they lead (organisation order), or themself."""
    organisation = services.organisation
    if not is_leader(officer, organisation):
        return [SELF]
    reachable = reach(officer, organisation)
    return [unit.code for unit in organisation.units if unit.code in reachable] or [SELF]


def resolve_period(code: str, services: Services) -> Period | None:
    """``d``/``w``/``m`` (today, this week, this month) or a chosen range's code."""
    if code in SIMPLE_PERIODS:
        return on_demand_period(SIMPLE_PERIODS[code], services.clock.now(), services)
    chosen = DateRange.from_code(code)
    return chosen.period(services.settings.tz) if chosen else None


def _period_from_args(args: list[str], services: Services) -> str:
    """The period code asked for after /rekap: a word or a typed range (raises why not)."""
    if not args:
        return "d"
    if len(args) == 1 and args[0].lower() in PERIOD_WORDS:
        return PERIOD_WORDS[args[0].lower()]
    today = services.clock.now().astimezone(services.settings.tz).date()
    return parse_date_range(" ".join(args), today).code()


async def on_range(
    update: Update, context: BotContext, actor: Actor, pending: PendingInput, chosen: DateRange
) -> None:
    """A typed date range: the recap of those days, for the unit the message showed."""
    services = context.services
    message = update.effective_message
    assert message is not None
    scope = str(pending.payload.get("scope"))
    activity = str(pending.payload.get("activity", ALL))
    if not await dates.taken(update, context, actor, pending):
        return
    if scope not in scopes(actor.active_officer, services) or not _known_activity(services,
                                                                                    activity):
        await message.reply_text(services.texts(actor.language, "button.stale"))
        return
    text, markup = await render_view(services, actor, View(chosen.code(), scope, activity))
    await send_html(context.bot, message.chat.id, text, reply_markup=markup)


async def load_view(services: Services, actor: Actor, view: View) -> tuple[Recap, str]:
    """The recap a view shows, and the name of its scope."""
    period = resolve_period(view.period, services)
    assert period is not None
    units, officer_id, name = _scope_units(services, actor.active_officer, view.scope)
    async with services.db.reading() as repos:
        recap = await load_recap(
            repos.recaps, services.catalogue, units, period, now=services.clock.now(),
            officer_id=officer_id, activity_code=view.activity_code,
            grace=schedule_config(services).grace,
        )
    return recap, _view_name(services, actor.language, name, view)


def _known_activity(services: Services, activity: str) -> bool:
    return activity == ALL or services.catalogue.has_activity(activity)


def _view_name(services: Services, language: str, name: str, view: View) -> str:
    """The scope's name, and the activity when the view shows one."""
    if view.activity_code is None:
        return name
    activity = services.catalogue.activity(view.activity_code).name.get(language)
    return services.texts(language, "recap.one_activity", unit=name, activity=activity)


def _scope_units(
    services: Services, officer: Officer, scope: str
) -> tuple[frozenset[str], int | None, str]:
    """The units, the officer filter and the name a scope stands for."""
    organisation = services.organisation
    if scope == SELF:
        return frozenset(unit.code for unit in organisation.units), officer.id, officer.full_name
    units = organisation.units_within(scope) & reach(officer, organisation)
    return units, None, organisation.unit(scope).name


async def rate_chart(services: Services, actor: Actor, view: View) -> bytes:
    """The reporting rate of the weeks up to the view's period as a line chart (PNG), as the
    recap PDF of the same period draws it."""
    period = resolve_period(view.period, services)
    assert period is not None
    units, officer_id, name = _scope_units(services, actor.active_officer, view.scope)
    return await weekly_rate_chart(services, actor.language, units,
                                   _view_name(services, actor.language, name, view),
                                   until=period.end - timedelta(microseconds=1),
                                   officer_id=officer_id, activity_code=view.activity_code)


async def weekly_rate_chart(
    services: Services,
    language: str,
    units: frozenset[str],
    name: str,
    *,
    until: datetime,
    officer_id: int | None = None,
    activity_code: str | None = None,
) -> bytes:
    """The reporting rate of the :data:`RATE_WEEKS` weeks up to the one holding ``until``."""
    now = services.clock.now()
    texts = services.texts
    periods = weeks_back(min(until, now), services.settings.tz, RATE_WEEKS)
    async with services.db.reading() as repos:
        series = await rate_series(repos.recaps, units, periods, now=now, officer_id=officer_id,
                                   activity_code=activity_code,
                                   grace=schedule_config(services).grace)
    points = [
        (f"{period.first_day:%d/%m}", counts.reported / counts.expected)
        for period, counts in series
        if counts is not None and counts.expected > 0
    ]
    return await asyncio.to_thread(
        line_chart,
        texts(language, "recap.rate_title", unit=name),
        texts(language, "recap.rate_subtitle", weeks=RATE_WEEKS),
        points,
        empty=texts(language, "recap.rate_empty"),
    )


def _title_kind(view: View) -> str:
    kind = SIMPLE_PERIODS.get(view.period)
    return kind.value if kind is not None else PeriodKind.CUSTOM.value


async def render_view(
    services: Services, actor: Actor, view: View
) -> tuple[str, InlineKeyboardMarkup]:
    """The recap text, whole (it is sent split at lines when longer than one message, the
    buttons on the last part), and its buttons."""
    recap, name = await load_view(services, actor, view)
    language = actor.language
    title = services.texts(language, f"summary.title_{_title_kind(view)}",
                           unit=html.escape(name))
    text = summary_text(services, language, recap, title)
    coverage = await load_view_coverage(services, actor, view)
    if coverage is not None and coverage.kelurahan:
        text += "\n\n" + "\n".join(coverage_lines(services, coverage, language))
    return text, keyboard(services, actor, view)


async def load_view_coverage(services: Services, actor: Actor, view: View) -> Coverage | None:
    """The kelurahan binaan coverage of a unit view (None for an officer's own recap)."""
    if view.scope == SELF:
        return None
    period = resolve_period(view.period, services)
    assert period is not None
    units, _, _ = _scope_units(services, actor.active_officer, view.scope)
    async with services.db.reading() as repos:
        return await load_coverage(repos.areas, services.territory, services.catalogue, units,
                                   period, activity_code=view.activity_code)


async def coverage_image(services: Services, actor: Actor, view: View,
                         coverage: Coverage | None = None) -> bytes | None:
    """The coverage picture of a unit view (of ``coverage`` when loaded already), None for an
    officer's own recap."""
    coverage = coverage or await load_view_coverage(services, actor, view)
    if coverage is None:
        return None
    _, _, name = _scope_units(services, actor.active_officer, view.scope)
    return await asyncio.to_thread(
        coverage_picture, services, coverage, _view_name(services, actor.language, name, view),
        period_text(services, actor.language, coverage.period), actor.language,
    )


async def _chart_parts(services: Services, actor: Actor, view: View) -> list[Part]:
    recap, name = await load_view(services, actor, view)
    kind = _title_kind(view)
    return await render_summary(
        services, actor.language, recap, title_key=f"summary.title_{kind}", unit_name=name,
        chart_title_key=f"summary.chart_title_{kind}",
    )


def keyboard(services: Services, actor: Actor, view: View) -> InlineKeyboardMarkup:
    """Periods, then the units the person may choose, the activities, then the pictures."""
    texts = services.texts
    language = actor.language

    def mark(label: str, chosen: bool) -> str:
        return f"✅ {label}" if chosen else label

    rows: list[list[Button]] = [[
        (mark(texts(language, f"recap.button.{code}"), view.period == code),
         view.button(Show.VIEW, period=code))
        for code in SIMPLE_PERIODS
    ]]
    chosen = DateRange.from_code(view.period)
    rows.append([(
        mark(texts(language, "dates.chosen",
                   period=dates.range_text(services, language, chosen)), True) if chosen
        else texts(language, "dates.button"),
        view.button(Show.TYPE_RANGE),
    )])
    options = scopes(actor.active_officer, services)
    if len(options) > 1:
        organisation = services.organisation
        buttons = [
            (mark(organisation.unit(code).name, view.scope == code),
             view.button(Show.VIEW, scope=code))
            for code in options
        ]
        rows += [buttons[index : index + 2] for index in range(0, len(buttons), 2)]
    activities = [(mark(texts(language, "recap.button.all"), view.activity == ALL),
                   view.button(Show.VIEW, activity=ALL))]
    activities += [
        (mark(activity.name.get(language), view.activity == activity.code),
         view.button(Show.VIEW, activity=activity.code))
        for activity in services.catalogue.activities
    ]
    rows += [activities[index : index + 3] for index in range(0, len(activities), 3)]
    rows.append([
        (texts(language, "recap.button.chart"), view.button(Show.CHART)),
        (texts(language, "recap.button.rate"), view.button(Show.RATE)),
    ])
    if view.scope != SELF:
        rows.append([(texts(language, "recap.button.photos"), view.button(Show.PHOTOS)),
                     (texts(language, "territory.button.coverage"), view.button(Show.COVERAGE))])
    return inline(rows)

