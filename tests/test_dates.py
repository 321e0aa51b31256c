"""Typed date ranges: the forms leaders write, read as local WITA days with UTC bounds."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.dates import (
    FIRST_YEAR,
    LAST_YEAR,
    MAX_DAYS,
    DateRange,
    RangeProblem,
    parse_date_range,
)
from domain.errors import InputError
from domain.recap import PeriodKind

WITA = ZoneInfo("Asia/Makassar")
# The zones furthest ahead of and behind UTC: a range's bounds must build in either.
FAR_ZONES = (ZoneInfo("Pacific/Kiritimati"), ZoneInfo("Etc/GMT+12"))
TODAY = date(2026, 11, 28)  # the test clock's Saturday
FIRST_HALF = DateRange(date(2026, 11, 1), date(2026, 11, 15))


@pytest.mark.parametrize(
    "typed",
    [
        "1/11 - 15/11",
        "1/11-15/11",
        "01/11/2026 - 15/11/2026",
        "01-11-2026 s/d 15-11-2026",
        "1.11.26 – 15.11.26",
        "1 Nov - 15 Nov",
        "1 nov 2026 sampai 15 november 2026",
        "1 - 15 November",
        "1 s.d. 15 Nopember",
        "dari 1/11 hingga 15/11",
        "2026-11-01 .. 2026-11-15",
        "1 November to 15 November 2026",
        "  1/11   -   15/11  ",
        "01/11/2026 15/11/2026",
        "1 nov 15 nov",
    ],
)
def test_the_first_half_of_november_in_every_usual_form(typed: str):
    assert parse_date_range(typed, TODAY) == FIRST_HALF


@pytest.mark.parametrize(
    ("typed", "first", "last"),
    [
        ("3/11", date(2026, 11, 3), date(2026, 11, 3)),
        ("3 Nov", date(2026, 11, 3), date(2026, 11, 3)),
        ("Oktober", date(2026, 10, 1), date(2026, 10, 31)),
        ("okt 2025", date(2025, 10, 1), date(2025, 10, 31)),
        ("Februari 2024", date(2024, 2, 1), date(2024, 2, 29)),
        ("agustus - oktober", date(2026, 8, 1), date(2026, 10, 31)),
        # Without a year a date is the latest one not after today.
        ("10/12", date(2025, 12, 10), date(2025, 12, 10)),
        ("1/11 - 30/11", date(2026, 11, 1), date(2026, 11, 30)),  # up to a week ahead
        ("5/12", date(2026, 12, 5), date(2026, 12, 5)),
        ("Desember", date(2025, 12, 1), date(2025, 12, 31)),
        ("20/12 - 3/1", date(2025, 12, 20), date(2026, 1, 3)),
        ("1/11/2025 - 15/11", date(2025, 11, 1), date(2025, 11, 15)),
        ("29/2", date(2024, 2, 29), date(2024, 2, 29)),
    ],
)
def test_years_months_and_single_days_filled_in(typed: str, first: date, last: date):
    assert parse_date_range(typed, TODAY) == DateRange(first, last)


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("kemarin sore", RangeProblem.FORMAT),
        ("", RangeProblem.FORMAT),
        ("5", RangeProblem.FORMAT),
        ("1/11 - 15/11 - 30/11", RangeProblem.FORMAT),
        ("1 Brumaire", RangeProblem.FORMAT),
        ("x" * 100, RangeProblem.FORMAT),
        ("31/11", RangeProblem.DAY),
        ("29/2/2025", RangeProblem.DAY),
        ("15/11 - 1/11", RangeProblem.ORDER),
        ("15/11/2026 - 1/11/2026", RangeProblem.ORDER),
        ("1/1/2025 - 2/1/2026", RangeProblem.TOO_LONG),
    ],
)
def test_refusals_say_why(typed: str, problem: RangeProblem):
    with pytest.raises(InputError) as error:
        parse_date_range(typed, TODAY)
    assert error.value.key == problem


@pytest.mark.parametrize(
    ("typed", "first", "last"),
    [
        # English order, the day after the month: 26 November, not 1 to 26 November.
        ("Nov 26", date(2026, 11, 26), date(2026, 11, 26)),
        ("November 26", date(2026, 11, 26), date(2026, 11, 26)),
        ("nov. 26", date(2026, 11, 26), date(2026, 11, 26)),
        ("Nov 26 2026", date(2026, 11, 26), date(2026, 11, 26)),
        ("November 26, 2026", date(2026, 11, 26), date(2026, 11, 26)),
        ("Nov 26 2025", date(2025, 11, 26), date(2025, 11, 26)),
        ("Nov 26 - Nov 28", date(2026, 11, 26), date(2026, 11, 28)),
        ("Nov 26 Nov 28", date(2026, 11, 26), date(2026, 11, 28)),
        ("November 26 to 28", date(2026, 11, 26), date(2026, 11, 28)),
        ("nov 26-28", date(2026, 11, 26), date(2026, 11, 28)),  # not 26 November 2028
        ("Nov 26 - Dec 3", date(2026, 11, 26), date(2026, 12, 3)),
        ("Oct 1 2026 to Nov 15 2026", date(2026, 10, 1), date(2026, 11, 15)),
        ("okt 25", date(2026, 10, 25), date(2026, 10, 25)),
        ("Dec 20 - Jan 3", date(2025, 12, 20), date(2026, 1, 3)),
        # The forms it must not disturb.
        ("Oct 2025", date(2025, 10, 1), date(2025, 10, 31)),
        ("26 Nov", date(2026, 11, 26), date(2026, 11, 26)),
        ("1 nov 26", date(2026, 11, 1), date(2026, 11, 1)),  # day, month, two-digit year
    ],
)
def test_month_before_the_day_in_english_order(typed: str, first: date, last: date):
    assert parse_date_range(typed, TODAY) == DateRange(first, last)


@pytest.mark.parametrize(
    ("typed", "first", "last"),
    [
        ("1/1/00", date(2000, 1, 1), date(2000, 1, 1)),
        ("1/1/01", date(2001, 1, 1), date(2001, 1, 1)),
        ("31/12/99", date(2099, 12, 31), date(2099, 12, 31)),
        ("1/1/2000", date(2000, 1, 1), date(2000, 1, 1)),
        ("31/12/2099", date(2099, 12, 31), date(2099, 12, 31)),
        ("des 2099", date(2099, 12, 1), date(2099, 12, 31)),
        ("jan 2000", date(2000, 1, 1), date(2000, 1, 31)),
    ],
)
def test_the_first_and_last_accepted_years(typed: str, first: date, last: date):
    chosen = parse_date_range(typed, TODAY)
    assert chosen == DateRange(first, last)
    assert DateRange.from_code(chosen.code()) == chosen
    for tz in FAR_ZONES:
        assert chosen.period(tz).last_day == last


@pytest.mark.parametrize(
    "typed",
    [
        "des 9999",
        "31/12/9999",
        "9999-12-31",
        "1/1/0001",  # four digits are taken as written, not as 2001
        "0001-01-01",
        "1/1/0000",
        "31/12/0000",
        "jan 0001",
        "Nov 26 9999",
        "31/12/1999",
        "1/1/2100",
        "20/12 - 3/1/2000",  # the start would fall in 1999
        "1/12/2099 - 31/1/2100",
        "0/11",  # a typed zero is not a blank to fill in
        "1/0",
    ],
)
def test_years_outside_the_window_are_refused_as_no_such_day(typed: str):
    with pytest.raises(InputError) as error:
        parse_date_range(typed, TODAY)
    assert error.value.key == RangeProblem.DAY


@pytest.mark.parametrize(
    ("typed", "today"),
    [
        ("20/12", date(2000, 1, 3)),  # the latest 20 December would be in 1999
        ("Desember", date(2000, 1, 3)),
    ],
)
def test_years_filled_in_outside_the_window_are_refused(typed: str, today: date):
    with pytest.raises(InputError) as error:
        parse_date_range(typed, today)
    assert error.value.key == RangeProblem.DAY


def test_years_filled_in_at_the_ends_of_the_window():
    assert parse_date_range("3/1", date(2000, 1, 3)) == DateRange(date(2000, 1, 3),
                                                                 date(2000, 1, 3))
    assert parse_date_range("Nov 26", date(2099, 12, 28)) == DateRange(date(2099, 11, 26),
                                                                       date(2099, 11, 26))


def test_local_days_become_utc_bounds():
    period = FIRST_HALF.period(WITA)
    # Midnight WITA (UTC+8) is 16:00 UTC the day before; the end is the midnight after.
    assert period.start == datetime(2026, 10, 31, 16, 0, tzinfo=UTC)
    assert period.end == datetime(2026, 11, 15, 16, 0, tzinfo=UTC)
    assert period.kind is PeriodKind.CUSTOM
    assert (period.first_day, period.last_day) == (FIRST_HALF.first, FIRST_HALF.last)
    assert period.contains(datetime(2026, 11, 15, 15, 59, tzinfo=UTC))  # 23.59 WITA
    assert not period.contains(datetime(2026, 11, 15, 16, 0, tzinfo=UTC))


def test_code_round_trip_and_forged_codes():
    assert FIRST_HALF.code() == "20261101-20261115"
    assert DateRange.from_code(FIRST_HALF.code()) == FIRST_HALF
    for forged in ("", "20261115-20261101", "20261131-20261201", "20240101-20260102", "d"):
        assert DateRange.from_code(forged) is None


@pytest.mark.parametrize(
    "stored",
    ["99991231-99991231", "00010101-00010101", "19991231-20000101", "20991231-21000101",
     "00000101-00000101"],
)
def test_stored_codes_outside_the_window_read_as_no_range(stored: str):
    # Views stored before years were checked: no range, rather than a period that overflows.
    assert DateRange.from_code(stored) is None


def test_stored_codes_at_the_window_ends_build_their_period_anywhere():
    for code in ("20000101-20000101", "20991231-20991231"):
        chosen = DateRange.from_code(code)
        assert chosen is not None
        for tz in FAR_ZONES:
            assert chosen.period(tz).first_day == chosen.first


@given(
    first=st.dates(min_value=date(FIRST_YEAR, 1, 1), max_value=date(LAST_YEAR, 12, 31)),
    length=st.integers(min_value=0, max_value=MAX_DAYS - 1),
    style=st.sampled_from(["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d.%m.%Y", "%d %b %Y",
                           "%b %d %Y", "%B %d, %Y"]),
    between=st.sampled_from([" - ", " s/d ", " sampai ", " – ", " to ", "-"]),
)
def test_any_range_with_years_reads_back(first: date, length: int, style: str, between: str):
    last = min(first + timedelta(days=length), date(LAST_YEAR, 12, 31))
    typed = f"{first.strftime(style)}{between}{last.strftime(style)}"
    assert parse_date_range(typed, TODAY) == DateRange(first, last)


_EDGE_YEARS = st.one_of(
    st.sampled_from([0, 1, 99, 100, 999, 1999, 2000, 2001, 2098, 2099, 2100, 9998, 9999]),
    st.integers(min_value=0, max_value=9999),
)


@st.composite
def _typed_date(draw: st.DrawFn) -> str:
    """One end as a leader might type it, with any year up to four digits, and any day."""
    year = draw(_EDGE_YEARS)
    month = draw(st.integers(min_value=0, max_value=13))
    day = draw(st.integers(min_value=0, max_value=32))
    name = draw(st.sampled_from(["jan", "feb", "nov", "desember", "December", "okt"]))
    return draw(st.sampled_from([
        f"{day}/{month}/{year:04d}",
        f"{day}-{month}-{year:04d}",
        f"{year:04d}-{month:02d}-{day:02d}",
        f"{day}/{month}/{year % 100:02d}",
        f"{day}/{month}",
        f"{day} {name} {year:04d}",
        f"{name} {day} {year:04d}",
        f"{name} {day}",
        f"{name} {year:04d}",
        f"{name}",
        f"{day}",
    ]))


@given(
    first=_typed_date(),
    last=_typed_date(),
    between=st.sampled_from([" - ", " s/d ", " to ", "-", " ", ""]),
    today=st.dates(min_value=date(FIRST_YEAR, 1, 1), max_value=date(LAST_YEAR + 1, 12, 31)),
)
def test_dates_near_the_calendar_edges_give_a_range_or_a_reason(
    first: str, last: str, between: str, today: date
):
    typed = first if not between else f"{first}{between}{last}"
    try:
        chosen = parse_date_range(typed, today)
    except InputError:
        return  # the only refusal allowed: anything else escaping is the bug
    assert chosen.first.year >= FIRST_YEAR
    assert chosen.last.year <= LAST_YEAR
    assert DateRange.from_code(chosen.code()) == chosen
    for tz in FAR_ZONES:
        chosen.period(tz)


@given(text=st.text(alphabet="0123456789/-.:, abdegjklmnoprstuvyz", max_size=40),
       today=st.dates(min_value=date(FIRST_YEAR, 1, 1), max_value=date(LAST_YEAR, 12, 31)))
def test_any_text_gives_a_range_or_a_reason(text: str, today: date):
    try:
        chosen = parse_date_range(text, today)
    except InputError:
        return
    DateRange.from_code(chosen.code())
    chosen.period(WITA)
