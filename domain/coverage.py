"""Coverage of the territory: which kelurahan binaan of a set of units were visited in a period,
by activity (SAPTA first), and how many complaints each had.

Plain data in, plain data out, like :mod:`domain.recap`: ``storage/territory.py`` hands in the
grouped rows; /rekap, the digests, the coverage picture and the group summaries read the same
:class:`Coverage`. Counts and kelurahan only: never a resident's details.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from domain.catalogue import Catalogue
from domain.recap import Period
from domain.territory import Territory

FIRST_ACTIVITY = "sapta"
"""The face-to-face visits (sambang): listed first, the measure of a kelurahan's coverage."""


@dataclass(frozen=True)
class Coverage:
    """The units' kelurahan binaan in the period, with visits and complaints per kelurahan."""

    period: Period
    units: frozenset[str]
    kelurahan: tuple[str, ...]
    """The units' kelurahan binaan, in territory order."""
    activities: tuple[str, ...]
    """The activities reported on, SAPTA first, then catalogue order."""
    visits: Mapping[str, Mapping[str, int]]
    """Kelurahan code → activity code → reports (every kelurahan reported in, binaan or not)."""
    complaints: Mapping[str, int]
    """Kelurahan code → complaints recorded there."""

    def visited(self, activity: str) -> tuple[str, ...]:
        """The kelurahan binaan with at least one report of ``activity``."""
        return tuple(code for code in self.kelurahan
                     if self.visits.get(code, {}).get(activity, 0) > 0)

    def not_visited(self, activity: str) -> tuple[str, ...]:
        """The kelurahan binaan without a report of ``activity``."""
        return tuple(code for code in self.kelurahan
                     if self.visits.get(code, {}).get(activity, 0) <= 0)

    def total_visits(self, code: str) -> int:
        """Reports of every activity in the kelurahan."""
        return sum(self.visits.get(code, {}).values())

    @property
    def visited_any(self) -> tuple[str, ...]:
        """The kelurahan binaan with any report at all."""
        return tuple(code for code in self.kelurahan if self.total_visits(code) > 0)

    def reported_in(self) -> tuple[str, ...]:
        """Every kelurahan with a report (binaan first, then the others), for counts."""
        others = sorted(code for code in self.visits if code not in self.kelurahan)
        return (*[code for code in self.kelurahan if self.total_visits(code)], *others)


def build_coverage(
    period: Period,
    units: Iterable[str],
    territory: Territory,
    catalogue: Catalogue,
    binaan: Iterable[str],
    visits: Iterable[tuple[str, str, int]],
    complaints: Iterable[tuple[str, int]],
    *,
    activity_code: str | None = None,
) -> Coverage:
    """Fold the rows (kelurahan, activity, reports) and (kelurahan, complaints)."""
    codes = [a.code for a in catalogue.activities
             if activity_code is None or a.code == activity_code]
    codes.sort(key=lambda code: code != FIRST_ACTIVITY)  # stable: SAPTA first, then the order
    table: dict[str, dict[str, int]] = {}
    for kelurahan, activity, count in visits:
        if activity_code is not None and activity != activity_code:
            continue
        entry = table.setdefault(kelurahan, {})
        entry[activity] = entry.get(activity, 0) + count
    counted: dict[str, int] = {}
    for kelurahan, count in complaints:
        counted[kelurahan] = counted.get(kelurahan, 0) + count
    return Coverage(
        period=period,
        units=frozenset(units),
        kelurahan=territory.ordered(binaan),
        activities=tuple(codes),
        visits=table,
        complaints=counted,
    )
