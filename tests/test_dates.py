"""Typed date ranges: the forms leaders write, read as local WITA days with UTC bounds."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.dates import MAX_DAYS, DateRange, DateRangeError, RangeProblem, parse_date_range
from domain.recap import PeriodKind

WITA = ZoneInfo("Asia/Makassar")
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
        ("kemarin", RangeProblem.FORMAT),
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
    with pytest.raises(DateRangeError) as error:
        parse_date_range(typed, TODAY)
    assert error.value.problem is problem


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


@given(
    first=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 1, 1)),
    length=st.integers(min_value=0, max_value=MAX_DAYS - 1),
    style=st.sampled_from(["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d.%m.%Y"]),
    between=st.sampled_from([" - ", " s/d ", " sampai ", " – ", " to ", "-"]),
)
def test_any_range_with_years_reads_back(first: date, length: int, style: str, between: str):
    last = first + timedelta(days=length)
    typed = f"{first.strftime(style)}{between}{last.strftime(style)}"
    assert parse_date_range(typed, TODAY) == DateRange(first, last)
