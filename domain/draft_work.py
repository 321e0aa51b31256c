"""Typed views of ``Draft.work``: the JSON of the question being answered, by kind of question.

``Draft.work`` stays the dict the database stores (``report_drafts.work``). Each view here is
a frozen dataclass read from it (``of``), and ``changes`` writes back only the keys it is
given, under the same names and with the same JSON values, for ``reports.with_work``: a draft
stored by any version reads the same, and one stored now reads the same in an older one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from domain.answers import Complaint, EquipmentState, TimeRange

Work = Mapping[str, Any]


class ComplaintPhase(StrEnum):
    """Where the complaints question is."""

    MENU = "menu"  # the complaints so far, pick a category (or done, or none)
    DESCRIPTION = "description"  # type what the complaint is
    PLACE = "place"  # type (or pin) where
    NAME = "name"  # type the resident's name
    CONTACT = "contact"  # type (or share) the resident's contact
    CARD = "card"  # the complaint's card: urgency, change a part, save


TYPED_PARTS = (ComplaintPhase.PLACE, ComplaintPhase.NAME, ComplaintPhase.CONTACT)
"""The parts of a complaint typed from its card, each its own phase."""
LEGACY_PHASES = {"category": ComplaintPhase.MENU, "urgency": ComplaintPhase.CARD}
"""Phases of drafts saved before the compact card, and where they are now."""


@dataclass(frozen=True)
class ComplaintsWork:
    """The complaints question: ``phase``, the complaints recorded (``items``, as stored) and
    the one being recorded (``current``: category, description, place, name, contact,
    urgency)."""

    phase: str = ComplaintPhase.MENU
    """A :class:`ComplaintPhase` value; one this version does not know is kept as it is (it
    matches no button and shows the menu)."""
    items: tuple[dict[str, Any], ...] = ()
    current: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, work: Work) -> ComplaintsWork:
        """Read from a draft's work (a fresh question has none of the keys)."""
        phase = str(work.get("phase", ComplaintPhase.MENU))
        return cls(LEGACY_PHASES.get(phase, phase),
                   tuple(dict(item) for item in work.get("items", [])),
                   dict(work.get("current", {})))

    def complaints(self) -> list[Complaint]:
        """The complaints recorded so far."""
        return [Complaint.from_json(item) for item in self.items]

    @staticmethod
    def changes(*, phase: ComplaintPhase | None = None,
                items: Sequence[Mapping[str, Any]] | None = None,
                current: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The work keys of the parts given (None: left as they are)."""
        found: dict[str, Any] = {}
        if phase is not None:
            found["phase"] = phase.value
        if items is not None:
            found["items"] = [dict(item) for item in items]
        if current is not None:
            found["current"] = dict(current)
        return found


@dataclass(frozen=True)
class TimeWork:
    """The time-range question: a typed range that raised a duration warning, waiting for the
    officer to confirm it (``pending``)."""

    pending: TimeRange | None = None

    @classmethod
    def of(cls, work: Work) -> TimeWork:
        """Read from a draft's work."""
        return cls(TimeRange.from_json(work["pending"]) if "pending" in work else None)

    @staticmethod
    def changes(*, pending: TimeRange) -> dict[str, Any]:
        """The work keys of a range to confirm."""
        return {"pending": pending.to_json()}


REASONS = "reasons"
"""The equipment question's phase once the checklist is ticked: why each missing item is."""


@dataclass(frozen=True)
class EquipmentWork:
    """The equipment question: the checklist ticked so far (``state``; None before the first
    tap) and whether it is asking the reasons of the missing items."""

    state: EquipmentState | None = None
    asking_reasons: bool = False

    @classmethod
    def of(cls, work: Work) -> EquipmentWork:
        """Read from a draft's work."""
        raw = work.get("state")
        return cls(EquipmentState.from_json(raw) if raw else None,
                   work.get("phase") == REASONS)

    @staticmethod
    def changes(*, state: EquipmentState, asking_reasons: bool = False) -> dict[str, Any]:
        """The work keys of the checklist (and the reasons phase when asked)."""
        found: dict[str, Any] = {"state": state.to_json()}
        if asking_reasons:
            found["phase"] = REASONS
        return found


@dataclass(frozen=True)
class ChoiceWork:
    """A multiple choice: the options ticked so far, in option order."""

    selected: tuple[str, ...] = ()

    @classmethod
    def of(cls, work: Work) -> ChoiceWork:
        """Read from a draft's work."""
        return cls(tuple(work.get("selected", [])))

    @staticmethod
    def changes(*, selected: Sequence[str]) -> dict[str, Any]:
        """The work keys of a selection."""
        return {"selected": list(selected)}
