"""The precinct's organisation (units, roles, ranks) loaded from ``config/organisation.toml``."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.catalogue import Bilingual
from domain.configfile import ConfigFileError, load_model

CODE_PATTERN = r"^[a-z][a-z0-9_]{1,15}$"


class OrganisationError(ConfigFileError):
    """The organisation file is unreadable or inconsistent; the message names file and field."""


class Scope(StrEnum):
    """What a role sees and leads."""

    SELF = "self"
    UNIT = "unit"
    SUBTREE = "subtree"
    ALL = "all"


class ReportNotices(StrEnum):
    """Which submitted reports a leader of this role is told about at once."""

    EVERY = "every"
    """Every report of the units they lead (a Kanit follows each post of the unit)."""
    URGENT = "urgent"
    """Only reports with an urgent (emergency) complaint; the rest come in the digests, so a
    Kasat or KBO over several units is not sent dozens of notices a day."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Precinct(_Frozen):
    """The precinct's name and the letterhead printed on reports.

    ``place`` is the town of the signature line ("Gorontalo, 23 November 2026"); ``sop`` the
    standard operating procedure every post is carried out under (a report's DASAR).
    """

    name: str = Field(min_length=1)
    letterhead: tuple[str, ...] = Field(min_length=1)
    place: str = Field(default="Gorontalo", min_length=2, max_length=40,
                       pattern=r"^[^\W\d_][^\W\d_ .'-]*(?:[ .'-]+[^\W\d_]+)*$")
    sop: str = Field(default="SOP/06/IX/2019", min_length=3, max_length=60)


class Unit(_Frozen):
    """A unit or sub-unit; ``parent`` makes the hierarchy."""

    code: str = Field(pattern=CODE_PATTERN)
    name: str = Field(min_length=1, max_length=60)
    parent: str | None = None


class Role(_Frozen):
    """A role with its reach (scope) and seniority (level)."""

    code: str = Field(pattern=CODE_PATTERN)
    name: Bilingual
    level: int = Field(ge=1, le=99)
    scope: Scope
    self_register: bool = True
    report_notices: ReportNotices = ReportNotices.EVERY

    @property
    def is_leader(self) -> bool:
        """Leaders see more than their own data."""
        return self.scope is not Scope.SELF


class Organisation(_Frozen):
    """Units, roles and ranks of the precinct."""

    precinct: Precinct
    units: tuple[Unit, ...] = Field(min_length=1)
    roles: tuple[Role, ...] = Field(min_length=1)
    ranks: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Organisation:
        codes = [unit.code for unit in self.units]
        if len(set(codes)) != len(codes):
            raise ValueError("units: unit codes must be unique")
        for unit in self.units:
            if unit.parent is not None and unit.parent not in codes:
                raise ValueError(f"units: unit {unit.code!r} has unknown parent {unit.parent!r}")
        role_codes = [role.code for role in self.roles]
        if len(set(role_codes)) != len(role_codes):
            raise ValueError("roles: role codes must be unique")
        for required in ("banit", "admin"):
            if required not in role_codes:
                raise ValueError(f"roles: role {required!r} must be defined")
        for unit in self.units:
            self._ancestors(unit.code)  # raises on a cycle
        return self

    def unit(self, code: str) -> Unit:
        """The unit with this code (KeyError when unknown)."""
        for unit in self.units:
            if unit.code == code:
                return unit
        raise KeyError(code)

    def role(self, code: str) -> Role:
        """The role with this code (KeyError when unknown)."""
        for role in self.roles:
            if role.code == code:
                return role
        raise KeyError(code)

    def has_unit(self, code: str) -> bool:
        """Whether ``code`` names a configured unit."""
        return any(unit.code == code for unit in self.units)

    def has_role(self, code: str) -> bool:
        """Whether ``code`` names a configured role."""
        return any(role.code == code for role in self.roles)

    def _ancestors(self, code: str) -> list[str]:
        chain: list[str] = []
        current = self.unit(code).parent
        while current is not None:
            if current in chain or current == code:
                raise ValueError(f"units: unit {code!r} is inside a cycle of parents")
            chain.append(current)
            current = self.unit(current).parent
        return chain

    def units_within(self, code: str) -> frozenset[str]:
        """The unit and every unit below it."""
        return frozenset(
            unit.code
            for unit in self.units
            if unit.code == code or code in self._ancestors(unit.code)
        )

    def reach(self, role_code: str, unit_code: str) -> frozenset[str]:
        """The units whose data a holder of this role in this unit may see and lead."""
        scope = self.role(role_code).scope
        if scope is Scope.ALL:
            return frozenset(unit.code for unit in self.units)
        if scope is Scope.SUBTREE:
            return self.units_within(unit_code)
        if scope is Scope.UNIT:
            return frozenset({unit_code})
        return frozenset()

    def self_registration_roles(self) -> tuple[Role, ...]:
        """Roles a person may ask for when registering."""
        return tuple(role for role in self.roles if role.self_register)


def load_organisation(path: Path) -> Organisation:
    """Load and validate the organisation file; errors name the file and the field."""
    return load_model(path, Organisation, OrganisationError)
