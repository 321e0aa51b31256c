"""A leader's decisions on officers: approve or reject an application, suspend or reactivate,
the kelurahan binaan, invitation links; and the start-up rewrite of look-alike NRPs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from domain.access import ADMIN_ROLE, may_decide_on
from domain.organisation import Organisation
from domain.people import Invitation, NrpFindings, Officer, Status, look_alike_nrps
from domain.territory import Territory
from storage import AnyDatabase
from storage.repositories import OfficerRepository


async def leaders_above(
    officers: OfficerRepository, organisation: Organisation, officer: Officer
) -> list[Officer]:
    """Active leaders above the officer whose reach covers the officer's unit, and admins."""
    roles = [role.code for role in organisation.roles if role.is_leader] + [ADMIN_ROLE]
    candidates = await officers.with_roles(roles)
    return [
        leader
        for leader in candidates
        if leader.id != officer.id
        and leader.blocked_at is None
        and may_decide_on(leader, officer.unit_code, officer.role, organisation)
    ]


@dataclass(frozen=True, slots=True)
class Decided:
    """The application is decided: ``officer`` as it is now, ``decider`` who decided it.

    ``changed`` is False when it was decided already (a second press, another leader first):
    nothing was written, and ``officer`` shows that earlier decision."""

    officer: Officer
    decider: Officer | None
    changed: bool


async def decide_application(
    db: AnyDatabase, leader: Officer, candidate: Officer, *, approve: bool, now: datetime,
    update_id: int,
) -> Decided:
    """Approve or reject ``candidate``'s pending application; a rejected NRP is released so
    it cannot lock out its real owner (the audit row keeps what was claimed)."""
    new = Status.ACTIVE if approve else Status.REJECTED
    async with db.transaction(update_id=update_id, now=now) as tx:
        changed = await tx.officers.decide(
            candidate.id, expected=Status.PENDING, new=new, by=leader.id, now=now
        )
        if changed:
            await tx.audit.record(
                actor_id=leader.id,
                action="officer.approve" if approve else "officer.reject",
                target_type="officer",
                target_id=candidate.id,
                now=now,
                nrp=candidate.nrp,
            )
            if not approve:
                await tx.officers.release_nrp(candidate.id)
        decided = await tx.officers.by_id(candidate.id)
        decider = (
            await tx.officers.by_id(decided.decided_by) if decided and decided.decided_by else None
        )
    assert decided is not None
    return Decided(decided, decider, changed)


@dataclass(frozen=True, slots=True)
class StatusChanged:
    """The officer is suspended or reactivated; ``officer`` as it is now."""

    officer: Officer


@dataclass(frozen=True, slots=True)
class StatusStale:
    """The officer's status moved meanwhile: nothing changed; ``officer`` as it is now."""

    officer: Officer


async def change_status(
    db: AnyDatabase, leader: Officer, target: Officer, *, suspend: bool, now: datetime,
    update_id: int,
) -> StatusChanged | StatusStale:
    """Suspend an active officer or reactivate a suspended one."""
    expected, new = (
        (Status.ACTIVE, Status.SUSPENDED) if suspend else (Status.SUSPENDED, Status.ACTIVE)
    )
    async with db.transaction(update_id=update_id, now=now) as tx:
        changed = await tx.officers.decide(
            target.id, expected=expected, new=new, by=leader.id, now=now
        )
        if changed:
            await tx.audit.record(
                actor_id=leader.id,
                action="officer.suspend" if suspend else "officer.reactivate",
                target_type="officer",
                target_id=target.id,
                now=now,
            )
        refreshed = await tx.officers.by_id(target.id)
    assert refreshed is not None
    return StatusChanged(refreshed) if changed else StatusStale(refreshed)


async def officer_areas(
    db: AnyDatabase, leader: Officer, target: Officer, *, now: datetime, update_id: int,
    toggle: str | None = None, territory: Territory | None = None,
) -> list[str]:
    """The officer's kelurahan binaan, after the leader ticked or unticked kelurahan
    ``toggle`` of ``territory`` (stored and audited at once) when given. The update is
    recorded either way (a press that only browses too)."""
    async with db.transaction(update_id=update_id, now=now) as tx:
        picked = await tx.areas.of_officer(target.id)
        if toggle is not None:
            assert territory is not None
            picked = territory.toggled(picked, toggle)
            added, removed = await tx.areas.replace(target.id, picked, now)
            await tx.audit.record(
                actor_id=leader.id, action="officer.areas", target_type="officer",
                target_id=target.id, now=now, added=added, removed=removed,
            )
    return picked


async def create_invitation(
    db: AnyDatabase, leader: Officer, *, unit: str, role: str, token_hash: str,
    expires_at: datetime, now: datetime, update_id: int,
) -> Invitation:
    """An invitation link's row for ``unit`` and ``role`` (the token itself is never stored)."""
    async with db.transaction(update_id=update_id, now=now) as tx:
        invitation = await tx.invitations.create(
            token_hash=token_hash,
            unit_code=unit,
            role=role,
            created_by=leader.id,
            now=now,
            expires_at=expires_at,
        )
        await tx.audit.record(
            actor_id=leader.id,
            action="invitation.create",
            target_type="invitation",
            target_id=invitation.id,
            now=now,
            unit=unit,
            role=role,
        )
    return invitation


@dataclass(frozen=True, slots=True)
class LookAlikes:
    """What the start-up check found: the NRPs rewritten (``findings.rewrite``), the officers
    whose NRPs read the same (by NRP), and the admins (by Telegram id) to tell about them."""

    findings: NrpFindings
    clashes: dict[str, list[Officer]]
    admins: dict[int, Officer | None]
    rewritten: list[int]  # officer ids whose NRP is now stored in ASCII


async def normalise_look_alike_nrps(
    db: AnyDatabase, admin_ids: Iterable[int], *, now: datetime
) -> LookAlikes:
    """Store in ASCII every NRP held in look-alike digits that nobody else holds (audited,
    no actor: the bot did it); never merge officers whose NRPs read the same."""
    rewritten: list[int] = []
    async with db.transaction(now=now) as tx:
        findings = look_alike_nrps(await tx.officers.nrps())
        for officer_id, nrp in findings.rewrite.items():
            if await tx.officers.set_nrp(officer_id, nrp):
                await tx.audit.record(actor_id=None, action="officer.nrp_normalise",
                                      target_type="officer", target_id=officer_id, now=now,
                                      nrp=nrp)
                rewritten.append(officer_id)
        clashes = {
            nrp: [found for officer_id in ids if (found := await tx.officers.by_id(officer_id))]
            for nrp, ids in findings.clashes.items()
        }
        admins = {admin_id: await tx.officers.by_telegram_id(admin_id)
                  for admin_id in sorted(admin_ids)}
    return LookAlikes(findings, clashes, admins, rewritten)
