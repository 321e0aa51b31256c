"""Date ranges leaders type: ``1/11 - 15/11``, ``01-11-2026 s/d 15-11-2026``, ``1 Nov - 15 Nov``.

Plain Python, no Telegram. A range is read as local dates (the precinct's zone); the recap's
:func:`domain.recap.custom_period` turns it into UTC bounds. A date without a year is the
latest such date at most a week after today (on 28 November ``1/11 - 30/11`` is this
November, ``10/12`` last December; on 5 January ``20/12 - 3/1`` is December to January);
one without a month takes the other end's (``1 - 15 Nov``); a month name alone is the whole
month (``Oktober``, ``okt 2026``). Each end is read by :func:`domain.lexer.read_date`, as the
report form and /tugas read theirs: Indonesian and English month names and their usual
abbreviations, with the day before the month (``26 Nov``) or after it, in the English order
(``Nov 26``, ``November 26 2026``, ``November 26 to 28``), and ``kemarin``/``hari ini``.

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

from domain.errors import InputError
from domain.lexer import DatePart, Lean, YearRule, complete, normalise, read_date
from domain.recap import Period, custom_period

MAX_DAYS = 366
"""The longest range accepted, as /rekap's typed range."""
AHEAD = timedelta(days=7)
"""A date without a year may lie this far after today (1/11 - 30/11 typed on the 28th)."""
RANGE_YEARS = YearRule(Lean.PAST, ahead=AHEAD, years_back=7)
"""A date of a range typed without a year: the latest up to :data:`AHEAD` after today."""
WRAP_DAYS = 184
"""A start after the end without a year is taken from the year before only within this."""
FIRST_YEAR = 2000
"""The earliest year a typed or stored range may touch."""
LAST_YEAR = 2099
"""The latest year a typed or stored range may touch (the last a two-digit year can name)."""

# Words and marks between the two ends. A plain hyphen only counts with spaces around it:
# without them it is part of a date (01-11-2026) and is tried last.
_BETWEEN = re.compile(
    r"\s+(?:s\.?/?d\.?|sampai(?:\s+dengan)?|hingga|until|to|till|through)\s+"
    r"|\s*(?:–|—|\.\.|~)\s*|\s+-\s+",
)
_LEADING = re.compile(r"^(?:dari|from|tanggal|tgl\.?|date)\s+")


class RangeProblem(StrEnum):
    """Why a typed range was refused: the catalogue key of its friendly message."""

    FORMAT = "dates.problem.format"
    """Not a date or a range of dates."""
    DAY = "dates.problem.day"
    """A date that does not exist (31/11), or outside :data:`FIRST_YEAR`..:data:`LAST_YEAR`."""
    ORDER = "dates.problem.order"
    """The range ends before it starts."""
    TOO_LONG = "dates.problem.too_long"
    """Longer than :data:`MAX_DAYS`."""


def _refused(problem: RangeProblem) -> InputError:
    return InputError(problem.value)


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


def _in_years(year: int) -> bool:
    return FIRST_YEAR <= year <= LAST_YEAR


def _make(year: int, month: int, day: int) -> date:
    if not _in_years(year):
        raise _refused(RangeProblem.DAY)
    try:
        return date(year, month, day)
    except ValueError:
        raise _refused(RangeProblem.DAY) from None


def _month_end(year: int, month: int) -> int:
    if not _in_years(year):
        raise _refused(RangeProblem.DAY)
    return calendar.monthrange(year, month)[1]


def _latest_year(month: int, day: int, today: date) -> int:
    """The year of the latest ``day/month`` up to a week ahead (29/2 looks back to a leap year)."""
    found = complete(day, month, today, RANGE_YEARS)
    if found is None or found - AHEAD > today or not _in_years(found.year):
        raise _refused(RangeProblem.DAY)
    return found.year


def _resolve(first: DatePart, last: DatePart, today: date) -> DateRange:
    # The end fills in what the start leaves out (1 - 15 Nov), and a year given only at the
    # start holds for the end too (1/11/2025 - 15/11). Missing means None: a typed 0 (0/11,
    # 1/1/0000) is a day not in the calendar, never a blank to fill in.
    last_month = first.month if last.month is None else last.month
    if last_month is None:
        raise _refused(RangeProblem.FORMAT)
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
            raise _refused(RangeProblem.DAY) from None
        if (end - earlier).days < WRAP_DAYS:
            start = _make(first_year - 1, first_month, first_day)  # refuses 1999
    if end < start:
        raise _refused(RangeProblem.ORDER)
    if (end - start).days >= MAX_DAYS:
        raise _refused(RangeProblem.TOO_LONG)
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
    """The local days a leader typed; raises :class:`~domain.errors.InputError` saying why not
    (its key is a :class:`RangeProblem`).

    ``today`` is the precinct's local date: it settles the year when none is typed.
    """
    cleaned = " ".join(normalise(text).replace(",", " ").split())
    cleaned = _LEADING.sub("", cleaned)
    if not cleaned or len(cleaned) > 60:
        raise _refused(RangeProblem.FORMAT)
    readings: list[list[DatePart]] = []
    for option in _options(cleaned):
        parts = [part for piece in option if (part := read_date(piece, today)) is not None]
        if len(parts) < len(option):
            continue
        if len(parts) == 1 and parts[0].month is None:
            continue  # a bare number is not a date
        readings.append(parts)
    # Side by side, two whole dates (nov 26 | nov 28) beat a month and a date with a two-digit
    # year (nov | 26 nov 28); the text read as one date still comes first.
    readings.sort(key=lambda parts: len(parts) == 2 and any(
        part.day is None or part.month is None for part in parts))
    problem: InputError | None = None
    for parts in readings:
        try:
            return _resolve(parts[0], parts[-1], today)
        except InputError as error:
            problem = problem or error
    raise problem or _refused(RangeProblem.FORMAT)
