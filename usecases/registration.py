"""A registration's last step: the application (or the invited officer) is saved, or refused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain import registration as flow
from domain.access import ADMIN_ROLE, may_decide_on
from domain.organisation import Organisation
from domain.people import Invitation, Officer, Registration, RegistrationStep, Status
from domain.territory import Territory
from domain.text import identifier
from storage import AnyDatabase, Transaction


@dataclass(frozen=True, slots=True)
class Registered:
    """The officer is saved: pending, told to ``approvers``; or, by ``invitation``, active at
    once (``inviter`` is told)."""

    officer: Officer
    invitation: Invitation | None
    inviter: Officer | None
    approvers: list[Officer]


@dataclass(frozen=True, slots=True)
class Refused:
    """Not saved, for ``reason`` (a catalogue key). ``retry``: the NRP was registered by
    someone else meanwhile, so the form asks it again with the other answers kept; otherwise
    the registration is dropped."""

    reason: str
    retry: Registration | None


async def submit_registration(
    db: AnyDatabase, organisation: Organisation, territory: Territory, telegram_id: int,
    registration: Registration, *, now: datetime, update_id: int,
) -> Registered | Refused:
    """Save the person's finished registration, checking in the same transaction that its
    invitation (if any) still holds and that nobody else holds its NRP."""
    answers = registration.answers
    async with db.transaction(update_id=update_id, now=now) as tx:
        invitation = None
        if registration.invitation_id is not None:
            invitation = await tx.invitations.by_id(registration.invitation_id)
        refused = await _submission_problem(tx, organisation, telegram_id, registration,
                                            invitation, now)
        if refused == "registration.nrp_taken":
            # Someone registered this NRP meanwhile: ask for it again, keep the other answers.
            retry = flow.reopen(registration, RegistrationStep.NRP)
            await tx.registrations.save(retry, now)
            return Refused(refused, retry)
        if refused is not None:
            await tx.registrations.delete(telegram_id)
            return Refused(refused, None)
        unit = invitation.unit_code if invitation else answers["unit"]
        role = invitation.role if invitation else answers["role"]
        officer = await _save_officer(tx, telegram_id, registration, unit, role, now)
        areas = [code for code in flow.area_codes(registration) if territory.has(code)]
        await tx.areas.replace(officer.id, areas, now)
        if invitation is not None:
            await tx.officers.decide(
                officer.id,
                expected=Status.PENDING,
                new=Status.ACTIVE,
                by=invitation.created_by,
                now=now,
            )
            await tx.invitations.use(invitation.id, officer.id, now)
        await tx.audit.record(
            actor_id=officer.id,
            action="officer.register_by_invitation" if invitation else "officer.register",
            target_type="officer",
            target_id=officer.id,
            now=now,
            unit=unit,
            role=role,
            invitation=invitation.id if invitation else None,
            areas=areas,
        )
        await tx.registrations.delete(telegram_id)
        approvers = [] if invitation else await _approvers(tx, organisation, unit, role)
        inviter = await tx.officers.by_id(invitation.created_by) if invitation else None
        saved = await tx.officers.by_id(officer.id)
    assert saved is not None
    return Registered(saved, invitation, inviter, approvers)


async def _submission_problem(
    tx: Transaction,
    organisation: Organisation,
    telegram_id: int,
    registration: Registration,
    invitation: Invitation | None,
    now: datetime,
) -> str | None:
    """Why this registration cannot be saved now (checked inside the saving transaction)."""
    if registration.invitation_id is not None:
        problem = flow.invitation_problem(invitation, telegram_id, now)
        if problem is not None or invitation is None:
            return problem or "invitation.invalid"
        inviter = await tx.officers.by_id(invitation.created_by)
        # A link is only as good as its creator's authority today (suspended, demoted...).
        if inviter is None or not may_decide_on(
            inviter, invitation.unit_code, invitation.role, organisation
        ):
            return "invitation.invalid"
    # An answer stored before identifiers were normalised may hold look-alike digits.
    holder = await tx.officers.by_nrp(identifier(registration.answers["nrp"]))
    if holder is not None and holder.telegram_id != telegram_id:
        return "registration.nrp_taken"
    return None


async def _save_officer(
    tx: Transaction,
    telegram_id: int,
    registration: Registration,
    unit: str,
    role: str,
    now: datetime,
) -> Officer:
    answers = registration.answers
    existing = await tx.officers.by_telegram_id(telegram_id)
    if existing is not None:
        await tx.officers.reapply(
            existing.id,
            full_name=answers["name"],
            nrp=identifier(answers["nrp"]),
            rank=answers["rank"],
            unit_code=unit,
            role=role,
            language=registration.language,
            now=now,
        )
        refreshed = await tx.officers.by_id(existing.id)
        assert refreshed is not None
        return refreshed
    return await tx.officers.create(
        telegram_id=telegram_id,
        full_name=answers["name"],
        nrp=identifier(answers["nrp"]),
        rank=answers["rank"],
        unit_code=unit,
        role=role,
        language=registration.language,
        status=Status.PENDING,
        now=now,
    )


async def _approvers(tx: Transaction, organisation: Organisation, unit: str, role: str
                     ) -> list[Officer]:
    """The leaders who may decide on this application and can be told of it."""
    leader_roles = [r.code for r in organisation.roles if r.is_leader] + [ADMIN_ROLE]
    candidates = await tx.officers.with_roles(leader_roles)
    return [
        officer
        for officer in candidates
        if may_decide_on(officer, unit, role, organisation) and officer.blocked_at is None
    ]
