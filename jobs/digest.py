"""The leader digest: what a leader needs at 06:00 and 18:00, built from the database.

Content (domain model first, text second): today's and tomorrow's posts with who is assigned;
how the duties of the last 24 hours turned out (on time, late, missing, awaiting); complaints
recorded since the leader's last digest actually sent (not the previous slot: a digest skipped
while the bot was down must not lose its complaints) by category, urgent ones first; officers
who paused reminders or blocked the bot.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.services import Services
from bot.ui import local_time
from domain.access import reach
from domain.people import Officer
from domain.schedule import (
    FIRST_DIGEST_WINDOW,
    Assignment,
    ComplaintCount,
    Outcome,
    Pause,
    ScheduleConfig,
    at_local,
    local_day,
    outcome,
    paused_at,
)
from jobs.views import activity_name, name_of, post_lines, when_text
from storage.repositories import Repositories


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
    upcoming: list[Assignment] = field(default_factory=list)
    duties: list[Duty] = field(default_factory=list)
    complaints: list[ComplaintCount] = field(default_factory=list)
    paused: list[Pause] = field(default_factory=list)
    blocked: list[Officer] = field(default_factory=list)
    officers: dict[int, Officer] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        """Nothing to tell: no digest is sent rather than an empty one."""
        return not (self.upcoming or self.duties or self.complaints or self.paused
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
    officers = {o.id: o for o in await repos.officers.in_units(units)}
    until = at_local(local_day(slot_at, tz) + timedelta(days=2), datetime.min.time(), tz)
    upcoming = await repos.assignments.in_units(units, slot_at, until)
    ended = await repos.assignments.in_units(units, slot_at - timedelta(days=1), slot_at,
                                             by_end=True)
    pauses = await repos.pauses.current(officers, slot_at - timedelta(days=1))
    duties = []
    for post in ended:
        for officer_id in post.officer_ids:
            reported = await repos.assignments.reported_at(post, officer_id)
            state = outcome(
                ends_at=post.ends_at, reported_at=reported, now=now, grace=config.grace,
                paused=paused_at(pauses, officer_id, post.starts_at) is not None,
            )
            duties.append(Duty(post, officer_id, state))
    # Up to now, not the slot: the next digest counts from this one's sending (``now``).
    since = await repos.notifications.last_digest_sent(leader.id) or now - FIRST_DIGEST_WINDOW
    complaints = await repos.assignments.complaints_between(units, since, now)
    for post in upcoming:
        for officer_id in post.officer_ids:
            if officer_id not in officers:
                found = await repos.officers.by_id(officer_id)
                if found is not None:
                    officers[officer_id] = found
    horizon = slot_at + timedelta(days=1)
    return Digest(
        slot_at=slot_at,
        upcoming=upcoming,
        duties=duties,
        complaints=_urgent_first(services, complaints),
        paused=[p for p in pauses if p.ends_at > slot_at and p.starts_at < horizon],
        blocked=[o for o in officers.values() if o.blocked_at is not None and o.id != leader.id],
        officers=officers,
    )


def _urgent_first(services: Services, counts: list[ComplaintCount]) -> list[ComplaintCount]:
    urgent = {level.key for level in services.catalogue.urgency_levels if level.urgent}
    return sorted(counts, key=lambda c: (c.urgency not in urgent, -c.count, c.category))


def render_digest(services: Services, digest: Digest, language: str) -> str:
    """The digest as one message (HTML)."""
    texts = services.texts
    tz = services.settings.tz
    officers = digest.officers
    lines = [texts(language, "schedule.digest.heading",
                   when=local_time(digest.slot_at, tz, texts, language))]
    if digest.upcoming:
        lines.append("")
        lines.append(texts(language, "schedule.digest.upcoming"))
        for post in digest.upcoming:
            lines.extend(post_lines(services, post, language, officers))
    else:
        lines.extend(["", texts(language, "schedule.digest.upcoming_none")])
    if digest.duties:
        lines.append("")
        lines.append(texts(
            language, "schedule.digest.results", total=len(digest.duties),
            done=digest.count(Outcome.DONE), late=digest.count(Outcome.LATE),
            missing=digest.count(Outcome.MISSING), awaiting=digest.count(Outcome.AWAITING),
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
    lines.append("")
    if digest.complaints:
        total = sum(c.count for c in digest.complaints)
        lines.append(texts(language, "schedule.digest.complaints", total=total))
        urgent = {level.key for level in services.catalogue.urgency_levels if level.urgent}
        levels = {level.key: level.label.get(language)
                  for level in services.catalogue.urgency_levels}
        categories = services.catalogue.complaint_categories
        for item in digest.complaints:
            label = categories[item.category].get(language) if item.category in categories \
                else item.category
            lines.append(texts(
                language, "schedule.digest.complaint_line",
                urgent="❗ " if item.urgency in urgent else "",
                category=html.escape(label), urgency=levels.get(item.urgency, item.urgency),
                count=item.count,
            ))
    else:
        lines.append(texts(language, "schedule.digest.complaints_none"))
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
    return "\n".join(lines)
