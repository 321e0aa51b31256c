"""Complaint follow-up: scoped lists, conditional status moves, assignment and history."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from domain.complaints import OPEN_STATUSES, ComplaintStatus, FollowUp, HistoryEntry
from storage.base import Repository, Row
from storage.recap import ACTIVITY_TIME
from storage.values import from_db_time, require_time, to_db_time

_COLUMNS = (
    "c.id, c.report_id, r.number AS report_number, r.unit_code, r.officer_id, c.category,"
    " c.description, c.place, c.urgency, c.resident_name, c.resident_contact, c.status,"
    " c.assigned_to, c.referred_to, c.created_at, c.status_changed_at,"
    " COALESCE(c.kelurahan_code, r.kelurahan_code) AS kelurahan_code"
)
_FROM = " FROM complaints AS c JOIN reports AS r ON r.id = c.report_id"
_FROM_OPEN = (
    " FROM complaints AS c INDEXED BY complaints_open JOIN reports AS r ON r.id = c.report_id"
)
"""Open complaints in time order (migration 0011); the query must also say :data:`_OPEN`."""
_OPEN = f"c.status IN ({','.join(repr(s.value) for s in OPEN_STATUSES)})"


def _follow_up(row: Row) -> FollowUp:
    return FollowUp(
        id=row["id"],
        report_id=row["report_id"],
        report_number=row["report_number"],
        unit_code=row["unit_code"],
        officer_id=row["officer_id"],
        category=row["category"],
        description=row["description"],
        place=row["place"],
        urgency=row["urgency"],
        resident_name=row["resident_name"],
        resident_contact=row["resident_contact"],
        status=ComplaintStatus(row["status"]),
        assigned_to=row["assigned_to"],
        referred_to=row["referred_to"],
        created_at=require_time(row["created_at"]),
        status_changed_at=from_db_time(row["status_changed_at"]),
        kelurahan_code=row["kelurahan_code"],
    )


Scope = tuple[str, str, list[Any]]
"""Where open complaints are read from (``_FROM_OPEN`` or ``_FROM``), a WHERE clause, its
parameters."""


def _units_before(codes: Sequence[str], cutoff: datetime) -> Scope:
    """Complaints of these units created before ``cutoff``."""
    return (
        _FROM_OPEN,
        f"r.unit_code IN ({','.join('?' * len(codes))}) AND c.created_at < ?",
        [*codes, to_db_time(cutoff)],
    )


def _scope(units: Iterable[str], officer_id: int) -> Scope:
    """Complaints of these units, or recorded by / assigned to this officer.

    A leader's units are most of the open complaints: walk them in time order. An officer's
    own are few among many: find them by officer and assignee first, then sort those."""
    codes = sorted(set(units))
    if not codes:
        return (
            _FROM,
            "c.id IN (SELECT mine.id FROM reports own JOIN complaints mine"
            " ON mine.report_id = own.id WHERE own.officer_id = ?"
            " UNION ALL SELECT given.id FROM complaints given WHERE given.assigned_to = ?)",
            [officer_id, officer_id],
        )
    return (
        _FROM_OPEN,
        f"(r.unit_code IN ({','.join('?' * len(codes))}) OR r.officer_id = ?"
        " OR c.assigned_to = ?)",
        [*codes, officer_id, officer_id],
    )


class ComplaintDesk(Repository):
    """Complaints as leaders and officers follow them up."""

    async def open_in_scope(
        self,
        units: Iterable[str],
        officer_id: int,
        *,
        urgent: Iterable[str],
        limit: int,
        offset: int = 0,
    ) -> list[FollowUp]:
        """Open complaints the viewer may follow, urgent first, then oldest first."""
        return await self._open_page(_scope(units, officer_id), urgent=urgent, limit=limit,
                                     offset=offset)

    async def count_open_in_scope(self, units: Iterable[str], officer_id: int, *, cap: int) -> int:
        """How many open complaints the viewer may follow, counted up to ``cap``."""
        return await self._count_open(_scope(units, officer_id), cap)

    async def open_longer_than(
        self, units: Iterable[str], cutoff: datetime, *, urgent: Iterable[str], limit: int
    ) -> list[FollowUp]:
        """Up to ``limit`` open complaints of these units created before ``cutoff``, urgent
        first, then oldest first (digests)."""
        codes = sorted(set(units))
        if not codes:
            return []
        return await self._open_page(_units_before(codes, cutoff), urgent=urgent, limit=limit,
                                     offset=0)

    async def count_open_longer_than(
        self, units: Iterable[str], cutoff: datetime, *, cap: int
    ) -> int:
        """How many open complaints of these units were created before ``cutoff``, counted up
        to ``cap``."""
        codes = sorted(set(units))
        if not codes:
            return 0
        return await self._count_open(_units_before(codes, cutoff), cap)

    async def open_plan(self, units: Iterable[str], officer_id: int) -> str:
        """The plan for a page of :meth:`open_in_scope` (tests check the index)."""
        source, where, params = _scope(units, officer_id)
        return await self._plan(
            f"SELECT c.id{source} WHERE {_OPEN} AND {where} ORDER BY c.created_at, c.id LIMIT 8",
            params,
        )

    async def _open_page(
        self, scope: Scope, *, urgent: Iterable[str], limit: int, offset: int
    ) -> list[FollowUp]:
        """A page of the open complaints matching ``where``: the urgent ones, oldest first,
        then the others, oldest first.

        Each kind walks the partial index of open complaints in time order and stops at the
        page, so a page costs its offset, not the backlog: a unit that never closes its
        complaints must not make every /keluhan and every digest read years of them.
        """
        source, where, params = scope
        keys = sorted(set(urgent)) or [""]
        marks = ",".join("?" * len(keys))

        async def kind(test: str, count: int, skip: int) -> list[FollowUp]:
            rows = await self._all(
                f"SELECT {_COLUMNS}{source} WHERE {_OPEN} AND {where}"
                f" AND c.urgency {test} ({marks}) ORDER BY c.created_at, c.id LIMIT ? OFFSET ?",
                (*params, *keys, count, skip),
            )
            return [_follow_up(row) for row in rows]

        found = await kind("IN", limit, offset)
        if len(found) == limit:
            return found
        # How many urgent ones precede the others: all of them up to this page's end, or, when
        # none is left for this page, their number (at most the offset).
        before = offset + len(found) if found else await self._count_open(
            (source, f"{where} AND c.urgency IN ({marks})", [*params, *keys]), offset)
        return found + await kind("NOT IN", limit - len(found), max(0, offset - before))

    async def _count_open(self, scope: Scope, cap: int) -> int:
        if cap <= 0:
            return 0
        source, where, params = scope
        row = await self._one(
            f"SELECT COUNT(*) FROM (SELECT 1{source} WHERE {_OPEN} AND {where} LIMIT ?)"
            " AS capped",
            (*params, cap),
        )
        return int(row[0]) if row else 0

    async def in_period(
        self, units: Iterable[str], start: datetime, end: datetime
    ) -> list[FollowUp]:
        """Complaints of these units' reports of [start, end), by the recap's rule (a report
        belongs to the period of its activity time, not of the moment it was filed), in report
        order (exports: the Keluhan sheet counts what the recap counts)."""
        codes = sorted(set(units))
        if not codes:
            return []
        rows = await self._all(
            f"SELECT {_COLUMNS}{_FROM} WHERE r.unit_code IN ({','.join('?' * len(codes))})"
            f" AND {ACTIVITY_TIME} >= ? AND {ACTIVITY_TIME} < ?"
            f" ORDER BY {ACTIVITY_TIME}, r.id, c.id",
            (*codes, to_db_time(start), to_db_time(end)),
        )
        return [_follow_up(row) for row in rows]

    async def get(self, complaint_id: int) -> FollowUp | None:
        """One complaint with its report's unit and officer."""
        row = await self._one(f"SELECT {_COLUMNS}{_FROM} WHERE c.id = ?", (complaint_id,))
        return _follow_up(row) if row else None

    async def move(
        self,
        complaint_id: int,
        *,
        expected: ComplaintStatus,
        new: ComplaintStatus,
        actor_id: int,
        note: str,
        now: datetime,
        referred_to: str | None = None,
    ) -> bool:
        """Change the status if it is still ``expected``; False when it changed meanwhile.

        The status condition in the UPDATE makes a stale or repeated button change nothing.
        """
        cursor = await self._write(
            "UPDATE complaints SET status = ?, referred_to = COALESCE(?, referred_to),"
            " status_changed_at = ?, updated_at = ? WHERE id = ? AND status = ?",
            (new.value, referred_to, to_db_time(now), to_db_time(now), complaint_id,
             expected.value),
        )
        if cursor.rowcount != 1:
            return False
        await self._history(complaint_id, actor_id, expected, new, None, note, now)
        return True

    async def assign(
        self,
        complaint_id: int,
        *,
        expected: ComplaintStatus,
        officer_id: int,
        actor_id: int,
        now: datetime,
    ) -> bool:
        """Assign an open complaint whose status is still ``expected``."""
        cursor = await self._write(
            "UPDATE complaints SET assigned_to = ?, updated_at = ? WHERE id = ? AND status = ?",
            (officer_id, to_db_time(now), complaint_id, expected.value),
        )
        if cursor.rowcount != 1:
            return False
        await self._history(complaint_id, actor_id, expected, expected, officer_id, "", now)
        return True

    async def _history(
        self,
        complaint_id: int,
        actor_id: int,
        old: ComplaintStatus,
        new: ComplaintStatus,
        assigned_to: int | None,
        note: str,
        now: datetime,
    ) -> None:
        await self._write(
            "INSERT INTO complaint_history (complaint_id, at, actor_id, from_status, to_status,"
            " assigned_to, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (complaint_id, to_db_time(now), actor_id, old.value, new.value, assigned_to, note),
        )

    async def history(self, complaint_id: int) -> list[HistoryEntry]:
        """The complaint's changes, oldest first, with names."""
        rows = await self._all(
            "SELECT h.at, h.actor_id, a.full_name AS actor_name, h.from_status, h.to_status,"
            " h.assigned_to, o.full_name AS assignee_name, h.note FROM complaint_history AS h"
            " JOIN officers AS a ON a.id = h.actor_id"
            " LEFT JOIN officers AS o ON o.id = h.assigned_to"
            " WHERE h.complaint_id = ? ORDER BY h.id",
            (complaint_id,),
        )
        return [
            HistoryEntry(
                at=require_time(row["at"]),
                actor_id=row["actor_id"],
                actor_name=row["actor_name"],
                from_status=ComplaintStatus(row["from_status"]),
                to_status=ComplaintStatus(row["to_status"]),
                assigned_to=row["assigned_to"],
                assignee_name=row["assignee_name"],
                note=row["note"],
            )
            for row in rows
        ]
