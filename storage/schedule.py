"""Schedule repositories: posts and their officers, pauses, the /tugas draft, the outbox."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from domain.catalogue import LONGEST_TIME_RANGE_MINUTES
from domain.schedule import (
    AssignDraft,
    Assignment,
    Delivery,
    Kind,
    Notification,
    Pause,
    Planned,
    PostStatus,
)
from storage.base import Repository, Row
from storage.values import from_db_time, require_time, to_db_time


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _marks(values: Sequence[object]) -> str:
    return ",".join("?" * len(values))


_ASSIGNMENT_COLUMNS = (
    "a.id, a.activity_code, a.unit_code, a.place, a.starts_at, a.ends_at, a.sprin, a.status,"
    " a.revision, a.rule_key, a.created_by,"
    " (SELECT group_concat(officer_id) FROM assignment_officers o WHERE o.assignment_id = a.id)"
    " AS officer_ids"
)
_ASSIGNMENT_COLUMNS_PG = _ASSIGNMENT_COLUMNS.replace(
    "group_concat(officer_id)", "string_agg(CAST(officer_id AS TEXT), ',')"
)


def first_report_columns(officer: str, *, postgres: bool = False) -> str:
    """Columns ``tied`` and ``overlapping``: the first report of officer ``officer`` (an SQL
    expression) for post ``a``, read in two indexed lookups.

    A report tied to the post counts; so does a report of the same activity by the officer,
    tied to no post, whose time range overlaps the post's. One ``OR`` of the two made SQLite
    walk the officer's whole history; the second lookup is also bounded below (no activity
    lasts longer than ``LONGEST_TIME_RANGE_MINUTES``) so it reads a slice of
    ``reports_officer_activity``. :func:`first_report` takes the earlier of the two.
    """
    # INDEXED BY: without statistics the planner walks ``reports_officer`` in submission order
    # to stop at the first match, which for a duty never reported is the whole history.
    earliest = (
        "to_char((CAST(a.starts_at AS TIMESTAMPTZ)"
        f" - INTERVAL '{LONGEST_TIME_RANGE_MINUTES} minutes') AT TIME ZONE 'UTC',"
        " 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
        if postgres else
        f"strftime('%Y-%m-%dT%H:%M:%f000Z', a.starts_at, '-{LONGEST_TIME_RANGE_MINUTES} minutes')"
    )
    return (
        "(SELECT MIN(r.submitted_at) FROM reports r INDEXED BY reports_assignment"
        f" WHERE r.assignment_id = a.id AND r.officer_id = {officer}) AS tied,"
        " (SELECT MIN(r.submitted_at) FROM reports r INDEXED BY reports_officer_activity"
        f" WHERE r.officer_id = {officer} AND r.activity_code = a.activity_code"
        f" AND r.assignment_id IS NULL AND r.started_at > {earliest}"
        " AND r.started_at < a.ends_at AND r.ended_at > a.starts_at) AS overlapping"
    )


def first_report(row: Row) -> datetime | None:
    """The earlier of a row's ``tied`` and ``overlapping`` report times."""
    found = [moment for moment in (from_db_time(row["tied"]), from_db_time(row["overlapping"]))
             if moment is not None]
    return min(found, default=None)


def _assignment(row: Row) -> Assignment:
    ids = row["officer_ids"]
    return Assignment(
        id=row["id"],
        activity_code=row["activity_code"],
        unit_code=row["unit_code"],
        place=row["place"],
        starts_at=require_time(row["starts_at"]),
        ends_at=require_time(row["ends_at"]),
        sprin=row["sprin"],
        status=PostStatus(row["status"]),
        revision=row["revision"],
        rule_key=row["rule_key"],
        created_by=row["created_by"],
        officer_ids=tuple(sorted(int(part) for part in ids.split(","))) if ids else (),
    )


class AssignmentRepository(Repository):
    """Posts, who is assigned to them, and whether their reports came in."""

    @property
    def _columns(self) -> str:
        return _ASSIGNMENT_COLUMNS_PG if self.postgres else _ASSIGNMENT_COLUMNS

    async def create(
        self,
        *,
        activity_code: str,
        unit_code: str | None,
        place: str | None,
        starts_at: datetime,
        ends_at: datetime,
        sprin: str | None,
        created_by: int | None,
        now: datetime,
        rule_key: str | None = None,
    ) -> int | None:
        """Store a post; None when a rule's post for that day exists already."""
        cursor = await self._write(
            "INSERT OR IGNORE INTO assignments (activity_code, unit_code, place, starts_at,"
            " ends_at, sprin, rule_key, created_by, created_at, updated_at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?)",
            (activity_code, unit_code, place, to_db_time(starts_at), to_db_time(ends_at), sprin,
             rule_key, created_by, to_db_time(now), to_db_time(now)),
        )
        return int(cursor.lastrowid) if cursor.rowcount == 1 and cursor.lastrowid else None

    async def add_officers(self, assignment_id: int, officer_ids: Iterable[int]) -> list[int]:
        """Assign officers; returns those who were not assigned before."""
        added: list[int] = []
        for officer_id in sorted(set(officer_ids)):
            cursor = await self._write(
                "INSERT OR IGNORE INTO assignment_officers (assignment_id, officer_id)"
                " VALUES (?, ?)",
                (assignment_id, officer_id),
            )
            if cursor.rowcount == 1:
                added.append(officer_id)
        return added

    async def by_id(self, assignment_id: int) -> Assignment | None:
        """The post with this id."""
        row = await self._one(
            f"SELECT {self._columns} FROM assignments a WHERE a.id = ?", (assignment_id,)
        )
        return _assignment(row) if row else None

    async def by_rule_key(self, rule_key: str) -> Assignment | None:
        """The post a recurring rule produced for one day."""
        row = await self._one(
            f"SELECT {self._columns} FROM assignments a WHERE a.rule_key = ?", (rule_key,)
        )
        return _assignment(row) if row else None

    async def move(
        self, assignment_id: int, *, revision: int, starts_at: datetime, ends_at: datetime,
        now: datetime,
    ) -> bool:
        """Give a planned post a new time; False when it changed meanwhile (stale button)."""
        cursor = await self._write(
            "UPDATE assignments SET starts_at = ?, ends_at = ?, revision = revision + 1,"
            " updated_at = ? WHERE id = ? AND revision = ? AND status = 'planned'",
            (to_db_time(starts_at), to_db_time(ends_at), to_db_time(now), assignment_id,
             revision),
        )
        return cursor.rowcount == 1

    async def cancel(self, assignment_id: int, *, revision: int, now: datetime) -> bool:
        """Cancel a planned post; False when it changed meanwhile."""
        cursor = await self._write(
            "UPDATE assignments SET status = 'cancelled', revision = revision + 1,"
            " updated_at = ? WHERE id = ? AND revision = ? AND status = 'planned'",
            (to_db_time(now), assignment_id, revision),
        )
        return cursor.rowcount == 1

    async def of_officer(
        self, officer_id: int, start: datetime, end: datetime
    ) -> list[Assignment]:
        """The officer's planned posts ending after ``start`` and starting before ``end``."""
        rows = await self._all(
            f"SELECT {self._columns} FROM assignments a JOIN assignment_officers o"
            " ON o.assignment_id = a.id WHERE o.officer_id = ? AND a.status = 'planned'"
            " AND a.ends_at > ? AND a.starts_at < ? ORDER BY a.starts_at, a.id",
            (officer_id, to_db_time(start), to_db_time(end)),
        )
        return [_assignment(row) for row in rows]

    async def in_units(
        self, unit_codes: Iterable[str], start: datetime, end: datetime, *, by_end: bool = False
    ) -> list[Assignment]:
        """Planned posts of these units starting (or, ``by_end``, ending) in ``[start, end)``."""
        units = sorted(set(unit_codes))
        if not units:
            return []
        column = "a.ends_at" if by_end else "a.starts_at"
        rows = await self._all(
            f"SELECT {self._columns} FROM assignments a WHERE a.status = 'planned'"
            f" AND a.unit_code IN ({_marks(units)}) AND {column} >= ? AND {column} < ?"
            " ORDER BY a.starts_at, a.id",
            (*units, to_db_time(start), to_db_time(end)),
        )
        return [_assignment(row) for row in rows]

    async def reported_at(self, assignment: Assignment, officer_id: int) -> datetime | None:
        """When the officer's report for the post arrived, if it did (see ``FIRST_REPORT``)."""
        row = await self._one(
            f"SELECT {first_report_columns('?', postgres=self.postgres)} FROM assignments a"
            " WHERE a.id = ?",
            (officer_id, officer_id, assignment.id),
        )
        return first_report(row) if row else None

    async def bind_draft(self, draft_id: int, assignment_id: int) -> None:
        """Tie a report draft to the post it reports on (its report will carry the link)."""
        await self._write(
            "UPDATE report_drafts SET assignment_id = ?, revision = revision + 1 WHERE id = ?",
            (assignment_id, draft_id),
        )


def _pause(row: Row) -> Pause:
    return Pause(
        id=row["id"],
        officer_id=row["officer_id"],
        starts_at=require_time(row["starts_at"]),
        ends_at=require_time(row["ends_at"]),
        reason=row["reason"],
    )


class PauseRepository(Repository):
    """Officers' pauses of reminders."""

    async def add(
        self, officer_id: int, *, starts_at: datetime, ends_at: datetime, reason: str,
        now: datetime,
    ) -> None:
        """Record a pause."""
        await self._write(
            "INSERT INTO reminder_pauses (officer_id, starts_at, ends_at, reason, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (officer_id, to_db_time(starts_at), to_db_time(ends_at), reason, to_db_time(now)),
        )

    async def end(self, officer_id: int, now: datetime) -> bool:
        """End the officer's current pauses now; False when none was running."""
        cursor = await self._write(
            "UPDATE reminder_pauses SET ends_at = ? WHERE officer_id = ? AND ends_at > ?",
            (to_db_time(now), officer_id, to_db_time(now)),
        )
        return cursor.rowcount > 0

    async def current(self, officer_ids: Iterable[int], after: datetime) -> list[Pause]:
        """Pauses of these officers that have not ended by ``after``."""
        ids = sorted(set(officer_ids))
        if not ids:
            return []
        rows = await self._all(
            "SELECT id, officer_id, starts_at, ends_at, reason FROM reminder_pauses"
            f" WHERE officer_id IN ({_marks(ids)}) AND ends_at > ? ORDER BY starts_at",
            (*ids, to_db_time(after)),
        )
        return [_pause(row) for row in rows]

    async def overlapping(self, officer_id: int, start: datetime, end: datetime) -> list[Pause]:
        """The officer's pauses overlapping ``[start, end)``."""
        rows = await self._all(
            "SELECT id, officer_id, starts_at, ends_at, reason FROM reminder_pauses"
            " WHERE officer_id = ? AND starts_at < ? AND ends_at > ?",
            (officer_id, to_db_time(end), to_db_time(start)),
        )
        return [_pause(row) for row in rows]


class AssignDraftRepository(Repository):
    """The /tugas conversation's state, one draft per leader."""

    async def get(self, officer_id: int) -> AssignDraft | None:
        """The leader's open draft, if any."""
        row = await self._one(
            "SELECT officer_id, mode, assignment_id, step, answers, version, updated_at"
            " FROM assignment_drafts WHERE officer_id = ?",
            (officer_id,),
        )
        if row is None:
            return None
        return AssignDraft(
            officer_id=row["officer_id"],
            mode=row["mode"],
            assignment_id=row["assignment_id"],
            step=row["step"],
            answers=json.loads(row["answers"]),
            version=row["version"],
            updated_at=from_db_time(row["updated_at"]),
        )

    async def save(self, draft: AssignDraft, now: datetime) -> AssignDraft:
        """Write the draft with a new version (older buttons become stale)."""
        await self._write(
            "INSERT INTO assignment_drafts (officer_id, mode, assignment_id, step, answers,"
            " version, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(officer_id) DO UPDATE"
            " SET mode = excluded.mode, assignment_id = excluded.assignment_id,"
            " step = excluded.step, answers = excluded.answers, version = excluded.version,"
            " updated_at = excluded.updated_at",
            (draft.officer_id, draft.mode, draft.assignment_id, draft.step,
             _dumps(draft.answers), draft.version + 1, to_db_time(now)),
        )
        stored = await self.get(draft.officer_id)
        assert stored is not None
        return stored

    async def delete(self, officer_id: int) -> None:
        """Forget a finished or abandoned draft."""
        await self._write("DELETE FROM assignment_drafts WHERE officer_id = ?", (officer_id,))


_NOTIFICATION_COLUMNS = (
    "id, key, kind, assignment_id, officer_id, recipient_id, payload, due_at, status, attempts,"
    " claimed_at, sent_at, late, reason"
)


def _notification(row: Row) -> Notification:
    return Notification(
        id=row["id"],
        key=row["key"],
        kind=Kind(row["kind"]),
        assignment_id=row["assignment_id"],
        officer_id=row["officer_id"],
        recipient_id=row["recipient_id"],
        payload=json.loads(row["payload"]),
        due_at=require_time(row["due_at"]),
        status=Delivery(row["status"]),
        attempts=row["attempts"],
        claimed_at=from_db_time(row["claimed_at"]),
        sent_at=from_db_time(row["sent_at"]),
        late=bool(row["late"]),
        reason=row["reason"],
    )


class NotificationRepository(Repository):
    """The outbox: every notification, keyed for idempotency, with its delivery state."""

    async def plan(self, items: Iterable[Planned], now: datetime) -> int:
        """Store notifications whose key is new; returns how many were new."""
        created = 0
        for item in items:
            cursor = await self._write(
                "INSERT OR IGNORE INTO notifications (key, kind, assignment_id, officer_id,"
                " recipient_id, payload, due_at, created_at) VALUES (?,?,?,?,?,?,?,?)",
                (item.key, item.kind.value, item.assignment_id, item.officer_id,
                 item.recipient_id, _dumps(item.payload), to_db_time(item.due_at),
                 to_db_time(now)),
            )
            created += cursor.rowcount
        return created

    async def due(self, now: datetime, limit: int = 200) -> list[Notification]:
        """Pending notifications whose moment (and retry moment) has come, oldest first."""
        rows = await self._all(
            f"SELECT {_NOTIFICATION_COLUMNS} FROM notifications WHERE status = 'pending'"
            " AND due_at <= ? AND (next_attempt_at IS NULL OR next_attempt_at <= ?)"
            " ORDER BY due_at, id LIMIT ?",
            (to_db_time(now), to_db_time(now), limit),
        )
        return [_notification(row) for row in rows]

    async def by_key(self, key: str) -> Notification | None:
        """The notification with this idempotency key."""
        row = await self._one(
            f"SELECT {_NOTIFICATION_COLUMNS} FROM notifications WHERE key = ?", (key,)
        )
        return _notification(row) if row else None

    async def all(self) -> list[Notification]:
        """Every notification, in order of creation (tests and diagnostics)."""
        rows = await self._all(f"SELECT {_NOTIFICATION_COLUMNS} FROM notifications ORDER BY id")
        return [_notification(row) for row in rows]

    async def claim(self, notification_id: int, now: datetime) -> bool:
        """Take a pending notification for sending (counts the attempt); False if taken."""
        # PostgreSQL: a row another instance is claiming right now is skipped, not waited
        # for (it will be 'sending' when that instance commits).
        row = ("(SELECT id FROM notifications WHERE id = ? AND status = 'pending'"
               " FOR UPDATE SKIP LOCKED)" if self.postgres else "? AND status = 'pending'")
        cursor = await self._write(
            "UPDATE notifications SET status = 'sending', claimed_at = ?,"
            f" attempts = attempts + 1 WHERE id = {row}",
            (to_db_time(now), notification_id),
        )
        return cursor.rowcount == 1

    async def abandon_claims(self, before: datetime) -> list[str]:
        """Mark claims older than ``before`` with no outcome as ``unknown``; their keys."""
        rows = await self._all(
            "UPDATE notifications SET status = 'unknown', reason = 'interrupted'"
            " WHERE status = 'sending' AND claimed_at <= ? RETURNING key",
            (to_db_time(before),),
        )
        return sorted(str(row[0]) for row in rows)

    async def mark_sent(
        self, notification_id: int, *, now: datetime, late: bool, note: str | None = None
    ) -> bool:
        """Record the send; False when it was no longer pending or claimed (nothing changes).

        An attempt is counted here only for a row that was not claimed (the claim counted it).
        """
        cursor = await self._write(
            "UPDATE notifications SET status = 'sent', sent_at = ?, late = ?,"
            " reason = COALESCE(?, reason),"
            " attempts = attempts + CAST(status = 'pending' AS INTEGER)"
            " WHERE id = ? AND status IN ('pending', 'sending')",
            (to_db_time(now), int(late), note, notification_id),
        )
        return cursor.rowcount == 1

    async def skip(self, notification_id: int, reason: str) -> bool:
        """Decide not to send a pending notification, saying why."""
        cursor = await self._write(
            "UPDATE notifications SET status = 'skipped', reason = ? WHERE id = ?"
            " AND status = 'pending'",
            (reason, notification_id),
        )
        return cursor.rowcount == 1

    async def skip_for_post(
        self, assignment_id: int, reason: str, *, officer_id: int | None = None,
        kinds: Iterable[Kind] | None = None,
    ) -> int:
        """Skip a post's pending notifications (all, or one officer's, or some kinds)."""
        sql = ("UPDATE notifications SET status = 'skipped', reason = ?"
               " WHERE assignment_id = ? AND status = 'pending'")
        params: list[object] = [reason, assignment_id]
        if officer_id is not None:
            sql += " AND officer_id = ?"
            params.append(officer_id)
        if kinds is not None:
            wanted = [kind.value for kind in kinds]
            sql += f" AND kind IN ({_marks(wanted)})"
            params.extend(wanted)
        cursor = await self._write(sql, params)
        return cursor.rowcount

    async def retry_later(self, notification_id: int, at: datetime, reason: str) -> None:
        """A temporary failure: count the attempt (unless claimed) and try again at ``at``."""
        await self._write(
            "UPDATE notifications SET status = 'pending', attempts = attempts"
            " + CAST(status = 'pending' AS INTEGER), next_attempt_at = ?, reason = ? WHERE id = ?"
            " AND status IN ('pending', 'sending')",
            (to_db_time(at), reason, notification_id),
        )

    async def fail(self, notification_id: int, reason: str) -> None:
        """A permanent failure: count the attempt (unless claimed) and stop trying."""
        await self._write(
            "UPDATE notifications SET status = 'failed', attempts = attempts"
            " + CAST(status = 'pending' AS INTEGER), reason = ? WHERE id = ?"
            " AND status IN ('pending', 'sending')",
            (reason, notification_id),
        )
