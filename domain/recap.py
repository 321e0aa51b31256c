"""Recaps: what a set of units did in a period, one computation for recaps, digests and groups.

Plain data in, plain data out. ``storage/recap.py`` runs the two grouped queries (reports by
activity and officer, complaints by category, status and urgency) and hands the rows to
:func:`build_recap`; everything that shows numbers (group summaries, ``/rekap``, digests)
reads the same :class:`Recap`, so they cannot disagree.

A recap carries no resident's name, contact or complaint text, and no location: only counts
and the names of the officers who reported. That makes it safe for group chats by design.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.catalogue import Activity, Catalogue, FieldType
from domain.schedule import Outcome, outcome

RESIDENT_FIELD_KEYS = ("residents", "congregation")
"""Integer fields that count people reached, in order of preference. KHIDMAT counts its
congregation, the other posts the residents met; a new activity type only needs an integer
field with one of these keys to be counted."""


class PeriodKind(StrEnum):
    """The periods people ask for."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    CUSTOM = "custom"


@dataclass(frozen=True)
class Period:
    """A half-open interval [start, end) of aware UTC datetimes, named by its local dates."""

    kind: PeriodKind
    start: datetime
    end: datetime
    first_day: date
    last_day: date

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("a period needs aware datetimes")
        if self.end <= self.start:
            raise ValueError("a period must end after it starts")

    def contains(self, moment: datetime) -> bool:
        """Whether ``moment`` falls in the period."""
        return self.start <= moment < self.end


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    # Local midnight of that date, as UTC: Python subtracts two datetimes of the same zone by
    # wall clock, which is wrong across a daylight-saving change.
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def days_period(first_day: date, last_day: date, tz: ZoneInfo, kind: PeriodKind) -> Period:
    """The local days ``first_day``..``last_day`` (inclusive) as one period."""
    if last_day < first_day:
        raise ValueError("the last day comes before the first")
    return Period(
        kind=kind,
        start=_midnight(first_day, tz),
        end=_midnight(last_day + timedelta(days=1), tz),
        first_day=first_day,
        last_day=last_day,
    )


def days_ending_at(end: datetime, days: int, tz: ZoneInfo, kind: PeriodKind) -> Period:
    """The ``days`` local days up to ``end``, same clock time at both ends (closed at ``end``).

    Named by the local dates it touches: 19:00 to 19:00 spans two dates, midnight to midnight
    only the days it covers. Consecutive periods of this kind leave no gap and never overlap.
    """
    local = end.astimezone(tz)
    first_day = local.date() - timedelta(days=days)
    # Stepped by local date, not by 24 h: across a daylight-saving change the clock time holds.
    start = datetime.combine(first_day, local.timetz().replace(tzinfo=None), tzinfo=tz)
    last_day = local.date() if local.time() != time(0) else local.date() - timedelta(days=1)
    return Period(
        kind=kind,
        start=start.astimezone(UTC),
        end=end.astimezone(UTC),
        first_day=first_day,
        last_day=last_day,
    )


def day_of(moment: datetime, tz: ZoneInfo) -> Period:
    """The local day containing ``moment``."""
    today = moment.astimezone(tz).date()
    return days_period(today, today, tz, PeriodKind.DAY)


def week_of(moment: datetime, tz: ZoneInfo) -> Period:
    """The local week (Monday to Sunday) containing ``moment``."""
    today = moment.astimezone(tz).date()
    monday = today - timedelta(days=today.weekday())
    return days_period(monday, monday + timedelta(days=6), tz, PeriodKind.WEEK)


def month_of(moment: datetime, tz: ZoneInfo) -> Period:
    """The local calendar month containing ``moment``."""
    today = moment.astimezone(tz).date()
    first = today.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return days_period(first, following - timedelta(days=1), tz, PeriodKind.MONTH)


def weeks_back(moment: datetime, tz: ZoneInfo, count: int) -> list[Period]:
    """The ``count`` local weeks up to the one containing ``moment``, oldest first."""
    current = week_of(moment, tz)
    return [
        days_period(current.first_day - timedelta(days=7 * back),
                    current.last_day - timedelta(days=7 * back), tz, PeriodKind.WEEK)
        for back in range(count - 1, -1, -1)
    ]


def custom_period(first_day: date, last_day: date, tz: ZoneInfo) -> Period:
    """A chosen range of local days, both ends included."""
    return days_period(first_day, last_day, tz, PeriodKind.CUSTOM)


def resident_field_keys(catalogue: Catalogue) -> dict[str, str]:
    """For each activity that counts people reached, the key of that integer field."""
    found: dict[str, str] = {}
    for activity in catalogue.activities:
        key = resident_field_key(activity)
        if key is not None:
            found[activity.code] = key
    return found


def resident_field_key(activity: Activity) -> str | None:
    """The activity's integer field counting people reached, if it has one."""
    integers = {f.key for f in activity.fields_of(FieldType.INTEGER)}
    return next((key for key in RESIDENT_FIELD_KEYS if key in integers), None)


# ---- rows the storage layer hands in --------------------------------------------------------


@dataclass(frozen=True)
class ReportTally:
    """Reports of one officer for one activity in the period."""

    activity_code: str
    officer_id: int
    officer_name: str
    officer_rank: str | None
    reports: int
    residents: int


@dataclass(frozen=True)
class ComplaintTally:
    """Complaints of one category, status and urgency found in the period's reports."""

    category: str
    status: str
    urgency: str
    count: int


@dataclass(frozen=True)
class ScheduleCounts:
    """Scheduled posts in the period and how many of them were reported."""

    expected: int
    reported: int
    late: int = 0


@dataclass(frozen=True)
class DutyRow:
    """One officer's part of a post that ended in the period, as stored."""

    assignment_id: int
    officer_id: int
    ends_at: datetime
    reported_at: datetime | None
    """When the officer's first report for the post arrived."""
    paused: bool
    """The officer had paused reminders (leave, sickness) when the post started."""


@dataclass(frozen=True)
class DutyResult:
    """How one duty turned out, judged at one moment."""

    assignment_id: int
    officer_id: int
    outcome: Outcome


def judge_duties(rows: Iterable[DutyRow], *, now: datetime, grace: timedelta
                 ) -> tuple[DutyResult, ...]:
    """Each duty's outcome as the reminders and digests judge it (``domain.schedule``)."""
    return tuple(
        DutyResult(row.assignment_id, row.officer_id, outcome(
            ends_at=row.ends_at, reported_at=row.reported_at, now=now, grace=grace,
            paused=row.paused,
        ))
        for row in rows
    )


def count_duties(duties: Iterable[DutyResult]) -> ScheduleCounts | None:
    """The reporting rate's numbers: a duty is expected once reported or missing (not while
    its grace runs, nor when the officer was excused by a pause); None without any."""
    states = [duty.outcome for duty in duties]
    reported = states.count(Outcome.DONE) + states.count(Outcome.LATE)
    expected = reported + states.count(Outcome.MISSING)
    if not expected:
        return None
    return ScheduleCounts(expected=expected, reported=reported,
                          late=states.count(Outcome.LATE))


ScheduleSource = Callable[[frozenset[str], Period], Awaitable[ScheduleCounts | None]]
"""Where expected posts come from (the schedule of issue 4); ``None`` when there is none."""


# ---- the recap ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfficerLine:
    """One officer's reports in the period."""

    officer_id: int
    name: str
    rank: str | None
    reports: int
    by_activity: Mapping[str, int]


@dataclass(frozen=True)
class CategoryLine:
    """One complaint category in the period."""

    category: str
    total: int
    urgent: int
    by_status: Mapping[str, int]


@dataclass(frozen=True)
class Recap:
    """What the units did in the period: counts only, no residents' personal data."""

    period: Period
    units: frozenset[str]
    reports_by_activity: Mapping[str, int]
    """Every catalogue activity in catalogue order (zeros included), then unknown codes."""
    residents_by_activity: Mapping[str, int]
    officers: tuple[OfficerLine, ...]
    """Officers who reported, most reports first, then by name."""
    complaints: tuple[CategoryLine, ...]
    """Categories with complaints: urgent ones first, then by count, then catalogue order."""
    complaints_by_status: Mapping[str, int]
    schedule: ScheduleCounts | None = None
    duties: tuple[DutyResult, ...] = ()
    """Every duty of the period up to the moment it was judged (digests list the late and
    missing ones); ``schedule`` counts them."""

    @property
    def total_reports(self) -> int:
        """Reports in the period."""
        return sum(self.reports_by_activity.values())

    @property
    def residents_reached(self) -> int:
        """People reached by all reported posts together."""
        return sum(self.residents_by_activity.values())

    @property
    def total_complaints(self) -> int:
        """Complaints recorded in the period's reports."""
        return sum(line.total for line in self.complaints)

    @property
    def urgent_complaints(self) -> int:
        """Of which urgent."""
        return sum(line.urgent for line in self.complaints)

    @property
    def reporting_rate(self) -> float | None:
        """Reported share of the scheduled posts, or None without a schedule."""
        if self.schedule is None or self.schedule.expected <= 0:
            return None
        return min(1.0, self.schedule.reported / self.schedule.expected)

    @property
    def reporter_names(self) -> tuple[str, ...]:
        """Names of the officers who reported, in :attr:`officers` order."""
        return tuple(line.name for line in self.officers)


@dataclass
class _CategoryTotals:
    total: int = 0
    urgent: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


@dataclass
class _OfficerTotals:
    name: str
    rank: str | None
    by_activity: dict[str, int] = field(default_factory=dict)


def build_recap(
    period: Period,
    units: Iterable[str],
    catalogue: Catalogue,
    reports: Iterable[ReportTally],
    complaints: Iterable[ComplaintTally],
    schedule: ScheduleCounts | None = None,
    duties: Iterable[DutyResult] = (),
    *,
    activity_code: str | None = None,
) -> Recap:
    """Fold the grouped rows into a :class:`Recap` (orders fixed here, once for everyone).

    Every catalogue activity is listed (zeros included), or only ``activity_code`` when the
    recap is of one activity."""
    codes = [activity.code for activity in catalogue.activities
             if activity_code is None or activity.code == activity_code]
    by_activity: dict[str, int] = dict.fromkeys(codes, 0)
    residents: dict[str, int] = dict.fromkeys(codes, 0)
    officers: dict[int, _OfficerTotals] = {}
    for row in reports:
        by_activity[row.activity_code] = by_activity.get(row.activity_code, 0) + row.reports
        residents[row.activity_code] = residents.get(row.activity_code, 0) + row.residents
        totals = officers.setdefault(row.officer_id, _OfficerTotals(row.officer_name,
                                                                    row.officer_rank))
        totals.by_activity[row.activity_code] = (
            totals.by_activity.get(row.activity_code, 0) + row.reports
        )
    officer_lines = sorted(
        (
            OfficerLine(
                officer_id=officer_id,
                name=totals.name,
                rank=totals.rank,
                reports=sum(totals.by_activity.values()),
                by_activity=dict(totals.by_activity),
            )
            for officer_id, totals in officers.items()
        ),
        key=lambda line: (-line.reports, line.name.casefold(), line.officer_id),
    )

    urgent_key = catalogue.urgent_level.key
    categories: dict[str, _CategoryTotals] = {}
    statuses: dict[str, int] = {}
    for item in complaints:
        entry = categories.setdefault(item.category, _CategoryTotals())
        entry.total += item.count
        if item.urgency == urgent_key:
            entry.urgent += item.count
        entry.by_status[item.status] = entry.by_status.get(item.status, 0) + item.count
        statuses[item.status] = statuses.get(item.status, 0) + item.count
    order = {key: index for index, key in enumerate(catalogue.complaint_categories)}
    category_lines = sorted(
        (
            CategoryLine(key, entry.total, entry.urgent, dict(entry.by_status))
            for key, entry in categories.items()
        ),
        key=lambda line: (-line.urgent, -line.total, order.get(line.category, len(order))),
    )
    return Recap(
        period=period,
        units=frozenset(units),
        reports_by_activity=by_activity,
        residents_by_activity=residents,
        officers=tuple(officer_lines),
        complaints=tuple(category_lines),
        complaints_by_status=statuses,
        schedule=schedule,
        duties=tuple(duties),
    )
