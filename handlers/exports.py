"""/ekspor and the 📄 PDF button: spreadsheets and PDFs sent as documents.

Data is read in small batches (the event loop keeps serving others between them), files are
built in a worker thread, one status message is edited to show progress, and a file that
would pass Telegram's upload limit is split or compressed, and the leader is told so.
Every export is audit-logged (``report.export``).
"""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from domain import documents, exports, pdf
from domain.access import reach
from domain.charts import bar_chart
from domain.complaints import FollowUp
from domain.dates import DateRange
from domain.people import Officer
from domain.recap import Period, Recap, month_of, week_of
from domain.reports import Report
from domain.schedule import Assignment
from handlers import dates
from handlers import recap as recap_view
from handlers.complaints import status_label
from jobs.planning import schedule_config
from jobs.summaries import chart_sections
from storage.desk import PendingInput, ReportFilter
from storage.recap import load_recap
from ui import callbacks
from ui.access import Actor
from ui.messages import CAPTION_LIMIT, chunked, inline, is_not_modified, message_id, shorten_html
from ui.services import BotContext, Services
from ui.views import photo_path
from usecases.exports import record_export

logger = logging.getLogger(__name__)
NS = callbacks.Namespace.EXPORT
ENVELOPE_MARGIN = 1_000_000  # the multipart envelope around the file, with room to spare
BATCH = 50
PERIOD_CODES = ("w", "m", "pm")


def upload_budget(services: Services) -> int:
    """The most bytes a file may have: the upload limit setting less the envelope's margin."""
    limit = services.settings.upload_limit_bytes
    return limit - min(ENVELOPE_MARGIN, limit // 10)


def limit_text(services: Services) -> str:
    """The upload limit as people read it: ``50 MB`` (binary megabytes, as Telegram counts)."""
    limit = services.settings.upload_limit_bytes
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):.0f} MB"
    return f"{limit / 1024:.0f} KB"


def period_of(services: Services, code: str) -> Period:
    """This week, this month, last month or a typed range, in the precinct's zone."""
    now = services.clock.now()
    tz = services.settings.tz
    chosen = DateRange.from_code(code)
    if chosen is not None:
        return chosen.period(tz)
    if code == "w":
        return week_of(now, tz)
    this_month = month_of(now, tz)
    if code == "pm":
        return month_of(this_month.start - timedelta(days=1), tz)
    return this_month


def period_text(services: Services, period: Period, language: str) -> str:
    """``01/11/2026–30/11/2026``."""
    return services.texts(language, "export.period", first=period.first_day.strftime("%d/%m/%Y"),
                          last=period.last_day.strftime("%d/%m/%Y"))


ALL_UNITS = "*"
ALL_UNITS_SLUG = "semua_unit"  # a file name covering several units side by side


class Export(StrEnum):
    """What an /ekspor button does (the part after the namespace)."""

    UNIT = "u"  # the unit is chosen: show the files and periods
    CANCEL_RANGE = "xc"  # the typed range was cancelled: show them again
    TYPE_RANGE = "t"  # ask a range of dates
    SPREADSHEET = "x"
    RECAP = "r"  # the recap PDF
    PDF = "pdf"  # one report's PDF (the button under a report in /cari)


def export_units(services: Services, leader: Officer, choice: str) -> frozenset[str] | None:
    """The units an export covers: all the leader leads, or one unit and those below it."""
    led = reach(leader, services.organisation)
    if choice == ALL_UNITS:
        return led
    if choice not in led:
        return None
    return services.organisation.units_within(choice) & led


def _format_buttons(services: Services, language: str, unit: str) -> InlineKeyboardMarkup:
    texts = services.texts
    buttons = [
        (texts(language, f"export.button.xlsx_{code}"),
         callbacks.pack(NS, Export.SPREADSHEET, code, unit))
        for code in PERIOD_CODES
    ] + [
        (texts(language, f"export.button.recap_{code}"),
         callbacks.pack(NS, Export.RECAP, code, unit))
        for code in PERIOD_CODES
    ]
    return inline([*chunked(buttons, 3),
                   [(texts(language, "dates.button"),
                     callbacks.pack(NS, Export.TYPE_RANGE, unit))]])


def _range_buttons(
    services: Services, language: str, unit: str, chosen: DateRange
) -> InlineKeyboardMarkup:
    period = dates.range_text(services, language, chosen)
    return inline([
        [(services.texts(language, "export.button.xlsx_range", period=period),
          callbacks.pack(NS, Export.SPREADSHEET, chosen.code(), unit))],
        [(services.texts(language, "export.button.recap_range", period=period),
          callbacks.pack(NS, Export.RECAP, chosen.code(), unit))],
    ])


def _unit_names(services: Services, units: frozenset[str]) -> str:
    return ", ".join(unit.name for unit in services.organisation.units if unit.code in units)


def _unit_text(services: Services, units: frozenset[str], language: str) -> str:
    return services.texts(language, "export.choose",
                          units=html.escape(_unit_names(services, units)))


async def export_command(update: Update, context: BotContext, actor: Actor) -> None:
    """/ekspor: choose the unit (when the leader leads several), the file and the period."""
    services = context.services
    message = update.effective_message
    assert message is not None
    texts = services.texts
    language = actor.language
    led = reach(actor.active_officer, services.organisation)
    if len(led) > 1:
        options = [(texts(language, "export.all_units"),
                    callbacks.pack(NS, Export.UNIT, ALL_UNITS))] + [
            (unit.name, callbacks.pack(NS, Export.UNIT, unit.code))
            for unit in services.organisation.units
            if unit.code in led
        ]
        await message.reply_text(texts(language, "export.choose_unit"),
                                 reply_markup=inline(chunked(options, 2)))
        return
    await message.reply_text(_unit_text(services, led, language),
                             reply_markup=_format_buttons(services, language, ALL_UNITS))


async def on_button(update: Update, context: BotContext, actor: Actor) -> None:
    """An export button: a unit, a spreadsheet or recap of a period, or one report's PDF."""
    services = context.services
    query = update.callback_query
    assert query is not None
    assert isinstance(query.message, Message)
    stale = services.texts(actor.language, "button.stale")
    try:
        action, arg, *rest = callbacks.unpack(query.data, NS)
    except (ValueError, callbacks.CallbackDataError):
        await query.answer(stale, show_alert=True)
        return
    act = callbacks.verb(Export, action)
    if act is None or not await ON_EXPORT[act](update, context, actor, act, arg, rest):
        await query.answer(stale, show_alert=True)


async def _show_formats(update: Update, context: BotContext, actor: Actor, act: Export,
                        arg: str, rest: list[str]) -> bool:
    """A unit was chosen (or the typed range cancelled): the files and periods for it."""
    services = context.services
    query = update.callback_query
    assert query is not None
    leader = actor.active_officer
    chosen = export_units(services, leader, arg)
    if chosen is None:
        return False
    if act is Export.CANCEL_RANGE:
        async with services.db.transaction(update_id=update.update_id,
                                           now=services.clock.now()) as tx:
            await tx.desk_inputs.cancel(leader.id, NS, message_id(query))
    await query.answer()
    await query.edit_message_text(_unit_text(services, chosen, actor.language),
                                  reply_markup=_format_buttons(services, actor.language, arg))
    return True


async def _ask_range(update: Update, context: BotContext, actor: Actor, act: Export,
                     arg: str, rest: list[str]) -> bool:
    if not export_units(context.services, actor.active_officer, arg):
        return False
    await dates.ask(update, context, actor, NS, callbacks.pack(NS, Export.CANCEL_RANGE, arg),
                    unit=arg)
    return True


async def _period_file(update: Update, context: BotContext, actor: Actor, act: Export,
                       arg: str, rest: list[str]) -> bool:
    """A spreadsheet or the recap PDF of a period (a code or a typed range)."""
    services = context.services
    query = update.callback_query
    assert query is not None
    assert isinstance(query.message, Message)
    units = export_units(services, actor.active_officer, rest[0] if rest else ALL_UNITS)
    if not units or (arg not in PERIOD_CODES and DateRange.from_code(arg) is None):
        return False
    await query.answer()
    build = spreadsheet if act is Export.SPREADSHEET else recap_pdf
    await build(context, actor, query.message, period_of(services, arg), units)
    return True


async def _report_file(update: Update, context: BotContext, actor: Actor, act: Export,
                       arg: str, rest: list[str]) -> bool:
    """One report's PDF, when it is of a unit the leader leads."""
    services = context.services
    query = update.callback_query
    assert query is not None
    assert isinstance(query.message, Message)
    report_id = callbacks.as_id(arg)
    if report_id is None:
        return False
    async with services.db.reading() as repos:
        report = await repos.reports.by_id(report_id)
    if report is None or report.unit_code not in reach(actor.active_officer,
                                                       services.organisation):
        return False
    await query.answer()
    await report_pdf(context, actor, query.message, report)
    return True


ExportAction = Callable[[Update, BotContext, Actor, Export, str, list[str]], Awaitable[bool]]
ON_EXPORT: dict[Export, ExportAction] = {
    Export.UNIT: _show_formats,
    Export.CANCEL_RANGE: _show_formats,
    Export.TYPE_RANGE: _ask_range,
    Export.SPREADSHEET: _period_file,
    Export.RECAP: _period_file,
    Export.PDF: _report_file,
}
"""What each /ekspor button does; False when its data does not fit (answered as stale)."""


async def on_range(
    update: Update, context: BotContext, actor: Actor, pending: PendingInput, chosen: DateRange
) -> None:
    """A typed date range: offer the spreadsheet and the recap PDF of those days."""
    services = context.services
    message = update.effective_message
    assert message is not None
    language = actor.language
    unit = str(pending.payload.get("unit"))
    if not await dates.taken(update, context, actor, pending):
        return
    units = export_units(services, actor.active_officer, unit)
    if not units:
        await message.reply_text(services.texts(language, "button.stale"))
        return
    await message.reply_text(
        services.texts(language, "export.choose_range",
                       units=html.escape(_unit_names(services, units)),
                       period=dates.range_text(services, language, chosen)),
        reply_markup=_range_buttons(services, language, unit, chosen),
    )


class Progress:
    """One status message, edited as the export moves on."""

    def __init__(self, services: Services, language: str, message: Message) -> None:
        self._services = services
        self._language = language
        self._message = message

    @classmethod
    async def start(cls, services: Services, language: str, chat_message: Message) -> Progress:
        """Send the status message."""
        sent = await chat_message.chat.send_message(
            services.texts(language, "export.progress.reading", done=0, total="…")
        )
        return cls(services, language, sent)

    async def show(self, key: str, **params: object) -> None:
        """Replace the status text (identical text is not an error)."""
        try:
            await self._message.edit_text(self._services.texts(self._language, key, **params))
        except BadRequest as error:
            if not is_not_modified(error):
                raise


@dataclass(frozen=True)
class _Collected:
    lines: list[exports.ReportLine]
    complaints: list[FollowUp]
    officers: dict[int, Officer]


async def _collect(
    services: Services, units: frozenset[str], period: Period, progress: Progress
) -> _Collected:
    """Reports, their counts and the period's complaints, read in batches."""
    view = ReportFilter(units=units, since=period.start, until=period.end)
    async with services.db.reading() as repos:
        total = await repos.report_browser.count(view)
    lines: list[exports.ReportLine] = []
    officers: dict[int, Officer] = {}
    for offset in range(0, total, BATCH):
        async with services.db.reading() as repos:
            batch = await repos.report_browser.page(view, limit=BATCH, offset=offset)
            for report in batch:
                if report.officer_id not in officers:
                    found = await repos.officers.by_id(report.officer_id)
                    if found is not None:
                        officers[found.id] = found
                review = await repos.report_reviews.get(report.id)
                lines.append(exports.ReportLine(
                    report=report,
                    officer=officers.get(report.officer_id),
                    complaints=len(await repos.complaints.of_report(report.id)),
                    photos=len(await repos.report_photos.of_report(report.id)),
                    review=review.state if review else "",
                ))
        await progress.show("export.progress.reading", done=len(lines), total=total)
    async with services.db.reading() as repos:
        complaints = await repos.complaint_desk.in_period(units, period.start, period.end)
        for item in complaints:
            if item.assigned_to and item.assigned_to not in officers:
                found = await repos.officers.by_id(item.assigned_to)
                if found is not None:
                    officers[found.id] = found
    lines.sort(key=lambda line: (line.report.started_at or line.report.submitted_at,
                                 line.report.id))
    return _Collected(lines, complaints, officers)


def _labels(services: Services, language: str) -> dict[str, str]:
    keys = {key for key, _ in exports.REPORT_COLUMNS} | {key for key, _ in
                                                        exports.COMPLAINT_COLUMNS}
    labels = {key: services.texts(language, f"export.col.{key}") for key in keys}
    labels.update({key: services.texts(language, f"export.value.{key}")
                   for key in exports.LABEL_KEYS})
    return labels


async def _duties(services: Services, units: frozenset[str], period: Period
                  ) -> tuple[Recap, dict[int, Assignment]]:
    """The period's recap, judged now as /rekap judges it, and the posts of its duties."""

    async with services.db.reading() as repos:
        recap = await load_recap(repos.recaps, services.catalogue, units, period,
                                 now=services.clock.now(),
                                 grace=schedule_config(services).grace)
        named = {duty.assignment_id for duty in recap.duties}
        posts = {post.id: post for post in await repos.assignments.in_units(
            units, period.start, period.end, by_end=True) if post.id in named}
    return recap, posts


def units_slug(services: Services, units: frozenset[str]) -> str:
    """The units in a file name: the one unit (or the one unit above the others), else "all"."""
    organisation = services.organisation
    tops = [code for code in sorted(units)
            if not (organisation.has_unit(code) and organisation.unit(code).parent in units)]
    return tops[0] if len(tops) == 1 else ALL_UNITS_SLUG


async def spreadsheet(
    context: BotContext,
    actor: Actor,
    chat_message: Message,
    period: Period,
    units: frozenset[str],
) -> None:
    """The period's reports (a sheet per activity) and their complaints as .xlsx."""
    services = context.services
    language = actor.language
    texts = services.texts
    leader = actor.active_officer
    progress = await Progress.start(services, language, chat_message)
    recap, posts = await _duties(services, units, period)
    data = await _collect(services, units, period, progress)
    labels = _labels(services, language)
    unit_names = {unit.code: unit.name for unit in services.organisation.units}
    kelurahan_names = {k.code: k.name for k in services.territory.all_kelurahan()}
    tz = services.settings.tz
    review_names = {
        state: texts(language, f"export.review.{state}")
        for state in ("returned", "fixed", "reviewed")
    }
    lines = [
        exports.ReportLine(line.report, line.officer, line.complaints, line.photos,
                           review_names.get(line.review, ""),
                           exports.punctuality(line.report, recap.duties, posts))
        for line in data.lines
    ]
    activities = {line.report.id: line.report.activity_code for line in lines}

    def describe(item: FollowUp) -> exports.ComplaintLabels:
        category = services.catalogue.complaint_categories.get(item.category)
        try:
            urgency = services.catalogue.urgency(item.urgency).label.get(language)
        except KeyError:
            urgency = item.urgency
        assignee = data.officers.get(item.assigned_to or 0)
        officer = data.officers.get(item.officer_id)
        code = activities.get(item.report_id, "")
        return exports.ComplaintLabels(
            category=category.get(language) if category else item.category,
            urgency=urgency,
            status=status_label(services, item.status, language),
            assignee=assignee.full_name if assignee else "",
            officer=officer.full_name if officer else "",
            activity=services.catalogue.activity(code).name.get(language)
            if services.catalogue.has_activity(code) else code,
        )

    sheets = await asyncio.to_thread(
        exports.report_sheets, services.catalogue, lines, labels, unit_names, tz, language,
        kelurahan_names,
    )
    sheets.append(exports.complaint_sheet(
        data.complaints, labels, describe, unit_names, tz,
        texts(language, "export.complaints_sheet"), kelurahan_names,
    ))
    precinct = services.organisation.precinct.name
    covered = _unit_names(services, units)
    shown = period_text(services, period, language)
    setup = exports.PrintSetup(
        header=texts(language, "export.print_header", precinct=precinct, units=covered,
                     period=shown),
        footer=texts(language, "pdf.page", page="&P", pages="&N"),
    )
    title = texts(language, "export.title", units=covered, period=shown)

    def build(chosen: Sequence[exports.Sheet]) -> bytes:
        workbook = exports.new_workbook(creator=precinct, title=title)
        for sheet in chosen:
            exports.add_sheet(workbook, sheet, setup)
        return exports.workbook_bytes(workbook)

    await progress.show("export.progress.sheet", done=len(sheets), total=len(sheets))
    content = await asyncio.to_thread(build, sheets)
    stem = (f"laporan_{units_slug(services, units)}"
            f"_{period.first_day:%Y%m%d}-{period.last_day:%Y%m%d}")
    files: list[tuple[str, bytes]] = [(f"{stem}.xlsx", content)]
    split = len(content) > upload_budget(services)
    if split:
        files = [(f"{stem}_{index}.xlsx", await asyncio.to_thread(build, [sheet]))
                 for index, sheet in enumerate(sheets, start=1)]
    await progress.show("export.progress.sending")
    caption = texts(language, "export.xlsx_caption", period=shown,
                    reports=texts(language, "count.reports", count=len(lines)),
                    complaints=texts(language, "count.complaints",
                                     count=len(data.complaints)))
    caption = shorten_html(caption, CAPTION_LIMIT)
    for name, blob in files:
        await chat_message.chat.send_document(blob, filename=name, caption=caption)
    await _audit(services, leader, "xlsx", period=f"{period.first_day}..{period.last_day}",
                 units=sorted(units), reports=len(lines), complaints=len(data.complaints),
                 files=len(files))
    await progress.show("export.done_split" if split else "export.done", files=len(files),
                        limit=limit_text(services))


async def _audit(services: Services, leader: Officer, kind: str, **details: object) -> None:
    await record_export(services.db, leader, kind, now=services.clock.now(), **details)


async def report_pdf(
    context: BotContext, actor: Actor, chat_message: Message, report: Report
) -> None:
    """One report as a PDF with its stamped photos, sent as a document."""
    services = context.services
    language = actor.language
    leader = actor.active_officer
    progress = await Progress.start(services, language, chat_message)
    async with services.db.reading() as repos:
        author = await repos.officers.by_id(report.officer_id)
        complaints = await repos.complaints.of_report(report.id)
        hashes = await repos.report_photos.of_report(report.id)
    assert author is not None
    # The caller checked that the leader's reach covers the report's unit.
    photos = [path for path in (photo_path(services, sha) for sha in hashes) if path.exists()]
    document = documents.report_document(
        services.texts, language, services.catalogue, services.organisation,
        services.settings.tz, report, author, complaints, photos, include_residents=True,
        kelurahan_name=services.territory.name_of(report.kelurahan_code)
        if report.kelurahan_code else None)
    await progress.show("export.progress.building")
    rendered = await asyncio.to_thread(pdf.render, document, upload_budget(services))
    await progress.show("export.progress.sending")
    name = report.number.replace("/", "_") + ".pdf"
    await chat_message.chat.send_document(rendered.data, filename=name,
                                          caption=html.escape(report.number))
    await _audit(services, leader, "pdf", report=report.id, number=report.number,
                 pages=rendered.pages, reduced=rendered.reduction)
    await progress.show(f"export.pdf_done_{rendered.reduction}", pages=rendered.pages,
                        limit=limit_text(services))


async def recap_pdf(
    context: BotContext,
    actor: Actor,
    chat_message: Message,
    period: Period,
    units: frozenset[str],
) -> None:
    """The period's recap as a PDF (``domain.documents.recap_document``): this reads the
    recap, the reports, the duties' posts and officers and draws the charts, then sends it."""
    services = context.services
    language = actor.language
    texts = services.texts
    leader = actor.active_officer
    progress = await Progress.start(services, language, chat_message)
    now = services.clock.now()
    # Judged now with the schedule's grace, as /rekap does: the same rate for the same days.
    recap, posts = await _duties(services, units, period)
    data = await _collect(services, units, period, progress)
    officers = dict(data.officers)
    async with services.db.reading() as repos:
        for duty in recap.duties:
            if duty.officer_id not in officers:
                found = await repos.officers.by_id(duty.officer_id)
                if found is not None:
                    officers[found.id] = found
    unit_names = _unit_names(services, units)
    rate_chart = await recap_view.weekly_rate_chart(
        services, language, units, unit_names, until=period.end - timedelta(microseconds=1))
    sources = documents.RecapSources(
        recap=recap,
        units_text=unit_names,
        period_text=period_text(services, period, language),
        reports=data.lines,
        assignments=posts,
        officers=officers,
        activity_chart=await asyncio.to_thread(_chart, services, recap, language),
        rate_chart=pdf.Picture(caption=texts(language, "pdf.recap.rate_chart_title"),
                               data=rate_chart),
        signer=leader,
        issued_at=now,
    )
    document = documents.recap_document(texts, language, services.catalogue,
                                        services.organisation.precinct, services.settings.tz,
                                        sources)
    await progress.show("export.progress.building")
    rendered = await asyncio.to_thread(pdf.render, document, upload_budget(services))
    await progress.show("export.progress.sending")
    name = f"rekap_{period.first_day:%Y%m%d}-{period.last_day:%Y%m%d}.pdf"
    await chat_message.chat.send_document(rendered.data, filename=name,
                                          caption=period_text(services, period, language))
    await _audit(services, leader, "recap_pdf", period=f"{period.first_day}..{period.last_day}",
                 units=sorted(units), reports=recap.total_reports, pages=rendered.pages)
    await progress.show(f"export.pdf_done_{rendered.reduction}", pages=rendered.pages,
                        limit=limit_text(services))


def _chart(services: Services, recap: Recap, language: str) -> pdf.Picture:
    """The recap's bar chart (activities, officers, complaint categories), as in summaries."""

    title = services.texts(language, "pdf.recap.chart_title")
    subtitle = period_text(services, recap.period, language)
    image = bar_chart(title, subtitle, chart_sections(services, language, recap))
    return pdf.Picture(caption=title, data=image)
