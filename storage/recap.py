"""The recap queries: reports and complaints of a set of units in a period, grouped in SQL.

A report belongs to the period of its activity time (``started_at``), or of its submission when
the form has no time field; ``ACTIVITY_TIME`` is the same expression as the indexes of
migration 0005, so a unit's week is an index range scan, not a full scan.
Only counts, codes and officers' names leave these queries: never a resident's name, contact,
complaint text or a location.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from domain.catalogue import Catalogue
from domain.recap import (
    ComplaintTally,
    Period,
    Recap,
    ReportTally,
    ScheduleSource,
    build_recap,
    resident_field_keys,
)
from storage.base import Repository
from storage.values import require_time, to_db_time

ACTIVITY_TIME = "COALESCE(r.started_at, r.submitted_at)"


def _in_units(units: Sequence[str]) -> str:
    return f"r.unit_code IN ({','.join('?' * len(units))})"


class RecapRepository(Repository):
    """Grouped counts for recaps, digests and group summaries."""

    def _where(
        self, units: Sequence[str], start: datetime, end: datetime
    ) -> tuple[str, list[Any]]:
        sql = f"{_in_units(units)} AND {ACTIVITY_TIME} >= ? AND {ACTIVITY_TIME} < ?"
        return sql, [*units, to_db_time(start), to_db_time(end)]

    async def report_tallies(
        self,
        units: Iterable[str],
        start: datetime,
        end: datetime,
        resident_fields: Mapping[str, str],
    ) -> list[ReportTally]:
        """Reports per (activity, officer) with the people they reached."""
        codes = sorted(set(units))
        if not codes:
            return []
        residents_sql = "0"
        residents_params: list[Any] = []
        if resident_fields:
            cases = " ".join("WHEN ? THEN json_extract(r.answers, ?)" for _ in resident_fields)
            residents_sql = f"CAST(CASE r.activity_code {cases} ELSE 0 END AS INTEGER)"
            for code, key in sorted(resident_fields.items()):
                residents_params += [code, f"$.{key}"]
        where, params = self._where(codes, start, end)
        rows = await self._all(
            "SELECT r.activity_code, r.officer_id, o.full_name, o.rank, COUNT(*) AS reports,"
            f" COALESCE(SUM({residents_sql}), 0) AS residents"
            " FROM reports r JOIN officers o ON o.id = r.officer_id"
            f" WHERE {where} GROUP BY r.activity_code, r.officer_id",
            [*residents_params, *params],
        )
        return [
            ReportTally(
                activity_code=row["activity_code"],
                officer_id=row["officer_id"],
                officer_name=row["full_name"],
                officer_rank=row["rank"],
                reports=int(row["reports"]),
                residents=int(row["residents"]),
            )
            for row in rows
        ]

    async def complaint_tallies(
        self, units: Iterable[str], start: datetime, end: datetime
    ) -> list[ComplaintTally]:
        """Complaints of the period's reports per (category, status, urgency)."""
        codes = sorted(set(units))
        if not codes:
            return []
        where, params = self._where(codes, start, end)
        rows = await self._all(
            "SELECT c.category, c.status, c.urgency, COUNT(*) AS n"
            " FROM reports r JOIN complaints c ON c.report_id = r.id"
            f" WHERE {where} GROUP BY c.category, c.status, c.urgency",
            params,
        )
        return [
            ComplaintTally(row["category"], row["status"], row["urgency"], int(row["n"]))
            for row in rows
        ]

    async def photos(
        self, units: Iterable[str], start: datetime, end: datetime, *, limit: int
    ) -> list[tuple[str, str, str, datetime]]:
        """The period's documentation photos: (sha256, activity code, officer name, time)."""
        codes = sorted(set(units))
        if not codes:
            return []
        where, params = self._where(codes, start, end)
        rows = await self._all(
            f"SELECT p.sha256, r.activity_code, o.full_name, {ACTIVITY_TIME} AS at"
            " FROM reports r JOIN report_photos p ON p.report_id = r.id"
            " JOIN officers o ON o.id = r.officer_id"
            f" WHERE {where} ORDER BY at, r.id, p.position LIMIT ?",
            [*params, limit],
        )
        return [
            (row["sha256"], row["activity_code"], row["full_name"], require_time(row["at"]))
            for row in rows
        ]

    async def query_plan(self, units: Iterable[str], start: datetime, end: datetime) -> str:
        """SQLite's plan for the report query (tests check that it uses an index)."""
        codes = sorted(set(units))
        where, params = self._where(codes, start, end)
        rows = await self._all(
            f"EXPLAIN QUERY PLAN SELECT COUNT(*) FROM reports r WHERE {where}", params
        )
        return " | ".join(str(row["detail"]) for row in rows)


async def load_recap(
    recaps: RecapRepository,
    catalogue: Catalogue,
    units: Iterable[str],
    period: Period,
    schedule: ScheduleSource | None = None,
) -> Recap:
    """The one recap computation: grouped queries folded by :func:`domain.recap.build_recap`."""
    unit_set = frozenset(units)
    tallies = await recaps.report_tallies(
        unit_set, period.start, period.end, resident_field_keys(catalogue)
    )
    complaints = await recaps.complaint_tallies(unit_set, period.start, period.end)
    counts = await schedule(unit_set, period) if schedule is not None else None
    return build_recap(period, unit_set, catalogue, tallies, complaints, counts)
