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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from domain import exports, pdf
from domain.access import reach
from domain.answers import EquipmentState
from domain.catalogue import FieldType
from domain.charts import bar_chart
from domain.complaints import FollowUp
from domain.dates import DateRange
from domain.people import Officer
from domain.recap import Period, Recap, month_of, week_of
from domain.reports import Report, StoredComplaint
from handlers import dates
from handlers import recap as recap_view
from handlers.complaints import status_label
from jobs.planning import schedule_config
from jobs.summaries import chart_sections
from storage.desk import PendingInput, ReportFilter
from storage.recap import load_recap
from ui import callbacks
from ui.access import Actor
from ui.messages import chunked, inline, local_time, message_id
from ui.services import BotContext, Services
from ui.views import clock_text, photo_path

logger = logging.getLogger(__name__)
NS = callbacks.Namespace.EXPORT
ENVELOPE_MARGIN = 1_000_000  # the multipart envelope around the file, with room to spare
BATCH = 50
PERIOD_CODES = ("w", "m", "pm")
BASIS_FIELD = "sprin"  # catalogue keys the police layout places in sections of their own
OBSTACLES_FIELD = "obstacles"
PDF_SKIPPED = frozenset(
    {FieldType.TIME_RANGE, FieldType.LOCATION, FieldType.EQUIPMENT, FieldType.COMPLAINTS,
     FieldType.PHOTOS, FieldType.WARNINGS_ACK}
)


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
        (texts(language, f"export.button.xlsx_{code}"), callbacks.pack(NS, "x", code, unit))
        for code in PERIOD_CODES
    ] + [
        (texts(language, f"export.button.recap_{code}"), callbacks.pack(NS, "r", code, unit))
        for code in PERIOD_CODES
    ]
    return inline([*chunked(buttons, 3),
                   [(texts(language, "dates.button"), callbacks.pack(NS, "t", unit))]])


def _range_buttons(
    services: Services, language: str, unit: str, chosen: DateRange
) -> InlineKeyboardMarkup:
    period = dates.range_text(services, language, chosen)
    return inline([
        [(services.texts(language, "export.button.xlsx_range", period=period),
          callbacks.pack(NS, "x", chosen.code(), unit))],
        [(services.texts(language, "export.button.recap_range", period=period),
          callbacks.pack(NS, "r", chosen.code(), unit))],
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
        options = [(texts(language, "export.all_units"), callbacks.pack(NS, "u", ALL_UNITS))] + [
            (unit.name, callbacks.pack(NS, "u", unit.code))
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
    language = actor.language
    leader = actor.active_officer
    stale = services.texts(language, "button.stale")
    try:
        action, arg, *rest = callbacks.unpack(query.data, NS)
    except (ValueError, callbacks.CallbackDataError):
        await query.answer(stale, show_alert=True)
        return
    units = export_units(services, leader, rest[0] if rest else ALL_UNITS)
    if action in ("u", "xc"):
        chosen = export_units(services, leader, arg)
        if chosen is None:
            await query.answer(stale, show_alert=True)
            return
        if action == "xc":  # the typed range was cancelled
            async with services.db.transaction(update_id=update.update_id,
                                               now=services.clock.now()) as tx:
                await tx.desk_inputs.cancel(leader.id, NS, message_id(query))
        await query.answer()
        await query.edit_message_text(_unit_text(services, chosen, language),
                                      reply_markup=_format_buttons(services, language, arg))
    elif action == "t" and export_units(services, leader, arg):
        await dates.ask(update, context, actor, NS, callbacks.pack(NS, "xc", arg), unit=arg)
    elif (action in ("x", "r") and units
          and (arg in PERIOD_CODES or DateRange.from_code(arg) is not None)):
        await query.answer()
        build = spreadsheet if action == "x" else recap_pdf
        await build(context, actor, query.message, period_of(services, arg), units)
    elif action == "pdf" and arg.isdigit():
        async with services.db.reading() as repos:
            report = await repos.reports.by_id(int(arg))
        if report is None or report.unit_code not in reach(leader, services.organisation):
            await query.answer(stale, show_alert=True)
            return
        await query.answer()
        await report_pdf(context, actor, query.message, report)
    else:
        await query.answer(stale, show_alert=True)


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
        except BadRequest:
            logger.debug("export status unchanged")


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
    return {key: services.texts(language, f"export.col.{key}") for key in keys}


async def spreadsheet(
    context: BotContext,
    actor: Actor,
    chat_message: Message,
    period: Period,
    units: frozenset[str],
) -> None:
    """The period's reports (a sheet per activity) and complaints as .xlsx."""
    services = context.services
    language = actor.language
    leader = actor.active_officer
    progress = await Progress.start(services, language, chat_message)
    data = await _collect(services, units, period, progress)
    labels = _labels(services, language)
    unit_names = {unit.code: unit.name for unit in services.organisation.units}
    kelurahan_names = {k.code: k.name for k in services.territory.all_kelurahan()}
    tz = services.settings.tz
    review_names = {
        state: services.texts(language, f"export.review.{state}")
        for state in ("returned", "fixed", "reviewed")
    }
    lines = [
        exports.ReportLine(line.report, line.officer, line.complaints, line.photos,
                           review_names.get(line.review, ""))
        for line in data.lines
    ]

    def describe(item: FollowUp) -> tuple[str, str, str, str]:
        category = services.catalogue.complaint_categories.get(item.category)
        try:
            urgency = services.catalogue.urgency(item.urgency).label.get(language)
        except KeyError:
            urgency = item.urgency
        assignee = data.officers.get(item.assigned_to or 0)
        return (category.get(language) if category else item.category, urgency,
                status_label(services, item.status, language),
                assignee.full_name if assignee else "")

    sheets = await asyncio.to_thread(
        exports.report_sheets, services.catalogue, lines, labels, unit_names, tz, language,
        kelurahan_names,
    )
    sheets.append(exports.complaint_sheet(
        data.complaints, labels, describe, unit_names, tz,
        services.texts(language, "export.complaints_sheet"), kelurahan_names,
    ))
    workbook = exports.new_workbook()
    for index, sheet in enumerate(sheets, start=1):
        await progress.show("export.progress.sheet", done=index, total=len(sheets))
        await asyncio.to_thread(exports.add_sheet, workbook, sheet)
    content = await asyncio.to_thread(exports.workbook_bytes, workbook)
    stem = f"laporan_{period.first_day:%Y%m%d}-{period.last_day:%Y%m%d}"
    files: list[tuple[str, bytes]] = [(f"{stem}.xlsx", content)]
    split = len(content) > upload_budget(services)
    if split:
        files = []
        for index, sheet in enumerate(sheets, start=1):
            single = exports.new_workbook()
            await asyncio.to_thread(exports.add_sheet, single, sheet)
            files.append((f"{stem}_{index}.xlsx", await asyncio.to_thread(
                exports.workbook_bytes, single)))
    await progress.show("export.progress.sending")
    caption = services.texts(language, "export.xlsx_caption",
                             period=period_text(services, period, language),
                             reports=len(lines), complaints=len(data.complaints))
    for name, blob in files:
        await chat_message.chat.send_document(blob, filename=name, caption=caption[:1024])
    await _audit(services, leader, "xlsx", period=f"{period.first_day}..{period.last_day}",
                 units=sorted(units), reports=len(lines), complaints=len(data.complaints),
                 files=len(files))
    await progress.show("export.done_split" if split else "export.done", files=len(files),
                        limit=limit_text(services))


async def _audit(services: Services, leader: Officer, kind: str, **details: object) -> None:
    now = services.clock.now()
    async with services.db.transaction(now=now) as tx:
        await tx.audit.record(actor_id=leader.id, action="report.export", target_type="export",
                              target_id=kind, now=now, **details)


def report_document(
    services: Services,
    report: Report,
    author: Officer,
    complaints: Sequence[StoredComplaint],
    hashes: Sequence[str],
    language: str,
    *,
    include_residents: bool,
) -> pdf.Document:
    """A report in the police layout: letterhead, title, numbered sections, signature."""
    texts = services.texts
    tz = services.settings.tz
    activity = services.catalogue.activity(report.activity_code)
    answers = report.answers
    when = (report.started_at or report.submitted_at).astimezone(tz)
    day = texts(language, f"day.{when.weekday()}")
    basis = answers.get(BASIS_FIELD)
    time_lines = [texts(language, "pdf.day", day=day, date=when.strftime("%d/%m/%Y"))]
    if report.started_at and report.ended_at:
        tz = services.settings.tz
        time_lines.append(texts(language, "pdf.time",
                                start=clock_text(report.started_at, language, tz),
                                end=clock_text(report.ended_at, language, tz),
                                zone=when.tzname() or ""))
    places = [report.place] if report.place else []
    if report.kelurahan_code:
        places.append(texts(language, "pdf.kelurahan", code=report.kelurahan_code,
                            name=services.territory.name_of(report.kelurahan_code)))
    if places:
        time_lines.append(texts(language, "pdf.place", place=" — ".join(places)))
    if report.latitude is not None and report.longitude is not None:
        time_lines.append(texts(language, "pdf.coordinates", lat=f"{report.latitude:.6f}",
                                lon=f"{report.longitude:.6f}"))
    officer_lines = (
        texts(language, "pdf.officer", rank=author.rank or "", name=author.full_name,
              nrp=author.nrp or "-").strip(),
        texts(language, "pdf.unit", unit=command_name(services, report.unit_code)),
    )
    done: list[str] = []
    for form_field in activity.fields:
        if form_field.type in PDF_SKIPPED or form_field.key in (BASIS_FIELD, OBSTACLES_FIELD):
            continue
        value = exports.plain_value(activity, form_field.key, answers.get(form_field.key),
                                    language)
        if value is not None and value != "":
            done.append(f"{form_field.label.get(language)}: {value}")
    if report.warnings_ack_at is not None:
        done.append(texts(language, "pdf.warnings"))
    results = [texts(language, "pdf.complaints", count=len(complaints)) if complaints
               else texts(language, "pdf.complaints_none")]
    for index, item in enumerate(complaints, start=1):
        category = services.catalogue.complaint_categories.get(item.category)
        try:
            urgency = services.catalogue.urgency(item.urgency).label.get(language)
        except KeyError:
            urgency = item.urgency
        line = texts(language, "pdf.complaint", index=index,
                     category=category.get(language) if category else item.category,
                     description=item.description, place=item.place, urgency=urgency)
        if include_residents and item.resident_name and item.resident_contact:
            line += " " + texts(language, "pdf.resident", name=item.resident_name,
                                contact=item.resident_contact)
        elif include_residents and item.resident_name:
            line += " " + texts(language, "pdf.resident_name", name=item.resident_name)
        elif include_residents and item.resident_contact:
            line += " " + texts(language, "pdf.resident_contact", contact=item.resident_contact)
        results.append(line)
    obstacles: list[str] = []
    if answers.get(OBSTACLES_FIELD):
        obstacles.append(str(answers[OBSTACLES_FIELD]))
    if report.equipment is not None:
        state = EquipmentState.from_json(report.equipment)
        for key in state.missing():
            item_label = services.catalogue.equipment.get(key)
            obstacles.append(texts(language, "pdf.missing",
                                   item=item_label.get(language) if item_label else key,
                                   reason=state.reason(key) or "-"))
    precinct = services.organisation.precinct
    # The SOP is the basis of every post; the Sprin, when there is one, comes with it.
    basis_lines = (texts(language, "pdf.basis_sop", precinct=precinct.name, sop=precinct.sop),
                   ) + ((texts(language, "pdf.basis", sprin=basis),) if basis else ())
    sections = (
        pdf.Section(texts(language, "pdf.section.basis"), basis_lines),
        pdf.Section(texts(language, "pdf.section.purpose"), (
            texts(language, "pdf.purpose", text=activity.purpose.get(language)),
            texts(language, "pdf.goal", text=activity.goal.get(language)))),
        pdf.Section(texts(language, "pdf.section.time_place"), tuple(time_lines)),
        pdf.Section(texts(language, "pdf.section.officers"), officer_lines),
        pdf.Section(texts(language, "pdf.section.activity"), tuple(done)),
        pdf.Section(texts(language, "pdf.section.results"), tuple(results)),
        pdf.Section(texts(language, "pdf.section.obstacles"),
                    tuple(obstacles) or (texts(language, "pdf.none"),)),
        pdf.Section(texts(language, "pdf.section.closing"), (texts(language, "pdf.closing"),)),
    )
    signed = report.submitted_at.astimezone(tz)
    pictures = tuple(
        pdf.Picture(caption=texts(language, "pdf.photo_caption", index=index,
                                  number=report.number),
                    path=photo_path(services, sha))
        for index, sha in enumerate(hashes, start=1)
        if photo_path(services, sha).exists()
    )
    return pdf.Document(
        letterhead=tuple(services.organisation.precinct.letterhead),
        title=texts(language, "pdf.title"),
        subtitle=activity.name.get(language).upper(),
        number=texts(language, "pdf.number", number=report.number),
        sections=sections,
        signature=pdf.Signature(
            place_date=place_date(services, language, signed),
            role=texts(language, "pdf.reporter"),
            name=author.full_name,
            rank_nrp=texts(language, "pdf.rank_nrp", rank=author.rank or "",
                           nrp=author.nrp or "-").strip(),
        ),
        attachment_title=texts(language, "pdf.attachment"),
        pictures=pictures,
        page_label=texts(language, "pdf.page", page="{page}", pages="{pages}"),
        metadata_title=f"{texts(language, 'pdf.title')} {report.number}",
        author=precinct.name,
    )


def long_date(services: Services, language: str, moment: datetime) -> str:
    """``23 November 2026``: the date as a letter writes it, in the precinct's zone."""
    local = moment.astimezone(services.settings.tz)
    return services.texts(language, "pdf.date", day=local.day, year=local.year,
                          month=services.texts(language, f"pdf.month.{local.month}"))


def place_date(services: Services, language: str, moment: datetime) -> str:
    """The signature's place and date: ``Gorontalo, 23 November 2026``."""
    return services.texts(language, "pdf.place_date",
                          place=services.organisation.precinct.place,
                          date=long_date(services, language, moment))


def command_name(services: Services, unit_code: str | None) -> str:
    """A unit with the units above it: ``Unit Binkamsa Satbinmas Polres Gorontalo Kota``."""
    organisation = services.organisation
    names: list[str] = []
    code = unit_code
    while code and organisation.has_unit(code) and len(names) < 10:
        unit = organisation.unit(code)
        names.append(unit.name)
        code = unit.parent
    return " ".join([*names, organisation.precinct.name])


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
    document = report_document(services, report, author, complaints, hashes, language,
                               include_residents=True)
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
    """The period's recap as a PDF: numbers, reporting rate, officers, complaints, the list
    of reports, then the summaries' chart and the reporting-rate chart."""
    services = context.services
    language = actor.language
    texts = services.texts
    leader = actor.active_officer
    progress = await Progress.start(services, language, chat_message)
    now = services.clock.now()
    async with services.db.reading() as repos:
        # Judged now with the schedule's grace, as /rekap does: the same rate for the same days.
        recap = await load_recap(repos.recaps, services.catalogue, units, period, now=now,
                                 grace=schedule_config(services).grace)
    data = await _collect(services, units, period, progress)
    catalogue = services.catalogue
    activity_lines = tuple(
        texts(language, "pdf.recap.activity_line",
              activity=catalogue.activity(code).name.get(language)
              if catalogue.has_activity(code) else code,
              reports=count, residents=recap.residents_by_activity.get(code, 0))
        for code, count in recap.reports_by_activity.items()
    ) + (texts(language, "pdf.recap.total", reports=recap.total_reports,
               residents=recap.residents_reached),)
    officer_lines = tuple(
        texts(language, "pdf.recap.officer_line", name=f"{line.rank or ''} {line.name}".strip(),
              reports=line.reports)
        for line in recap.officers
    )
    complaint_lines = tuple(
        texts(language, "pdf.recap.category_line",
              category=catalogue.complaint_categories[line.category].get(language)
              if line.category in catalogue.complaint_categories else line.category,
              total=line.total, urgent=line.urgent)
        for line in recap.complaints
    )
    status_lines = tuple(
        texts(language, "pdf.recap.status_line", count=count,
              status=texts(language, f"complaints.status.{status}")
              if texts.has(f"complaints.status.{status}") else status)
        for status, count in recap.complaints_by_status.items()
    )
    tz = services.settings.tz
    listing = tuple(
        texts(language, "pdf.recap.report_line", number=line.report.number,
              date=local_time(line.report.started_at or line.report.submitted_at, tz, texts,
                              language),
              officer=line.officer.full_name if line.officer else "-")
        for line in data.lines
    )
    unit_names = ", ".join(
        unit.name for unit in services.organisation.units if unit.code in units
    )
    document = pdf.Document(
        letterhead=tuple(services.organisation.precinct.letterhead),
        title=texts(language, "pdf.recap.title"),
        subtitle=unit_names,
        number=period_text(services, period, language),
        sections=(
            pdf.Section(texts(language, "pdf.recap.section.activities"), activity_lines),
            pdf.Section(texts(language, "pdf.recap.section.rate"),
                        _rate_lines(services, language, recap)),
            pdf.Section(texts(language, "pdf.recap.section.officers"), officer_lines),
            pdf.Section(texts(language, "pdf.recap.section.complaints"),
                        complaint_lines + status_lines),
            pdf.Section(texts(language, "pdf.recap.section.reports"), listing),
        ),
        attachment_title=texts(language, "pdf.recap.charts"),
        pictures=await asyncio.to_thread(_charts, services, recap, language) + (
            pdf.Picture(caption=texts(language, "pdf.recap.rate_chart_title"),
                        data=await recap_view.weekly_rate_chart(
                            services, language, units, unit_names,
                            until=period.end - timedelta(microseconds=1))),
        ),
        pictures_per_page=1,
    )
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


def _rate_lines(services: Services, language: str, recap: Recap) -> tuple[str, ...]:
    """Scheduled duties of the period: the rate /rekap shows, then on time, late, missing."""
    texts = services.texts
    counts = recap.schedule
    if counts is None or counts.expected <= 0:
        return (texts(language, "summary.rate_none"),)
    rate = recap.reporting_rate or 0.0
    return (
        texts(language, "summary.rate", reported=counts.reported, expected=counts.expected,
              percent=round(rate * 100)),
        texts(language, "pdf.recap.rate_on_time", count=counts.reported - counts.late),
        texts(language, "pdf.recap.rate_late", count=counts.late),
        texts(language, "pdf.recap.rate_missing", count=counts.expected - counts.reported),
    )


def _charts(services: Services, recap: Recap, language: str) -> tuple[pdf.Picture, ...]:
    """The recap's bar chart (activities, officers, complaint categories), as in summaries."""

    title = services.texts(language, "pdf.recap.chart_title")
    subtitle = period_text(services, recap.period, language)
    image = bar_chart(title, subtitle, chart_sections(services, language, recap))
    return (pdf.Picture(caption=title, data=image),)
