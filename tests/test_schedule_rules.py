"""Recurring rules, holidays, wall-clock arithmetic in any zone, and the schedule file's checks."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from domain.schedule import (
    Rule,
    ScheduleConfig,
    ScheduleConfigError,
    ScheduleInputError,
    after_quiet_hours,
    end_of_local_day,
    escalation_at,
    load_schedule,
    occurrences,
    parse_clock,
    parse_date,
    plan_officer,
    post_start,
)
from emulator import Emulator
from emulator.harness import BotHarness
from tests.conftest import ADMIN_TELEGRAM_ID
from tests.support.schedule import count, scan, wita

ACTIVITIES = ("sapta", "mantap", "satria", "khidmat")
UNITS = ("satbinmas", "binkamsa", "binpolmas", "bintibmas")
DEFAULT_FILE = Path(__file__).resolve().parent.parent / "config" / "schedule.toml"


def test_default_schedule_file_is_valid():
    config = load_schedule(DEFAULT_FILE, activities=ACTIVITIES, units=UNITS)
    assert config.reminder_offsets_minutes == (60, 0)
    assert config.grace_minutes == 120
    assert config.digest_times == ("06:00", "18:00")
    assert {rule.activity for rule in config.rules} == {"sapta", "khidmat", "satria"}


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('[[rules]]\nkey = "x1"\nactivity = "bola"\ndays = ["sat"]\nstart = "08:00"\n'
         'unit = "binkamsa"\n', "rules.0.activity: unknown activity 'bola'"),
        ('[[rules]]\nkey = "x1"\nactivity = "sapta"\ndays = ["sabtu"]\nstart = "08:00"\n'
         'unit = "binkamsa"\n', "rules.0.days"),
        ('[[rules]]\nkey = "x1"\nactivity = "sapta"\ndays = ["sat"]\nstart = "8:00"\n'
         'unit = "binkamsa"\n', "rules.0.start"),
        ('[[rules]]\nkey = "x1"\nactivity = "sapta"\ndays = ["sat"]\nstart = "08:00"\n',
         "exactly one of: unit, officers"),
        ('[[rules]]\nkey = "x1"\nactivity = "sapta"\ndays = ["sat"]\nstart = "08:00"\n'
         'unit = "polda"\n', "rules.0.unit: unknown unit 'polda'"),
        ("reminder_offsets_minutes = [60, 60]\n", "reminder_offsets_minutes"),
        ('digest_times = ["6 pagi"]\n', "digest_times.0"),
        ("grace_minutes = -5\n", "grace_minutes"),
    ],
)
def test_schedule_file_errors_name_file_and_field(tmp_path: Path, text: str, where: str):
    path = tmp_path / "schedule.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScheduleConfigError) as caught:
        load_schedule(path, activities=ACTIVITIES, units=UNITS)
    assert str(caught.value).startswith(f"{path}: ")
    assert where in str(caught.value)


def test_occurrences_skip_holidays_and_exceptions():
    tz = ZoneInfo("Asia/Makassar")
    rule = Rule(key="satria", activity="satria", days=("daily",), start="16:00",
                unit="binkamsa", skip_dates=(date(2026, 12, 2),))
    found = occurrences(rule, duration_minutes=60, start=datetime(2026, 11, 30, tzinfo=tz),
                        end=datetime(2026, 12, 5, tzinfo=tz), tz=tz,
                        holidays=(date(2026, 12, 1),))
    assert [o.day.day for o in found] == [30, 3, 4]
    assert found[0].starts_at == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    assert found[0].key == "satria:2026-11-30"


def test_wall_clock_rules_follow_daylight_saving_where_it_exists():
    # WITA has no DST, but the code must not assume that: Berlin's clocks jump on 29 March.
    tz = ZoneInfo("Europe/Berlin")
    rule = Rule(key="sapta", activity="sapta", days=("sun",), start="08:00", unit="binkamsa")
    found = occurrences(rule, duration_minutes=60, start=datetime(2026, 3, 20, tzinfo=UTC),
                        end=datetime(2026, 4, 1, tzinfo=UTC), tz=tz)
    assert [o.starts_at.hour for o in found] == [7, 6]  # 08:00 CET, then 08:00 CEST
    assert end_of_local_day(datetime(2026, 3, 29, 12, tzinfo=UTC), tz) == datetime(
        2026, 3, 29, 22, 0, tzinfo=UTC
    )


def test_notification_times_and_keys():
    tz = ZoneInfo("Asia/Makassar")
    config = ScheduleConfig(quiet_hours=None)
    start = datetime(2026, 11, 29, 0, 0, tzinfo=UTC)  # Sunday 08:00 WITA
    planned = plan_officer(config, tz, assignment_id=7, revision=2, officer_id=3,
                           starts_at=start, ends_at=start + timedelta(hours=1),
                           now=start - timedelta(minutes=30), announce=None)
    keys = {p.key: p.due_at for p in planned}
    # The 60-minute reminder lies before the post was planned: left out.
    assert set(keys) == {"reminder:7r2:3:0", "overdue:7r2:3", "escalate:7r2:3"}
    assert keys["overdue:7r2:3"] == start + timedelta(hours=3)
    assert keys["escalate:7r2:3"] == datetime(2026, 11, 29, 16, 0, tzinfo=UTC)  # midnight WITA
    delayed = ScheduleConfig(escalate_after_minutes=90)
    assert escalation_at(start, delayed, tz) == start + timedelta(hours=2, minutes=90)
    # With the default quiet hours (22:00-06:00) the midnight escalation waits for the morning.
    quiet = plan_officer(ScheduleConfig(), tz, assignment_id=7, revision=2, officer_id=3,
                         starts_at=start, ends_at=start + timedelta(hours=1),
                         now=start - timedelta(minutes=30), announce=None)
    due = {p.key: p.due_at for p in quiet}
    assert due["escalate:7r2:3"] == datetime(2026, 11, 29, 22, 0, tzinfo=UTC)  # 06:00 WITA
    assert due["overdue:7r2:3"] == keys["overdue:7r2:3"]


@pytest.mark.parametrize(
    ("ends", "escalated"),
    [
        ((28, 10, 0), (29, 0, 0)),  # warned 12:00: leaders at the end of the post's day
        ((28, 22, 0), (29, 2, 0)),  # warned at midnight: the grace again, not 26 h later
        ((28, 21, 30), (29, 1, 30)),  # warned 23:30: not half an hour later at midnight
    ],
)
def test_escalation_follows_the_posts_day_and_gives_the_officer_time(
    ends: tuple[int, int, int], escalated: tuple[int, int, int]
):
    tz = ZoneInfo("Asia/Makassar")
    config = ScheduleConfig(quiet_hours=None)  # 2 h grace, escalation at the end of the day
    ends_at = datetime(2026, 11, *ends, tzinfo=tz)
    assert escalation_at(ends_at, config, tz) == datetime(2026, 11, *escalated, tzinfo=tz)
    assert escalation_at(
        ends_at, ScheduleConfig(grace_minutes=0, quiet_hours=None), tz
    ) >= ends_at + timedelta(minutes=30)


@pytest.mark.parametrize(
    ("quiet", "due", "sent"),
    [
        (("22:00", "06:00"), (29, 0, 0), (29, 6, 0)),  # midnight waits for the morning
        (("22:00", "06:00"), (28, 22, 0), (29, 6, 0)),  # the window's first minute too
        (("22:00", "06:00"), (29, 6, 0), (29, 6, 0)),  # its end is no longer quiet
        (("22:00", "06:00"), (28, 21, 59), (28, 21, 59)),
        (("13:00", "14:00"), (28, 13, 30), (28, 14, 0)),  # a window within the day
        (("13:00", "14:00"), (28, 14, 30), (28, 14, 30)),
        (("06:00", "06:00"), (29, 0, 0), (29, 0, 0)),  # equal ends: no quiet hours
        (None, (29, 0, 0), (29, 0, 0)),
    ],
)
def test_quiet_hours_hold_an_escalation_until_they_end(
    quiet: tuple[str, str] | None, due: tuple[int, int, int], sent: tuple[int, int, int]
):
    tz = ZoneInfo("Asia/Makassar")
    config = ScheduleConfig(quiet_hours=quiet)
    moment = datetime(2026, 11, *due, tzinfo=tz).astimezone(UTC)
    assert after_quiet_hours(moment, config, tz) == datetime(2026, 11, *sent, tzinfo=tz)


def test_typed_dates_and_times():
    today = date(2026, 11, 28)
    assert parse_date("30/11", today) == date(2026, 11, 30)
    assert parse_date("2-1", today) == date(2027, 1, 2)  # no year: the coming one
    assert parse_date("05-12-26", today) == date(2026, 12, 5)
    assert parse_clock("pukul 14.30 WITA").time() == time(14, 30)
    assert parse_clock("8").time() == time(8, 0)
    for bad in ("kemarin", "31/02/2026"):
        with pytest.raises(ScheduleInputError):
            parse_date(bad, today)
    # 24.00 is the midnight that ends the chosen day, as in the report form (#17 item 2).
    assert post_start(today, parse_clock("24:00")) == (date(2026, 11, 29), time(0, 0))
    with pytest.raises(ScheduleInputError):
        parse_clock("24:30")


async def test_recurring_rule_posts_reach_unit_officers(emu: Emulator, data_dir: Path,
                                                        tmp_path: Path):
    path = tmp_path / "rules.toml"
    path.write_text(
        'holidays = [2026-11-29]\n[[rules]]\nkey = "satria_harian"\nactivity = "satria"\n'
        'days = ["daily"]\nstart = "16:00"\nunit = "binkamsa"\n',
        encoding="utf-8",
    )
    harness = BotHarness(emu, data_dir, start=wita(28, 10),
                         admin_ids=frozenset({ADMIN_TELEGRAM_ID}), schedule_file=path)
    await harness.start()
    try:
        budi = emu.user(1001, "Budi")
        await harness.seed_officer(budi, name="Budi Santoso", nrp="87654321", unit="binkamsa")
        kanit = emu.user(2001, "Kanit")
        await harness.seed_officer(kanit, name="Andi Kanit", nrp="11112222", unit="binkamsa",
                                   role="kanit", rank="IPTU")
        other = emu.user(1005, "Eka")
        await harness.seed_officer(other, name="Eka Putri", nrp="87654325", unit="binpolmas")
        harness.clock.advance(timedelta(minutes=10))
        await scan(harness)
        await budi.send("/jadwal")
        schedule = budi.last.text
        assert "Sabtu, 28/11/2026 16.00–17.00 WITA · POS SATRIA" in schedule
        assert "29/11/2026" not in schedule  # a holiday
        await kanit.send("/jadwal")
        own, unit = kanit.texts[-2], kanit.texts[-1]
        assert "Tidak ada pos terjadwal untuk Anda" in own  # Banit carry out the unit's posts
        assert "POS SATRIA" in unit
        assert "BRIPKA Budi Santoso" in unit
        await other.send("/jadwal")
        assert "Tidak ada pos" in other.last.text
        await harness.restart()
        harness.clock.set(wita(28, 15))
        await scan(harness)
        await harness.restart()
        assert count(budi, "60 menit lagi") == 1
        async with harness.db.reading() as repos:
            assert (await repos.assignments.by_rule_key("satria_harian:2026-11-28")) is not None
            assert await repos.assignments.by_id(2) is None  # expanded once, restarts or not
        harness.clock.set(wita(28, 19))  # past the grace: the report is overdue
        await scan(harness)
        # A post without a place says so, never "di (tempat belum ditentukan)".
        assert ("POS SATRIA Sabtu, 28/11/2026 16.00–17.00 WITA (tempat belum ditentukan)."
                in budi.last.text)
        assert not [text for text in budi.texts if "di (tempat" in text]
    finally:
        await harness.stop()
