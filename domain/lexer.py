"""How typed dates and clock times are read, once for every place that asks for one.

The report form's date and time fields, /tugas's date and start time and the date ranges of
/rekap, /cari and /ekspor all read their input here, so a text means the same wherever it is
typed. Plain Python, no Telegram. The readers only say what was written (a day, a month, a
year, a clock time) or None for "not a date"/"not a time"; what counts as wrong (a day in the
past, a range that ends before it starts) and which message says so is the caller's.

Decisions worth knowing:

* Months: Indonesian and English names and every usual abbreviation (``agu``, ``agt``,
  ``ags``, ``agst``, ``agus``, ``aug`` are all August), with a trailing dot or without.
* Dates: ``12/8``, ``12-08-2026``, ``12.8.26``, ``2026-08-12``, ``12 agus``, ``12agus``,
  ``Aug 12``, ``August 12 2026``, an optional weekday in front (``Sabtu, 28/11``), and
  ``hari ini``/``today``, ``kemarin``/``yesterday``, ``kemarin lusa``, ``besok``/``tomorrow``,
  ``lusa``. Two-digit years are 20xx.
* A date typed without a year takes the year the caller's :class:`YearRule` gives: the latest
  one not after today for something that happened, the first one from today on for something
  planned.
* Clock times: ``08.30``, ``8:30``, ``0830``, ``830``, ``8``, with ``pukul``/``pkl``/``jam``
  and ``WITA`` ignored. ``24.00`` is the midnight that ends a day (:attr:`TimeOfDay.end_of_day`):
  the end of a report's range, or a post that starts as the chosen day ends (00.00 the next
  day). ``24.30`` or ``25.00`` are read but not :attr:`TimeOfDay.valid`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time, timedelta
from enum import StrEnum

from domain.text import identifier

MONTHS: dict[str, int] = {}
"""Every month name and abbreviation understood, lower case, to the month's number."""
for _number, _names in enumerate(
    (
        ("januari", "january", "jan"),
        ("februari", "pebruari", "february", "feb", "peb"),
        ("maret", "march", "mar", "mrt"),
        ("april", "apr"),
        ("mei", "may"),
        ("juni", "june", "jun"),
        ("juli", "july", "jul"),
        ("agustus", "august", "agu", "agt", "ags", "agst", "agus", "aug"),
        ("september", "sept", "sep"),
        ("oktober", "october", "okt", "oct"),
        ("november", "nopember", "nov", "nop"),
        ("desember", "december", "des", "dec"),
    ),
    start=1,
):
    for _name in _names:
        MONTHS[_name] = _number

RELATIVE_DAYS: dict[str, int] = {
    "hari ini": 0,
    "today": 0,
    "sekarang": 0,
    "kemarin": -1,
    "kmrn": -1,
    "yesterday": -1,
    "kemarin lusa": -2,
    "besok": 1,
    "tomorrow": 1,
    "lusa": 2,
}
"""Words for a day counted from today."""

_WEEKDAY = re.compile(
    r"^(?:senin|selasa|rabu|kamis|jumat|jum'at|sabtu|minggu|ahad|monday|tuesday|wednesday|"
    r"thursday|friday|saturday|sunday),?\s+"
)
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)
_NUMERIC = re.compile(r"(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{4}|\d{2}))?", re.ASCII)
_NAMED = re.compile(r"(\d{1,2})[\s./\-]*([a-z]+)\.?(?:[\s./,\-]*(\d{4}|\d{2}))?", re.ASCII)
# English order, the day after the month (Nov 26, November 26 2026): only a four-digit year
# may follow, so "nov 26-28" is 26 to 28 November, not 26 November 2028.
_MONTH_DAY = re.compile(r"([a-z]+)\.?[\s./\-]*(\d{1,2})(?:[\s./,\-]+(\d{4}))?", re.ASCII)
_MONTH_ONLY = re.compile(r"([a-z]+)\.?(?:[\s./,\-]*(\d{4}))?", re.ASCII)
_DAY_ONLY = re.compile(r"(\d{1,2})", re.ASCII)

TIME_NOISE = re.compile(r"\b(?:wita|pukul|pkl|jam)\b\.?")
"""Words around a clock time that say nothing: "pukul 08.00 WITA"."""
_CLOCK = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?|(\d{1,2})(\d{2})", re.ASCII)


def normalise(raw: str) -> str:
    """What a reader compares: :func:`domain.text.identifier` digits, lower case, one space."""
    return " ".join(identifier(raw).casefold().split())


# ------------------------------------------------------------------------------- dates


@dataclass(frozen=True)
class DatePart:
    """A date as typed: any of day, month and year may be missing (``Nov``, ``3``, ``3/11``)."""

    day: int | None
    month: int | None
    year: int | None

    @property
    def has_day_and_month(self) -> bool:
        """Whether it names one day (perhaps without its year)."""
        return self.day is not None and self.month is not None


def _year(text: str | None) -> int | None:
    """Two digits are 20xx; four are taken as written (0001 stays year 1, to be refused)."""
    if text is None:
        return None
    value = int(text)
    return value + 2000 if len(text) == 2 else value


def read_date(text: str, today: date) -> DatePart | None:
    """The day, month and year in one typed date (already :func:`normalise`-d), or None.

    ``today`` turns ``kemarin`` and the other words of :data:`RELATIVE_DAYS` into a date.
    """
    text = _WEEKDAY.sub("", text.strip().strip(","))
    if text in RELATIVE_DAYS:
        day = today + timedelta(days=RELATIVE_DAYS[text])
        return DatePart(day.day, day.month, day.year)
    if match := _ISO.fullmatch(text):
        return DatePart(int(match.group(3)), int(match.group(2)), int(match.group(1)))
    if match := _NUMERIC.fullmatch(text):
        return DatePart(int(match.group(1)), int(match.group(2)), _year(match.group(3)))
    if (match := _NAMED.fullmatch(text)) and match.group(2) in MONTHS:
        return DatePart(int(match.group(1)), MONTHS[match.group(2)], _year(match.group(3)))
    if (match := _MONTH_DAY.fullmatch(text)) and match.group(1) in MONTHS:
        return DatePart(int(match.group(2)), MONTHS[match.group(1)], _year(match.group(3)))
    if (match := _MONTH_ONLY.fullmatch(text)) and match.group(1) in MONTHS:
        return DatePart(None, MONTHS[match.group(1)], _year(match.group(2)))
    if match := _DAY_ONLY.fullmatch(text):
        return DatePart(int(match.group(1)), None, None)
    return None


class Lean(StrEnum):
    """Which way a date without a year leans from today."""

    PAST = "past"
    """The latest such date not after today (plus :attr:`YearRule.ahead`): what happened."""
    NEAREST = "nearest"
    """The such date closest to today, before or after."""
    FUTURE = "future"
    """The first such date from today on: what is planned."""


@dataclass(frozen=True)
class YearRule:
    """How a caller completes a date typed without a year: the past/future rule."""

    lean: Lean
    ahead: timedelta = timedelta(0)
    """With :attr:`Lean.PAST`: how far after today the date may still lie (a range typed
    ``1/11 - 30/11`` on the 28th is this November)."""
    years_back: int = 1
    """How many years before this one are looked at (29/2 finds its leap year)."""


def complete(day: int, month: int, today: date, rule: YearRule) -> date | None:
    """``day/month`` in the year ``rule`` picks, or None when no year near today has it.

    When no candidate leans the right way (29/2 whose only nearby leap year lies ahead), the
    one on the other side is returned, for the caller to refuse as in the future or past.
    """
    if rule.lean is Lean.FUTURE:
        years = range(today.year, today.year + 2)
    else:
        years = range(today.year - rule.years_back, today.year + 2)
    candidates = []
    for year in years:
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue  # 29/02 exists only in leap years, 13/13 in none
    if not candidates:
        return None
    if rule.lean is Lean.NEAREST:
        return min(candidates, key=lambda candidate: abs(candidate - today))
    if rule.lean is Lean.FUTURE:
        coming = [candidate for candidate in candidates if candidate >= today]
        return min(coming) if coming else max(candidates)
    past = [candidate for candidate in candidates if candidate - rule.ahead <= today]
    return max(past) if past else min(candidates)


def resolve(part: DatePart, today: date, rule: YearRule) -> date | None:
    """The date a day-and-month part names (its own year, or ``rule``'s), or None: not one."""
    if part.day is None or part.month is None:
        return None
    if part.year is None:
        return complete(part.day, part.month, today, rule)
    try:
        return date(part.year, part.month, part.day)
    except ValueError:
        return None


# -------------------------------------------------------------------------- clock times


@dataclass(frozen=True)
class TimeOfDay:
    """A wall-clock time as typed; ``24:00`` included (see :attr:`end_of_day`)."""

    hour: int
    minute: int

    @property
    def valid(self) -> bool:
        """Whether it is a time of day: 00:00 to 23:59, or 24:00."""
        return (0 <= self.hour <= 23 and 0 <= self.minute <= 59) or self.end_of_day

    @property
    def end_of_day(self) -> bool:
        """``24.00``: the midnight that ends the day it is on (00:00 of the next)."""
        return self.hour == 24 and self.minute == 0

    def time(self) -> time:
        """As a ``time``; ``24:00`` is 00:00 (the caller adds the day, see :attr:`end_of_day`)."""
        return time(self.hour % 24, self.minute)


def read_clock(text: str) -> TimeOfDay | None:
    """The clock time in a typed text (``pukul 8.30 WITA``, ``0830``), or None: not a time."""
    value = " ".join(TIME_NOISE.sub(" ", normalise(text)).split())
    match = _CLOCK.fullmatch(value)
    if match is None:
        return None
    hour = int(match.group(1) or match.group(3))
    minute = int(match.group(2) or match.group(4) or 0)
    return TimeOfDay(hour, minute)
