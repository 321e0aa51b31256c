"""Spreadsheet exports (openpyxl): one sheet per activity and one of complaints.

Plain functions that run in a worker thread. One rule for every sheet: times are Excel dates
in the precinct's zone (Excel has no time zones, the headers say WITA), counts are numbers, the
header row is bold, frozen, filtered and repeated on every printed page, long texts wrap (rows
as tall as their text), and the sheet prints on landscape A4 fitted to the page's width with
the precinct, units and period in the page header and page numbers in the footer.
The complaints are those of the period's reports (the recap's rule: a report belongs to the
period of its activity time), so the Keluhan sheet and every report row agree with the recap.
Every text is a string cell whatever its first character: openpyxl
turns a str starting with ``=`` into a live formula, so an officer's ``=HYPERLINK(...)`` would
otherwise run in the leader's spreadsheet (formula injection).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    # openpyxl takes ~0.3 s to import: loaded when a leader exports, not at every start-up.
    from openpyxl import Workbook

from domain.answers import EquipmentState
from domain.catalogue import Activity, Catalogue, ChoiceField, FieldType, MultiChoiceField
from domain.complaints import FollowUp
from domain.people import Officer
from domain.recap import DutyResult
from domain.reports import Report
from domain.schedule import Assignment, Outcome

Kind = Literal["text", "long", "int", "float", "datetime"]
"""How a column is written: ``long`` is text that wraps (descriptions, places, checklists)."""
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
LONG_WIDTH = 50  # characters: a wrapped column's width
ROW_LINE_POINTS = 15  # one line of 11-point text
MAX_ROW_POINTS = 409  # Excel's tallest row
SHEET_TITLE_LIMIT = 31
_FORBIDDEN_IN_TITLES = str.maketrans({c: " " for c in "[]:*?/\\"})
# Columns every activity sheet starts with: (label key, kind).
REPORT_COLUMNS: tuple[tuple[str, Kind], ...] = (
    ("number", "text"),
    ("officer", "text"),
    ("rank", "text"),
    ("nrp", "text"),
    ("unit", "text"),
    ("start", "datetime"),
    ("end", "datetime"),
    ("minutes", "int"),
    ("place", "long"),
    ("kelurahan_code", "text"),
    ("kelurahan", "text"),
    ("latitude", "float"),
    ("longitude", "float"),
    ("submitted", "datetime"),
    ("punctuality", "text"),
    ("equipment", "long"),
    ("warnings", "text"),
    ("complaints", "int"),
    ("photos", "int"),
    ("review", "text"),
)
COMPLAINT_COLUMNS: tuple[tuple[str, Kind], ...] = (
    ("complaint_id", "int"),
    ("number", "text"),
    ("activity", "text"),
    ("officer", "text"),
    ("unit", "text"),
    ("recorded", "datetime"),
    ("category", "text"),
    ("description", "long"),
    ("place", "long"),
    ("kelurahan_code", "text"),
    ("kelurahan", "text"),
    ("urgency", "text"),
    ("status", "text"),
    ("assignee", "text"),
    ("referred_to", "text"),
    ("resident_name", "text"),
    ("resident_contact", "text"),
)
# First characters a spreadsheet reads as the start of a formula when the cell is edited or
# the text is pasted (ASCII and full-width forms): such cells also get Excel's quote prefix.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
LABEL_KEYS = ("yes", "no", "complete", "missing_item", "on_time", "late")
"""Cell values the caller translates besides the headers: ``missing_item`` is a template
with ``{item}`` and ``{reason}``."""
PLAIN_TYPES = frozenset(
    {FieldType.SHORT_TEXT, FieldType.LONG_TEXT, FieldType.INTEGER, FieldType.CHOICE,
     FieldType.MULTI_CHOICE}
)


@dataclass(frozen=True)
class Sheet:
    """One worksheet: a title, typed columns and rows of plain values."""

    title: str
    headers: tuple[str, ...]
    kinds: tuple[Kind, ...]
    rows: list[tuple[Any, ...]]


@dataclass(frozen=True)
class PrintSetup:
    """What every printed page carries: a header line and the page number's template
    (``Hal. &P/&N``, Excel's codes for the page and the page count)."""

    header: str
    footer: str


@dataclass(frozen=True)
class ReportLine:
    """A report with what its row needs besides the report itself."""

    report: Report
    officer: Officer | None
    complaints: int
    photos: int
    review: str
    punctuality: str = ""
    """``on_time`` or ``late`` for a report of a scheduled duty (the recap's outcome), else
    empty."""


def local_naive(moment: datetime | None, tz: ZoneInfo) -> datetime | None:
    """An aware moment as the wall-clock time in ``tz`` (Excel cells carry no zone)."""
    if moment is None:
        return None
    return moment.astimezone(tz).replace(tzinfo=None)


def plain_value(activity: Activity, key: str, value: Any, language: str) -> Any:
    """A form answer as a cell: numbers stay numbers, choices become their labels."""
    if value is None:
        return None
    form_field = activity.field(key)
    if isinstance(form_field, ChoiceField):
        labels = {o.key: o.label.get(language) for o in form_field.options}
        return labels.get(str(value), str(value))
    if isinstance(form_field, MultiChoiceField):
        labels = {o.key: o.label.get(language) for o in form_field.options}
        return ", ".join(labels.get(str(item), str(item)) for item in value)
    if form_field.type == FieldType.INTEGER:
        try:
            return int(value)
        except (TypeError, ValueError):
            return None
    return str(value)


def sheet_title(name: str, taken: set[str]) -> str:
    """A unique worksheet title Excel accepts (31 characters, no []:*?/\\)."""
    base = name.translate(_FORBIDDEN_IN_TITLES).strip()[:SHEET_TITLE_LIMIT] or "Sheet"
    title, n = base, 2
    while title.lower() in taken:
        suffix = f" ({n})"
        title, n = base[: SHEET_TITLE_LIMIT - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def report_sheets(
    catalogue: Catalogue,
    lines: Sequence[ReportLine],
    labels: Mapping[str, str],
    unit_names: Mapping[str, str],
    tz: ZoneInfo,
    language: str,
    kelurahan_names: Mapping[str, str] | None = None,
) -> list[Sheet]:
    """One sheet per catalogue activity (empty ones included), in catalogue order;
    ``kelurahan_names`` (code → name) names each report's kelurahan."""
    names = kelurahan_names or {}
    taken: set[str] = set()
    sheets = []
    for activity in catalogue.activities:
        fields = [f for f in activity.fields if f.type in PLAIN_TYPES]
        warned = bool(activity.fields_of(FieldType.WARNINGS_ACK))
        headers = tuple(labels[key] for key, _ in REPORT_COLUMNS) + tuple(
            f.label.get(language) for f in fields
        )
        kinds = tuple(kind for _, kind in REPORT_COLUMNS) + tuple(
            "int" if f.type == FieldType.INTEGER
            else "long" if f.type == FieldType.LONG_TEXT else "text"
            for f in fields
        )
        rows = []
        for line in lines:
            report = line.report
            if report.activity_code != activity.code:
                continue
            officer = line.officer
            minutes = (
                int((report.ended_at - report.started_at).total_seconds() // 60)
                if report.started_at and report.ended_at
                else None
            )
            row: tuple[Any, ...] = (
                report.number,
                officer.full_name if officer else None,
                officer.rank if officer else None,
                officer.nrp if officer else None,
                unit_names.get(report.unit_code or "", report.unit_code),
                local_naive(report.started_at, tz),
                local_naive(report.ended_at, tz),
                minutes,
                report.place,
                report.kelurahan_code,
                names.get(report.kelurahan_code or "", report.kelurahan_code),
                report.latitude,
                report.longitude,
                local_naive(report.submitted_at, tz),
                labels[line.punctuality] if line.punctuality else None,
                equipment_text(catalogue, report.equipment, labels, language),
                (labels["yes"] if report.warnings_ack_at else labels["no"]) if warned else None,
                line.complaints,
                line.photos,
                line.review,
            ) + tuple(
                plain_value(activity, f.key, report.answers.get(f.key), language) for f in fields
            )
            rows.append(row)
        sheets.append(Sheet(sheet_title(activity.name.get(language), taken), headers, kinds,
                            rows))
    return sheets


def equipment_text(catalogue: Catalogue, equipment: Mapping[str, Any] | None,
                   labels: Mapping[str, str], language: str) -> str | None:
    """The checklist as a leader reads it: ``Lengkap``, or each missing item with its reason."""
    if equipment is None:
        return None
    try:
        state = EquipmentState.from_json(equipment)
    except ValueError:
        return None
    missing = state.missing()
    if not missing:
        return labels["complete"]
    return "; ".join(
        labels["missing_item"].format(
            item=label.get(language) if (label := catalogue.equipment.get(key)) else key,
            reason=state.reason(key) or "-")
        for key in missing
    )


@dataclass(frozen=True)
class ComplaintLabels:
    """A complaint's translated cells: what ``describe`` gives for each row."""

    category: str
    urgency: str
    status: str
    assignee: str
    officer: str
    activity: str


def punctuality(report: Report, duties: Iterable[DutyResult],
                posts: Mapping[int, Assignment]) -> str:
    """``on_time`` or ``late`` when the report answers a scheduled duty (its officer's post
    of the same activity whose time it overlaps, judged as the recap judges it), else ""."""
    if report.started_at is None or report.ended_at is None:
        return ""
    for duty in duties:
        post = posts.get(duty.assignment_id)
        if (post is not None and duty.officer_id == report.officer_id
                and post.activity_code == report.activity_code
                and report.started_at < post.ends_at and report.ended_at > post.starts_at):
            if duty.outcome is Outcome.DONE:
                return "on_time"
            if duty.outcome is Outcome.LATE:
                return "late"
    return ""


def complaint_sheet(
    items: Sequence[FollowUp],
    labels: Mapping[str, str],
    describe: Callable[[FollowUp], ComplaintLabels],
    unit_names: Mapping[str, str],
    tz: ZoneInfo,
    title: str,
    kelurahan_names: Mapping[str, str] | None = None,
) -> Sheet:
    """The complaints sheet: each complaint with its report, activity, officer and
    kelurahan (``kelurahan_names``: code → name)."""
    names = kelurahan_names or {}
    rows = []
    for item in items:
        cells = describe(item)
        rows.append((
            item.id,
            item.report_number,
            cells.activity,
            cells.officer,
            unit_names.get(item.unit_code or "", item.unit_code),
            local_naive(item.created_at, tz),
            cells.category,
            item.description,
            item.place,
            item.kelurahan_code,
            names.get(item.kelurahan_code or "", item.kelurahan_code),
            cells.urgency,
            cells.status,
            cells.assignee,
            item.referred_to,
            item.resident_name,
            item.resident_contact,
        ))
    return Sheet(
        title=sheet_title(title, set()),
        headers=tuple(labels[key] for key, _ in COMPLAINT_COLUMNS),
        kinds=tuple(kind for _, kind in COMPLAINT_COLUMNS),
        rows=rows,
    )


def add_sheet(workbook: Workbook, sheet: Sheet, setup: PrintSetup | None = None) -> None:
    """Write one sheet by the one rule (see the module's docstring)."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    worksheet = workbook.create_sheet(sheet.title)
    worksheet.append(list(sheet.headers))
    for cell in worksheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        as_text(cell)
    long_columns = [i for i, kind in enumerate(sheet.kinds) if kind == "long"]
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in sheet.rows:
        worksheet.append(list(row))
        index = worksheet.max_row
        for cell in worksheet[index]:
            as_text(cell)
        for column in long_columns:
            worksheet.cell(row=index, column=column + 1).alignment = wrap
        lines = max([1] + [_wrapped_lines(row[column], LONG_WIDTH - 2)
                           for column in long_columns])
        if lines > 1:
            worksheet.row_dimensions[index].height = min(MAX_ROW_POINTS,
                                                         ROW_LINE_POINTS * lines)
    for index, kind in enumerate(sheet.kinds, start=1):
        letter = get_column_letter(index)
        if kind == "datetime":
            for (cell,) in worksheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = DATETIME_FORMAT
        if kind == "long":
            worksheet.column_dimensions[letter].width = LONG_WIDTH
            continue
        width = max([min(30, len(str(sheet.headers[index - 1])))] + [
            min(40, len(str(row[index - 1]))) for row in sheet.rows[:200]
            if row[index - 1] is not None
        ] + [len(DATETIME_FORMAT) if kind == "datetime" else 0])
        worksheet.column_dimensions[letter].width = max(8, width + 2)
    worksheet.freeze_panes = "A2"
    worksheet.auto_filter.ref = worksheet.dimensions
    _print_setup(worksheet, setup)


def _wrapped_lines(value: Any, width: int) -> int:
    """How many lines ``value`` takes in a wrapped column ``width`` characters wide."""
    if not isinstance(value, str) or not value:
        return 1
    return sum(max(1, -(-len(part) // width)) for part in value.split("\n"))


def _print_setup(worksheet: Any, setup: PrintSetup | None) -> None:
    """Landscape A4, fitted to the page's width, the header row on every page."""
    worksheet.page_setup.orientation = "landscape"
    worksheet.page_setup.paperSize = worksheet.PAPERSIZE_A4
    worksheet.page_setup.fitToWidth = 1
    worksheet.page_setup.fitToHeight = 0  # as many pages down as the rows need
    worksheet.sheet_properties.pageSetUpPr.fitToPage = True
    worksheet.print_title_rows = "1:1"
    worksheet.print_options.gridLines = True
    worksheet.page_margins.left = worksheet.page_margins.right = 0.4
    if setup is not None:
        # "&" starts a code in Excel's header language: a literal one is written "&&".
        worksheet.oddHeader.center.text = setup.header.replace("&", "&&")
        worksheet.oddHeader.center.size = 9
        worksheet.oddFooter.right.text = setup.footer
        worksheet.oddFooter.right.size = 9


def as_text(cell: Any) -> None:
    """Make a cell holding a str a string cell, never a formula (numbers and dates untouched)."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if cell.value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True


def new_workbook(creator: str = "", title: str = "") -> Workbook:
    """A workbook without sheets (openpyxl's default one removed); add at least one.

    ``creator`` (the precinct) and ``title`` go into the file's properties."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    if creator:
        workbook.properties.creator = creator
        workbook.properties.lastModifiedBy = creator
    if title:
        workbook.properties.title = title
    return workbook


def workbook_bytes(workbook: Workbook) -> bytes:
    """The workbook as an .xlsx file."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
