"""Complaint follow-up as plain rules: statuses, allowed moves, who sees and moves what."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.access import is_leader, reach
from domain.organisation import Organisation
from domain.people import Officer
from domain.text import plain_text


class ComplaintStatus(StrEnum):
    """Where a complaint stands; resolved and referred are final."""

    NEW = "new"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    REFERRED = "referred"


OPEN_STATUSES = (ComplaintStatus.NEW, ComplaintStatus.IN_PROGRESS)
MOVES: dict[ComplaintStatus, tuple[ComplaintStatus, ...]] = {
    ComplaintStatus.NEW: (ComplaintStatus.IN_PROGRESS, ComplaintStatus.REFERRED),
    ComplaintStatus.IN_PROGRESS: (ComplaintStatus.RESOLVED, ComplaintStatus.REFERRED),
    ComplaintStatus.RESOLVED: (),
    ComplaintStatus.REFERRED: (),
}
# One letter per status keeps status buttons well inside the 64-byte callback limit.
CODES = {
    ComplaintStatus.NEW: "n",
    ComplaintStatus.IN_PROGRESS: "i",
    ComplaintStatus.RESOLVED: "r",
    ComplaintStatus.REFERRED: "f",
}
BY_CODE = {code: status for status, code in CODES.items()}
NOTE_LIMIT = 500


@dataclass(frozen=True)
class FollowUp:
    """A complaint with what follow-up needs: its report, unit, officer, assignee, status."""

    id: int
    report_id: int
    report_number: str
    unit_code: str | None
    officer_id: int
    category: str
    description: str
    place: str
    urgency: str
    resident_name: str | None
    resident_contact: str | None
    status: ComplaintStatus
    assigned_to: int | None
    referred_to: str | None
    created_at: datetime
    status_changed_at: datetime | None
    kelurahan_code: str | None = None


@dataclass(frozen=True)
class HistoryEntry:
    """One change of a complaint: who, when, from, to, assignee, note."""

    at: datetime
    actor_id: int
    actor_name: str
    from_status: ComplaintStatus
    to_status: ComplaintStatus
    assigned_to: int | None
    assignee_name: str | None
    note: str


def may_move(current: ComplaintStatus, target: ComplaintStatus) -> bool:
    """Whether ``current`` may become ``target``."""
    return target in MOVES[current]


def leads(viewer: Officer, complaint: FollowUp, organisation: Organisation) -> bool:
    """Whether the viewer leads the complaint's unit (admins lead every unit)."""
    return (
        is_leader(viewer, organisation)
        and complaint.unit_code is not None
        and complaint.unit_code in reach(viewer, organisation)
    )


def may_see(viewer: Officer, complaint: FollowUp, organisation: Organisation) -> bool:
    """The unit's leaders, the officer who recorded it and the assignee."""
    return (
        leads(viewer, complaint, organisation)
        or viewer.id == complaint.officer_id
        or viewer.id == complaint.assigned_to
    )


def may_see_resident(viewer: Officer, complaint: FollowUp, organisation: Organisation) -> bool:
    """Residents' names and contacts: the unit's leaders and the reporting officer only."""
    return leads(viewer, complaint, organisation) or viewer.id == complaint.officer_id


def may_change_status(viewer: Officer, complaint: FollowUp, organisation: Organisation) -> bool:
    """The unit's leaders and the assigned officer move a complaint along."""
    return leads(viewer, complaint, organisation) or viewer.id == complaint.assigned_to


def is_overdue(complaint: FollowUp, now: datetime, max_age_days: int) -> bool:
    """An open complaint older than the configured age (flagged in lists and digests)."""
    return complaint.status in OPEN_STATUSES and now - complaint.created_at > timedelta(
        days=max_age_days
    )


def clean_note(raw: str) -> str:
    """A typed note without control characters, trimmed and capped (it is shown in history
    lines)."""
    return " ".join(plain_text(raw).split())[:NOTE_LIMIT]
