"""Who may do what: one policy table, consulted by one decorator in ``ui/access.py``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from domain.organisation import Organisation, ReportNotices
from domain.people import Officer


class Action(StrEnum):
    """Everything a person can ask the bot to do."""

    START = "start"
    HELP = "help"
    LANGUAGE = "language"
    REGISTER = "register"
    REPORT = "report"
    MY_REPORTS = "my_reports"
    SCHEDULE = "schedule"
    ASSIGN = "assign"
    COMPLAINTS = "complaints"
    RECAP = "recap"
    INVITE = "invite"
    MEMBERS = "members"
    APPROVE = "approve"
    SUSPEND = "suspend"
    LINK_GROUP = "link_group"
    AUDIT = "audit"
    BROWSE = "browse"
    EXPORT = "export"


class Audience(StrEnum):
    """The circles of people an action is open to, from widest to narrowest."""

    ANYONE = "anyone"  # including unregistered, pending and suspended people
    OFFICER = "officer"  # active officers of any role
    LEADER = "leader"  # active officers whose role reaches beyond themselves
    ADMIN = "admin"  # active officers with the admin role


POLICY: Mapping[Action, Audience] = {
    Action.START: Audience.ANYONE,
    Action.HELP: Audience.ANYONE,
    Action.LANGUAGE: Audience.ANYONE,
    Action.REGISTER: Audience.ANYONE,
    Action.REPORT: Audience.OFFICER,
    Action.MY_REPORTS: Audience.OFFICER,
    Action.SCHEDULE: Audience.OFFICER,
    Action.ASSIGN: Audience.LEADER,
    Action.COMPLAINTS: Audience.OFFICER,  # officers follow the complaints they recorded
    Action.RECAP: Audience.OFFICER,
    Action.INVITE: Audience.LEADER,
    Action.MEMBERS: Audience.LEADER,
    Action.APPROVE: Audience.LEADER,
    Action.SUSPEND: Audience.LEADER,
    Action.LINK_GROUP: Audience.LEADER,
    Action.AUDIT: Audience.ADMIN,
    Action.BROWSE: Audience.LEADER,
    Action.EXPORT: Audience.LEADER,
}

ADMIN_ROLE = "admin"


class Refusal(StrEnum):
    """Why an action was refused; each has a message in the catalogue."""

    UNREGISTERED = "unregistered"
    PENDING = "pending"
    SUSPENDED = "suspended"
    NOT_LEADER = "not_leader"
    NOT_ADMIN = "not_admin"


def is_leader(officer: Officer, organisation: Organisation) -> bool:
    """Whether the officer's role reaches beyond their own data."""
    return officer.role == ADMIN_ROLE or organisation.role(officer.role).is_leader


def refusal(action: Action, officer: Officer | None, organisation: Organisation) -> Refusal | None:
    """Why ``officer`` may not do ``action``, or None when they may."""
    audience = POLICY[action]
    if audience is Audience.ANYONE:
        return None
    if officer is None or officer.status.value == "rejected":
        return Refusal.UNREGISTERED
    if officer.status.value == "pending":
        return Refusal.PENDING
    if officer.status.value == "suspended":
        return Refusal.SUSPENDED
    if audience is Audience.LEADER and not is_leader(officer, organisation):
        return Refusal.NOT_LEADER
    if audience is Audience.ADMIN and officer.role != ADMIN_ROLE:
        return Refusal.NOT_ADMIN
    return None


def reach(officer: Officer, organisation: Organisation) -> frozenset[str]:
    """The units whose data and people this officer leads (empty for a banit)."""
    if not officer.is_active:
        return frozenset()
    if officer.role == ADMIN_ROLE:
        return frozenset(unit.code for unit in organisation.units)
    if officer.unit_code is None:
        return frozenset()
    return organisation.reach(officer.role, officer.unit_code)


def level(role: str, organisation: Organisation) -> int:
    """The seniority of a role (unknown roles rank lowest)."""
    return organisation.role(role).level if organisation.has_role(role) else 0


def outranks(actor: Officer, role: str, organisation: Organisation) -> bool:
    """Whether ``actor`` is senior to holders of ``role``; admins are senior to everyone."""
    if actor.role == ADMIN_ROLE:
        return True
    return level(actor.role, organisation) > level(role, organisation)


def may_decide_on(
    actor: Officer, unit_code: str | None, role: str, organisation: Organisation
) -> bool:
    """Whether ``actor`` may approve, suspend or invite someone of this unit and role."""
    if actor.role == ADMIN_ROLE and actor.is_active:
        return True
    return (
        unit_code is not None
        and unit_code in reach(actor, organisation)
        and outranks(actor, role, organisation)
    )


class Kind(StrEnum):
    """The kinds of stored things a button's data may name by id or code."""

    OFFICER = "officer"
    REPORT = "report"
    COMPLAINT = "complaint"
    POST = "post"
    DRAFT = "draft"  # a report draft
    UNIT = "unit"


@dataclass(frozen=True, slots=True)
class Holder:
    """Whose a stored thing is: its unit, and the officers it personally belongs to."""

    unit_code: str | None
    people: frozenset[int]


def may_see(officer: Officer, holder: Holder, organisation: Organisation) -> bool:
    """Whether a thing is within the officer's scope: theirs, or of a unit they lead."""
    if not officer.is_active:
        return False
    if officer.role == ADMIN_ROLE or officer.id in holder.people:
        return True
    return holder.unit_code is not None and holder.unit_code in reach(officer, organisation)


def follows_every_report(leader: Officer, organisation: Organisation) -> bool:
    """Whether the leader's role is told of every submitted report, not only emergencies."""
    try:
        role = organisation.role(leader.role)
    except KeyError:
        return False
    return role.report_notices is ReportNotices.EVERY
