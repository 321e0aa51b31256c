"""Residents' personal data past its retention period: names and contacts are erased.

A complaint keeps its category, description, place and status (the police record); only who
complained and how to reach them goes. The same details are also copied inside the report's
answers JSON, the revision history and abandoned drafts, so those are scrubbed too.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from storage.base import Repository
from storage.values import to_db_time

# Keys holding residents' details in stored complaints; a complaint being typed in a draft
# keeps them as ``work.current.name`` / ``work.current.contact``.
_STORED_KEYS = ("resident_name", "resident_contact")
_DRAFT_KEYS = ("name", "contact")


class ResidentData(Repository):
    """Erases residents' names and contacts older than a cut-off; run inside a transaction."""

    async def anonymise_before(self, cutoff: datetime, now: datetime) -> int:
        """Erase details of complaints created before ``cutoff``; return how many complaints."""
        stamp = to_db_time(cutoff)
        rows = await self._all(
            "SELECT id, report_id FROM complaints WHERE created_at < ?"
            " AND (resident_name IS NOT NULL OR resident_contact IS NOT NULL)",
            (stamp,),
        )
        report_ids = {row["report_id"] for row in rows}
        if rows:
            await self._write(
                "UPDATE complaints SET resident_name = NULL, resident_contact = NULL,"
                " updated_at = ? WHERE created_at < ?"
                " AND (resident_name IS NOT NULL OR resident_contact IS NOT NULL)",
                (to_db_time(now), stamp),
            )
        # Corrections may have removed a complaint whose details live on in the history.
        for row in await self._all(
            "SELECT DISTINCT report_id FROM report_revisions WHERE at < ?"
            " AND (old_value LIKE '%resident_%' OR new_value LIKE '%resident_%')",
            (stamp,),
        ):
            report_ids.add(row["report_id"])
        for report_id in sorted(report_ids):
            await self._scrub_report(report_id)
        for row in await self._all(
            "SELECT id, answers, work FROM report_drafts WHERE updated_at < ?", (stamp,)
        ):
            answers, work = _scrubbed(row["answers"]), _scrubbed(row["work"], draft=True)
            if answers is not None or work is not None:
                await self._write(
                    "UPDATE report_drafts SET answers = ?, work = ?, revision = revision + 1"
                    " WHERE id = ?",
                    (answers or row["answers"], work or row["work"], row["id"]),
                )
        return len(rows)

    async def _scrub_report(self, report_id: int) -> None:
        row = await self._one("SELECT answers FROM reports WHERE id = ?", (report_id,))
        if row is not None:
            answers = _scrubbed(row["answers"])
            if answers is not None:
                await self._write(
                    "UPDATE reports SET answers = ? WHERE id = ?", (answers, report_id)
                )
        for revision in await self._all(
            "SELECT id, old_value, new_value FROM report_revisions WHERE report_id = ?",
            (report_id,),
        ):
            old, new = _scrubbed(revision["old_value"]), _scrubbed(revision["new_value"])
            if old is not None or new is not None:
                await self._write(
                    "UPDATE report_revisions SET old_value = ?, new_value = ? WHERE id = ?",
                    (old or revision["old_value"], new or revision["new_value"], revision["id"]),
                )

    async def remaining_before(self, cutoff: datetime) -> int:
        """Complaints older than ``cutoff`` that still name a resident (0 after a run)."""
        row = await self._one(
            "SELECT COUNT(*) FROM complaints WHERE created_at < ?"
            " AND (resident_name IS NOT NULL OR resident_contact IS NOT NULL)",
            (to_db_time(cutoff),),
        )
        return int(row[0]) if row else 0


def _scrubbed(text: str | None, *, draft: bool = False) -> str | None:
    """The JSON text with residents' details nulled, or None when nothing changed."""
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    changed = _scrub(value, _STORED_KEYS)
    current = value.get("current") if draft and isinstance(value, dict) else None
    if isinstance(current, dict):
        changed = _scrub(current, _DRAFT_KEYS) or changed
    return json.dumps(value, ensure_ascii=False) if changed else None


def _scrub(value: Any, keys: tuple[str, ...]) -> bool:
    changed = False
    if isinstance(value, dict):
        for key, item in value.items():
            if key in keys and item is not None:
                value[key] = None
                changed = True
            elif _scrub(item, keys):
                changed = True
    elif isinstance(value, list):
        for item in value:
            changed = _scrub(item, keys) or changed
    return changed
