"""Changes to the schedule a person makes: pausing one's reminders, cancelling a post."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.schedule import Assignment, Kind, Planned, post_ref
from storage import AnyDatabase


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
