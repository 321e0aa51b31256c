"""The registration conversation's steps, as plain data and functions."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import replace
from datetime import datetime

from domain.people import Invitation, Registration, RegistrationStep

FULL_STEPS = (
    RegistrationStep.NAME,
    RegistrationStep.NRP,
    RegistrationStep.RANK,
    RegistrationStep.UNIT,
    RegistrationStep.ROLE,
    RegistrationStep.AREA,
    RegistrationStep.CONFIRM,
)
# An invitation fixes the unit and the role, so those steps are skipped.
INVITED_STEPS = (
    RegistrationStep.NAME,
    RegistrationStep.NRP,
    RegistrationStep.RANK,
    RegistrationStep.AREA,
    RegistrationStep.CONFIRM,
)
INVITATION_PREFIX = "inv_"


def steps(registration: Registration) -> tuple[RegistrationStep, ...]:
    """The steps this registration walks through."""
    return INVITED_STEPS if registration.invitation_id is not None else FULL_STEPS


def answered(registration: Registration, step: RegistrationStep, value: str) -> Registration:
    """The registration with ``value`` stored for ``step`` and moved to the next open step."""
    answers = {**registration.answers, step.value: value}
    order = steps(registration)
    following = next(
        (later for later in order[order.index(step) + 1 :] if later.value not in answers),
        RegistrationStep.CONFIRM,
    )
    return replace(registration, answers=answers, step=following)


def back(registration: Registration) -> Registration:
    """The registration one step back (its earlier answer kept, to be confirmed or replaced)."""
    order = steps(registration)
    position = order.index(registration.step)
    if position == 0:
        return registration
    previous = order[position - 1]
    answers = {key: value for key, value in registration.answers.items() if key != previous.value}
    return replace(registration, answers=answers, step=previous)


def reopen(registration: Registration, step: RegistrationStep) -> Registration:
    """The registration asking ``step`` again, every other answer kept."""
    answers = {key: value for key, value in registration.answers.items() if key != step.value}
    return replace(registration, answers=answers, step=step)


def area_codes(registration: Registration) -> list[str]:
    """The kelurahan codes answered at the area step (empty when none were chosen)."""
    return [code for code in str(registration.answers.get(RegistrationStep.AREA.value, ""))
            .split(",") if code]


def new_invitation_token() -> tuple[str, str]:
    """A fresh token for a deep link and the hash that is stored (the token itself is not)."""
    token = secrets.token_urlsafe(18)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    """The stored form of an invitation token."""
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_problem(
    invitation: Invitation | None, telegram_id: int, now: datetime
) -> str | None:
    """The catalogue key explaining why this person cannot use the invitation, or None."""
    if invitation is None:
        return "invitation.invalid"
    if invitation.used_by is not None or invitation.claimed_by not in (None, telegram_id):
        return "invitation.used"
    if invitation.expires_at <= now:
        return "invitation.expired"
    return None
