"""Officers, invitations and registrations: the records that decide who may do what."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from domain.errors import InputError
from domain.text import identifier, plain_text

NRP_PATTERN = re.compile(r"[0-9]{8}", re.ASCII)
NAME_MAX = 80
NAME_MIN = 3


class Status(StrEnum):
    """Where an officer stands."""

    PENDING = "pending"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class Officer:
    """A person known to the bot (registered or asking to be)."""

    id: int
    telegram_id: int
    full_name: str
    nrp: str | None
    rank: str | None
    unit_code: str | None
    role: str
    language: str
    status: Status
    created_at: datetime
    decided_by: int | None = None
    decided_at: datetime | None = None
    blocked_at: datetime | None = None

    @property
    def is_active(self) -> bool:
        """Active officers may use the bot; everyone else only registration."""
        return self.status is Status.ACTIVE


@dataclass(frozen=True, slots=True)
class Invitation:
    """A one-time link that registers an officer with a fixed unit and role."""

    id: int
    unit_code: str
    role: str
    created_by: int
    created_at: datetime
    expires_at: datetime
    claimed_by: int | None
    used_by: int | None


class RegistrationStep(StrEnum):
    """The steps of the registration conversation, stored by name."""

    NAME = "name"
    NRP = "nrp"
    RANK = "rank"
    UNIT = "unit"
    ROLE = "role"
    AREA = "area"
    """The kelurahan binaan (several codes, comma-separated; none for a leader)."""
    CONFIRM = "confirm"


@dataclass(frozen=True, slots=True)
class Registration:
    """A registration in progress."""

    telegram_id: int
    step: RegistrationStep
    answers: dict[str, Any] = field(default_factory=dict)
    invitation_id: int | None = None
    language: str = "id"


InvalidRegistrationAnswer = InputError
"""Registration's name for :class:`domain.errors.InputError` (``key`` and ``params``)."""


def clean_name(raw: str) -> str:
    """A full name: letters, spaces and the punctuation names use, 3–80 characters."""
    name = " ".join(plain_text(raw).split())
    if len(name) > NAME_MAX:
        raise InvalidRegistrationAnswer("registration.name_too_long", max=NAME_MAX)
    if len(name) < NAME_MIN or not any(char.isalpha() for char in name):
        raise InvalidRegistrationAnswer("registration.name_invalid")
    if any(not (char.isalpha() or char in " .,'-") for char in name):
        raise InvalidRegistrationAnswer("registration.name_invalid")
    return name


def clean_nrp(raw: str) -> str:
    """An NRP: exactly eight ASCII digits (spaces and dots people type are ignored; digits of
    other scripts are read as the ASCII digits they are, see :func:`domain.text.identifier`)."""
    nrp = "".join(identifier(raw).split()).replace(".", "")
    if not NRP_PATTERN.fullmatch(nrp):
        raise InvalidRegistrationAnswer("registration.nrp_invalid")
    return nrp


LIVE_STATUSES = frozenset({Status.ACTIVE, Status.PENDING})
"""Officers whose NRP still speaks for someone: a clash among suspended ones is decided."""


@dataclass(frozen=True, slots=True)
class NrpFindings:
    """Stored NRPs not written in ASCII digits (kept from before identifiers were normalised)."""

    rewrite: dict[int, str]
    """Officer id → the ASCII NRP it reads as, held by nobody else: safe to store as such."""
    clashes: dict[str, list[int]]
    """ASCII NRP → the officers (two or more active or pending) whose NRPs read as it: one
    person registered twice, or an impostor. Never merged: an admin decides who is who."""


def look_alike_nrps(stored: dict[int, tuple[str, Status]]) -> NrpFindings:
    """What ``stored`` (officer id → NRP and status, every officer holding one) needs."""
    groups: dict[str, list[int]] = {}
    for officer_id, (nrp, _) in sorted(stored.items()):
        groups.setdefault(identifier(nrp), []).append(officer_id)
    rewrite: dict[int, str] = {}
    clashes: dict[str, list[int]] = {}
    for ascii_nrp, ids in groups.items():
        if all(stored[officer_id][0] == ascii_nrp for officer_id in ids):
            continue
        if len(ids) == 1:
            rewrite[ids[0]] = ascii_nrp
        elif sum(stored[officer_id][1] in LIVE_STATUSES for officer_id in ids) > 1:
            clashes[ascii_nrp] = ids
    return NrpFindings(rewrite, clashes)
