"""The leader digest: what a leader needs at 06:00 and 18:00, built from the database.

Content (domain model first, text second): today's and tomorrow's posts with who is assigned;
the recap of the 24 hours up to the slot — the same :func:`storage.recap.load_recap` that
/rekap and the daily group summary use, so the numbers agree — with the duties that were late,
missing or are still awaited; the complaints open longer than ``COMPLAINT_STALE_DAYS``;
officers who paused reminders or blocked the bot.

The window overlaps the previous digest's by 12 hours on purpose: a digest skipped while the
bot was down leaves no hole, and a report filed late for yesterday's post is still seen.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from domain.access import reach
from domain.complaints import FollowUp
from domain.coverage import Coverage
from domain.people import Officer
from domain.recap import PeriodKind, Recap, days_ending_at, month_of
from domain.schedule import (
    Assignment,
    Outcome,
    Pause,
    ScheduleConfig,
    at_local,
    local_day,
)
from jobs.summaries import period_text, recap_lines
from storage.recap import load_recap
from storage.repositories import Repositories
from storage.territory import load_coverage
from ui.messages import local_time
from ui.services import Services
from ui.territory import coverage_lines
from ui.views import activity_name, name_of, post_lines, when_text

STALE_LINES = 10
"""Stale complaints listed one by one; the rest are counted (/keluhan lists them all)."""
STALE_COUNT_CAP = 500
"""Stale complaints are counted up to this ("500+"): a backlog of years is not read twice a
day for every leader."""


@dataclass(frozen=True)
class Duty:
    """One officer's part of one post, and how it turned out."""

    assignment: Assignment
    officer_id: int
    outcome: Outcome


@dataclass(frozen=True)
class Digest:
    """Everything one leader's digest says."""

    slot_at: datetime
    recap: Recap
    """The 24 hours up to the slot, as /rekap and the daily group summary count them."""
    upcoming: list[Assignment] = field(default_factory=list)
    duties: list[Duty] = field(default_factory=list)
    stale: list[FollowUp] = field(default_factory=list)
    """The first complaints open longer than COMPLAINT_STALE_DAYS, urgent ones first."""
    stale_count: int = 0
    """All of them, counted up to STALE_COUNT_CAP."""
    paused: list[Pause] = field(default_factory=list)
    blocked: list[Officer] = field(default_factory=list)
    officers: dict[int, Officer] = field(default_factory=dict)
    coverage: Coverage | None = None
    """The units' kelurahan binaan visited and not visited this month so far."""

    @property
    def is_empty(self) -> bool:
        """Nothing to tell: no digest is sent rather than an empty one."""
        return not (self.upcoming or self.duties or self.recap.total_reports
                    or self.recap.total_complaints or self.stale or self.paused
                    or self.blocked)

    def count(self, state: Outcome) -> int:
        """How many duties ended this way."""
        return sum(1 for duty in self.duties if duty.outcome is state)


async def build_digest(
    repos: Repositories,
    services: Services,
    config: ScheduleConfig,
    leader: Officer,
    slot_at: datetime,
    now: datetime,
) -> Digest:
    """Collect the leader's digest for the slot (outcomes as they stand ``now``)."""
    tz = services.settings.tz
    units = reach(leader, services.organisation)
    members = await repos.officers.in_units(units)
    officers = {o.id: o for o in members}
    period = days_ending_at(slot_at, 1, tz, PeriodKind.DAY)
    recap = await load_recap(repos.recaps, services.catalogue, units, period,
                             now=now, grace=config.grace)
    ended = {post.id: post for post in await repos.assignments.in_units(
        units, period.start, period.end, by_end=True)}
    duties = [Duty(ended[duty.assignment_id], duty.officer_id, duty.outcome)
              for duty in recap.duties if duty.assignment_id in ended]
    until = at_local(local_day(slot_at, tz) + timedelta(days=2), datetime.min.time(), tz)
    upcoming = await repos.assignments.in_units(units, slot_at, until)
    pauses = await repos.pauses.current(officers, period.start)
    stale_before = now - timedelta(days=services.settings.complaint_stale_days)
    urgent = [level.key for level in services.catalogue.urgency_levels if level.urgent]
    stale = await repos.complaint_desk.open_longer_than(units, stale_before, urgent=urgent,
                                                        limit=STALE_LINES)
    stale_count = await repos.complaint_desk.count_open_longer_than(units, stale_before,
                                                                    cap=STALE_COUNT_CAP)
    # Posts and duties may name officers since moved or suspended, complaints an assignee.
    named = [i for post in upcoming for i in post.officer_ids]
    named += [duty.officer_id for duty in duties]
    named += [item.assigned_to for item in stale if item.assigned_to is not None]
    for officer_id in named:
        if officer_id not in officers:
            found = await repos.officers.by_id(officer_id)
            if found is not None:
                officers[officer_id] = found
    horizon = slot_at + timedelta(days=1)
    coverage = await load_coverage(repos.areas, services.territory, services.catalogue, units,
                                   month_of(slot_at - timedelta(microseconds=1), tz))
    return Digest(
        slot_at=slot_at,
        recap=recap,
        upcoming=upcoming,
        duties=duties,
        stale=stale,
        stale_count=stale_count,
        paused=[p for p in pauses if p.ends_at > slot_at and p.starts_at < horizon],
        # The units' own officers only: the names looked up by id are for lines, not this.
        blocked=[o for o in members if o.blocked_at is not None and o.id != leader.id],
        officers=officers,
        coverage=coverage,
    )


def render_digest(services: Services, digest: Digest, language: str) -> str:
    """The digest as one message (HTML): numbers first, then the people to follow up, then
    the coming posts."""
    texts = services.texts
    tz = services.settings.tz
    officers = digest.officers
    lines = [texts(language, "schedule.digest.heading",
                   when=local_time(digest.slot_at, tz, texts, language))]
    lines.extend(["", texts(language, "schedule.digest.recap",
                            period=period_text(services, language, digest.recap.period))])
    lines.extend(recap_lines(services, language, digest.recap))
    if digest.coverage is not None and digest.coverage.kelurahan:
        lines.extend(["", texts(language, "territory.digest_heading",
                                period=period_text(services, language, digest.coverage.period))])
        lines.extend(coverage_lines(services, digest.coverage, language))
    if digest.duties:
        lines.append("")
        lines.append(texts(
            language, "schedule.digest.results", total=len(digest.duties),
            done=digest.count(Outcome.DONE), late=digest.count(Outcome.LATE),
            missing=digest.count(Outcome.MISSING), awaiting=digest.count(Outcome.AWAITING),
            paused=digest.count(Outcome.PAUSED),
        ))
        for duty in digest.duties:
            if duty.outcome is Outcome.DONE:
                continue
            officer = officers.get(duty.officer_id)
            lines.append(texts(
                language, "schedule.digest.result_line",
                state=texts(language, f"schedule.outcome.{duty.outcome.value}"),
                name=name_of(officer) if officer else "—",
                activity=html.escape(activity_name(services, duty.assignment.activity_code,
                                                   language)),
                when=when_text(services, duty.assignment, language),
            ))
    if digest.stale:
        more = digest.stale_count - len(digest.stale)
        count = f"{STALE_COUNT_CAP}+" if digest.stale_count >= STALE_COUNT_CAP else \
            str(digest.stale_count)
        lines.extend(["", texts(language, "schedule.digest.stale", count=count,
                                days=services.settings.complaint_stale_days)])
        lines.extend(_stale_line(services, item, digest, language) for item in digest.stale)
        if more > 0:
            lines.append(texts(language, "schedule.digest.stale_more",
                               count=f"{more}+" if count.endswith("+") else more))
    if digest.paused:
        lines.extend(["", texts(language, "schedule.digest.paused")])
        for pause in digest.paused:
            officer = officers.get(pause.officer_id)
            lines.append(texts(
                language, "schedule.view.paused_line",
                name=name_of(officer) if officer else "—",
                until=local_time(pause.ends_at, tz, texts, language),
                reason=texts(language, f"schedule.reason.{pause.reason}"),
            ))
    if digest.blocked:
        lines.extend(["", texts(language, "schedule.digest.blocked",
                                names=", ".join(name_of(o) for o in digest.blocked))])
    # Last: the one part that can run long (a truncated digest loses posts, not numbers).
    if digest.upcoming:
        lines.append("")
        lines.append(texts(language, "schedule.digest.upcoming"))
        for post in digest.upcoming:
            lines.extend(post_lines(services, post, language, officers))
    else:
        lines.extend(["", texts(language, "schedule.digest.upcoming_none")])
    return "\n".join(lines)


def _stale_line(services: Services, item: FollowUp, digest: Digest, language: str) -> str:
    catalogue = services.catalogue
    urgent = {level.key for level in catalogue.urgency_levels if level.urgent}
    label = catalogue.complaint_categories.get(item.category)
    assignee = digest.officers.get(item.assigned_to) if item.assigned_to is not None else None
    return services.texts(
        language, "schedule.digest.stale_line",
        urgent="❗ " if item.urgency in urgent else "",
        category=html.escape(label.get(language) if label else item.category),
        days=(digest.slot_at - item.created_at).days,
        number=html.escape(item.report_number),
        status=services.texts(language, f"complaints.status.{item.status.value}"),
        assignee=name_of(assignee) if assignee else services.texts(
            language, "schedule.digest.unassigned"),
    )
