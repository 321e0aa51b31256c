"""Group chats linked to units, and the idempotency records of their periodic summaries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from storage.base import Repository, Row
from storage.values import from_db_time, require_time, to_db_time


@dataclass(frozen=True)
class GroupLink:
    """A group chat linked to a unit (inactive once unlinked or the bot was removed)."""

    chat_id: int
    unit_code: str
    title: str
    language: str
    linked_by: int | None
    linked_at: datetime
    active: bool
    deactivated_at: datetime | None
    deactivated_reason: str | None
    thread_id: int | None = None
    """The forum topic its summaries go to (``None``: General, or no forum)."""


@dataclass(frozen=True)
class SummaryRecord:
    """One periodic summary of one group: the row that makes it go out exactly once."""

    chat_id: int
    kind: str
    period_start: date
    """The local date the summary fell due (the column kept its first name); the period it
    covers ends at ``due_at``."""
    due_at: datetime
    status: str
    parts_sent: int
    attempts: int
    next_attempt_at: datetime | None
    late: bool
    sent_parts: tuple[str, ...] = ()
    """The keys of the parts already sent (``chart``, ``sheet``, ``text:0/2``)."""


_LINK_COLUMNS = (
    "chat_id, unit_code, title, language, linked_by, linked_at, active, deactivated_at,"
    " deactivated_reason, message_thread_id"
)
_SUMMARY_COLUMNS = (
    "chat_id, kind, period_start, due_at, status, parts_sent, attempts, next_attempt_at, late,"
    " sent_parts"
)


def _link(row: Row) -> GroupLink:
    return GroupLink(
        chat_id=row["chat_id"],
        unit_code=row["unit_code"],
        title=row["title"],
        language=row["language"],
        linked_by=row["linked_by"],
        linked_at=require_time(row["linked_at"]),
        active=bool(row["active"]),
        deactivated_at=from_db_time(row["deactivated_at"]),
        deactivated_reason=row["deactivated_reason"],
        thread_id=row["message_thread_id"],
    )


def _summary(row: Row) -> SummaryRecord:
    return SummaryRecord(
        chat_id=row["chat_id"],
        kind=row["kind"],
        period_start=date.fromisoformat(row["period_start"]),
        due_at=require_time(row["due_at"]),
        status=row["status"],
        parts_sent=row["parts_sent"],
        attempts=row["attempts"],
        next_attempt_at=from_db_time(row["next_attempt_at"]),
        late=bool(row["late"]),
        sent_parts=tuple(key for key in row["sent_parts"].split(",") if key),
    )


class GroupLinkRepository(Repository):
    """Which group chat belongs to which unit."""

    async def get(self, chat_id: int) -> GroupLink | None:
        """The link of this chat (active or not), if it was ever linked."""
        row = await self._one(
            f"SELECT {_LINK_COLUMNS} FROM group_links WHERE chat_id = ?", (chat_id,)
        )
        return _link(row) if row else None

    async def link(
        self,
        chat_id: int,
        *,
        unit_code: str,
        title: str,
        language: str,
        linked_by: int,
        now: datetime,
        thread_id: int | None = None,
    ) -> None:
        """Link (or re-link) the chat to a unit, in ``thread_id``'s topic, and make the link
        active."""
        await self._write(
            f"INSERT INTO group_links ({_LINK_COLUMNS})"
            " VALUES (?, ?, ?, ?, ?, ?, 1, NULL, NULL, ?)"
            " ON CONFLICT(chat_id) DO UPDATE SET unit_code = excluded.unit_code,"
            " title = excluded.title, language = excluded.language,"
            " linked_by = excluded.linked_by, linked_at = excluded.linked_at, active = 1,"
            " deactivated_at = NULL, deactivated_reason = NULL,"
            " message_thread_id = excluded.message_thread_id",
            (chat_id, unit_code, title, language, linked_by, to_db_time(now), thread_id),
        )

    async def forget_topic(self, chat_id: int, thread_id: int) -> bool:
        """The link's topic is gone: its summaries go to General from now on.

        Only that topic is forgotten (a /hubungkan in another topic meanwhile stays).
        """
        cursor = await self._write(
            "UPDATE group_links SET message_thread_id = NULL"
            " WHERE chat_id = ? AND message_thread_id = ?",
            (chat_id, thread_id),
        )
        return cursor.rowcount == 1

    async def deactivate(self, chat_id: int, *, reason: str, now: datetime) -> bool:
        """Stop serving the chat; False when it was not actively linked."""
        cursor = await self._write(
            "UPDATE group_links SET active = 0, deactivated_at = ?, deactivated_reason = ?"
            " WHERE chat_id = ? AND active = 1",
            (to_db_time(now), reason, chat_id),
        )
        return cursor.rowcount == 1

    async def move(self, old_chat_id: int, new_chat_id: int, now: datetime) -> bool:
        """A group became a supergroup and got a new id: the link follows it.

        False when the new chat is linked already; the old link is then simply retired.
        """
        if await self._one("SELECT 1 FROM group_links WHERE chat_id = ?", (new_chat_id,)):
            await self.deactivate(old_chat_id, reason="migrated", now=now)
            return False
        # group_summaries references group_links(chat_id) without ON UPDATE CASCADE: renaming
        # the link would break its summaries' foreign key. Copy the link, move the summaries
        # to the copy, then drop the old row (which nothing references any more).
        await self._write(
            f"INSERT INTO group_links ({_LINK_COLUMNS}) SELECT ?, unit_code, title, language,"
            " linked_by, linked_at, active, deactivated_at, deactivated_reason,"
            " message_thread_id FROM group_links WHERE chat_id = ?",
            (new_chat_id, old_chat_id),
        )
        await self._write(
            "UPDATE group_summaries SET chat_id = ? WHERE chat_id = ?", (new_chat_id, old_chat_id)
        )
        await self._write("DELETE FROM group_links WHERE chat_id = ?", (old_chat_id,))
        return True

    async def active(self) -> list[GroupLink]:
        """Every active link."""
        rows = await self._all(
            f"SELECT {_LINK_COLUMNS} FROM group_links WHERE active = 1 ORDER BY chat_id"
        )
        return [_link(row) for row in rows]

    async def of_unit(self, unit_code: str) -> list[GroupLink]:
        """The unit's active groups."""
        rows = await self._all(
            f"SELECT {_LINK_COLUMNS} FROM group_links WHERE unit_code = ? AND active = 1"
            " ORDER BY chat_id",
            (unit_code,),
        )
        return [_link(row) for row in rows]


class GroupSummaryRepository(Repository):
    """Periodic summaries per (group, kind, period): written once, then advanced part by part."""

    async def ensure(
        self, chat_id: int, kind: str, period_start: date, *, due_at: datetime, late: bool
    ) -> None:
        """Record that this summary is due (nothing happens when it is known already)."""
        await self._write(
            "INSERT INTO group_summaries (chat_id, kind, period_start, due_at, late)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (chat_id, kind, period_start.isoformat(), to_db_time(due_at), int(late)),
        )

    async def skip(
        self, chat_id: int, kind: str, period_start: date, *, due_at: datetime, reason: str
    ) -> bool:
        """Record a summary that fell due too long ago to be useful; True if newly recorded."""
        cursor = await self._write(
            "INSERT INTO group_summaries (chat_id, kind, period_start, due_at, status,"
            " last_error) VALUES (?, ?, ?, ?, 'skipped', ?) ON CONFLICT DO NOTHING",
            (chat_id, kind, period_start.isoformat(), to_db_time(due_at), reason),
        )
        return cursor.rowcount == 1

    async def last_due(self) -> dict[tuple[int, str], datetime]:
        """The latest recorded due time per (group, kind): where the due scan resumes."""
        rows = await self._all(
            "SELECT chat_id, kind, MAX(due_at) AS due FROM group_summaries GROUP BY chat_id, kind"
        )
        return {(row["chat_id"], row["kind"]): require_time(row["due"]) for row in rows}

    async def get(self, chat_id: int, kind: str, period_start: date) -> SummaryRecord | None:
        """One summary record."""
        row = await self._one(
            f"SELECT {_SUMMARY_COLUMNS} FROM group_summaries"
            " WHERE chat_id = ? AND kind = ? AND period_start = ?",
            (chat_id, kind, period_start.isoformat()),
        )
        return _summary(row) if row else None

    async def release_stuck(self, claimed_before: datetime) -> int:
        """Summaries claimed by a runner that died: pending again (a part may repeat)."""
        cursor = await self._write(
            "UPDATE group_summaries SET status = 'pending', claimed_at = NULL"
            " WHERE status = 'sending' AND claimed_at < ?",
            (to_db_time(claimed_before),),
        )
        return cursor.rowcount

    async def ready(self, now: datetime) -> list[SummaryRecord]:
        """Pending summaries whose next attempt is due, oldest first."""
        rows = await self._all(
            f"SELECT {_SUMMARY_COLUMNS} FROM group_summaries WHERE status = 'pending'"
            " AND (next_attempt_at IS NULL OR next_attempt_at <= ?)"
            " ORDER BY due_at, chat_id, kind",
            (to_db_time(now),),
        )
        return [_summary(row) for row in rows]

    async def claim(self, record: SummaryRecord, now: datetime) -> bool:
        """Take the summary for sending; False when another runner has it."""
        cursor = await self._write(
            "UPDATE group_summaries SET status = 'sending', claimed_at = ?"
            " WHERE chat_id = ? AND kind = ? AND period_start = ? AND status = 'pending'",
            (to_db_time(now), record.chat_id, record.kind, record.period_start.isoformat()),
        )
        return cursor.rowcount == 1

    async def part_sent(self, record: SummaryRecord, sent: Sequence[str], *, done: bool,
                        now: datetime) -> None:
        """One more message went out (``sent``: every part's key so far); the last one marks
        the summary sent."""
        await self._write(
            "UPDATE group_summaries SET parts_sent = ?, sent_parts = ?, status = ?, sent_at = ?"
            " WHERE chat_id = ? AND kind = ? AND period_start = ?",
            (
                len(sent),
                ",".join(sent),
                "sent" if done else "sending",
                to_db_time(now) if done else None,
                record.chat_id,
                record.kind,
                record.period_start.isoformat(),
            ),
        )

    async def retry_later(
        self, record: SummaryRecord, *, at: datetime, error: str, give_up: bool
    ) -> None:
        """Sending failed for now: try again at ``at`` (or stop trying)."""
        await self._write(
            "UPDATE group_summaries SET status = ?, attempts = attempts + 1,"
            " next_attempt_at = ?, claimed_at = NULL, last_error = ?"
            " WHERE chat_id = ? AND kind = ? AND period_start = ?",
            (
                "failed" if give_up else "pending",
                to_db_time(at),
                error[:500],
                record.chat_id,
                record.kind,
                record.period_start.isoformat(),
            ),
        )

    async def reopen(self, chat_id: int) -> None:
        """Summaries claimed for this chat become pending again (after its id changed)."""
        await self._write(
            "UPDATE group_summaries SET status = 'pending', claimed_at = NULL,"
            " next_attempt_at = NULL WHERE chat_id = ? AND status = 'sending'",
            (chat_id,),
        )

    async def fail_open(self, chat_id: int, reason: str) -> None:
        """The group is gone: nothing still open for it will be sent."""
        await self._write(
            "UPDATE group_summaries SET status = 'failed', last_error = ?"
            " WHERE chat_id = ? AND status IN ('pending', 'sending')",
            (reason, chat_id),
        )
