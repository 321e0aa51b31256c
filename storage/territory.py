"""Territory: the kelurahan each officer serves, and reports and complaints per kelurahan.

Coverage counts leave these queries as (kelurahan code, activity code, count) only: never a
resident's name, contact or complaint text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from domain.catalogue import Catalogue
from domain.coverage import Coverage, build_coverage
from domain.people import Status
from domain.recap import Period
from domain.territory import Territory
from storage.base import Repository
from storage.recap import ACTIVITY_TIME
from storage.values import to_db_time


def _marks(values: Sequence[Any]) -> str:
    return ",".join("?" * len(values))


class AreaRepository(Repository):
    """Officers' kelurahan binaan and the coverage counts of a set of units."""

    async def of_officer(self, officer_id: int) -> list[str]:
        """The kelurahan codes the officer serves (storage order; callers order by territory)."""
        rows = await self._all(
            "SELECT kelurahan_code FROM officer_areas WHERE officer_id = ?"
            " ORDER BY kelurahan_code", (officer_id,)
        )
        return [row[0] for row in rows]

    async def of_officers(self, officer_ids: Iterable[int]) -> dict[int, list[str]]:
        """Officer id → kelurahan codes, for those given (officers without any left out)."""
        ids = sorted(set(officer_ids))
        if not ids:
            return {}
        rows = await self._all(
            "SELECT officer_id, kelurahan_code FROM officer_areas"
            f" WHERE officer_id IN ({_marks(ids)}) ORDER BY officer_id, kelurahan_code", ids
        )
        found: dict[int, list[str]] = {}
        for row in rows:
            found.setdefault(int(row[0]), []).append(row[1])
        return found

    async def replace(self, officer_id: int, codes: Iterable[str], now: datetime
                      ) -> tuple[list[str], list[str]]:
        """Make ``codes`` the officer's kelurahan; returns (added, removed), each sorted."""
        wanted = set(codes)
        current = set(await self.of_officer(officer_id))
        added = sorted(wanted - current)
        removed = sorted(current - wanted)
        for code in removed:
            await self._write(
                "DELETE FROM officer_areas WHERE officer_id = ? AND kelurahan_code = ?",
                (officer_id, code),
            )
        for code in added:
            await self._write(
                "INSERT INTO officer_areas (officer_id, kelurahan_code, since) VALUES (?, ?, ?)",
                (officer_id, code, to_db_time(now)),
            )
        return added, removed

    async def of_units(self, units: Iterable[str]) -> dict[str, list[int]]:
        """Kelurahan code → the active officers of these units who serve it (the units'
        kelurahan binaan)."""
        codes = sorted(set(units))
        if not codes:
            return {}
        rows = await self._all(
            "SELECT a.kelurahan_code, a.officer_id FROM officer_areas a"
            " JOIN officers o ON o.id = a.officer_id"
            f" WHERE o.unit_code IN ({_marks(codes)}) AND o.status = ?"
            " ORDER BY a.kelurahan_code, a.officer_id",
            [*codes, Status.ACTIVE.value],
        )
        found: dict[str, list[int]] = {}
        for row in rows:
            found.setdefault(row[0], []).append(int(row[1]))
        return found

    async def visits(self, units: Iterable[str], start: datetime, end: datetime
                     ) -> list[tuple[str, str, int]]:
        """(kelurahan code, activity code, reports) of these units' reports in [start, end)
        that name a kelurahan."""
        codes = sorted(set(units))
        if not codes:
            return []
        rows = await self._all(
            "SELECT r.kelurahan_code, r.activity_code, COUNT(*) FROM reports r"
            f" WHERE r.unit_code IN ({_marks(codes)}) AND {ACTIVITY_TIME} >= ?"
            f" AND {ACTIVITY_TIME} < ? AND r.kelurahan_code IS NOT NULL"
            " GROUP BY r.kelurahan_code, r.activity_code",
            [*codes, to_db_time(start), to_db_time(end)],
        )
        return [(row[0], row[1], int(row[2])) for row in rows]

    async def complaints(self, units: Iterable[str], start: datetime, end: datetime, *,
                         activity_code: str | None = None) -> list[tuple[str, int]]:
        """(kelurahan code, complaints) of these units' reports in [start, end)."""
        codes = sorted(set(units))
        if not codes:
            return []
        narrowed = " AND r.activity_code = ?" if activity_code is not None else ""
        rows = await self._all(
            "SELECT COALESCE(c.kelurahan_code, r.kelurahan_code) AS kel, COUNT(*)"
            " FROM reports r JOIN complaints c ON c.report_id = r.id"
            f" WHERE r.unit_code IN ({_marks(codes)}) AND {ACTIVITY_TIME} >= ?"
            f" AND {ACTIVITY_TIME} < ? AND COALESCE(c.kelurahan_code, r.kelurahan_code)"
            f" IS NOT NULL{narrowed} GROUP BY kel",
            [*codes, to_db_time(start), to_db_time(end),
             *([] if activity_code is None else [activity_code])],
        )
        return [(row[0], int(row[1])) for row in rows]


async def load_coverage(
    areas: AreaRepository,
    territory: Territory,
    catalogue: Catalogue,
    units: Iterable[str],
    period: Period,
    *,
    activity_code: str | None = None,
) -> Coverage:
    """The one coverage computation: the units' kelurahan binaan and the period's reports and
    complaints per kelurahan, folded by :func:`domain.coverage.build_coverage`."""
    unit_set = frozenset(units)
    binaan = await areas.of_units(unit_set)
    visits = await areas.visits(unit_set, period.start, period.end)
    complaints = await areas.complaints(unit_set, period.start, period.end,
                                        activity_code=activity_code)
    return build_coverage(period, unit_set, territory, catalogue, binaan, visits, complaints,
                          activity_code=activity_code)
