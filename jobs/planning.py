"""Putting posts and their notifications into the database (inside the caller's transaction).

The outbox is the only record of what is due: a post's reminders, warning and escalation are
stored the moment the post is stored (or moved), and recurring rules and digests are expanded
into the same tables by the periodic scan. Every row has an idempotency key, so planning the
same thing twice stores it once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from domain.access import ADMIN_ROLE, is_leader
from domain.people import Officer, Status
from domain.schedule import (
    Assignment,
    Kind,
    Planned,
    ScheduleConfig,
    digest_key,
    digest_slots,
    load_schedule,
    occurrences,
    plan_revision,
)
from storage import Transaction
from ui.services import Services

logger = logging.getLogger(__name__)


@lru_cache(maxsize=8)
def _load(path: Path, activities: tuple[str, ...], units: tuple[str, ...]) -> ScheduleConfig:
    return load_schedule(path, activities=activities, units=units)


def schedule_config(services: Services) -> ScheduleConfig:
    """The validated schedule file (read once per file)."""
    return _load(
        services.settings.schedule_file,
        tuple(activity.code for activity in services.catalogue.activities),
        tuple(unit.code for unit in services.organisation.units),
    )


async def plan_post(
    tx: Transaction,
    services: Services,
    assignment: Assignment,
    officer_ids: Iterable[int],
    now: datetime,
    *,
    announce: Kind | None,
) -> None:
    """Store every notification the officers get for the post's current revision."""
    items = plan_revision(schedule_config(services), services.settings.tz, assignment,
                          officer_ids, now, announce=announce)
    await tx.notifications.plan(items, now)


async def expand_rules(tx: Transaction, services: Services, now: datetime) -> int:
    """Turn recurring rules into dated posts up to the horizon; returns officers newly added.

    Only posts that have not started are touched, so an officer who joins a unit is added to
    its coming posts and never to past ones.
    """
    config = schedule_config(services)
    tz = services.settings.tz
    end = now + timedelta(days=config.horizon_days)
    added_total = 0
    for rule in config.rules:
        activity = services.catalogue.activity(rule.activity)
        duration = rule.duration_minutes or activity.duration_minutes
        found = occurrences(rule, duration_minutes=duration, start=now, end=end, tz=tz,
                            holidays=config.holidays)
        if not found:
            continue
        officers = await _rule_officers(tx, services, rule.unit, rule.officers)
        if not officers:
            continue
        unit = rule.unit or officers[0].unit_code
        for occurrence in found:
            post = await tx.assignments.by_rule_key(occurrence.key)
            if post is None:
                await tx.assignments.create(
                    activity_code=rule.activity, unit_code=unit, place=rule.place,
                    starts_at=occurrence.starts_at, ends_at=occurrence.ends_at, sprin=None,
                    created_by=None, now=now, rule_key=occurrence.key,
                )
                post = await tx.assignments.by_rule_key(occurrence.key)
            assert post is not None
            if post.status.value != "planned" or post.starts_at <= now:
                continue
            added = await tx.assignments.add_officers(post.id, [o.id for o in officers])
            if added:
                await plan_post(tx, services, post, added, now, announce=None)
                added_total += len(added)
    return added_total


async def _rule_officers(
    tx: Transaction, services: Services, unit: str | None, nrps: Iterable[str]
) -> list[Officer]:
    """Who carries out a rule's posts: the unit's officers (Banit, not its leaders), or the
    officers the rule names."""
    if unit is not None:
        members = await tx.officers.in_units([unit])
        return [o for o in members if not is_leader(o, services.organisation)]
    found = []
    for nrp in nrps:
        officer = await tx.officers.by_nrp(nrp)
        if officer is not None and officer.status is Status.ACTIVE:
            found.append(officer)
        elif officer is None:
            logger.warning("schedule rule names unknown NRP %s", nrp)
    return found


def digest_recipients_roles(services: Services) -> list[str]:
    """Roles that receive digests: the organisation's leader roles (not the admin account)."""
    return [role.code for role in services.organisation.roles
            if role.is_leader and role.code != ADMIN_ROLE]


async def plan_digests(tx: Transaction, services: Services, now: datetime) -> int:
    """Store the digests of every leader for the slots around now (older ones are stale)."""
    config = schedule_config(services)
    tz = services.settings.tz
    slots = digest_slots(config, tz, now - timedelta(days=1), now + timedelta(days=1))
    leaders = await tx.officers.with_roles(digest_recipients_roles(services))
    items: list[Planned] = []
    for leader in leaders:
        since = leader.decided_at or leader.created_at
        for slot_at, slot in slots:
            if slot_at < since:
                continue  # no digest for a time before the leader was a leader
            items.append(
                Planned(digest_key(leader.id, slot_at, slot, tz), Kind.DIGEST, slot_at,
                        recipient_id=leader.id, payload={"slot": slot})
            )
    return await tx.notifications.plan(items, now)


def validate_schedule(settings: Any, organisation: Any, catalogue: Any) -> ScheduleConfig:
    """Check the schedule file at start-up (and ``check-config``) against the other files."""
    return _load(
        settings.schedule_file,
        tuple(activity.code for activity in catalogue.activities),
        tuple(unit.code for unit in organisation.units),
    )
