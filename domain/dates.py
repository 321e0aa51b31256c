"""Date ranges leaders type: ``1/11 - 15/11``, ``01-11-2026 s/d 15-11-2026``, ``1 Nov - 15 Nov``.

Plain Python, no Telegram. A range is read as local dates (the precinct's zone); the recap's
:func:`domain.recap.custom_period` turns it into UTC bounds. A date without a year is the
latest such date at most a week after today (on 28 November ``1/11 - 30/11`` is this
November, ``10/12`` last December; on 5 January ``20/12 - 3/1`` is December to January);
one without a month takes the other end's (``1 - 15 Nov``); a month name alone is the whole
month (``Oktober``, ``okt 2026``). Indonesian and English month names and their usual
abbreviations are understood.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.recap import Period, custom_period

MAX_DAYS = 366
"""The longest range accepted, as /rekap's typed range."""
AHEAD = timedelta(days=7)
"""A date without a year may lie this far after today (1/11 - 30/11 typed on the 28th)."""
WRAP_DAYS = 184
"""A start after the end without a year is taken from the year before only within this."""

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
_MONTH_ONLY = re.compile(r"^([a-z]+)\.?(?:[\s./,\-]*(\d{4}))?$")
_DAY_ONLY = re.compile(r"^(\d{1,2})$")
_LEADING = re.compile(r"^(?:dari|from|tanggal|tgl\.?|date)\s+")


class RangeProblem(StrEnum):
    """Why a typed range was refused; each has its own friendly message."""

    FORMAT = "format"
    """Not a date or a range of dates."""
    DAY = "day"
    """A date that does not exist (31/11)."""
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
        """The range :meth:`code` wrote, or None for anything else (a stale or forged value)."""
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
        return cls(first, last)


@dataclass(frozen=True)
class _Part:
    """One end as typed: any of day, month, year may be missing."""

    day: int | None
    month: int | None
    year: int | None


def _year(text: str | None) -> int | None:
    if text is None:
        return None
    value = int(text)
    return value + 2000 if value < 100 else value


def _part(text: str) -> _Part | None:
    text = text.strip().strip(",")
    if match := _ISO.match(text):
        return _Part(int(match.group(3)), int(match.group(2)), int(match.group(1)))
    if match := _NUMERIC.match(text):
        return _Part(int(match.group(1)), int(match.group(2)), _year(match.group(3)))
    if (match := _NAMED.match(text)) and match.group(2) in MONTHS:
        return _Part(int(match.group(1)), MONTHS[match.group(2)], _year(match.group(3)))
    if (match := _MONTH_ONLY.match(text)) and match.group(1) in MONTHS:
        return _Part(None, MONTHS[match.group(1)], _year(match.group(2)))
    if match := _DAY_ONLY.match(text):
        return _Part(int(match.group(1)), None, None)
    return None


def _make(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise DateRangeError(RangeProblem.DAY) from None


def _month_end(year: int, month: int) -> int:
    following = date(year + month // 12, month % 12 + 1, 1)
    return (following - timedelta(days=1)).day


def _latest_year(month: int, day: int, today: date) -> int:
    """The year of the latest ``day/month`` up to a week ahead (29/2 looks back to a leap year)."""
    for year in range(today.year + 1, today.year - 8, -1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate <= today + AHEAD:
            return year
    raise DateRangeError(RangeProblem.DAY)


def _resolve(first: _Part, last: _Part, today: date) -> DateRange:
    # The end fills in what the start leaves out (1 - 15 Nov), and a year given only at the
    # start holds for the end too (1/11/2025 - 15/11).
    last_month = last.month or first.month
    if last_month is None:
        raise DateRangeError(RangeProblem.FORMAT)
    first_month = first.month or last_month
    last_year = last.year or first.year
    if last_year is None:
        if last.day is None:
            last_year = today.year if last_month <= today.month else today.year - 1
        else:
            last_year = _latest_year(last_month, last.day, today)
    end = _make(last_year, last_month, last.day or _month_end(last_year, last_month))
    first_year = first.year or last_year
    start = _make(first_year, first_month, first.day or 1)
    if first.year is None and start > end:
        # 20/12 - 3/1 crosses the new year; 15/11 - 1/11 is a slip, not eleven months.
        earlier = _make(first_year - 1, first_month, first.day or 1)
        if (end - earlier).days < WRAP_DAYS:
            start = earlier
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
    cleaned = " ".join(text.lower().replace(",", " ").split())
    cleaned = _LEADING.sub("", cleaned)
    if not cleaned or len(cleaned) > 60:
        raise DateRangeError(RangeProblem.FORMAT)
    problem: DateRangeError | None = None
    for option in _options(cleaned):
        parts = [_part(piece) for piece in option]
        if any(part is None for part in parts):
            continue
        first, last = parts[0], parts[-1]
        assert first is not None
        assert last is not None
        if len(parts) == 1 and first.month is None:
            continue  # a bare number is not a date
        try:
            return _resolve(first, last, today)
        except DateRangeError as error:
            problem = problem or error
    raise problem or DateRangeError(RangeProblem.FORMAT)
