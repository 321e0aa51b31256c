"""Moving a complaint's status and assigning it: the rule, the change and its audit row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain import complaints as rules
from domain.complaints import ComplaintStatus, FollowUp
from domain.organisation import Organisation
from domain.people import Officer
from storage import AnyDatabase


@dataclass(frozen=True, slots=True)
class Moved:
    """The complaint moved; ``assignee`` (if any) is told."""

    item: FollowUp
    assignee: Officer | None


@dataclass(frozen=True, slots=True)
class NotMoved:
    """Nothing changed: the complaint moved meanwhile, left the viewer's reach, or is gone."""

    item: FollowUp | None  # as it is now


async def move_complaint(
    db: AnyDatabase, organisation: Organisation, viewer: Officer, complaint_id: int, *,
    expected: ComplaintStatus, target: ComplaintStatus, note: str, asked_at: datetime,
    now: datetime, update_id: int,
) -> Moved | NotMoved | None:
    """Apply the status move the viewer typed ``note`` for, if the status is still
    ``expected``. None: the note's question was answered already (a redelivered update)."""
    moved = False
    async with db.transaction(update_id=update_id, now=now) as tx:
        if not await tx.desk_inputs.take(viewer.id, asked_at):
            return None
        item = await tx.complaint_desk.get(complaint_id)
        if item is not None and rules.may_change_status(viewer, item, organisation):
            moved = await tx.complaint_desk.move(
                complaint_id, expected=expected, new=target, actor_id=viewer.id, note=note,
                now=now, referred_to=note if target is ComplaintStatus.REFERRED else None,
            )
        if moved:
            await tx.audit.record(actor_id=viewer.id, action="complaint.status",
                                  target_type="complaint", target_id=complaint_id, now=now,
                                  old=expected.value, new=target.value)
        item = await tx.complaint_desk.get(complaint_id)
        assignee = (
            await tx.officers.by_id(item.assigned_to) if item and item.assigned_to else None
        )
    if moved and item is not None:
        return Moved(item, assignee)
    return NotMoved(item)


@dataclass(frozen=True, slots=True)
class Assigned:
    """The complaint is now ``person``'s."""

    item: FollowUp
    person: Officer


async def assign_complaint(
    db: AnyDatabase, organisation: Organisation, viewer: Officer, item: FollowUp, *,
    expected: ComplaintStatus | None, person_id: int, now: datetime, update_id: int,
) -> Assigned | NotMoved:
    """Give the complaint to an active officer of its unit, if its status is still
    ``expected`` and the viewer leads it."""
    assigned = False
    async with db.transaction(update_id=update_id, now=now) as tx:
        person = await tx.officers.by_id(person_id)
        if (
            expected is not None
            and rules.leads(viewer, item, organisation)
            and person is not None
            and person.is_active
            and person.unit_code == item.unit_code
        ):
            assigned = await tx.complaint_desk.assign(
                item.id, expected=expected, officer_id=person.id, actor_id=viewer.id, now=now
            )
        if assigned:
            await tx.audit.record(actor_id=viewer.id, action="complaint.assign",
                                  target_type="complaint", target_id=item.id, now=now,
                                  officer=person_id)
        fresh = await tx.complaint_desk.get(item.id)
    if assigned and fresh is not None and person is not None:
        return Assigned(fresh, person)
    return NotMoved(fresh)
