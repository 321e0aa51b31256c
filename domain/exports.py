"""Spreadsheet exports (openpyxl): one sheet per activity and one of complaints.

Plain functions that run in a worker thread. Times are written as Excel dates in the
precinct's zone (Excel has no time zones), counts as numbers; each sheet has a frozen header
row and an auto-filter. Every text is a string cell whatever its first character: openpyxl
turns a str starting with ``=`` into a live formula, so an officer's ``=HYPERLINK(...)`` would
otherwise run in the leader's spreadsheet (formula injection).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    # openpyxl takes ~0.3 s to import: loaded when a leader exports, not at every start-up.
    from openpyxl import Workbook

from domain.catalogue import Activity, Catalogue, ChoiceField, FieldType, MultiChoiceField
from domain.complaints import FollowUp
from domain.people import Officer
from domain.reports import Report

Kind = Literal["text", "int", "float", "datetime"]
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
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
    ("place", "text"),
    ("kelurahan_code", "text"),
    ("kelurahan", "text"),
    ("latitude", "float"),
    ("longitude", "float"),
    ("submitted", "datetime"),
    ("complaints", "int"),
    ("photos", "int"),
    ("review", "text"),
)
COMPLAINT_COLUMNS: tuple[tuple[str, Kind], ...] = (
    ("complaint_id", "int"),
    ("number", "text"),
    ("unit", "text"),
    ("recorded", "datetime"),
    ("category", "text"),
    ("description", "text"),
    ("place", "text"),
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
class ReportLine:
    """A report with what its row needs besides the report itself."""

    report: Report
    officer: Officer | None
    complaints: int
    photos: int
    review: str


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
        headers = tuple(labels[key] for key, _ in REPORT_COLUMNS) + tuple(
            f.label.get(language) for f in fields
        )
        kinds = tuple(kind for _, kind in REPORT_COLUMNS) + tuple(
            "int" if f.type == FieldType.INTEGER else "text" for f in fields
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


def complaint_sheet(
    items: Sequence[FollowUp],
    labels: Mapping[str, str],
    describe: Callable[[FollowUp], tuple[str, str, str, str]],
    unit_names: Mapping[str, str],
    tz: ZoneInfo,
    title: str,
    kelurahan_names: Mapping[str, str] | None = None,
) -> Sheet:
    """The complaints sheet; ``describe`` gives category, urgency, status and assignee labels."""
    names = kelurahan_names or {}
    rows = []
    for item in items:
        category, urgency, status, assignee = describe(item)
        rows.append((
            item.id,
            item.report_number,
            unit_names.get(item.unit_code or "", item.unit_code),
            local_naive(item.created_at, tz),
            category,
            item.description,
            item.place,
            item.kelurahan_code,
            names.get(item.kelurahan_code or "", item.kelurahan_code),
            urgency,
            status,
            assignee,
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


def add_sheet(workbook: Workbook, sheet: Sheet) -> None:
    """Write one sheet: bold frozen header, typed cells, auto-filter, sensible widths."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    worksheet = workbook.create_sheet(sheet.title)
    worksheet.append(list(sheet.headers))
    for cell in worksheet[1]:
        cell.font = Font(bold=True)
        as_text(cell)
    for row in sheet.rows:
        worksheet.append(list(row))
        for cell in worksheet[worksheet.max_row]:
            as_text(cell)
    for index, kind in enumerate(sheet.kinds, start=1):
        letter = get_column_letter(index)
        if kind == "datetime":
            for (cell,) in worksheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = DATETIME_FORMAT
        width = max([len(str(sheet.headers[index - 1]))] + [
            min(60, len(str(row[index - 1]))) for row in sheet.rows[:200]
            if row[index - 1] is not None
        ])
        worksheet.column_dimensions[letter].width = max(10, min(60, width + 2))
    worksheet.freeze_panes = "A2"
    worksheet.auto_filter.ref = worksheet.dimensions


def as_text(cell: Any) -> None:
    """Make a cell holding a str a string cell, never a formula (numbers and dates untouched)."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if cell.value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True


def new_workbook() -> Workbook:
    """A workbook without sheets (openpyxl's default one removed); add at least one."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    return workbook


def workbook_bytes(workbook: Workbook) -> bytes:
    """The workbook as an .xlsx file."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
