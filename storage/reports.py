"""Reporting repositories: drafts, numbers, reports, photos, complaints, revisions."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from domain.answers import Complaint
from domain.reports import Draft, Report, ReportColumns, Revision, StoredComplaint
from storage.base import Repository, Row, Statement
from storage.values import from_db_time, require_time, to_db_time


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


_DRAFT_COLUMNS = (
    "id, officer_id, activity_code, step, answers, work, editing, version, assignment_id,"
    " report_id, created_at, updated_at, preset, offers, revision,"
    # The officer's kelurahan binaan ride along: the place step offers them as buttons.
    " (SELECT group_concat(a.kelurahan_code) FROM officer_areas a"
    "  WHERE a.officer_id = report_drafts.officer_id) AS areas"
)
_DRAFT_COLUMNS_PG = _DRAFT_COLUMNS.replace(
    "group_concat(a.kelurahan_code)", "string_agg(a.kelurahan_code, ',')"
)


def _draft(row: Row) -> Draft:
    return Draft(
        id=row["id"],
        officer_id=row["officer_id"],
        activity_code=row["activity_code"],
        step=row["step"],
        answers=json.loads(row["answers"]),
        work=json.loads(row["work"]),
        editing=bool(row["editing"]),
        version=row["version"],
        assignment_id=row["assignment_id"],
        report_id=row["report_id"],
        created_at=from_db_time(row["created_at"]),
        updated_at=from_db_time(row["updated_at"]),
        preset=tuple(json.loads(row["preset"])),
        offers=json.loads(row["offers"]),
        areas=tuple(sorted(row["areas"].split(","))) if row["areas"] else (),
        revision=row["revision"],
    )


class DraftRepository(Repository):
    """Open report drafts, one per officer: the report conversation's state."""

    @property
    def _columns(self) -> str:
        return _DRAFT_COLUMNS_PG if self.postgres else _DRAFT_COLUMNS

    async def of_officer(self, officer_id: int) -> Draft | None:
        """The officer's open draft, if any."""
        row = await self._one(
            f"SELECT {self._columns} FROM report_drafts WHERE officer_id = ?", (officer_id,)
        )
        return _draft(row) if row else None

    async def create(
        self,
        officer_id: int,
        activity_code: str,
        step: str,
        now: datetime,
        *,
        report_id: int | None = None,
        answers: dict[str, Any] | None = None,
    ) -> int:
        """Open a draft and return its id (the caller checked there is none).

        With ``report_id`` the draft is a correction of that report, seeded with its answers.
        """
        cursor = await self._write(
            "INSERT INTO report_drafts (officer_id, activity_code, step, answers, report_id,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                officer_id,
                activity_code,
                step,
                _dumps(answers or {}),
                report_id,
                to_db_time(now),
                to_db_time(now),
            ),
        )
        return int(cursor.lastrowid or 0)

    async def save(self, draft: Draft, now: datetime, *, bump: bool = True) -> Draft:
        """Write the draft; ``bump`` makes buttons of older messages stale."""
        stored = await self._one(*self._update(draft, now, bump=bump, checked=False))
        assert stored is not None
        return _draft(stored)

    def saving(self, draft: Draft, now: datetime, *, bump: bool = True) -> Statement:
        """The same write as ``save`` for a batch, stored only onto the revision it was
        read at (``Conflict`` otherwise): the answer path reads outside the transaction."""
        sql, params = self._update(draft, now, bump=bump, checked=True)
        return Statement(sql, params, must_change=True)

    def _update(
        self, draft: Draft, now: datetime, *, bump: bool, checked: bool
    ) -> tuple[str, tuple[Any, ...]]:
        version = draft.version + 1 if bump else draft.version
        # RETURNING: the stored row comes back from the UPDATE itself, one trip to the
        # database instead of two on every answer (bench/, README Performance).
        return (
            "UPDATE report_drafts SET step = ?, answers = ?, work = ?, editing = ?, version = ?,"
            " preset = ?, offers = ?, updated_at = ?, revision = revision + 1 WHERE id = ?"
            + (" AND revision = ?" if checked else "")
            + f" RETURNING {self._columns}",
            (
                draft.step,
                _dumps(draft.answers),
                _dumps(draft.work),
                int(draft.editing),
                version,
                _dumps(list(draft.preset)),
                _dumps(draft.offers),
                to_db_time(now),
                draft.id,
                *((draft.revision,) if checked else ()),
            ),
        )

    @staticmethod
    def stored(rows: Sequence[Row]) -> Draft:
        """The draft a ``saving`` statement wrote, from the rows it returned."""
        return _draft(rows[0])

    async def delete(self, draft_id: int) -> None:
        """Forget a submitted or discarded draft."""
        await self._write("DELETE FROM report_drafts WHERE id = ?", (draft_id,))


class ReportCounters(Repository):
    """Sequential report numbers per activity and month, never reused."""

    async def next(self, activity_code: str, year: int, month: int) -> int:
        """Take the next number (call inside the transaction that stores the report)."""
        # One statement: the row lock of the upsert orders concurrent submitters on
        # PostgreSQL, and the number comes back from the row this transaction wrote.
        row = await self._one(
            "INSERT INTO report_counters (activity_code, year, month, last_number)"
            " VALUES (?, ?, ?, 1) ON CONFLICT(activity_code, year, month)"
            " DO UPDATE SET last_number = report_counters.last_number + 1"
            " RETURNING last_number",
            (activity_code, year, month),
        )
        assert row is not None
        return int(row[0])


_REPORT_COLUMNS = (
    "id, number, activity_code, officer_id, unit_code, started_at, ended_at, place, latitude,"
    " longitude, equipment, warnings_ack_at, answers, submitted_at, kelurahan_code"
)


def _report(row: Row) -> Report:
    return Report(
        id=row["id"],
        number=row["number"],
        activity_code=row["activity_code"],
        officer_id=row["officer_id"],
        unit_code=row["unit_code"],
        started_at=from_db_time(row["started_at"]),
        ended_at=from_db_time(row["ended_at"]),
        place=row["place"],
        latitude=row["latitude"],
        longitude=row["longitude"],
        answers=json.loads(row["answers"]),
        submitted_at=require_time(row["submitted_at"]),
        warnings_ack_at=from_db_time(row["warnings_ack_at"]),
        equipment=json.loads(row["equipment"]) if row["equipment"] else None,
        kelurahan_code=row["kelurahan_code"],
    )


class ReportRepository(Repository):
    """Submitted reports."""

    async def create(
        self,
        *,
        number: str,
        activity_code: str,
        officer_id: int,
        unit_code: str | None,
        columns: ReportColumns,
        answers: dict[str, Any],
        assignment_id: int | None,
        now: datetime,
    ) -> int:
        """Store a report (its answers and the columns derived from them) and return its id.

        Complaints and photos of ``columns`` are stored by their own repositories."""
        cursor = await self._write(
            "INSERT INTO reports (number, activity_code, officer_id, unit_code, started_at,"
            " ended_at, place, latitude, longitude, equipment, kelurahan_code, warnings_ack_at,"
            " answers, assignment_id, submitted_at, updated_at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                number,
                activity_code,
                officer_id,
                unit_code,
                *_column_values(columns),
                to_db_time(columns.warnings_ack_at) if columns.warnings_ack_at else None,
                _dumps(answers),
                assignment_id,
                to_db_time(now),
                to_db_time(now),
            ),
        )
        return int(cursor.lastrowid or 0)

    async def by_id(self, report_id: int) -> Report | None:
        """The report with this id."""
        row = await self._one(f"SELECT {_REPORT_COLUMNS} FROM reports WHERE id = ?", (report_id,))
        return _report(row) if row else None

    async def of_officer(self, officer_id: int, *, limit: int, offset: int = 0) -> list[Report]:
        """The officer's reports, newest first."""
        rows = await self._all(
            f"SELECT {_REPORT_COLUMNS} FROM reports WHERE officer_id = ?"
            " ORDER BY submitted_at DESC, id DESC LIMIT ? OFFSET ?",
            (officer_id, limit, offset),
        )
        return [_report(row) for row in rows]

    async def latest_of_activity(self, officer_id: int, activity_code: str) -> Report | None:
        """The officer's newest report of this activity (what "same as last time" offers)."""
        row = await self._one(
            f"SELECT {_REPORT_COLUMNS} FROM reports WHERE officer_id = ? AND activity_code = ?"
            " ORDER BY submitted_at DESC, id DESC LIMIT 1",
            (officer_id, activity_code),
        )
        return _report(row) if row else None

    async def count_of_officer(self, officer_id: int) -> int:
        """How many reports the officer filed."""
        row = await self._one("SELECT COUNT(*) FROM reports WHERE officer_id = ?", (officer_id,))
        return int(row[0]) if row else 0

    async def all(self) -> list[Report]:
        """Every report, oldest first (tests and exports)."""
        rows = await self._all(f"SELECT {_REPORT_COLUMNS} FROM reports ORDER BY id")
        return [_report(row) for row in rows]

    async def update_answer(
        self, report_id: int, *, answers: dict[str, Any], columns: ReportColumns, now: datetime
    ) -> None:
        """Store a corrected report (the revision is recorded separately)."""
        await self._write(
            "UPDATE reports SET answers = ?, started_at = ?, ended_at = ?, place = ?,"
            " latitude = ?, longitude = ?, equipment = ?, kelurahan_code = ?, updated_at = ?"
            " WHERE id = ?",
            (_dumps(answers), *_column_values(columns), to_db_time(now), report_id),
        )


def _column_values(columns: ReportColumns) -> tuple[Any, ...]:
    """Started, ended, place, latitude, longitude, equipment, kelurahan: as both writes store
    them."""
    return (
        to_db_time(columns.started_at) if columns.started_at else None,
        to_db_time(columns.ended_at) if columns.ended_at else None,
        columns.place,
        columns.latitude,
        columns.longitude,
        _dumps(columns.equipment) if columns.equipment is not None else None,
        columns.kelurahan,
    )


class ReportPhotoRepository(Repository):
    """Which stored photos document which report."""

    async def add(self, report_id: int, photos: Sequence[dict[str, Any]]) -> None:
        """Link the photos in order (a hash appears once per report)."""
        for position, photo in enumerate(photos):
            await self._write(
                "INSERT OR IGNORE INTO report_photos (report_id, position, sha256, taken_at)"
                " VALUES (?, ?, ?, ?)",
                (report_id, position, photo["sha256"], photo.get("taken_at")),
            )

    async def referenced(self, hashes: Iterable[str]) -> set[str]:
        """Which of ``hashes`` any row still refers to: a report, a draft, the history.

        Drafts, reports' answers and revisions hold photos inside JSON; a plain substring
        test on the 64-hex hash finds them (and, erring on the keeping side, nothing else).
        """
        found = set()
        for sha in set(hashes):
            row = await self._one(
                "SELECT EXISTS (SELECT 1 FROM report_photos WHERE sha256 = ?)"
                " OR EXISTS (SELECT 1 FROM report_drafts"
                " WHERE instr(answers, ?) > 0 OR instr(work, ?) > 0)"
                " OR EXISTS (SELECT 1 FROM reports WHERE instr(answers, ?) > 0)"
                " OR EXISTS (SELECT 1 FROM report_revisions"
                " WHERE instr(old_value, ?) > 0 OR instr(new_value, ?) > 0)",
                (sha,) * 6,
            )
            if row is not None and row[0]:
                found.add(sha)
        return found

    async def newest(self, limit: int) -> list[str]:
        """Hashes of the most recently filed reports' photos (the shared-store check)."""
        rows = await self._all(
            "SELECT sha256 FROM report_photos ORDER BY report_id DESC, position LIMIT ?",
            (limit,),
        )
        return [str(row[0]) for row in rows]

    async def of_report(self, report_id: int) -> list[str]:
        """The report's photo hashes in order."""
        rows = await self._all(
            "SELECT sha256 FROM report_photos WHERE report_id = ? ORDER BY position",
            (report_id,),
        )
        return [row[0] for row in rows]


def _complaint(row: Row) -> StoredComplaint:
    return StoredComplaint(
        id=row["id"],
        report_id=row["report_id"],
        category=row["category"],
        description=row["description"],
        place=row["place"],
        urgency=row["urgency"],
        resident_name=row["resident_name"],
        resident_contact=row["resident_contact"],
        status=row["status"],
    )


class ComplaintRepository(Repository):
    """Residents' complaints, each its own record linked to its report."""

    async def add(self, report_id: int, complaints: Sequence[Complaint], now: datetime,
                  *, kelurahan: str | None = None) -> None:
        """Store the report's complaints with status ``new``, filed under ``kelurahan``."""
        for position, item in enumerate(complaints):
            await self._write(
                "INSERT INTO complaints (report_id, position, category, description, place,"
                " urgency, resident_name, resident_contact, status, created_at, updated_at,"
                " kelurahan_code) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'new', ?, ?, ?)",
                (
                    report_id,
                    position,
                    item.category,
                    item.description,
                    item.place,
                    item.urgency,
                    item.resident_name,
                    item.resident_contact,
                    to_db_time(now),
                    to_db_time(now),
                    kelurahan,
                ),
            )

    async def of_report(self, report_id: int) -> list[StoredComplaint]:
        """The report's complaints in the order they were entered."""
        rows = await self._all(
            "SELECT id, report_id, category, description, place, urgency, resident_name,"
            " resident_contact, status FROM complaints WHERE report_id = ? ORDER BY position",
            (report_id,),
        )
        return [_complaint(row) for row in rows]


class RevisionRepository(Repository):
    """Corrections of submitted reports, append-only."""

    async def record(
        self, report_id: int, officer_id: int, field_key: str, old: Any, new: Any, now: datetime
    ) -> None:
        """Append one revision."""
        await self._write(
            "INSERT INTO report_revisions (report_id, officer_id, at, field_key, old_value,"
            " new_value) VALUES (?, ?, ?, ?, ?, ?)",
            (report_id, officer_id, to_db_time(now), field_key, _dumps(old), _dumps(new)),
        )

    async def of_report(self, report_id: int) -> list[Revision]:
        """The report's revisions, oldest first."""
        rows = await self._all(
            "SELECT report_id, officer_id, at, field_key, old_value, new_value"
            " FROM report_revisions WHERE report_id = ? ORDER BY id",
            (report_id,),
        )
        return [
            Revision(
                report_id=row["report_id"],
                officer_id=row["officer_id"],
                at=require_time(row["at"]),
                field_key=row["field_key"],
                old=json.loads(row["old_value"]),
                new=json.loads(row["new_value"]),
            )
            for row in rows
        ]
