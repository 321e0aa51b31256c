"""/rekap: in a linked group the unit's recap; in private a leader's units or an officer's own.

The private recap is one message that buttons edit (period, unit) instead of flooding the chat,
plus a button that sends the chart. It shows the same numbers as the group summaries and the
digests: all of them read ``storage.recap.load_recap``.
"""

from __future__ import annotations

import asyncio
import html
import re
from dataclasses import dataclass
from datetime import date, datetime

from telegram import InlineKeyboardMarkup, Message, Update

from bot import callbacks
from bot.access import Actor
from bot.services import BotContext, Services
from bot.ui import Button, inline
from domain.access import is_leader, reach
from domain.charts import line_chart
from domain.people import Officer
from domain.recap import Period, PeriodKind, Recap, custom_period, weeks_back
from domain.reports import split_text
from handlers.groups import group_recap
from jobs.planning import schedule_config
from jobs.summaries import Part, on_demand_period, render_summary, send_part, summary_text
from storage.recap import load_recap, rate_series

NS = "rk"
SELF = "me"
MAX_DAYS = 366
RATE_WEEKS = 8
SIMPLE_PERIODS = {"d": PeriodKind.DAY, "w": PeriodKind.WEEK, "m": PeriodKind.MONTH}
PERIOD_WORDS = {
    "hari": "d", "today": "d", "minggu": "w", "pekan": "w", "week": "w", "bulan": "m",
    "month": "m",
}
_RANGE = re.compile(r"^(\d{8})-(\d{8})$")
_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


@dataclass(frozen=True)
class View:
    """What the recap message shows: a period code and a scope (a unit code, or the officer)."""

    period: str
    scope: str


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
    period = _period_from_args(context.args or [], services)
    if period is None:
        await message.reply_text(services.texts(actor.language, "recap.usage"))
        return
    view = View(period, default_scope(officer, services))
    text, markup = await render_view(services, actor, view)
    await message.reply_text(text, reply_markup=markup)


async def recap_button(update: Update, context: BotContext, actor: Actor) -> None:
    """A recap button: show another period or unit in the same message, or send the chart."""
    services = context.services
    query = update.callback_query
    assert query is not None
    stale = services.texts(actor.language, "button.stale")
    try:
        action, period, scope = callbacks.unpack(query.data, NS)
    except (ValueError, callbacks.CallbackDataError):
        await query.answer(stale, show_alert=True)
        return
    officer = actor.active_officer
    view = View(period, scope)
    if (
        action not in ("v", "c", "r")
        or scope not in scopes(officer, services)
        or resolve_period(period, services) is None
    ):
        await query.answer(stale, show_alert=True)
        return
    await query.answer()
    if action in ("c", "r"):
        message = query.message
        assert isinstance(message, Message)
        if action == "r":
            await context.bot.send_photo(message.chat_id, await rate_chart(services, actor, view))
            return
        parts = await _chart_parts(services, actor, view)
        await send_part(context.bot, message.chat_id, parts[0])
        return
    text, markup = await render_view(services, actor, view)
    await query.edit_message_text(text, reply_markup=markup)


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
    """``d``/``w``/``m`` (today, this week, this month) or ``YYYYMMDD-YYYYMMDD``."""
    if code in SIMPLE_PERIODS:
        return on_demand_period(SIMPLE_PERIODS[code], services.clock.now(), services)
    match = _RANGE.match(code)
    if match is None:
        return None
    try:
        first = datetime.strptime(match.group(1), "%Y%m%d").date()  # noqa: DTZ007 - a date
        last = datetime.strptime(match.group(2), "%Y%m%d").date()  # noqa: DTZ007 - a date
    except ValueError:
        return None
    if last < first or (last - first).days >= MAX_DAYS:
        return None
    return custom_period(first, last, services.settings.tz)


def _period_from_args(args: list[str], services: Services) -> str | None:
    """The period code asked for after /rekap, or None when the words make no sense."""
    if not args:
        return "d"
    if len(args) == 1:
        return PERIOD_WORDS.get(args[0].lower())
    if len(args) == 2:
        days = [_parse_day(arg) for arg in args]
        if days[0] is None or days[1] is None:
            return None
        code = f"{days[0]:%Y%m%d}-{days[1]:%Y%m%d}"
        return code if resolve_period(code, services) is not None else None
    return None


def _parse_day(text: str) -> date | None:
    match = _DATE.match(text)
    if match is None:
        return None
    day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


async def load_view(services: Services, actor: Actor, view: View) -> tuple[Recap, str]:
    """The recap a view shows, and the name of its scope."""
    period = resolve_period(view.period, services)
    assert period is not None
    units, officer_id, name = _scope_units(services, actor.active_officer, view.scope)
    async with services.db.reading() as repos:
        recap = await load_recap(
            repos.recaps, services.catalogue, units, period, now=services.clock.now(),
            officer_id=officer_id, grace=schedule_config(services).grace,
        )
    return recap, name


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
    """The reporting rate of the last weeks as a line chart (PNG)."""
    units, officer_id, name = _scope_units(services, actor.active_officer, view.scope)
    now = services.clock.now()
    texts = services.texts
    language = actor.language
    periods = weeks_back(now, services.settings.tz, RATE_WEEKS)
    async with services.db.reading() as repos:
        series = await rate_series(repos.recaps, units, periods, now=now, officer_id=officer_id,
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
    """The recap message and its buttons."""
    recap, name = await load_view(services, actor, view)
    language = actor.language
    title = services.texts(language, f"summary.title_{_title_kind(view)}",
                           unit=html.escape(name))
    text = split_text(summary_text(services, language, recap, title))[0]
    return text, keyboard(services, actor, view)


async def _chart_parts(services: Services, actor: Actor, view: View) -> list[Part]:
    recap, name = await load_view(services, actor, view)
    kind = _title_kind(view)
    return await render_summary(
        services, actor.language, recap, title_key=f"summary.title_{kind}", unit_name=name,
        chart_title_key=f"summary.chart_title_{kind}",
    )


def keyboard(services: Services, actor: Actor, view: View) -> InlineKeyboardMarkup:
    """Periods, then the units the person may choose, then the chart."""
    texts = services.texts
    language = actor.language

    def mark(label: str, chosen: bool) -> str:
        return f"✅ {label}" if chosen else label

    rows: list[list[Button]] = [[
        (mark(texts(language, f"recap.button.{code}"), view.period == code),
         callbacks.pack(NS, "v", code, view.scope))
        for code in SIMPLE_PERIODS
    ]]
    options = scopes(actor.active_officer, services)
    if len(options) > 1:
        organisation = services.organisation
        buttons = [
            (mark(organisation.unit(code).name, view.scope == code),
             callbacks.pack(NS, "v", view.period, code))
            for code in options
        ]
        rows += [buttons[index : index + 2] for index in range(0, len(buttons), 2)]
    rows.append([
        (texts(language, "recap.button.chart"), callbacks.pack(NS, "c", view.period, view.scope)),
        (texts(language, "recap.button.rate"), callbacks.pack(NS, "r", view.period, view.scope)),
    ])
    return inline(rows)

