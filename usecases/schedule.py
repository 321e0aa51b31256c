"""Changes to the schedule a person makes: pausing one's reminders, cancelling a post."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from domain.access import reach
from domain.organisation import Organisation
from domain.people import Officer
from domain.schedule import Assignment, Kind, Planned, ScheduleConfig, plan_revision, post_ref
from storage import AnyDatabase, Transaction


class PlanChanged(Exception):
    """The leader's assignment form changed since its button was shown, or the post moved,
    left their reach or is gone: nothing is written (the update's mark rolls back too)."""


def may_manage(organisation: Organisation, leader: Officer, post: Assignment) -> bool:
    """Whether the leader may move or cancel the post (its unit is within their reach)."""
    return post.unit_code is not None and post.unit_code in reach(leader, organisation)


async def create_post(
    db: AnyDatabase, leader: Officer, *, form_version: int, activity: str, unit: str | None,
    place: str, sprin: str | None, starts_at: datetime, ends_at: datetime,
    officer_ids: Sequence[int], config: ScheduleConfig, tz: ZoneInfo, now: datetime,
    update_id: int,
) -> Assignment:
    """Store the post the leader's form (at ``form_version``) describes, plan what its
    officers are told, drop the form and audit ``assignment.assigned``.

    Raises:
        PlanChanged: the form is gone or changed.
    """
    async with db.transaction(update_id=update_id, now=now) as tx:
        current = await tx.assign_drafts.get(leader.id)
        if current is None or current.version != form_version:
            raise PlanChanged
        assignment_id = await tx.assignments.create(
            activity_code=activity, unit_code=unit, place=place, starts_at=starts_at,
            ends_at=ends_at, sprin=sprin, created_by=leader.id, now=now,
        )
        assert assignment_id is not None
        await tx.assignments.add_officers(assignment_id, officer_ids)
        return await _plan_and_finish(tx, config, tz, assignment_id, now, Kind.ASSIGNED, leader)


async def move_post(
    db: AnyDatabase, organisation: Organisation, leader: Officer, assignment_id: int, *,
    form_version: int, revision: int, starts_at: datetime, ends_at: datetime,
    config: ScheduleConfig, tz: ZoneInfo, now: datetime, update_id: int,
) -> Assignment:
    """Move the post (still at ``revision``) to the new times: its pending notices are
    skipped, the new revision's planned, the form dropped and ``assignment.moved`` audited.

    Raises:
        PlanChanged: the form changed, or the post is gone, out of reach or moved meanwhile.
    """
    async with db.transaction(update_id=update_id, now=now) as tx:
        current = await tx.assign_drafts.get(leader.id)
        post = await tx.assignments.by_id(assignment_id)
        if current is None or current.version != form_version or post is None:
            raise PlanChanged
        if not may_manage(organisation, leader, post):
            raise PlanChanged
        moved = await tx.assignments.move(post.id, revision=revision, starts_at=starts_at,
                                          ends_at=ends_at, now=now)
        if not moved:
            raise PlanChanged
        await tx.notifications.skip_for_post(post.id, "moved")
        return await _plan_and_finish(tx, config, tz, post.id, now, Kind.MOVED, leader)


async def _plan_and_finish(
    tx: Transaction, config: ScheduleConfig, tz: ZoneInfo, assignment_id: int, now: datetime,
    announce: Kind, leader: Officer,
) -> Assignment:
    assignment = await tx.assignments.by_id(assignment_id)
    assert assignment is not None
    await tx.notifications.plan(
        plan_revision(config, tz, assignment, assignment.officer_ids, now, announce=announce),
        now,
    )
    await tx.assign_drafts.delete(leader.id)
    await tx.audit.record(actor_id=leader.id, action=f"assignment.{announce.value}",
                          target_type="assignment", target_id=assignment.id, now=now,
                          starts_at=assignment.starts_at.isoformat())
    return assignment


async def pause_reminders(
    db: AnyDatabase, officer_id: int, *, days: int, reason: str, now: datetime, update_id: int
) -> datetime:
    """Pause the officer's reminders for ``days`` from now (ending any pause before);
    when the pause ends."""
    ends = now + timedelta(days=days)
    async with db.transaction(update_id=update_id, now=now) as tx:
        await tx.pauses.end(officer_id, now)
        await tx.pauses.add(officer_id, starts_at=now, ends_at=ends, reason=reason, now=now)
        await tx.audit.record(actor_id=officer_id, action="reminders.pause",
                              target_type="officer", target_id=officer_id, now=now,
                              until=ends.isoformat(), reason=reason)
    return ends


async def resume_reminders(db: AnyDatabase, officer_id: int, *, now: datetime, update_id: int
                           ) -> bool:
    """End the officer's pause now; False when there was none. (Not audited: the officer
    only undoes their own pause early.)"""
    async with db.transaction(update_id=update_id, now=now) as tx:
        return await tx.pauses.end(officer_id, now)


async def cancel_post(
    db: AnyDatabase, leader_id: int, post: Assignment, *, now: datetime, update_id: int
) -> bool:
    """Cancel the post if it is still at the revision it was shown at: its pending notices
    are skipped and its officers are to be told (the outbox). False when it changed meanwhile
    (moved, cancelled, begun): nothing is written."""
    async with db.transaction(update_id=update_id, now=now) as tx:
        cancelled = await tx.assignments.cancel(post.id, revision=post.revision, now=now)
        if cancelled:
            await tx.notifications.skip_for_post(post.id, "cancelled")
            ref = post_ref(post.id, post.revision + 1)
            await tx.notifications.plan(
                [Planned(f"cancelled:{ref}:{officer_id}", Kind.CANCELLED, now,
                         assignment_id=post.id, officer_id=officer_id, recipient_id=officer_id)
                 for officer_id in post.officer_ids],
                now,
            )
            await tx.audit.record(actor_id=leader_id, action="assignment.cancel",
                                  target_type="assignment", target_id=post.id, now=now)
    return cancelled
