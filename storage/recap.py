"""The recap queries: reports and complaints of a set of units in a period, grouped in SQL.

A report belongs to the period of its activity time (``started_at``), or of its submission when
the form has no time field; ``ACTIVITY_TIME`` is the same expression as the indexes of
migration 0005, so a unit's week is an index range scan, not a full scan.
Only counts, codes and officers' names leave these queries: never a resident's name, contact,
complaint text or a location.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from domain.catalogue import Catalogue
from domain.imaging import PhotoCandidate
from domain.recap import (
    ComplaintTally,
    DutyResult,
    DutyRow,
    Period,
    Recap,
    ReportTally,
    ScheduleCounts,
    ScheduleSource,
    build_recap,
    count_duties,
    judge_duties,
    resident_field_keys,
)
from storage.base import Repository
from storage.schedule import first_report, first_report_columns
from storage.values import require_time, to_db_time

ACTIVITY_TIME = "COALESCE(r.started_at, r.submitted_at)"
REPORT_GRACE = timedelta(hours=2)
"""A report later than this after its post ended is late; callers pass the configured grace
(``config/schedule.toml``), this is its default."""


def _in_units(units: Sequence[str]) -> str:
    return f"r.unit_code IN ({','.join('?' * len(units))})"


def _duties_query(
    codes: Sequence[str],
    start: datetime,
    end: datetime,
    officer_id: int | None,
    activity_code: str | None,
    *,
    postgres: bool = False,
) -> tuple[str, tuple[Any, ...]]:
    narrowed = " AND o.officer_id = ?" if officer_id is not None else ""
    narrowed += " AND a.activity_code = ?" if activity_code is not None else ""
    sql = (
        "SELECT a.id, o.officer_id, a.ends_at,"
        f" {first_report_columns('o.officer_id', postgres=postgres)},"
        " EXISTS (SELECT 1 FROM reminder_pauses p WHERE p.officer_id = o.officer_id"
        "  AND p.starts_at <= a.starts_at AND p.ends_at > a.starts_at) AS paused"
        " FROM assignments a JOIN assignment_officers o ON o.assignment_id = a.id"
        f" WHERE a.status = 'planned' AND a.unit_code IN ({','.join('?' * len(codes))})"
        f" AND a.ends_at >= ? AND a.ends_at < ?{narrowed}"
        " ORDER BY a.starts_at, a.id, o.officer_id"
    )
    params = (*codes, to_db_time(start), to_db_time(end),
              *([] if officer_id is None else [officer_id]),
              *([] if activity_code is None else [activity_code]))
    return sql, params


class RecapRepository(Repository):
    """Grouped counts for recaps, digests and group summaries."""

    def _where(
        self,
        units: Sequence[str],
        start: datetime,
        end: datetime,
        officer_id: int | None = None,
        activity_code: str | None = None,
    ) -> tuple[str, list[Any]]:
        sql = f"{_in_units(units)} AND {ACTIVITY_TIME} >= ? AND {ACTIVITY_TIME} < ?"
        params: list[Any] = [*units, to_db_time(start), to_db_time(end)]
        if officer_id is not None:
            sql += " AND r.officer_id = ?"
            params.append(officer_id)
        if activity_code is not None:
            sql += " AND r.activity_code = ?"
            params.append(activity_code)
        return sql, params

    async def report_tallies(
        self,
        units: Iterable[str],
        start: datetime,
        end: datetime,
        resident_fields: Mapping[str, str],
        *,
        officer_id: int | None = None,
        activity_code: str | None = None,
    ) -> list[ReportTally]:
        """Reports per (activity, officer) with the people they reached."""
        codes = sorted(set(units))
        if not codes:
            return []
        residents_sql = "0"
        residents_params: list[Any] = []
        if resident_fields:
            # PostgreSQL: json_integer() (storage/migrations/postgresql) reads the value as
            # SQLite's CAST does (leading digits, else 0): CASE cannot mix text and 0 there.
            extract = "json_integer" if self.postgres else "json_extract"
            cases = " ".join(f"WHEN ? THEN {extract}(r.answers, ?)" for _ in resident_fields)
            residents_sql = f"CAST(CASE r.activity_code {cases} ELSE 0 END AS INTEGER)"
            for code, key in sorted(resident_fields.items()):
                residents_params += [code, f"$.{key}"]
        where, params = self._where(codes, start, end, officer_id, activity_code)
        rows = await self._all(
            "SELECT r.activity_code, r.officer_id, o.full_name, o.rank, COUNT(*) AS reports,"
            f" COALESCE(SUM({residents_sql}), 0) AS residents"
            " FROM reports r JOIN officers o ON o.id = r.officer_id"
            f" WHERE {where} GROUP BY r.activity_code, r.officer_id, o.full_name, o.rank",
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
        self,
        units: Iterable[str],
        start: datetime,
        end: datetime,
        *,
        officer_id: int | None = None,
        activity_code: str | None = None,
    ) -> list[ComplaintTally]:
        """Complaints of the period's reports per (category, status, urgency)."""
        codes = sorted(set(units))
        if not codes:
            return []
        where, params = self._where(codes, start, end, officer_id, activity_code)
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
        self,
        units: Iterable[str],
        start: datetime,
        end: datetime,
        *,
        limit: int,
        activity_code: str | None = None,
    ) -> list[PhotoCandidate]:
        """The period's documentation photos, the latest ``limit`` of them, newest first
        (candidates for a photo sheet, which picks across days and activities)."""
        codes = sorted(set(units))
        if not codes:
            return []
        where, params = self._where(codes, start, end, activity_code=activity_code)
        rows = await self._all(
            f"SELECT p.sha256, r.id, r.activity_code, o.full_name, {ACTIVITY_TIME} AS at"
            " FROM reports r JOIN report_photos p ON p.report_id = r.id"
            " JOIN officers o ON o.id = r.officer_id"
            f" WHERE {where} ORDER BY at DESC, r.id DESC, p.position LIMIT ?",
            [*params, limit],
        )
        return [
            PhotoCandidate(row["sha256"], row["id"], row["activity_code"], row["full_name"],
                           require_time(row["at"]))
            for row in rows
        ]

    async def duties(
        self,
        units: Iterable[str],
        start: datetime,
        end: datetime,
        *,
        officer_id: int | None = None,
        activity_code: str | None = None,
    ) -> list[DutyRow]:
        """Duties (a post times an assigned officer) of planned posts that ended in
        [start, end), each with its first report and whether the officer had paused reminders
        when it started; :func:`domain.recap.judge_duties` decides how each turned out."""
        codes = sorted(set(units))
        if not codes:
            return []
        rows = await self._all(*_duties_query(codes, start, end, officer_id, activity_code,
                                                 postgres=self.postgres))
        return [
            DutyRow(
                assignment_id=row["id"],
                officer_id=row["officer_id"],
                ends_at=require_time(row["ends_at"]),
                reported_at=first_report(row),
                paused=bool(row["paused"]),
            )
            for row in rows
        ]

    async def duties_plan(self, units: Iterable[str], start: datetime, end: datetime) -> str:
        """The plan for :meth:`duties` (tests check which indexes find the reports)."""
        sql, params = _duties_query(sorted(set(units)), start, end, None, None,
                                    postgres=self.postgres)
        return await self._plan(sql, params)

    async def query_plan(self, units: Iterable[str], start: datetime, end: datetime) -> str:
        """The plan for the report query (tests check that it uses an index)."""
        codes = sorted(set(units))
        where, params = self._where(codes, start, end)
        return await self._plan(f"SELECT COUNT(*) FROM reports r WHERE {where}", params)


async def load_recap(
    recaps: RecapRepository,
    catalogue: Catalogue,
    units: Iterable[str],
    period: Period,
    schedule: ScheduleSource | None = None,
    *,
    now: datetime | None = None,
    officer_id: int | None = None,
    activity_code: str | None = None,
    grace: timedelta = REPORT_GRACE,
) -> Recap:
    """The one recap computation: grouped queries folded by :func:`domain.recap.build_recap`.

    Expected posts come from ``schedule`` when given; otherwise, with ``now``, from the schedule
    tables: posts that ended in the period up to ``now`` (a post still to come is not missing).
    With ``officer_id`` only that officer's reports and posts count (an officer's own recap);
    with ``activity_code`` only that activity's.
    """
    unit_set = frozenset(units)
    tallies = await recaps.report_tallies(
        unit_set, period.start, period.end, resident_field_keys(catalogue), officer_id=officer_id,
        activity_code=activity_code,
    )
    complaints = await recaps.complaint_tallies(
        unit_set, period.start, period.end, officer_id=officer_id, activity_code=activity_code
    )
    counts: ScheduleCounts | None = None
    duties: tuple[DutyResult, ...] = ()
    if schedule is not None:
        counts = await schedule(unit_set, period)
    elif now is not None and min(period.end, now) > period.start:
        rows = await recaps.duties(unit_set, period.start, min(period.end, now),
                                   officer_id=officer_id, activity_code=activity_code)
        duties = judge_duties(rows, now=now, grace=grace)
        counts = count_duties(duties)
    return build_recap(period, unit_set, catalogue, tallies, complaints, counts, duties,
                       activity_code=activity_code)


async def rate_series(
    recaps: RecapRepository,
    units: Iterable[str],
    periods: Sequence[Period],
    *,
    now: datetime,
    officer_id: int | None = None,
    activity_code: str | None = None,
    grace: timedelta = REPORT_GRACE,
) -> list[tuple[Period, ScheduleCounts | None]]:
    """Scheduled and reported posts per period (e.g. per week), up to ``now``."""
    unit_set = frozenset(units)
    series: list[tuple[Period, ScheduleCounts | None]] = []
    for period in periods:
        end = min(period.end, now)
        counts = None
        if end > period.start:
            rows = await recaps.duties(unit_set, period.start, end, officer_id=officer_id,
                                       activity_code=activity_code)
            counts = count_duties(judge_duties(rows, now=now, grace=grace))
        series.append((period, counts))
    return series
