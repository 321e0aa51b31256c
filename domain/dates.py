"""Date ranges leaders type: ``1/11 - 15/11``, ``01-11-2026 s/d 15-11-2026``, ``1 Nov - 15 Nov``.

Plain Python, no Telegram. A range is read as local dates (the precinct's zone); the recap's
:func:`domain.recap.custom_period` turns it into UTC bounds. A date without a year is the
latest such date at most a week after today (on 28 November ``1/11 - 30/11`` is this
November, ``10/12`` last December; on 5 January ``20/12 - 3/1`` is December to January);
one without a month takes the other end's (``1 - 15 Nov``); a month name alone is the whole
month (``Oktober``, ``okt 2026``). Indonesian and English month names and their usual
abbreviations are understood, with the day before the month (``26 Nov``) or after it, in the
English order (``Nov 26``, ``November 26 2026``, ``November 26 to 28``).

Only years :data:`FIRST_YEAR` to :data:`LAST_YEAR` are accepted: two-digit years already mean
20xx, this precinct keeps no reports from before 2000, and every such day is far from the
ends of Python's calendar, so its UTC bounds can always be computed. ``31/12/9999`` or
``1/1/0001`` are refused as days not in the calendar, never read as something else.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.recap import Period, custom_period
from domain.text import identifier

MAX_DAYS = 366
"""The longest range accepted, as /rekap's typed range."""
AHEAD = timedelta(days=7)
"""A date without a year may lie this far after today (1/11 - 30/11 typed on the 28th)."""
WRAP_DAYS = 184
"""A start after the end without a year is taken from the year before only within this."""
FIRST_YEAR = 2000
"""The earliest year a typed or stored range may touch."""
LAST_YEAR = 2099
"""The latest year a typed or stored range may touch (the last a two-digit year can name)."""

MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        ("januari", "january", "jan"),
        ("februari", "pebruari", "february", "feb", "peb"),
        ("maret", "march", "mar"),
        ("april", "apr"),
        ("mei", "may"),
        ("juni", "june", "jun"),
        ("juli", "july", "jul"),
        ("agustus", "august", "agu", "agt", "ags", "aug"),
        ("september", "sept", "sep"),
        ("oktober", "october", "okt", "oct"),
        ("november", "nopember", "nov", "nop"),
        ("desember", "december", "des", "dec"),
    ),
    start=1,
):
    for _name in _names:
        MONTHS[_name] = _number

# Words and marks between the two ends. A plain hyphen only counts with spaces around it:
# without them it is part of a date (01-11-2026) and is tried last.
_BETWEEN = re.compile(
    r"\s+(?:s\.?/?d\.?|sampai(?:\s+dengan)?|hingga|until|to|till|through)\s+"
    r"|\s*(?:–|—|\.\.|~)\s*|\s+-\s+",
)
_NUMERIC = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{4}|\d{2}))?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_NAMED = re.compile(r"^(\d{1,2})[\s./\-]*([a-z]+)\.?(?:[\s./,\-]*(\d{4}|\d{2}))?$")
# English order, the day after the month (Nov 26, November 26 2026): only a four-digit year
# may follow, so "nov 26-28" is 26 to 28 November, not 26 November 2028.
_MONTH_DAY = re.compile(r"^([a-z]+)\.?[\s./\-]*(\d{1,2})(?:[\s./,\-]+(\d{4}))?$")
_MONTH_ONLY = re.compile(r"^([a-z]+)\.?(?:[\s./,\-]*(\d{4}))?$")
_DAY_ONLY = re.compile(r"^(\d{1,2})$")
_LEADING = re.compile(r"^(?:dari|from|tanggal|tgl\.?|date)\s+")


class RangeProblem(StrEnum):
    """Why a typed range was refused; each has its own friendly message."""

    FORMAT = "format"
    """Not a date or a range of dates."""
    DAY = "day"
    """A date that does not exist (31/11), or outside :data:`FIRST_YEAR`..:data:`LAST_YEAR`."""
    ORDER = "order"
    """The range ends before it starts."""
    TOO_LONG = "too_long"
    """Longer than :data:`MAX_DAYS`."""


class DateRangeError(ValueError):
    """A typed range that could not be read; ``problem`` says why."""

    def __init__(self, problem: RangeProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True)
class DateRange:
    """Local days ``first``..``last``, both included."""

    first: date
    last: date

    @property
    def days(self) -> int:
        """How many days the range covers."""
        return (self.last - self.first).days + 1

    def period(self, tz: ZoneInfo) -> Period:
        """The range as a period: local midnight of ``first`` to that after ``last``, in UTC."""
        return custom_period(self.first, self.last, tz)

    def code(self) -> str:
        """``20261101-20261115``: short enough for button data and stored views."""
        return f"{self.first:%Y%m%d}-{self.last:%Y%m%d}"

    @classmethod
    def from_code(cls, code: str) -> DateRange | None:
        """The range :meth:`code` wrote, or None for anything else (a stale or forged value).

        A code outside the accepted years (stored before they were checked) is None too, so a
        view holding one shows no range rather than failing to build its period.
        """
        match = re.fullmatch(r"(\d{4})(\d{2})(\d{2})-(\d{4})(\d{2})(\d{2})", code or "")
        if match is None:
            return None
        parts = [int(part) for part in match.groups()]
        try:
            first, last = date(*parts[:3]), date(*parts[3:])
        except ValueError:
            return None
        if last < first or (last - first).days >= MAX_DAYS:
            return None
        if not (_in_years(first.year) and _in_years(last.year)):
            return None
        return cls(first, last)


@dataclass(frozen=True)
class _Part:
    """One end as typed: any of day, month, year may be missing."""

    day: int | None
    month: int | None
    year: int | None


def _year(text: str | None) -> int | None:
    """Two digits are 20xx; four are taken as written (0001 stays year 1, to be refused)."""
    if text is None:
        return None
    value = int(text)
    return value + 2000 if len(text) == 2 else value


def _in_years(year: int) -> bool:
    return FIRST_YEAR <= year <= LAST_YEAR


def _part(text: str) -> _Part | None:
    text = text.strip().strip(",")
    if match := _ISO.match(text):
        return _Part(int(match.group(3)), int(match.group(2)), int(match.group(1)))
    if match := _NUMERIC.match(text):
        return _Part(int(match.group(1)), int(match.group(2)), _year(match.group(3)))
    if (match := _NAMED.match(text)) and match.group(2) in MONTHS:
        return _Part(int(match.group(1)), MONTHS[match.group(2)], _year(match.group(3)))
    if (match := _MONTH_DAY.match(text)) and match.group(1) in MONTHS:
        return _Part(int(match.group(2)), MONTHS[match.group(1)], _year(match.group(3)))
    if (match := _MONTH_ONLY.match(text)) and match.group(1) in MONTHS:
        return _Part(None, MONTHS[match.group(1)], _year(match.group(2)))
    if match := _DAY_ONLY.match(text):
        return _Part(int(match.group(1)), None, None)
    return None


def _make(year: int, month: int, day: int) -> date:
    if not _in_years(year):
        raise DateRangeError(RangeProblem.DAY)
    try:
        return date(year, month, day)
    except ValueError:
        raise DateRangeError(RangeProblem.DAY) from None


def _month_end(year: int, month: int) -> int:
    if not _in_years(year):
        raise DateRangeError(RangeProblem.DAY)
    return calendar.monthrange(year, month)[1]


def _latest_year(month: int, day: int, today: date) -> int:
    """The year of the latest ``day/month`` up to a week ahead (29/2 looks back to a leap year)."""
    for year in range(min(today.year + 1, LAST_YEAR), max(today.year - 8, FIRST_YEAR - 1), -1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate - AHEAD <= today:
            return year
    raise DateRangeError(RangeProblem.DAY)


def _resolve(first: _Part, last: _Part, today: date) -> DateRange:
    # The end fills in what the start leaves out (1 - 15 Nov), and a year given only at the
    # start holds for the end too (1/11/2025 - 15/11). Missing means None: a typed 0 (0/11,
    # 1/1/0000) is a day not in the calendar, never a blank to fill in.
    last_month = first.month if last.month is None else last.month
    if last_month is None:
        raise DateRangeError(RangeProblem.FORMAT)
    first_month = last_month if first.month is None else first.month
    last_year = first.year if last.year is None else last.year
    if last_year is None:
        if last.day is None:
            last_year = today.year if last_month <= today.month else today.year - 1
        else:
            last_year = _latest_year(last_month, last.day, today)
    last_day = _month_end(last_year, last_month) if last.day is None else last.day
    end = _make(last_year, last_month, last_day)
    first_year = last_year if first.year is None else first.year
    first_day = 1 if first.day is None else first.day
    start = _make(first_year, first_month, first_day)
    if first.year is None and start > end:
        # 20/12 - 3/1 crosses the new year; 15/11 - 1/11 is a slip, not eleven months.
        try:
            earlier = date(first_year - 1, first_month, first_day)
        except ValueError:
            raise DateRangeError(RangeProblem.DAY) from None
        if (end - earlier).days < WRAP_DAYS:
            start = _make(first_year - 1, first_month, first_day)  # refuses 1999
    if end < start:
        raise DateRangeError(RangeProblem.ORDER)
    if (end - start).days >= MAX_DAYS:
        raise DateRangeError(RangeProblem.TOO_LONG)
    return DateRange(start, end)


def _options(text: str) -> list[list[str]]:
    """The ways to read the text as one date or two ends, most likely first."""
    pieces = _BETWEEN.split(text)
    if len(pieces) == 2:
        return [pieces]
    if len(pieces) > 2:
        return []
    # No separator word: one date, or two glued by a bare hyphen (1/11-15/11) or written
    # side by side (/rekap 01/11/2026 15/11/2026).
    return [[text]] + [
        [text[:index], text[index + 1 :]] for index, char in enumerate(text) if char in "- "
    ]


def parse_date_range(text: str, today: date) -> DateRange:
    """The local days a leader typed; raises :class:`DateRangeError` saying why not.

    ``today`` is the precinct's local date: it settles the year when none is typed.
    """
    cleaned = " ".join(identifier(text).lower().replace(",", " ").split())
    cleaned = _LEADING.sub("", cleaned)
    if not cleaned or len(cleaned) > 60:
        raise DateRangeError(RangeProblem.FORMAT)
    readings: list[list[_Part]] = []
    for option in _options(cleaned):
        parts = [part for piece in option if (part := _part(piece)) is not None]
        if len(parts) < len(option):
            continue
        if len(parts) == 1 and parts[0].month is None:
            continue  # a bare number is not a date
        readings.append(parts)
    # Side by side, two whole dates (nov 26 | nov 28) beat a month and a date with a two-digit
    # year (nov | 26 nov 28); the text read as one date still comes first.
    readings.sort(key=lambda parts: len(parts) == 2 and any(
        part.day is None or part.month is None for part in parts))
    problem: DateRangeError | None = None
    for parts in readings:
        try:
            return _resolve(parts[0], parts[-1], today)
        except DateRangeError as error:
            problem = problem or error
    raise problem or DateRangeError(RangeProblem.FORMAT)
