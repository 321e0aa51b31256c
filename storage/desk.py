"""The leaders' desk: pending typed inputs, browser views, report reviews, search, audit."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.reports import Report
from domain.text import search_words
from storage.base import Repository
from storage.reports import _REPORT_COLUMNS, _report
from storage.values import from_db_time, require_time, to_db_time


@dataclass(frozen=True)
class PendingInput:
    """A typed answer a person owes the bot: what it is for and since when."""

    officer_id: int
    kind: str
    payload: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True)
class Review:
    """A leader's review of one report."""

    report_id: int
    state: str  # returned, fixed, reviewed
    comment: str
    returned_by: int | None
    returned_at: datetime | None
    fixed_at: datetime | None
    reviewed_by: int | None
    reviewed_at: datetime | None


@dataclass(frozen=True)
class ReportFilter:
    """What the report browser shows: units always, the rest optional."""

    units: frozenset[str]
    activity_code: str | None = None
    officer_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    words: str | None = None


@dataclass(frozen=True)
class AuditEntry:
    """One audit-log line with the actor's name."""

    id: int
    at: datetime
    actor_id: int | None
    actor_name: str | None
    action: str
    target_type: str
    target_id: str
    details: dict[str, Any]


ASKED_BY = "for"
"""The payload key naming the desk (callback namespace) that asked a typed question."""
ASKED_IN = "update"
"""The payload key holding the Telegram update id of the press that asked it: update ids only
grow, so a later command is one with a higher id, whatever the clocks and queues did."""


class DeskInputs(Repository):
    """At most one pending typed input per person."""

    async def put(
        self,
        officer_id: int,
        kind: str,
        payload: dict[str, Any],
        now: datetime,
        *,
        asked_by: str,
        update_id: int,
    ) -> None:
        """Wait for a typed answer of ``kind`` (replaces any earlier one), asked by the desk
        ``asked_by`` in the update ``update_id``."""
        payload = {**payload, ASKED_BY: asked_by, ASKED_IN: update_id}
        await self._write(
            "INSERT INTO desk_inputs (officer_id, kind, payload, created_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(officer_id) DO UPDATE SET kind = excluded.kind,"
            " payload = excluded.payload, created_at = excluded.created_at",
            (officer_id, kind, json.dumps(payload), to_db_time(now)),
        )

    async def get(self, officer_id: int) -> PendingInput | None:
        """The pending input, if any."""
        row = await self._one(
            "SELECT officer_id, kind, payload, created_at FROM desk_inputs WHERE officer_id = ?",
            (officer_id,),
        )
        if row is None:
            return None
        return PendingInput(
            officer_id=row["officer_id"],
            kind=row["kind"],
            payload=json.loads(row["payload"]),
            created_at=require_time(row["created_at"]),
        )

    async def take(self, officer_id: int, created_at: datetime) -> bool:
        """Remove the pending input seen at ``created_at``; False when it changed meanwhile."""
        cursor = await self._write(
            "DELETE FROM desk_inputs WHERE officer_id = ? AND created_at = ?",
            (officer_id, to_db_time(created_at)),
        )
        return cursor.rowcount == 1

    async def clear(self, officer_id: int) -> None:
        """Forget any pending input."""
        await self._write("DELETE FROM desk_inputs WHERE officer_id = ?", (officer_id,))

    async def cancel(self, officer_id: int, asked_by: str, message_id: int) -> None:
        """Forget the pending input asked by this desk in this message, or in the reply that
        explained a bad answer (their ✖️ buttons): an older question's button must not cancel
        a newer one. Rows from before the desk was recorded match by message alone."""
        await self._write(
            "DELETE FROM desk_inputs WHERE officer_id = ?"
            f" AND COALESCE(json_extract(payload, '$.{ASKED_BY}'), ?) = ?"
            " AND ? IN (json_extract(payload, '$.message'), json_extract(payload, '$.reply'))",
            (officer_id, asked_by, asked_by, message_id),
        )

    async def note_reply(self, officer_id: int, created_at: datetime, message_id: int) -> None:
        """Remember the reply that explained a bad answer: its ✖️ cancels the question too."""
        update = (
            "UPDATE desk_inputs SET payload = CAST(jsonb_set(CAST(payload AS JSONB), '{reply}',"
            " to_jsonb(CAST(? AS BIGINT))) AS TEXT)" if self.postgres
            else "UPDATE desk_inputs SET payload = json_set(payload, '$.reply', ?)"
        )
        await self._write(
            f"{update} WHERE officer_id = ? AND created_at = ?",
            (message_id, officer_id, to_db_time(created_at)),
        )


class DeskViews(Repository):
    """The report browser's current filter per leader."""

    async def get(self, officer_id: int) -> dict[str, Any]:
        """The stored filter (empty when none)."""
        row = await self._one("SELECT payload FROM desk_views WHERE officer_id = ?", (officer_id,))
        return dict(json.loads(row[0])) if row else {}

    async def put(self, officer_id: int, payload: dict[str, Any], now: datetime) -> None:
        """Replace the filter."""
        await self._write(
            "INSERT INTO desk_views (officer_id, payload, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT(officer_id) DO UPDATE SET payload = excluded.payload,"
            " updated_at = excluded.updated_at",
            (officer_id, json.dumps(payload, ensure_ascii=False), to_db_time(now)),
        )


class ReportReviews(Repository):
    """Send-back, fixed and accepted marks on reports."""

    async def get(self, report_id: int) -> Review | None:
        """The report's review, if any."""
        row = await self._one(
            "SELECT report_id, state, comment, returned_by, returned_at, fixed_at, reviewed_by,"
            " reviewed_at FROM report_reviews WHERE report_id = ?",
            (report_id,),
        )
        if row is None:
            return None
        return Review(
            report_id=row["report_id"],
            state=row["state"],
            comment=row["comment"],
            returned_by=row["returned_by"],
            returned_at=from_db_time(row["returned_at"]),
            fixed_at=from_db_time(row["fixed_at"]),
            reviewed_by=row["reviewed_by"],
            reviewed_at=from_db_time(row["reviewed_at"]),
        )

    async def is_returned(self, report_id: int) -> bool:
        """Whether the report waits for its officer's correction."""
        review = await self.get(report_id)
        return review is not None and review.state == "returned"

    async def send_back(self, report_id: int, by: int, comment: str, now: datetime) -> None:
        """Mark the report sent back for correction with the leader's comment."""
        await self._write(
            "INSERT INTO report_reviews (report_id, state, comment, returned_by, returned_at)"
            " VALUES (?, 'returned', ?, ?, ?) ON CONFLICT(report_id) DO UPDATE SET"
            " state = 'returned', comment = excluded.comment,"
            " returned_by = excluded.returned_by, returned_at = excluded.returned_at,"
            " fixed_at = NULL, reviewed_by = NULL, reviewed_at = NULL",
            (report_id, comment, by, to_db_time(now)),
        )

    async def mark_fixed(self, report_id: int, now: datetime) -> int | None:
        """The officer corrected a returned report: the leader who returned it, or None."""
        row = await self._one(
            "SELECT returned_by FROM report_reviews WHERE report_id = ? AND state = 'returned'",
            (report_id,),
        )
        if row is None:
            return None
        await self._write(
            "UPDATE report_reviews SET state = 'fixed', fixed_at = ? WHERE report_id = ?",
            (to_db_time(now), report_id),
        )
        return int(row[0]) if row[0] is not None else None

    async def accept(self, report_id: int, by: int, now: datetime) -> bool:
        """Mark the report reviewed; False when it already was."""
        cursor = await self._write(
            "INSERT INTO report_reviews (report_id, state, reviewed_by, reviewed_at)"
            " VALUES (?, 'reviewed', ?, ?) ON CONFLICT(report_id) DO UPDATE SET"
            " state = 'reviewed', reviewed_by = excluded.reviewed_by,"
            " reviewed_at = excluded.reviewed_at WHERE report_reviews.state != 'reviewed'",
            (report_id, by, to_db_time(now)),
        )
        return cursor.rowcount == 1


def match_expression(words: str) -> str | None:
    """Typed words as an FTS5 query: every word must appear (as a prefix), quoted safely.

    The words pass :func:`~domain.text.search_words` again here, so words stored before it
    existed (a NUL ends FTS5's string early: "unterminated string") cannot break the query.
    """
    quoted = [f'"{token}"*' for token in _match_tokens(words)]
    return " ".join(quoted) if quoted else None


def _match_tokens(words: str) -> list[str]:
    tokens = [token.replace('"', "") for token in search_words(words).split()]
    return [token for token in tokens if token.strip("*")][:10]


EXPANDED_TERMS = 32
"""A typed prefix is asked as at most this many exact words; more, and as the prefix."""
_PLAIN_WORD = re.compile(r"[A-Za-z0-9]+")
"""A typed word FTS5 keeps as one token, folding nothing but ASCII case."""


class _NoMatch:
    """A typed word that no indexed report contains: the search finds nothing."""


NO_MATCH = _NoMatch()


def expanded_expression(words: str, terms: dict[str, list[str]]) -> str | _NoMatch | None:
    """:func:`match_expression` with each plain word's prefix replaced by the index's words
    that start with it (``terms``, by lower-cased prefix, as :func:`expansion_query` reads
    them: a plain word missing from it has none).

    FTS5 (SQLite 3.40) seeks a prefix in every index segment and, where a segment lacks the
    word, may walk a common word's whole doclist page by page (migration 0020); exact words
    are found without that. ``report_search_terms`` holds every word ever indexed, so the
    words listed are all the prefix can match: the same reports are found. A prefix with more
    than :data:`EXPANDED_TERMS` words, or a word FTS5 would split or fold (``jl.sudirman``,
    ``Dembé``), is asked as the prefix, as before; a plain word with none matches nothing.
    """
    parts = []
    for token in _match_tokens(words):
        found = terms.get(token.lower(), []) if _PLAIN_WORD.fullmatch(token) else None
        if found is None or len(found) > EXPANDED_TERMS:
            parts.append(f'"{token}"*')
        elif not found:
            return NO_MATCH
        else:
            parts.append("(" + " OR ".join(f'"{term}"' for term in found) + ")")
    return " AND ".join(parts) if parts else None


def expansion_query(words: str) -> tuple[str, list[Any]] | None:
    """One statement reading, for each plain typed word, up to ``EXPANDED_TERMS + 1`` indexed
    words starting with it: rows (prefix, term); None when no word is plain."""
    prefixes = sorted({token.lower() for token in _match_tokens(words)
                       if _PLAIN_WORD.fullmatch(token)})
    if not prefixes:
        return None
    selects, params = [], []
    for prefix in prefixes:
        # Bytewise, every word that starts with the prefix sorts in [prefix, successor).
        successor = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        selects.append(
            "SELECT ? AS prefix, term FROM (SELECT term FROM report_search_terms"
            " WHERE term >= ? AND term < ? ORDER BY term LIMIT ?)"
        )
        params.extend([prefix, prefix, successor, EXPANDED_TERMS + 1])
    return " UNION ALL ".join(selects), params


def tsquery_expression(words: str) -> str | None:
    """The same words as a PostgreSQL ``tsquery``: every word (as a prefix), a word that the
    FTS5 tokenizer splits (``jl.sudirman``) as a phrase, only letters and digits kept."""
    tokens = []
    for token in search_words(words).split():
        runs = _WORD_RUN.findall(token.lower())
        if runs:
            tokens.append(" <-> ".join(f"'{run}'" for run in runs) + ":*")
    return " & ".join(f"({token})" for token in tokens[:10]) if tokens else None


_WORD_RUN = re.compile(r"[^\W_]+")


def _where(
    view: ReportFilter, *, postgres: bool = False, expression: str | None = None
) -> tuple[str, list[Any]]:
    units = sorted(view.units)
    clauses = [f"unit_code IN ({','.join('?' * len(units))})"]
    params: list[Any] = list(units)
    if view.activity_code:
        clauses.append("activity_code = ?")
        params.append(view.activity_code)
    if view.officer_id:
        clauses.append("officer_id = ?")
        params.append(view.officer_id)
    if view.since is not None:
        clauses.append("COALESCE(started_at, submitted_at) >= ?")
        params.append(to_db_time(view.since))
    if view.until is not None:
        clauses.append("COALESCE(started_at, submitted_at) < ?")
        params.append(to_db_time(view.until))
    if postgres:
        expression = tsquery_expression(view.words or "")
        if expression is not None:
            clauses.append(
                "id IN (SELECT report_id FROM report_search"
                " WHERE document @@ to_tsquery('report_words', ?)"
                f" AND unit_code IN ({','.join('?' * len(units))}))"
            )
            params.extend([expression, *units])
        return " AND ".join(clauses), params
    if expression is not None:
        # The unit scope is repeated inside the search so a match elsewhere never surfaces.
        clauses.append(
            "id IN (SELECT rowid FROM report_search WHERE report_search MATCH ?"
            f" AND unit_code IN ({','.join('?' * len(units))}))"
        )
        params.extend([expression, *units])
    return " AND ".join(clauses), params


class ReportBrowser(Repository):
    """Reports of a leader's units: filtered, searched, paged; always unit-scoped."""

    async def page(self, view: ReportFilter, *, limit: int, offset: int = 0) -> list[Report]:
        """Matching reports, newest first."""
        found = await self._filter(view)
        if found is None:
            return []
        where, params = found
        rows = await self._all(
            f"SELECT {_REPORT_COLUMNS} FROM reports WHERE {where}"
            " ORDER BY COALESCE(started_at, submitted_at) DESC, id DESC LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [_report(row) for row in rows]

    async def count(self, view: ReportFilter) -> int:
        """How many reports match."""
        found = await self._filter(view)
        if found is None:
            return 0
        where, params = found
        row = await self._one(f"SELECT COUNT(*) FROM reports WHERE {where}", params)
        return int(row[0]) if row else 0

    async def _filter(self, view: ReportFilter) -> tuple[str, list[Any]] | None:
        """The WHERE clause and its parameters; None when nothing can match."""
        if not view.units:
            return None
        if self.postgres or not view.words:
            return _where(view, postgres=self.postgres)
        expression = await self._match(view.words)
        if isinstance(expression, _NoMatch):
            return None
        return _where(view, expression=expression)

    async def _match(self, words: str) -> str | _NoMatch | None:
        """The FTS5 query for typed words, prefixes turned into the index's words."""
        query = expansion_query(words)
        terms: dict[str, list[str]] = {}
        if query is not None:
            for row in await self._all(*query):
                terms.setdefault(row[0], []).append(row[1])
        return expanded_expression(words, terms)

    async def officer_ids(self, units: Iterable[str]) -> list[int]:
        """Officers who filed reports in these units (for the officer filter)."""
        codes = sorted(set(units))
        if not codes:
            return []
        rows = await self._all(
            f"SELECT DISTINCT officer_id FROM reports WHERE unit_code IN"
            f" ({','.join('?' * len(codes))}) ORDER BY officer_id",
            codes,
        )
        return [int(row[0]) for row in rows]


class AuditBrowser(Repository):
    """The audit log for admins: newest first, optionally one family of actions."""

    async def page(self, prefix: str | None, *, limit: int, offset: int = 0) -> list[AuditEntry]:
        """Entries whose action starts with ``prefix`` (all when None), newest first."""
        where, params = ("WHERE a.action LIKE ?", [f"{prefix}%"]) if prefix else ("", [])
        rows = await self._all(
            "SELECT a.id, a.at, a.actor_id, o.full_name AS actor_name, a.action, a.target_type,"
            " a.target_id, a.details FROM audit_log AS a"
            f" LEFT JOIN officers AS o ON o.id = a.actor_id {where}"
            " ORDER BY a.id DESC LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [
            AuditEntry(
                id=row["id"],
                at=require_time(row["at"]),
                actor_id=row["actor_id"],
                actor_name=row["actor_name"],
                action=row["action"],
                target_type=row["target_type"],
                target_id=row["target_id"],
                details=json.loads(row["details"] or "{}"),
            )
            for row in rows
        ]

    async def count(self, prefix: str | None) -> int:
        """How many entries match."""
        if prefix:
            row = await self._one(
                "SELECT COUNT(*) FROM audit_log WHERE action LIKE ?", (f"{prefix}%",)
            )
        else:
            row = await self._one("SELECT COUNT(*) FROM audit_log")
        return int(row[0]) if row else 0
