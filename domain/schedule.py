"""Schedules as plain data: recurring rules, notification times, report outcomes, digests.

No Telegram and no SQL here. Every moment is an aware datetime; wall-clock arithmetic (the
Saturday 08:00 of a rule, the end of a day, a digest at 06:00) happens in the configured zone
and is converted to UTC afterwards, so a zone with daylight saving would still be right.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from domain.configfile import ConfigFileError, load_model
from domain.errors import InputError
from domain.lexer import Lean, TimeOfDay, YearRule, normalise, read_clock, read_date, resolve
from domain.text import Texts, ascii_number, identifier, plain_text

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CLOCK_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d$"
RULE_KEY_PATTERN = r"^[a-z][a-z0-9_]{1,23}$"
LATE_AFTER = timedelta(minutes=2)
"""A notification sent this long after it fell due is marked late (the bot was down or busy)."""
MAX_ATTEMPTS = 8
"""Temporary Telegram failures (429, network) are retried this often before giving up."""
MIN_ESCALATION_GAP = timedelta(minutes=30)
"""With no grace period, the end-of-day escalation still comes this long after the warning."""


class ScheduleConfigError(ConfigFileError):
    """The schedule file is unreadable or inconsistent; the message names file and field."""


Clock = Annotated[str, StringConstraints(pattern=CLOCK_PATTERN)]


def parse_clock_text(text: str) -> time:
    """``"08:30"`` (a config or stored time, the format checked by the models) as a ``time``,
    read by the same :func:`domain.lexer.read_clock` as typed times."""
    clock = read_clock(text)
    if clock is None or not clock.valid or clock.end_of_day:
        raise ValueError(f"not a clock time: {text!r}")
    return clock.time()


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Rule(_Frozen):
    """A recurring post: an activity on some weekdays at a local time, for a unit or officers."""

    key: Annotated[str, StringConstraints(pattern=RULE_KEY_PATTERN)]
    activity: str
    days: tuple[str, ...] = Field(min_length=1)
    start: Clock
    duration_minutes: int | None = Field(default=None, ge=5, le=720)
    unit: str | None = None
    officers: tuple[str, ...] = ()
    """NRPs of the officers bound to the rule (instead of a whole unit)."""
    place: str | None = Field(default=None, max_length=200)
    skip_dates: tuple[date, ...] = ()
    on_holidays: bool = False

    @field_validator("days")
    @classmethod
    def _known_days(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if value == ("daily",):
            return WEEKDAYS
        unknown = [day for day in value if day not in WEEKDAYS]
        if unknown:
            raise ValueError(f"unknown day {unknown[0]!r}; use {', '.join(WEEKDAYS)} or daily")
        return value

    @model_validator(mode="after")
    def _bound(self) -> Rule:
        if (self.unit is None) == (not self.officers):
            raise ValueError("a rule is bound to exactly one of: unit, officers")
        return self

    @property
    def weekdays(self) -> frozenset[int]:
        """The rule's days as ``date.weekday()`` numbers."""
        return frozenset(WEEKDAYS.index(day) for day in self.days)


class ScheduleConfig(_Frozen):
    """Recurring posts, reminder offsets, grace period, escalation and digest times."""

    reminder_offsets_minutes: tuple[int, ...] = (60, 0)
    grace_minutes: int = Field(default=120, ge=0, le=24 * 60)
    escalate_after_minutes: int | None = Field(default=None, ge=0, le=7 * 24 * 60)
    """Delay from the overdue warning to the leaders' escalation; unset: end of the post's day
    (at least the grace period after the warning, see ``escalation_at``)."""
    digest_times: tuple[Clock, ...] = ("06:00", "18:00")
    quiet_hours: tuple[Clock, Clock] | None = ("22:00", "06:00")
    """From, until: escalations that fall due in between wait for its end (a leader is not
    woken at midnight for a missing report); emergencies are never held back. None: no quiet
    hours."""
    horizon_days: int = Field(default=2, ge=1, le=14)
    holidays: tuple[date, ...] = ()
    rules: tuple[Rule, ...] = ()

    @field_validator("reminder_offsets_minutes")
    @classmethod
    def _offsets(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(offset < 0 or offset > 7 * 24 * 60 for offset in value):
            raise ValueError("offsets are minutes before the start, from 0 to 10080")
        if len(set(value)) != len(value):
            raise ValueError("offsets must be different")
        return tuple(sorted(value, reverse=True))

    @field_validator("digest_times")
    @classmethod
    def _sorted_times(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            raise ValueError("digest times must be different")
        return tuple(sorted(value))

    @model_validator(mode="after")
    def _unique_rules(self) -> ScheduleConfig:
        keys = [rule.key for rule in self.rules]
        if len(set(keys)) != len(keys):
            raise ValueError("rules: rule keys must be unique")
        return self

    @property
    def grace(self) -> timedelta:
        """How long after a post's end its report may still come in on time."""
        return timedelta(minutes=self.grace_minutes)


def load_schedule(
    path: Path, *, activities: Iterable[str], units: Iterable[str]
) -> ScheduleConfig:
    """Load and validate the schedule file against the catalogue and the organisation."""
    config = load_model(path, ScheduleConfig, ScheduleConfigError)
    known_activities, known_units = set(activities), set(units)
    for index, rule in enumerate(config.rules):
        if rule.activity not in known_activities:
            raise ScheduleConfigError(
                f"{path}: rules.{index}.activity: unknown activity {rule.activity!r}"
            )
        if rule.unit is not None and rule.unit not in known_units:
            raise ScheduleConfigError(f"{path}: rules.{index}.unit: unknown unit {rule.unit!r}")
    return config


# ------------------------------------------------------------------------------ wall clock


def at_local(day: date, clock: time, tz: ZoneInfo) -> datetime:
    """The moment ``day clock`` on the precinct's wall clock, in UTC."""
    return datetime.combine(day, clock, tzinfo=tz).astimezone(UTC)


def local_day(moment: datetime, tz: ZoneInfo) -> date:
    """The precinct's calendar date at ``moment``."""
    return moment.astimezone(tz).date()


def end_of_local_day(moment: datetime, tz: ZoneInfo) -> datetime:
    """Local midnight after ``moment`` (the start of the next local day), in UTC."""
    return at_local(local_day(moment, tz) + timedelta(days=1), time(0, 0), tz)


@dataclass(frozen=True)
class Occurrence:
    """One dated post produced by a recurring rule."""

    rule_key: str
    day: date
    starts_at: datetime
    ends_at: datetime

    @property
    def key(self) -> str:
        """Unique per rule and local day: expanding twice creates nothing new."""
        return f"{self.rule_key}:{self.day.isoformat()}"


def occurrences(
    rule: Rule,
    *,
    duration_minutes: int,
    start: datetime,
    end: datetime,
    tz: ZoneInfo,
    holidays: Iterable[date] = (),
) -> list[Occurrence]:
    """The rule's posts starting in ``[start, end)``, minus holidays and exceptions."""
    closed = set(rule.skip_dates) | (set() if rule.on_holidays else set(holidays))
    clock = parse_clock_text(rule.start)
    found: list[Occurrence] = []
    day = local_day(start, tz) - timedelta(days=1)
    last = local_day(end, tz)
    while day <= last:
        if day.weekday() in rule.weekdays and day not in closed:
            begins = at_local(day, clock, tz)
            if start <= begins < end:
                found.append(
                    Occurrence(rule.key, day, begins, begins + timedelta(minutes=duration_minutes))
                )
        day += timedelta(days=1)
    return found


# --------------------------------------------------------------------------- notifications


class Kind(StrEnum):
    """What a notification is; each has its own text and its own staleness rule."""

    ASSIGNED = "assigned"
    MOVED = "moved"
    CANCELLED = "cancelled"
    REMINDER = "reminder"
    OVERDUE = "overdue"
    ESCALATE = "escalate"
    """Fans out to the officer's leaders when due (one ``escalate_to`` each)."""
    ESCALATE_TO = "escalate_to"
    DIGEST = "digest"
    REPORT = "report"
    """A leader's notice of a submitted report, planned in the transaction that stores it (so
    a crash after the commit still tells the leaders), sent at once."""


class Delivery(StrEnum):
    """Where a notification stands."""

    PENDING = "pending"
    SENDING = "sending"
    """Claimed for a send whose outcome is not recorded yet."""
    SENT = "sent"
    SKIPPED = "skipped"
    FAILED = "failed"
    UNKNOWN = "unknown"
    """A crash interrupted its send: it may or may not have arrived, and is not sent again."""


AT_MOST_ONCE_KINDS = frozenset({Kind.REMINDER, Kind.OVERDUE, Kind.ESCALATE_TO, Kind.DIGEST})
"""Told twice is worse than a rare loss: claimed before the send, never repeated after a crash
or a timeout. Announcements of a new, moved or cancelled post stay at-least-once: a lost one
could send an officer to the wrong place or time."""
STUCK_CLAIM = timedelta(minutes=1)
"""A claim this old with no outcome was interrupted by a crash (a send takes seconds)."""


def at_most_once(kind: Kind) -> bool:
    """Whether a notification of this kind is claimed before it is sent (see above)."""
    return kind in AT_MOST_ONCE_KINDS


@dataclass(frozen=True)
class Planned:
    """A notification to be stored: its idempotency key says what it is and for whom."""

    key: str
    kind: Kind
    due_at: datetime
    assignment_id: int | None = None
    officer_id: int | None = None
    recipient_id: int | None = None
    payload: dict[str, object] = field(default_factory=dict)


def post_ref(assignment_id: int, revision: int) -> str:
    """The post as keys name it: a moved post is a new revision, so new keys."""
    return f"{assignment_id}r{revision}"


def plan_officer(
    config: ScheduleConfig,
    tz: ZoneInfo,
    *,
    assignment_id: int,
    revision: int,
    officer_id: int,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
    announce: Kind | None,
) -> list[Planned]:
    """Everything one officer is told about one post revision.

    Reminders whose moment passed before the post was planned are left out: a reminder an
    hour ahead of a post created 20 minutes ahead would only be noise.
    """
    ref = post_ref(assignment_id, revision)
    mine = {"assignment_id": assignment_id, "officer_id": officer_id, "recipient_id": officer_id}
    revised: dict[str, object] = {"revision": revision}
    planned: list[Planned] = []
    if announce is not None:
        planned.append(Planned(f"{announce.value}:{ref}:{officer_id}", announce, now,
                               payload=revised, **mine))
    for offset in config.reminder_offsets_minutes:
        due = starts_at - timedelta(minutes=offset)
        if due >= now:
            planned.append(
                Planned(f"reminder:{ref}:{officer_id}:{offset}", Kind.REMINDER, due,
                        payload={**revised, "offset": offset}, **mine)
            )
    planned.append(Planned(f"overdue:{ref}:{officer_id}", Kind.OVERDUE,
                           overdue_at(ends_at, config), payload=revised, **mine))
    planned.append(
        Planned(f"escalate:{ref}:{officer_id}", Kind.ESCALATE,
                escalation_at(ends_at, config, tz), assignment_id=assignment_id,
                officer_id=officer_id, payload=revised)
    )
    return planned


def plan_revision(
    config: ScheduleConfig,
    tz: ZoneInfo,
    assignment: Assignment,
    officer_ids: Iterable[int],
    now: datetime,
    *,
    announce: Kind | None,
) -> list[Planned]:
    """Every notification the officers get for the post's current revision."""
    return [
        item
        for officer_id in officer_ids
        for item in plan_officer(
            config, tz, assignment_id=assignment.id, revision=assignment.revision,
            officer_id=officer_id, starts_at=assignment.starts_at, ends_at=assignment.ends_at,
            now=now, announce=announce,
        )
    ]


def overdue_at(ends_at: datetime, config: ScheduleConfig) -> datetime:
    """When a missing report becomes overdue: the post's end plus the grace period."""
    return ends_at + config.grace


def escalation_at(ends_at: datetime, config: ScheduleConfig, tz: ZoneInfo) -> datetime:
    """When leaders hear of a still-missing report for a post ending at ``ends_at``.

    With ``escalate_after_minutes`` set: that long after the overdue warning. Otherwise the end
    of the post's local day (midnight after ``ends_at``, not after the warning: a post ending
    22:00 is escalated that night, not 26 hours later), but never sooner than
    ``escalation_gap`` after the warning, so the officer always has time to answer it (a post
    ending 21:30 with 2 h grace: warning 23:30, leaders 01:30 rather than 00:00). Either way
    an escalation inside the quiet hours waits for their end (06:00 by default).
    """
    overdue = overdue_at(ends_at, config)
    if config.escalate_after_minutes is not None:
        moment = overdue + timedelta(minutes=config.escalate_after_minutes)
    else:
        moment = max(end_of_local_day(ends_at, tz), overdue + escalation_gap(config))
    return after_quiet_hours(moment, config, tz)


def after_quiet_hours(moment: datetime, config: ScheduleConfig, tz: ZoneInfo) -> datetime:
    """``moment``, or the end of the quiet hours it falls in (22:00-06:00 by default).

    The window may cross midnight (22:00-06:00) or not (13:00-14:00); equal ends mean none.
    """
    if config.quiet_hours is None:
        return moment
    begins, ends = (parse_clock_text(text) for text in config.quiet_hours)
    if begins == ends:
        return moment
    local = moment.astimezone(tz)
    clock = local.time().replace(tzinfo=None)
    day = local.date()
    if begins < ends:
        quiet = begins <= clock < ends
    else:
        quiet = clock >= begins or clock < ends
        if clock >= begins:
            day += timedelta(days=1)
    if not quiet:
        return moment
    return at_local(day, ends, tz)


def escalation_gap(config: ScheduleConfig) -> timedelta:
    """The least time between the warning and the end-of-day escalation: the grace again."""
    return max(config.grace, MIN_ESCALATION_GAP)


def digest_slots(
    config: ScheduleConfig, tz: ZoneInfo, start: datetime, end: datetime
) -> list[tuple[datetime, str]]:
    """Digest moments in ``[start, end]`` with their slot names (``06:00``)."""
    slots: list[tuple[datetime, str]] = []
    day = local_day(start, tz) - timedelta(days=1)
    while day <= local_day(end, tz):
        for text in config.digest_times:
            moment = at_local(day, parse_clock_text(text), tz)
            if start <= moment <= end:
                slots.append((moment, text))
        day += timedelta(days=1)
    return slots


def digest_key(leader_id: int, slot_at: datetime, slot: str, tz: ZoneInfo) -> str:
    """``digest:{leader}:{local date}:{slot}``."""
    return f"{digest_key_prefix(leader_id)}{local_day(slot_at, tz).isoformat()}:{slot}"


def next_digest_after(config: ScheduleConfig, tz: ZoneInfo, moment: datetime) -> datetime:
    """The first digest slot strictly after ``moment``."""
    later = [
        slot for slot, _ in digest_slots(config, tz, moment, moment + timedelta(days=2))
        if slot > moment
    ]
    return later[0]


def digest_key_prefix(leader_id: int) -> str:
    """What every digest key of the leader starts with."""
    return f"digest:{leader_id}:"


class Staleness(StrEnum):
    """Why a due notification is no longer worth sending."""

    POST_STARTED = "post_started"
    POST_ENDED = "post_ended"
    NEXT_DIGEST = "next_digest"


def stale_reason(
    kind: Kind,
    *,
    due_at: datetime,
    now: datetime,
    post_ends_at: datetime | None,
    next_digest: datetime | None,
    post_starts_at: datetime | None = None,
    offset_minutes: int = 0,
) -> Staleness | None:
    """Whether a notification that fell due (perhaps while the bot was down) is still useful.

    A reminder "in 60 minutes" is wrong once the post has begun; the at-start reminder and
    an announcement help until the post ends; a digest is replaced by the next one. Warnings
    and escalations stay useful until the report arrives.
    """
    if kind in (Kind.REMINDER, Kind.ASSIGNED, Kind.MOVED) and post_ends_at is not None:
        if now >= post_ends_at:
            return Staleness.POST_ENDED
        if (kind is Kind.REMINDER and offset_minutes > 0 and post_starts_at is not None
                and now >= post_starts_at):
            return Staleness.POST_STARTED
        return None
    if kind is Kind.DIGEST and next_digest is not None and now >= next_digest:
        return Staleness.NEXT_DIGEST
    return None


def is_late(due_at: datetime, now: datetime) -> bool:
    """Whether a notification goes out noticeably after its moment."""
    return now - due_at > LATE_AFTER


def retry_delay(attempts: int, retry_after: float | None = None) -> timedelta:
    """When to try a temporarily failed send again: Telegram's hint, else a doubling backoff."""
    if retry_after is not None:
        return timedelta(seconds=max(1.0, retry_after))
    return timedelta(seconds=min(30 * 2 ** max(0, attempts - 1), 3600))


# ------------------------------------------------------------------------------- outcomes


class Outcome(StrEnum):
    """How one officer's part of a post turned out."""

    DONE = "done"
    LATE = "late"
    MISSING = "missing"
    AWAITING = "awaiting"
    """Not reported yet, but the grace period is still running."""
    PAUSED = "paused"
    """The officer had paused reminders (leave, sickness) for the post."""


def outcome(
    *,
    ends_at: datetime,
    reported_at: datetime | None,
    now: datetime,
    grace: timedelta,
    paused: bool = False,
) -> Outcome:
    """Done on time, late, missing, or still within the grace period."""
    deadline = ends_at + grace
    if reported_at is not None:
        return Outcome.DONE if reported_at <= deadline else Outcome.LATE
    if paused:
        return Outcome.PAUSED
    return Outcome.MISSING if now > deadline else Outcome.AWAITING


@dataclass(frozen=True)
class Pause:
    """An officer's pause of reminders (leave, sickness) between two moments."""

    id: int
    officer_id: int
    starts_at: datetime
    ends_at: datetime
    reason: str

    def covers(self, moment: datetime) -> bool:
        """Whether ``moment`` falls inside the pause."""
        return self.starts_at <= moment < self.ends_at


def paused_at(pauses: Sequence[Pause], officer_id: int, moment: datetime) -> Pause | None:
    """The officer's pause covering ``moment``, if any."""
    return next((p for p in pauses if p.officer_id == officer_id and p.covers(moment)), None)


# ---------------------------------------------------------------------------- assignments


class PostStatus(StrEnum):
    """A post is planned until a leader cancels it."""

    PLANNED = "planned"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Assignment:
    """A post: an activity at a place and time, for one or more officers."""

    id: int
    activity_code: str
    unit_code: str | None
    place: str | None
    starts_at: datetime
    ends_at: datetime
    sprin: str | None
    status: PostStatus
    revision: int
    rule_key: str | None
    created_by: int | None
    officer_ids: tuple[int, ...] = ()

    @property
    def duration_minutes(self) -> int:
        """The planned length."""
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


def moment_text(texts: Texts, language: str, moment: datetime, tz: ZoneInfo) -> str:
    """A moment as officers read it: ``Sabtu, 28/11/2026 08.00 WITA``."""
    local = moment.astimezone(tz)
    return texts(language, "format.datetime", day=texts(language, f"day.{local.weekday()}"),
                 date=local.strftime("%d/%m/%Y"), time=local.strftime(clock_format(language)),
                 zone=local.tzname() or tz.key)


def clock_format(language: str) -> str:
    """``08.00`` in Indonesian, ``08:00`` in English."""
    return "%H.%M" if language == "id" else "%H:%M"


def when_range(texts: Texts, language: str, starts_at: datetime, ends_at: datetime,
               tz: ZoneInfo) -> str:
    """``Sabtu, 28/11/2026 16.00–17.00 WITA``: a post's start and end in the precinct zone.

    The zone closes the range (it belongs to both times); a post ending on another day shows
    both moments in full."""
    start, end = starts_at.astimezone(tz), ends_at.astimezone(tz)
    if start.date() != end.date():
        return texts(language, "schedule.when_range_days",
                     start=moment_text(texts, language, start, tz),
                     end=moment_text(texts, language, end, tz))
    clock = clock_format(language)
    return texts(language, "schedule.when_range", day=texts(language, f"day.{start.weekday()}"),
                 date=start.strftime("%d/%m/%Y"), start=start.strftime(clock),
                 end=end.strftime(clock), zone=end.tzname() or tz.key)


def report_prefill(
    assignment: Assignment,
    *,
    sprin_key: str | None,
    time_key: str | None,
    location_key: str | None,
    now: datetime,
) -> dict[str, object]:
    """Report answers known from the post: assignment letter, time (once begun), place."""
    answers: dict[str, object] = {}
    if sprin_key is not None and assignment.sprin:
        answers[sprin_key] = assignment.sprin
    if time_key is not None and assignment.starts_at <= now:
        answers[time_key] = {
            "start": assignment.starts_at.isoformat(),
            "end": assignment.ends_at.isoformat(),
        }
    if location_key is not None and assignment.place:
        answers[location_key] = {"pin": None, "place": assignment.place, "live": None}
    return answers


# ------------------------------------------------------------------------- typed answers


ScheduleInputError = InputError
"""The assignment conversation's name for :class:`domain.errors.InputError`."""
PLANNED = YearRule(Lean.FUTURE)
"""A post's date without a year is the first such day from today on."""
PLACE_MAX = 200
SPRIN_MAX = 100


def parse_date(raw: str, today: date) -> date:
    """``30/11``, ``30/11/2026``, ``30-11-26``, ``30 Nov``, ``besok``: a date from today on.

    Read by :func:`domain.lexer.read_date`, as the report form and the date ranges are.
    """
    part = read_date(normalise(raw), today)
    found = None if part is None else resolve(part, today, PLANNED)
    if found is None:
        raise ScheduleInputError("schedule.input.date_format")
    if found < today:
        raise ScheduleInputError("schedule.input.date_past")
    if found > today + timedelta(days=366):
        raise ScheduleInputError("schedule.input.date_far")
    return found


def parse_clock(raw: str) -> TimeOfDay:
    """``08:00``, ``8.30``, ``0830``, ``pukul 14.00 WITA``, ``24.00``: a wall-clock time.

    Read by :func:`domain.lexer.read_clock`, as the report form's times are; ``24.00`` is the
    midnight that ends the chosen day (:attr:`~domain.lexer.TimeOfDay.end_of_day`).
    """
    clock = read_clock(raw)
    if clock is None or not clock.valid:
        raise ScheduleInputError("schedule.input.time_format")
    return clock


def post_start(day: date, clock: TimeOfDay) -> tuple[date, time]:
    """The local day and time a post typed as ``day`` at ``clock`` starts (24.00: the next
    day at 00.00)."""
    return (day + timedelta(days=1) if clock.end_of_day else day), clock.time()


def parse_minutes(raw: str) -> int:
    """A duration in minutes, 5 to 720."""
    text = identifier(raw).strip().lower().removesuffix("menit").removesuffix("minutes").strip()
    minutes = ascii_number(text)
    if minutes is None or not 5 <= minutes <= 720:
        raise ScheduleInputError("schedule.input.duration")
    return minutes


def clean_place(raw: str) -> str:
    """A typed place, trimmed, 2-200 characters."""
    place = " ".join(plain_text(raw).split())
    if len(place) < 2 or len(place) > PLACE_MAX:
        raise ScheduleInputError("schedule.input.place", max=PLACE_MAX)
    return place


def clean_sprin(raw: str) -> str:
    """An assignment-letter number as typed, 1-100 characters."""
    sprin = " ".join(plain_text(raw).split())
    if not sprin or len(sprin) > SPRIN_MAX:
        raise ScheduleInputError("schedule.input.sprin", max=SPRIN_MAX)
    return sprin


def days_ahead(today: date, count: int) -> Iterator[date]:
    """Today and the following days."""
    for offset in range(count):
        yield today + timedelta(days=offset)


@dataclass(frozen=True)
class Notification:
    """A stored notification (one row of the outbox)."""

    id: int
    key: str
    kind: Kind
    due_at: datetime
    status: Delivery
    attempts: int
    assignment_id: int | None = None
    officer_id: int | None = None
    recipient_id: int | None = None
    payload: dict[str, object] = field(default_factory=dict)
    claimed_at: datetime | None = None
    sent_at: datetime | None = None
    late: bool = False
    reason: str | None = None


@dataclass(frozen=True)
class AssignDraft:
    """The /tugas conversation (or moving a post) in progress, one per leader."""

    officer_id: int
    mode: str
    step: str
    answers: dict[str, object] = field(default_factory=dict)
    version: int = 0
    assignment_id: int | None = None
    updated_at: datetime | None = None
