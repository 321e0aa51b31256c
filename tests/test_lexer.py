"""One lexer for dates and clock times: every input one of the old parsers took is taken by
every caller (the report form, /tugas, the typed ranges of /rekap, /cari and /ekspor), and
the disagreements ('12 agus', '12 ags', '0830', '24.00') agree (#17 item 2)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain import answers, schedule
from domain.answers import InvalidAnswer, TimeRange
from domain.dates import DateRange, parse_date_range
from domain.errors import InputError
from domain.lexer import (
    MONTHS,
    DatePart,
    Lean,
    TimeOfDay,
    YearRule,
    complete,
    normalise,
    read_clock,
    read_date,
)
from domain.people import InvalidRegistrationAnswer
from domain.schedule import ScheduleInputError

WITA = ZoneInfo("Asia/Makassar")
TODAY = date(2026, 8, 12)
"""A Wednesday: every input below names it, so every year rule gives the same day."""
NOW = datetime(2026, 8, 12, 23, 0, tzinfo=WITA).astimezone(UTC)


# ------------------------------------------------------------------------------- months


@pytest.mark.parametrize(
    ("names", "month"),
    [
        ("jan januari january", 1),
        ("feb peb februari pebruari february", 2),
        ("mar mrt maret march", 3),
        ("apr april", 4),
        ("mei may", 5),
        ("jun juni june", 6),
        ("jul juli july", 7),
        ("agu agt ags agst agus agustus aug august", 8),
        ("sep sept september", 9),
        ("okt oct oktober october", 10),
        ("nov nop november nopember", 11),
        ("des dec desember december", 12),
    ],
)
def test_every_usual_month_name_and_abbreviation(names: str, month: int):
    for name in names.split():
        assert MONTHS[name] == month
        assert read_date(f"3 {name}.", TODAY) == DatePart(3, month, None)
        assert read_date(normalise(f"3 {name.title()} 2026"), TODAY) == DatePart(3, month, 2026)


# ------------------------------------------------------------------- dates, every caller

TWELFTH_OF_AUGUST = [
    # the report form's (domain/answers.py)
    "12/8", "12/08/2026", "12-08-2026", "12.08.26", "2026-08-12", "Rabu, 12/08/2026",
    "12 Agustus 2026", "12 agus", "12 Agu", "12 Agt", "12 aug", "hari ini", "today",
    "sekarang",
    # the ranges' (domain/dates.py)
    "12 ags", "12 agst", "12agus", "12-agu-2026", "Aug 12", "August 12 2026", "12 aug 26",
    # /tugas's (domain/schedule.py)
    "12-8-26", "12.8.2026",
    # other scripts' digits
    "١٢/٨", "１２／８",
]


@pytest.mark.parametrize("typed", TWELFTH_OF_AUGUST)
def test_a_date_any_old_parser_took_is_taken_by_every_caller(typed: str):
    assert answers.parse_date(typed, now=NOW, tz=WITA) == TODAY
    assert answers.parse_date(typed, now=NOW, tz=WITA, allow_future=True) == TODAY
    assert schedule.parse_date(typed, TODAY) == TODAY
    assert parse_date_range(typed, TODAY) == DateRange(TODAY, TODAY)


@pytest.mark.parametrize("typed", ["12 Movember", "tgl", "12/8 pagi", "kemarin sore", "8"])
def test_what_is_no_date_is_no_date_anywhere(typed: str):
    assert refusal(answers.parse_date, typed, now=NOW, tz=WITA) == "answer.date_format"
    assert refusal(schedule.parse_date, typed, TODAY) == "schedule.input.date_format"
    assert refusal(parse_date_range, typed, TODAY) == "dates.problem.format"


def test_words_for_days_and_which_way_each_caller_leans():
    yesterday, tomorrow = TODAY - timedelta(days=1), TODAY + timedelta(days=1)
    assert answers.parse_date("kemarin", now=NOW, tz=WITA) == yesterday
    assert parse_date_range("yesterday", TODAY) == DateRange(yesterday, yesterday)
    assert refusal(schedule.parse_date, "kemarin", TODAY) == "schedule.input.date_past"
    assert schedule.parse_date("besok", TODAY) == tomorrow
    assert answers.parse_date("besok", now=NOW, tz=WITA, allow_future=True) == tomorrow
    assert refusal(answers.parse_date, "besok", now=NOW, tz=WITA) == "answer.date_future"
    assert parse_date_range("kemarin lusa - hari ini", TODAY) == DateRange(
        TODAY - timedelta(days=2), TODAY)
    # Without a year: what happened is in the past, what is planned is ahead.
    assert answers.parse_date("20 agus", now=NOW, tz=WITA) == date(2025, 8, 20)
    assert parse_date_range("19 agus", TODAY) == DateRange(date(2026, 8, 19), date(2026, 8, 19))
    assert schedule.parse_date("1 ags", TODAY) == date(2027, 8, 1)


@pytest.mark.parametrize(
    ("rule", "day", "month", "expected"),
    [
        (YearRule(Lean.PAST), 20, 8, date(2025, 8, 20)),
        (YearRule(Lean.PAST, ahead=timedelta(days=7)), 19, 8, date(2026, 8, 19)),
        (YearRule(Lean.PAST, ahead=timedelta(days=7)), 20, 8, date(2025, 8, 20)),
        (YearRule(Lean.FUTURE), 11, 8, date(2027, 8, 11)),
        (YearRule(Lean.FUTURE), 12, 8, TODAY),
        (YearRule(Lean.NEAREST), 1, 1, date(2027, 1, 1)),
        (YearRule(Lean.NEAREST), 1, 3, date(2026, 3, 1)),
        (YearRule(Lean.PAST), 29, 2, None),  # no leap year from 2025 to 2027
        (YearRule(Lean.PAST, years_back=7), 29, 2, date(2024, 2, 29)),
        (YearRule(Lean.FUTURE), 31, 4, None),
    ],
)
def test_the_past_future_rule_is_the_callers(
    rule: YearRule, day: int, month: int, expected: date | None
):
    assert complete(day, month, TODAY, rule) == expected


# ------------------------------------------------------------------- clock times, every caller

HALF_PAST_EIGHT = [
    "08.30", "8.30", "8:30", "08:30", "0830", "830", "pukul 08.30", "jam 8.30 WITA",
    "pkl. 08.30", "Pukul 08:30 WITA", "٠٨.٣٠", "０８：３０",
]


@pytest.mark.parametrize("typed", HALF_PAST_EIGHT)
def test_a_time_any_old_parser_took_is_taken_by_every_caller(typed: str):
    start = datetime(2026, 8, 12, 8, 30, tzinfo=WITA)
    assert form_range(typed) == TimeRange(start, start + timedelta(hours=1))
    assert schedule.parse_clock(typed).time() == time(8, 30)


def test_a_bare_hour_is_on_the_hour_everywhere():
    assert form_range("8") == TimeRange(datetime(2026, 8, 12, 8, tzinfo=WITA),
                                        datetime(2026, 8, 12, 9, tzinfo=WITA))
    assert schedule.parse_clock("8").time() == time(8, 0)


def test_midnight_at_the_end_of_the_day_is_24_00_everywhere():
    assert read_clock("24.00") == TimeOfDay(24, 0)
    assert TimeOfDay(24, 0).end_of_day
    assert TimeOfDay(24, 0).time() == time(0, 0)
    after_midnight = NOW + timedelta(hours=1, minutes=30)
    assert form_range("23.00-24.00", now=after_midnight) == TimeRange(
        datetime(2026, 8, 12, 23, tzinfo=WITA), datetime(2026, 8, 13, 0, tzinfo=WITA))
    # In /tugas the chosen day ends at 24.00: the post starts at 00.00 of the next day.
    assert schedule.post_start(TODAY, schedule.parse_clock("24:00")) == (
        date(2026, 8, 13), time(0, 0))
    assert schedule.post_start(TODAY, schedule.parse_clock("0830")) == (TODAY, time(8, 30))


@pytest.mark.parametrize("typed", ["24.30", "25.00", "08.61", "2400.5", "besok pagi", ""])
def test_what_is_no_time_is_no_time_anywhere(typed: str):
    with pytest.raises(InvalidAnswer) as form:
        form_range(typed)
    assert form.value.key in ("answer.time_format", "answer.time_invalid")
    assert refusal(schedule.parse_clock, typed) == "schedule.input.time_format"


# ------------------------------------------------------------------------- the one error


def test_one_input_error_with_a_key_and_params():
    assert InvalidAnswer is InputError
    assert ScheduleInputError is InputError
    assert InvalidRegistrationAnswer is InputError
    with pytest.raises(InputError) as caught:
        parse_date_range("31/11", TODAY)
    assert (caught.value.key, caught.value.params) == ("dates.problem.day", {})
    with pytest.raises(InputError) as caught:
        schedule.clean_place("x")
    assert caught.value.params == {"max": schedule.PLACE_MAX}


# ------------------------------------------------------------------------------ helpers


def form_range(typed: str, now: datetime = NOW) -> TimeRange:
    return answers.parse_time_range(typed, now=now, tz=WITA, activity_minutes=60,
                                    max_minutes=720)


def refusal(call, *args, **kwargs) -> str:  # noqa: ANN001 - any parser
    with pytest.raises(InputError) as caught:
        call(*args, **kwargs)
    return caught.value.key
